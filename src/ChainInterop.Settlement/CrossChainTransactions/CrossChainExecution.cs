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
