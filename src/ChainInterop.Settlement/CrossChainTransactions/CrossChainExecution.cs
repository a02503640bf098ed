using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// What executing one committed entry did on a chain application: a typed outcome and the cross-chain messages the
/// chain committed to send (the relay delivers them, retrying until the receiver's commit is observed).
/// </summary>
/// <param name="Code">The outcome.</param>
/// <param name="TransactionId">The transaction concerned (zero for a <see cref="Tick"/>).</param>
/// <param name="State">The transaction's state on this chain after the entry, if it is known.</param>
/// <param name="Reason">Why the transaction failed or was rejected or cancelled, else <see cref="TransferFailureReason.None"/>.</param>
/// <param name="LedgerCode">The ledger's code for the leg operation this entry attempted (<see cref="LedgerResultCode.Ok"/> if none failed).</param>
/// <param name="Outbound">The messages to relay, in order.</param>
public sealed record CrossChainExecution(
    CrossChainResultCode Code,
    Hash256 TransactionId,
    CrossChainTransactionState? State,
    TransferFailureReason Reason,
    LedgerResultCode LedgerCode,
    IReadOnlyList<CrossChainMessage> Outbound);

/// <summary>
/// Numbers outbound messages per destination chain from 0 (the <see cref="CrossChainMessage.Sequence"/> the relay and
/// receiver use; the receiver's window starts at 0, so a gap at 0 would stall it).
/// </summary>
internal sealed class Outbox(ChainId self)
{
    private readonly Dictionary<ChainId, ulong> _next = [];

    public CrossChainMessage Make(ChainId destination, TransferMessage message)
    {
        _next.TryGetValue(destination, out ulong seq);
        _next[destination] = checked(seq + 1);
        return new CrossChainMessage(self, destination, seq, message.ToCanonicalBytes());
    }
}

/// <summary>Derives the ledger ids of a transaction's legs from its id, so every validator derives the same.</summary>
internal static class LegIds
{
    public static TransferId Of(Hash256 transactionId, string leg) =>
        TransferId.FromHash(Hash256.Compute(transactionId.ToArray(), System.Text.Encoding.ASCII.GetBytes(leg)));
}

/// <summary>
/// A chain application's memory of decided transactions (docs/SETTLEMENT.md, "Retention"): a decided transaction is
/// forgotten once both its Time1 and its decision are older than the retention period, and an entry naming a Time1
/// that old is a replay. Deterministic: only committed times.
/// </summary>
internal sealed class Retention(long retentionMs)
{
    private readonly Queue<(Hash256 Id, long ForgetAfterMs)> _decided = []; // in decision order

    /// <summary>The retention period, ms.</summary>
    public long PeriodMs { get; } = retentionMs;

    /// <summary>Time1 is further in the past than the retention period: only a replay can carry it.</summary>
    public bool IsExpired(long time1Ms, long nowMs) => time1Ms < nowMs - PeriodMs;

    /// <summary>Records that a transaction reached its final state at <paramref name="nowMs"/>.</summary>
    public void Decided(Hash256 transactionId, long time1Ms, long nowMs) => _decided.Enqueue((transactionId, Math.Max(time1Ms, nowMs)));

    /// <summary>Removes from <paramref name="records"/> the decided transactions whose time is up.</summary>
    public void Prune<TRecord>(long nowMs, Dictionary<Hash256, TRecord> records)
    {
        while (_decided.TryPeek(out var head) && IsExpired(head.ForgetAfterMs, nowMs))
        {
            _decided.Dequeue();
            records.Remove(head.Id);
        }
    }
}
