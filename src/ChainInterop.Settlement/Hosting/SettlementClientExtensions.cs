using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Settlement.Hosting;

/// <summary>A bank's <see cref="StartTransfer"/> as its PPC answered it, vouched for by f + 1 of the PPC's validators.</summary>
/// <param name="Reply">The reply: where the command was committed.</param>
/// <param name="Result">What the PPC's application did with it.</param>
public sealed record TransferStarted(ClientReply Reply, SettlementReply Result)
{
    /// <summary>Whether the PPC accepted the transfer (the payer's leg is reserved and the request is on its way to the ICC).</summary>
    public bool IsAccepted => Result.IsAccepted;

    /// <summary>Whether the PPC recorded the transaction (its application executed the command); when not, there is no outcome to wait for.</summary>
    public bool IsRecorded => Result is { Code: SettlementEntryCode.Executed, State: not null };

    /// <summary>Why the PPC refused it (<see cref="TransferFailureReason.None"/> when accepted, or when the chain refused the entry itself: see <see cref="SettlementReply.Code"/>).</summary>
    public TransferFailureReason Reason => Result.Reason;
}

/// <summary>Settlement commands through a <see cref="ChainClient"/> of a settlement chain.</summary>
public static class SettlementClientExtensions
{
    /// <summary>
    /// Commits a bank's <see cref="StartTransfer"/> on its PPC (Alg. 1 (1)–(3)) and returns the PPC's typed answer:
    /// accepted, refused with its <see cref="TransferFailureReason"/>, or <see cref="SettlementEntryCode.Unauthorized"/>
    /// when the client is not one of the PPC's operators.
    /// </summary>
    /// <param name="client">A client of the payer's PPC.</param>
    /// <param name="transfer">The transfer.</param>
    /// <param name="cancellationToken">Stops waiting (the transfer may still be committed).</param>
    /// <returns>The PPC's answer.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="Codec.CodecException">The chain's replies carry no settlement result (it is not a settlement chain).</exception>
    public static async Task<TransferStarted> StartTransferAsync(this ChainClient client, StartTransfer transfer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(transfer);
        var reply = await client.SubmitAsync(SettlementEntry.OwnCommand(transfer).ToCanonicalBytes(), cancellationToken).ConfigureAwait(false);
        return new TransferStarted(reply, SettlementReply.Read(reply));
    }

    /// <summary>
    /// Reads a transaction's state and reason on the client's chain through consensus (<see cref="SettlementQuery"/>):
    /// the answer is vouched for by f + 1 validators. The client must be one of the chain's operators.
    /// </summary>
    /// <param name="client">A client of the chain.</param>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The answer (<see cref="SettlementReply.State"/> null when the chain does not know the transaction), or
    /// <see cref="SettlementEntryCode.Unauthorized"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static Task<SettlementReply> QueryTransactionAsync(this ChainClient client, Hash256 transactionId, CancellationToken cancellationToken = default) =>
        AskAsync(client, SettlementQuery.Transaction(transactionId), cancellationToken);

    /// <summary>Reads an account's balance of an asset on the client's chain through consensus (see <see cref="QueryTransactionAsync"/>).</summary>
    /// <param name="client">A client of the chain (one of its operators).</param>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The answer: <see cref="SettlementReply.Balance"/>, null when the ledger has no such account or asset.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static Task<SettlementReply> QueryBalanceAsync(this ChainClient client, AccountId account, AssetCode asset, CancellationToken cancellationToken = default) =>
        AskAsync(client, SettlementQuery.Balance(account, asset), cancellationToken);

    /// <summary>
    /// Waits for the final state (committed, cancelled or failed) of a transfer its PPC accepted, asking the chain every
    /// <paramref name="pollInterval"/> (each ask is one ordered read, <see cref="QueryTransactionAsync"/>).
    /// </summary>
    /// <param name="client">A client of the payer's PPC (one of its operators).</param>
    /// <param name="started">The PPC's answer to the <see cref="StartTransfer"/>.</param>
    /// <param name="pollInterval">How long between asks.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The final state on the PPC.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="TransferNotRecordedException">The PPC never recorded the transaction (the start was refused before its application saw it).</exception>
    public static async Task<CrossChainTransactionState> WaitForOutcomeAsync(this ChainClient client, TransferStarted started, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(started);
        var tx = started.Result.TransactionId;
        if (!started.IsRecorded)
        {
            throw new TransferNotRecordedException(started.Reply.ChainId, tx, started.Reply.Height);
        }

        var state = started.Result.State!.Value;
        return IsFinal(state) ? state : await client.WaitForFinalStateAsync(tx, pollInterval, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the client's chain holds <paramref name="transactionId"/> in a final state (committed, cancelled or
    /// failed), asking every <paramref name="pollInterval"/> (each ask is one ordered read, <see cref="QueryTransactionAsync"/>):
    /// e.g. a payee bank waiting for a transfer its PPC learns of a relay hop after the ICC decided it.
    /// </summary>
    /// <param name="client">A client of the chain (one of its operators).</param>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="pollInterval">How long between asks.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The final state on the chain.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> is null.</exception>
    public static async Task<CrossChainTransactionState> WaitForFinalStateAsync(this ChainClient client, Hash256 transactionId, TimeSpan pollInterval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        while (true)
        {
            if ((await client.QueryTransactionAsync(transactionId, cancellationToken).ConfigureAwait(false)).State is { } state && IsFinal(state))
            {
                return state;
            }

            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static bool IsFinal(CrossChainTransactionState state) =>
        state is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled or CrossChainTransactionState.Failed;

    private static async Task<SettlementReply> AskAsync(ChainClient client, SettlementQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var reply = await client.SubmitAsync(SettlementEntry.Ask(query).ToCanonicalBytes(), cancellationToken).ConfigureAwait(false);
        return SettlementReply.Read(reply);
    }
}
