using System.Diagnostics.Metrics;

namespace ChainInterop.Consensus.Pbft;

/// <summary>The consensus meter ("ChainInterop.Consensus") and the PBFT instruments on it.</summary>
internal static class PbftMetrics
{
    public const string MeterName = "ChainInterop.Consensus";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Blocks committed locally (normal case and state transfer).</summary>
    public static readonly Counter<long> Commits = Meter.CreateCounter<long>("chaininterop.consensus.commits", "{block}", "Blocks committed by a replica");

    /// <summary>View changes a replica started.</summary>
    public static readonly Counter<long> ViewChanges = Meter.CreateCounter<long>("chaininterop.consensus.view_changes", "{view_change}", "View changes started by a replica");

    /// <summary>Client requests per committed block.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("chaininterop.consensus.batch_size", "{request}", "Client requests per committed block");

    /// <summary>From accepting (or making) a proposal to committing it, on the replica's clock.</summary>
    public static readonly Histogram<double> CommitLatency = Meter.CreateHistogram<double>("chaininterop.consensus.commit_latency", "ms", "Time from proposal to local commit");
}
