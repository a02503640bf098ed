using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Settlement.Hosting;

/// <summary>How an <see cref="InProcessSettlementNetwork"/> runs its chains and relays.</summary>
public sealed class InProcessSettlementOptions
{
    /// <summary>Validators per chain (4 tolerates one Byzantine validator per chain).</summary>
    public int ValidatorsPerChain { get; set; } = 4;

    /// <summary>The consensus engine of every chain.</summary>
    public ReplicaFactory Engine { get; set; } = ConsensusEngines.Pbft;

    /// <summary>Adjusts each replica's options (batch size, timeouts).</summary>
    public Action<ReplicaOptions>? ConfigureReplica { get; set; }

    /// <summary>The block store of validator <c>i</c> of a chain; null: in memory (nothing survives a restart).</summary>
    public Func<ChainId, int, IBlockStoreProvider>? Stores { get; set; }

    /// <summary>The key of validator <c>i</c> of a chain (the caller keeps ownership); required unless <see cref="UseDemoKeys"/> is set.</summary>
    public Func<ChainId, int, PrivateKey>? ValidatorKeys { get; set; }

    /// <summary>
    /// Without <see cref="ValidatorKeys"/>, derive every validator's key from its chain id and index. Anyone can derive
    /// these keys and sign as the validators: tests and demos only. Off by default; when used, a warning is logged.
    /// </summary>
    public bool UseDemoKeys { get; set; }

    /// <summary>Per chain, the clients that may submit its own commands (a bank's settlement services start transfers).</summary>
    public IReadOnlyDictionary<ChainId, IReadOnlySet<NodeId>> Operators { get; set; } = new Dictionary<ChainId, IReadOnlySet<NodeId>>();

    /// <summary>Per ICC, its first settlement cycle for netting-mode transfers (called once per validator; must build identical cycles); null: real time only.</summary>
    public Func<ChainId, SettlementCycle?>? Cycles { get; set; }

    /// <summary>How often each validator submits a <see cref="CrossChainTransactions.Tick"/> to its chain, ms (time-outs and retries, Alg. 12).</summary>
    public long ChainTickIntervalMs { get; set; } = 1_000;

    /// <summary>How often each relay resends and resubmits what is overdue, ms.</summary>
    public long RelayTickIntervalMs { get; set; } = 100;

    /// <summary>The relays' pacing and limits.</summary>
    public CrossChainRelayOptions Relay { get; set; } = new();

    /// <summary>The executors' limits.</summary>
    public SettlementExecutorOptions Executor { get; set; } = new();

    /// <summary>The checkpoints of validator <c>i</c> of a chain (saved every so many blocks, restored on start); none when null or when it returns null.</summary>
    public Func<ChainId, int, ReplicaSnapshots?>? Snapshots { get; set; }

    /// <summary>The transport carrying relay frames between chains for a validator; null: one shared in-memory network.</summary>
    public Func<NodeId, ITransport>? RelayTransport { get; set; }

    /// <summary>The consensus transport of validator <c>i</c> of a chain, given its node id (e.g. TCP); null: in memory.</summary>
    public Func<ChainId, int, NodeId, ITransport>? ConsensusTransport { get; set; }

    /// <summary>The clock; null: the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Loggers; null: none.</summary>
    public ILoggerFactory? Loggers { get; set; }

    /// <summary>Called after validator 0 of a chain executed a block (on that validator's thread: keep it short), e.g. for progress.</summary>
    public Action<ChainId, SettlementBlockResult>? Executed { get; set; }
}
