using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Simulation.Settlement;

/// <summary>
/// The shape and workload of one settlement simulation run (issue 6 §3): how many chains, how many transfers, how they
/// fail on purpose, how validators pace their ticks, and the faults (<see cref="FaultProfile"/>, reused from the
/// single-chain simulator: its client fields are not used here, the bank clients are described below).
/// </summary>
public sealed record SettlementScenario
{
    /// <summary>Participant chains (banks), at least 2.</summary>
    public int ParticipantCount { get; init; } = 3;

    /// <summary>Intermediary chains: 1 (links every PPC) or 2 (the second links all but the first PPC).</summary>
    public int IntermediaryCount { get; init; } = 1;

    /// <summary>Transfers drawn per run (spread over the banks).</summary>
    public int TransfersPerRun { get; init; } = 7;

    /// <summary>Transfers start at a random time in [0, this), virtual ms.</summary>
    public long StartWindowMs { get; init; } = 2_000;

    /// <summary>Probability a transfer gets a short Time1 (likely to time out and be cancelled, Alg. 12).</summary>
    public double ShortDeadlineProbability { get; init; } = 0.2;

    /// <summary>The longest short Time1 after the bank's request, ms (drawn from [1, this]).</summary>
    public int ShortDeadlineMaxMs { get; init; } = 300;

    /// <summary>The ordinary Time1 after the bank's request, ms.</summary>
    public int DeadlineMs { get; init; } = 6_000;

    /// <summary>
    /// Probability a drawn transfer settles in netting mode (S3, Alg. 11): its ICC nets it with the others of its
    /// settlement cycle and it commits at the cycle's end; the rest settle in real time (S2). 0 when the ICCs run no cycle.
    /// </summary>
    public double NettingProbability { get; init; } = 0.4;

    /// <summary>
    /// Each ICC's settlement cycle policy: by default a cycle lasts 1.5 s on the ICC's committed clock or closes earlier
    /// once it admitted 3 netting transactions, so several cycles close and settle in a run. Null: the ICCs run no
    /// cycle (netting requests are refused). Every validator builds the same first cycle, opening at the simulation's epoch.
    /// </summary>
    public SettlementCyclePolicy? CyclePolicy { get; init; } =
        SettlementCyclePolicy.ByDuration(TimeSpan.FromMilliseconds(1_500)) with { MaxTransactionsPerCycle = 3 };

    /// <summary>Probability a transfer names a payee account PPC2 does not have (PPC2 rejects: Failed).</summary>
    public double UnknownPayeeProbability { get; init; } = 0.1;

    /// <summary>Probability a transfer asks more than the customer holds (PPC1 refuses: Failed).</summary>
    public double OverdraftProbability { get; init; } = 0.1;

    /// <summary>Each customer's, each transit account's and each ABC account's opening balance per asset.</summary>
    public long OpeningBalance { get; init; } = 1_000;

    /// <summary>The largest ordinary amount (drawn from [1, this]); several in flight may exhaust an ABC account.</summary>
    public int MaxAmount { get; init; } = 700;

    /// <summary>How often each validator's relay is ticked (resends, resubmissions), ms.</summary>
    public int RelayTickMs { get; init; } = 150;

    /// <summary>How often each validator submits a <see cref="Tick"/> entry to its chain, ms (the executor throttles).</summary>
    public int TickEntryIntervalMs { get; init; } = 1_000;

    /// <summary>The executor's shortest gap between two executed ticks, ms.</summary>
    public long MinTickIntervalMs { get; init; } = 1_000;

    /// <summary>The relay's resend and resubmit period, ms.</summary>
    public long RelayRetryMs { get; init; } = 500;

    /// <summary>
    /// An honest validator checkpoints its replica (client table and settlement application) every this many committed
    /// blocks; a restart restores the newest checkpoint and replays only the stored blocks after it, as the node host
    /// does (C5). 0: no checkpoints, a restart replays the whole store.
    /// </summary>
    public int SnapshotIntervalBlocks { get; init; } = 3;

    /// <summary>The faults (its client fields are ignored).</summary>
    public FaultProfile Faults { get; init; } = FaultProfile.AllFaults with
    {
        FaultPeriodMs = 2_500, LivenessBudgetMs = 20_000, MaxCrashes = 4, ClientRetryMs = 700, MaxEvents = 3_000_000,
    };

    /// <summary>The Byzantine roles a Byzantine validator is drawn from; <see cref="SettlementByzantineRoles.All"/> when null.</summary>
    public IReadOnlyList<Func<SettlementByzantineRole>>? ByzantineRoles { get; init; }

    /// <summary>
    /// Byzantine validators per chain when <see cref="FaultProfile.Byzantine"/> is set; null: 0 to f, drawn. More than f
    /// is outside the protocol's claim: only the checkers' own tests use it, to see them fail.
    /// </summary>
    public int? ByzantinePerChain { get; init; }

    /// <summary>Transfers to add after the drawn ones, for targeted tests.</summary>
    public IReadOnlyList<TransferPlan> ExtraTransfers { get; init; } = [];

    /// <summary>A much worse network for longer: many drops, duplicates and long delays, more partitions and crashes.</summary>
    public static SettlementScenario Harsh { get; } = new()
    {
        StartWindowMs = 4_000,
        Faults = FaultProfile.AllFaults with
        {
            FaultPeriodMs = 5_000, LivenessBudgetMs = 30_000, DropProbability = 0.2, DuplicateProbability = 0.2,
            LongDelayProbability = 0.1, LongDelayMs = 2_000, MaxPartitions = 4, PartitionProbability = 0.6, MaxCrashes = 8,
            CrashProbability = 0.7, MaxDowntimeMs = 3_000, ClientRetryMs = 700, MaxEvents = 3_000_000,
        },
    };

    /// <summary>No faults, no deliberate failures, no short deadlines: every transfer must commit.</summary>
    public static SettlementScenario Baseline { get; } = new()
    {
        ShortDeadlineProbability = 0, UnknownPayeeProbability = 0, OverdraftProbability = 0, MaxAmount = 200,
        Faults = FaultProfile.None with { FaultPeriodMs = 3_000, LivenessBudgetMs = 20_000 },
    };
}

/// <summary>A transfer a test asks for explicitly (indices into the run's chains and customers).</summary>
/// <param name="Payer">The payer's PPC index.</param>
/// <param name="Payee">The payee's PPC index.</param>
/// <param name="Amount">The amount.</param>
/// <param name="DeadlineMs">Time1 after the bank's request, ms.</param>
/// <param name="StartAtMs">When the bank starts it, virtual ms.</param>
/// <param name="Mode">Mode I or II.</param>
/// <param name="Timing">Real time (S2) or netting (S3: committed at its cycle's end).</param>
public sealed record TransferPlan(
    int Payer, int Payee, long Amount, long DeadlineMs, long StartAtMs, AckMode Mode = AckMode.ModeI, SettlementTiming Timing = SettlementTiming.RealTime);
