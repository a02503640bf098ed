using ChainInterop.Settlement.CrossChainTransactions;

namespace ChainInterop.Simulation.Settlement;

/// <summary>What one successful settlement run did.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="TraceHash">SHA-256 over every processed event and commit: equal for equal seeds.</param>
/// <param name="Events">Events processed.</param>
/// <param name="EndTimeMs">Virtual time at the end.</param>
/// <param name="Committed">Transfers committed.</param>
/// <param name="Cancelled">Transfers cancelled (Alg. 12).</param>
/// <param name="Failed">Transfers failed (refused by PPC1, the ICC or PPC2).</param>
/// <param name="Crashes">Validator crashes injected.</param>
/// <param name="Partitions">Partitions injected.</param>
/// <param name="Byzantine">The Byzantine validators and their roles.</param>
public sealed record SettlementSimulationResult(
    int Seed, string TraceHash, long Events, long EndTimeMs, int Committed, int Cancelled, int Failed, int Crashes, int Partitions, IReadOnlyList<string> Byzantine)
{
    /// <summary>Each transfer's final state on PPC1, in plan order.</summary>
    public IReadOnlyList<CrossChainTransactionState> Outcomes { get; init; } = [];

    /// <summary>Each transfer's final state on its ICC (null: the ICC never saw it), in plan order.</summary>
    public IReadOnlyList<CrossChainTransactionState?> IntermediaryOutcomes { get; init; } = [];

    /// <summary>Each transfer's final state on PPC2 (null: PPC2 never saw it), in plan order.</summary>
    public IReadOnlyList<CrossChainTransactionState?> PayeeOutcomes { get; init; } = [];

    /// <summary>Netting-mode transfers in the plan (S3).</summary>
    public int NettingTransfers { get; init; }

    /// <summary>Netting-mode transfers committed at their cycle's end.</summary>
    public int NettingCommitted { get; init; }

    /// <summary>Settled cycles with at least one obligation, over every ICC (on its first honest validator).</summary>
    public int CyclesSettled { get; init; }

    /// <summary>The most obligations one settled cycle netted.</summary>
    public int MaxObligationsPerCycle { get; init; }

    /// <summary>Restarts that restored a checkpoint and replayed only the blocks after it (C5).</summary>
    public int CheckpointRestores { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"seed {Seed}: {Committed} committed, {Cancelled} cancelled, {Failed} failed; netting {NettingCommitted}/{NettingTransfers} committed in {CyclesSettled} cycles; {Events} events, {EndTimeMs} ms, {Crashes} crashes ({CheckpointRestores} restored a checkpoint), {Partitions} partitions, Byzantine [{string.Join(", ", Byzantine)}], trace {TraceHash[..16]}";
}
