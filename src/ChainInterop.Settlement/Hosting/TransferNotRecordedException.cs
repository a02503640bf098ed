using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Hosting;

/// <summary>
/// A bank's <see cref="CrossChainTransactions.StartTransfer"/> was committed on its PPC, but the PPC never recorded the
/// transaction: the chain refused the entry before its application saw it (the client's key is not one of the chain's
/// operators, or the entry was malformed). There is no outcome to wait for; nothing was reserved.
/// </summary>
public sealed class TransferNotRecordedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="chain">The PPC.</param>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="height">The height of the block that committed the command.</param>
    public TransferNotRecordedException(ChainId chain, Hash256 transactionId, ulong height)
        : base($"{chain} committed the StartTransfer of {transactionId.ToShortString()} at height {height} but never recorded the transaction: "
            + "the chain refused the entry (is the client's key one of its operators?)")
    {
        Chain = chain;
        TransactionId = transactionId;
        Height = height;
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    public TransferNotRecordedException()
        : base("The transfer was not recorded.")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    public TransferNotRecordedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public TransferNotRecordedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The PPC.</summary>
    public ChainId Chain { get; }

    /// <summary>The transaction.</summary>
    public Hash256 TransactionId { get; }

    /// <summary>The height of the block that committed the command.</summary>
    public ulong Height { get; }
}
