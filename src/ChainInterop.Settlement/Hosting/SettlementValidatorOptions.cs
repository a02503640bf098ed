using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Settlement.Hosting;

/// <summary>How one validator of a settlement chain runs (<see cref="SettlementValidatorNode"/>).</summary>
public sealed class SettlementValidatorOptions
{
    /// <summary>The network's opening state (every validator of every chain builds its genesis from the same spec).</summary>
    public SettlementNetworkSpec? Spec { get; set; }

    /// <summary>The chain this validator validates (a PPC or an ICC of <see cref="Spec"/>).</summary>
    public ChainId Chain { get; set; }

    /// <summary>This validator's key (one of the chain's validators; the caller keeps ownership).</summary>
    public PrivateKey? Key { get; set; }

    /// <summary>The validators of this chain and of every chain it relays with.</summary>
    public IReadOnlyDictionary<ChainId, ValidatorSet> Validators { get; set; } = new Dictionary<ChainId, ValidatorSet>();

    /// <summary>The clients that may submit the chain's own commands (a bank's settlement services start transfers).</summary>
    public IReadOnlySet<NodeId> Operators { get; set; } = new HashSet<NodeId>();

    /// <summary>The consensus engine; <see cref="ConsensusEngines.Pbft"/> by default.</summary>
    public ReplicaFactory Engine { get; set; } = ConsensusEngines.Pbft;

    /// <summary>Adjusts the replica's options (batch size, timeouts); the chain and validators are set for you.</summary>
    public Action<ReplicaOptions>? ConfigureReplica { get; set; }

    /// <summary>For an ICC, its first settlement cycle for netting-mode transfers (identical on every validator); null: real time only.</summary>
    public SettlementCycle? Cycle { get; set; }

    /// <summary>How often the validator submits a <see cref="CrossChainTransactions.Tick"/> to its chain, ms (time-outs and retries, Alg. 12).</summary>
    public long ChainTickIntervalMs { get; set; } = 1_000;

    /// <summary>How often the relay resends and resubmits what is overdue, ms.</summary>
    public long RelayTickIntervalMs { get; set; } = 100;

    /// <summary>The relay's pacing and limits.</summary>
    public CrossChainRelayOptions Relay { get; set; } = new();

    /// <summary>The executor's limits.</summary>
    public SettlementExecutorOptions Executor { get; set; } = new();

    /// <summary>Whether clients (a bank's settlement services) reach this validator over its consensus transport (<see cref="ReplicaHost.ServeRemoteClients"/>).</summary>
    public bool ServeRemoteClients { get; set; }

    /// <summary>Whether clients in this process take replies from the validator (<see cref="ReplicaHost.LocalReplies"/>); on by default, off for a node whose clients are all remote.</summary>
    public bool LocalClients { get; set; } = true;

    /// <summary>
    /// Checkpoints of the validator's state (its client table and settlement application), restored on start so a
    /// restart re-executes only the blocks after the newest one; none by default (a start replays the whole store).
    /// </summary>
    public ReplicaSnapshots? Snapshots { get; set; }

    /// <summary>The clock; null: the system clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Loggers; null: none.</summary>
    public ILoggerFactory? Loggers { get; set; }

    /// <summary>Throws unless the options are usable; every problem is named.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Spec is null)
        {
            problems.Add($"{nameof(Spec)} is required");
        }
        else if (!Spec.Chains.Contains(Chain))
        {
            problems.Add($"{nameof(Chain)} {Chain} is not a chain of the spec");
        }

        if (Key is null)
        {
            problems.Add($"{nameof(Key)} is required");
        }
        else if (!Validators.TryGetValue(Chain, out var own))
        {
            problems.Add($"{nameof(Validators)} has no entry for {Chain}");
        }
        else if (!own.Contains(NodeId.FromPublicKey(Key.PublicKey)))
        {
            problems.Add($"{nameof(Key)} is not one of {Chain}'s validators");
        }

        if (Spec is not null && problems.Count == 0)
        {
            foreach (var peer in Spec.PeersOf(Chain).Where(p => !Validators.ContainsKey(p)))
            {
                problems.Add($"{nameof(Validators)} has no entry for {peer}, which {Chain} relays with");
            }
        }

        if (ChainTickIntervalMs < 1 || RelayTickIntervalMs < 1)
        {
            problems.Add($"{nameof(ChainTickIntervalMs)} and {nameof(RelayTickIntervalMs)} must be at least 1");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Validator options of {Chain}: {string.Join("; ", problems)}.");
        }
    }
}
