using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Relay;

/// <summary>
/// A settlement chain's result for one committed request, carried in its validators' replies
/// (<see cref="ClientReply.Result"/>), so a client learns it vouched for by f + 1 of them: a bank's
/// <see cref="StartTransfer"/> comes back accepted (<see cref="State"/> pending), or refused with its
/// <see cref="Reason"/>, or <see cref="SettlementEntryCode.Unauthorized"/>.
/// </summary>
/// <param name="Code">What became of the request.</param>
/// <param name="Result">For an executed command or message, the application's code; null otherwise.</param>
/// <param name="TransactionId">The transaction concerned (zero when none).</param>
/// <param name="State">The transaction's state on the chain after the request, if known.</param>
/// <param name="Reason">Why the transaction failed, was refused or cancelled; <see cref="TransferFailureReason.None"/> otherwise.</param>
/// <remarks>Canonical form: <c>[code, result | nil, transactionId, state | nil, reason, balance | nil]</c>, a balance being
/// <c>[posted, pendingDebits, pendingCredits, creditLimit]</c> in minor units.</remarks>
public sealed record SettlementReply(
    SettlementEntryCode Code,
    CrossChainResultCode? Result,
    Hash256 TransactionId,
    CrossChainTransactionState? State,
    TransferFailureReason Reason) : ICanonicalEncodable<SettlementReply>
{
    /// <summary>For an answered balance <see cref="SettlementQuery"/>: the account's balance, or null when the ledger has no such account or asset.</summary>
    public Ledger.Balance? Balance { get; init; }

    /// <summary>Whether the chain executed the request and its application accepted it (the transfer is under way or done).</summary>
    public bool IsAccepted => Code == SettlementEntryCode.Executed && Result == CrossChainResultCode.Ok
        && State is not (CrossChainTransactionState.Failed or CrossChainTransactionState.Cancelled);

    /// <summary>The result of an executed request.</summary>
    /// <param name="entry">The request's outcome.</param>
    /// <returns>Its reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is null.</exception>
    public static SettlementReply Of(SettlementEntryResult entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Answer ?? (entry.Execution is { } execution
            ? new SettlementReply(entry.Code, execution.Code, execution.TransactionId, execution.State, execution.Reason)
            : new SettlementReply(entry.Code, null, Hash256.Zero, null, TransferFailureReason.None));
    }

    /// <summary>Reads the settlement result a chain's reply carries.</summary>
    /// <param name="reply">A reply of a settlement chain (accepted by f + 1 matching replies).</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is null.</exception>
    /// <exception cref="CodecException">The reply carries no settlement result (e.g. it is from another kind of chain).</exception>
    public static SettlementReply Read(ClientReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Canonical.Decode<SettlementReply>(reply.Result);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(6);
        writer.WriteUInt32((uint)Code);
        if (Result is { } result)
        {
            writer.WriteUInt32((uint)result);
        }
        else
        {
            writer.WriteNil();
        }

        writer.WriteHash256(TransactionId);
        if (State is { } state)
        {
            writer.WriteUInt32((uint)state);
        }
        else
        {
            writer.WriteNil();
        }

        writer.WriteUInt32((uint)Reason);
        if (Balance is { } balance)
        {
            writer.WriteArrayHeader(4);
            writer.WriteAmount(balance.Posted);
            writer.WriteAmount(balance.PendingDebits);
            writer.WriteAmount(balance.PendingCredits);
            writer.WriteAmount(balance.CreditLimit);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <inheritdoc />
    public static SettlementReply Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(6);
        var code = NettingCodec.ReadEnum<SettlementEntryCode>(ref reader, "settlement entry code");
        CrossChainResultCode? result = reader.TryReadNil() ? null : NettingCodec.ReadEnum<CrossChainResultCode>(ref reader, "result code");
        var transactionId = reader.ReadHash256();
        CrossChainTransactionState? state = reader.TryReadNil() ? null : NettingCodec.ReadEnum<CrossChainTransactionState>(ref reader, "transaction state");
        var reason = NettingCodec.ReadEnum<TransferFailureReason>(ref reader, "failure reason");
        Ledger.Balance? balance = null;
        if (!reader.TryReadNil())
        {
            reader.ReadArrayHeader(4);
            balance = new Ledger.Balance(reader.ReadAmount(), reader.ReadAmount(), reader.ReadAmount(), reader.ReadAmount());
        }

        return new SettlementReply(code, result, transactionId, state, reason) { Balance = balance };
    }
}
