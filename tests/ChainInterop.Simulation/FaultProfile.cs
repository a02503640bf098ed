namespace ChainInterop.Simulation;

/// <summary>
/// Which faults a run injects and how often. Every fault is drawn from the run's seed. Faults happen only during the
/// fault period [0, <see cref="FaultPeriodMs"/>); after it the network heals (no drops, duplicates or partitions),
/// crashed nodes are restarted, and liveness is checked within <see cref="LivenessBudgetMs"/>.
/// </summary>
public sealed record FaultProfile
{
    /// <summary>Length of the fault period, virtual ms.</summary>
    public long FaultPeriodMs { get; init; } = 5_000;

    /// <summary>After the fault period, the time every request has to complete, virtual ms.</summary>
    public long LivenessBudgetMs { get; init; } = 30_000;

    /// <summary>Shortest one-way message delay, ms (random delays also reorder messages).</summary>
    public int MinDelayMs { get; init; } = 1;

    /// <summary>Longest one-way message delay, ms.</summary>
    public int MaxDelayMs { get; init; } = 40;

    /// <summary>Probability a message is lost (fault period only).</summary>
    public double DropProbability { get; init; } = 0.05;

    /// <summary>Probability a message is delivered twice (fault period only).</summary>
    public double DuplicateProbability { get; init; } = 0.05;

    /// <summary>Probability a message gets an extra long delay of up to <see cref="LongDelayMs"/> (fault period only).</summary>
    public double LongDelayProbability { get; init; } = 0.02;

    /// <summary>The longest extra delay, ms.</summary>
    public int LongDelayMs { get; init; } = 1_000;

    /// <summary>How many partitions a run may have; each happens with <see cref="PartitionProbability"/>.</summary>
    public int MaxPartitions { get; init; } = 2;

    /// <summary>Probability of each partition.</summary>
    public double PartitionProbability { get; init; } = 0.4;

    /// <summary>Shortest partition, ms.</summary>
    public int MinPartitionMs { get; init; } = 200;

    /// <summary>Longest partition, ms (healed at the end of the fault period at the latest).</summary>
    public int MaxPartitionMs { get; init; } = 2_000;

    /// <summary>How many crashes a run may have; each happens with <see cref="CrashProbability"/>.</summary>
    public int MaxCrashes { get; init; } = 3;

    /// <summary>Probability of each crash.</summary>
    public double CrashProbability { get; init; } = 0.5;

    /// <summary>Shortest downtime, ms.</summary>
    public int MinDowntimeMs { get; init; } = 50;

    /// <summary>Longest downtime, ms (restarted at the end of the fault period at the latest).</summary>
    public int MaxDowntimeMs { get; init; } = 1_500;

    /// <summary>Whether Byzantine nodes are drawn (only when the engine claims Byzantine tolerance, at most f validators).</summary>
    public bool Byzantine { get; init; }

    /// <summary>Whether non-validating followers may also be Byzantine (they hold no signing power).</summary>
    public bool ByzantineFollowers { get; init; }

    /// <summary>The behaviours a Byzantine node is drawn from; <see cref="ByzantineBehaviours.Generic"/> when null.</summary>
    public IReadOnlyList<Func<IByzantineBehaviour>>? ByzantineBehaviourFactories { get; init; }

    /// <summary>Simulated clients.</summary>
    public int ClientCount { get; init; } = 3;

    /// <summary>Requests each client sends, one after another.</summary>
    public int RequestsPerClient { get; init; } = 5;

    /// <summary>Longest pause between a client's requests, ms.</summary>
    public int ClientThinkMs { get; init; } = 800;

    /// <summary>A client resends its request to every node when it has no accepted reply after this long, ms.</summary>
    public int ClientRetryMs { get; init; } = 1_000;

    /// <summary>The most events one run may process before it is declared stuck.</summary>
    public int MaxEvents { get; init; } = 2_000_000;

    /// <summary>No faults at all: a baseline.</summary>
    public static FaultProfile None { get; } = new()
    {
        DropProbability = 0, DuplicateProbability = 0, LongDelayProbability = 0, MaxPartitions = 0, MaxCrashes = 0,
    };

    /// <summary>Network faults, partitions and crash/restart; no Byzantine nodes (crash-fault-tolerant engines).</summary>
    public static FaultProfile CrashFaults { get; } = new();

    /// <summary>Everything, including up to f Byzantine validators with the generic behaviours.</summary>
    public static FaultProfile AllFaults { get; } = new() { Byzantine = true };
}
