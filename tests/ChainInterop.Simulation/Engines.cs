using ChainInterop.Consensus.Cbft;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Consensus.SingleAuthority;

namespace ChainInterop.Simulation;

/// <summary>The engines the simulator knows. A new engine is one more descriptor here and one suite file.</summary>
public static class Engines
{
    /// <summary>
    /// The single-authority engine: one validator (the authority, node 0) and three followers. Crash-fault tolerant
    /// only, so its suites run without Byzantine validators.
    /// </summary>
    public static EngineUnderTest SingleAuthority { get; } = new(
        "single-authority",
        ValidatorCount: 1,
        Factory: (setup, last) => new SingleAuthorityReplica(setup.Options, setup.Key, last, setup.Application))
    {
        FollowerCount = 3,
        ByzantineFaultsApply = false,
        ConfigureOptions = options =>
        {
            // Small batches and a visible batch delay so that full batches, partial batches and paging all happen.
            options.MaxBatchRequests = 3;
            options.BatchDelayMs = 20;
            options.ViewChangeTimeoutMs = 400;
            options.MaxStateTransferBlocks = 4;
        },
    };

    /// <summary>
    /// PBFT (K2): four validators (f = 1), no followers. Byzantine tolerant, so up to one validator may lie.
    /// Short timeouts and a small checkpoint interval and window so view changes, checkpoints, window stalls and
    /// state transfer all happen within a run.
    /// </summary>
    public static EngineUnderTest Pbft { get; } = new(
        "pbft",
        ValidatorCount: 4,
        Factory: (setup, last) => new PbftReplica(setup.Options, setup.Key, last, setup.Application))
    {
        ByzantineFaultsApply = true,
        DescribeMessage = PbftMessageDescriber.Describe,
        ConfigureOptions = options =>
        {
            options.MaxBatchRequests = 3;
            options.BatchDelayMs = 20;
            options.ViewChangeTimeoutMs = 400;
            options.CheckpointIntervalBlocks = 4;
            options.WindowBlocks = 16;
            options.MaxStateTransferBlocks = 4;
        },
    };

    /// <summary>
    /// CBFT (K3): PBFT with the credit-scored primary of <see cref="CbftPrimarySelector"/>, same faults and options.
    /// At every (re)start the selector replays the node's stored blocks, as <c>AddCbft()</c> does in a host.
    /// </summary>
    public static EngineUnderTest Cbft { get; } = Pbft with
    {
        Name = "cbft",
        Factory = (setup, last) =>
        {
            var selector = new CbftPrimarySelector(setup.Options.Validators!);
            selector.Replay(setup.Store.ReadAsync().ToBlockingEnumerable().ToList());
            return new PbftReplica(setup.Options, setup.Key, last, selector, setup.Application);
        },
    };
}
