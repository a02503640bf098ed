using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;
using ChainInterop.Storage;

namespace ChainInterop.Simulation.Settlement;

/// <summary>
/// One seeded, deterministic run of a settlement network (issue 6 §3; docs/SETTLEMENT.md): PPCs and ICCs, each chain
/// four real <c>PbftReplica</c> validators with their own <see cref="InMemoryBlockStore"/>, each validator running a
/// <see cref="SettlementChainExecutor"/> on its committed blocks and a <see cref="CrossChainRelay"/>; bank clients
/// start transfers; client requests, consensus messages and relay frames all cross one faulty network. Same style as
/// the single-chain <see cref="Simulation"/>: one <see cref="System.Random"/> from the seed, a virtual clock, one event
/// queue ordered by (time, insertion sequence), a trace hash; faults drawn by <see cref="FaultSchedule"/>.
/// Checkers: atomicity, agreement and conservation (every honest commit and at the end), liveness after the fault period.
/// </summary>
public sealed partial class SettlementSimulation
{
    /// <summary>The name in failures and reproduction commands (<c>CHAININTEROP_SIM_ENGINE</c>).</summary>
    public const string Name = "settlement-pbft";

    private readonly PriorityQueue<SimEvent, (long Time, long Sequence)> _queue = new();
    private readonly IncrementalHash _trace = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SimChain[] _chains;
    private readonly SimNode[] _nodes;
    private readonly Dictionary<NodeId, int> _nodeIndex = [];
    private readonly SettlementNetworkSpec _spec;
    private readonly SettlementExecutorOptions _executorOptions;
    private readonly CrossChainRelayOptions _relayOptions;
    private long _sequence;
    private long _events;
    private string? _failure;
    private bool[]? _partitionSide;
    private int _crashCount;
    private int _checkpointRestores;
    private int _partitionCount;

    /// <summary>Prepares a run; nothing happens until <see cref="Run"/>.</summary>
    /// <param name="seed">The run's one seed.</param>
    /// <param name="scenario">The network shape, workload and faults.</param>
    public SettlementSimulation(int seed, SettlementScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.ParticipantCount < 2 || scenario.IntermediaryCount is < 1 or > 2)
        {
            throw new ArgumentException("2+ participant chains and 1 or 2 intermediary chains.", nameof(scenario));
        }

        Seed = seed;
        Scenario = scenario;
        Random = new Random(seed);
        _executorOptions = new SettlementExecutorOptions { MinTickIntervalMs = scenario.MinTickIntervalMs };
        _relayOptions = new CrossChainRelayOptions { RetryMs = scenario.RelayRetryMs, ResubmitMs = scenario.RelayRetryMs };
        _spec = BuildSpec(scenario);

        // PPCs first (the banks are chains 0…), then each ICC's ABC and its TBCs.
        var chainIds = _spec.Chains.Select(id => (Id: id, IsIntermediary: _spec.Intermediaries.Any(i => i.Chain == id))).ToList();
        _chains = new SimChain[chainIds.Count];
        var nodes = new List<SimNode>();
        for (int c = 0; c < _chains.Length; c++)
        {
            var keys = Enumerable.Range(0, ValidatorsPerChain).Select(i => Simulation.DeriveKey(seed, $"settlement/{chainIds[c].Id}/node", i)).ToArray();
            var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
            var chain = new SimChain(c, chainIds[c].Id, chainIds[c].IsIntermediary, validators, new InitialBalances())
            {
                IsTradingChain = _spec.IsTradingChain(chainIds[c].Id),
            };
            _chains[c] = chain;
            for (int i = 0; i < keys.Length; i++)
            {
                var node = new SimNode(nodes.Count, chain, i, keys[i], new InMemoryBlockStore(chain.Id));
                chain.Nodes.Add(node);
                _nodeIndex.Add(node.Id, node.Index);
                nodes.Add(node);
            }
        }

        _nodes = [.. nodes];
        foreach (var chain in _chains)
        {
            foreach (var peer in _spec.PeersOf(chain.Id))
            {
                chain.Peers.Add(peer, ChainOf(peer).Validators);
            }
        }

        _banks = new Bank[scenario.ParticipantCount];
        for (int b = 0; b < _banks.Length; b++)
        {
            _banks[b] = new Bank(b, _chains[b], Simulation.DeriveKey(seed, "settlement/bank", b));
            _chains[b].Operators.Add(_banks[b].Id);
        }

        DrawTransfers();
        foreach (var chain in _chains)
        {
            chain.Initial.Capture(NewApplicationLedger(chain));
        }
    }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>The network shape, workload and faults.</summary>
    public SettlementScenario Scenario { get; }

    /// <summary>The virtual time, ms since the start of the run.</summary>
    public long Now { get; private set; }

    /// <summary>A debug log of every event; null: none.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Validators per chain (f = 1).</summary>
    public static int ValidatorsPerChain => 4;

    /// <summary>The consensus engine of every chain: PBFT as in the single-chain suites, with larger batches (attestations come four at a time).</summary>
    public static EngineUnderTest Engine { get; } = Engines.Pbft with
    {
        Name = Name,
        ConfigureOptions = options =>
        {
            Engines.Pbft.ConfigureOptions!(options);
            options.MaxBatchRequests = 12;
        },
    };

    internal Random Random { get; }

    private FaultProfile Faults => Scenario.Faults;

    private bool InFaultPeriod => Now < Faults.FaultPeriodMs;

    private long ClockMs => Simulation.EpochUnixMs + Now;

    /// <summary>Runs to completion and checks every invariant.</summary>
    /// <returns>What happened.</returns>
    /// <exception cref="SimulationFailureException">An invariant was violated or liveness was not reached; the message names the seed.</exception>
    public SettlementSimulationResult Run()
    {
        foreach (var (at, fault) in FaultSchedule.Draw(Random, Faults, _nodes.Length))
        {
            Schedule(at, fault);
            _partitionCount += fault is PartitionStart ? 1 : 0;
        }

        if (Faults.Byzantine)
        {
            ChooseByzantineValidators();
        }

        foreach (var node in _nodes)
        {
            Schedule(0, new StartNode(node.Index));
        }

        foreach (var bank in _banks)
        {
            ScheduleBankWake(bank, 0);
        }

        long deadline = Faults.FaultPeriodMs + Faults.LivenessBudgetMs;
        long nextCompletionCheck = Faults.FaultPeriodMs;
        while (_failure is null)
        {
            if (Now >= nextCompletionCheck)
            {
                nextCompletionCheck = Now + 50;
                if (IncompleteReason() is null)
                {
                    break;
                }
            }

            if (!_queue.TryDequeue(out var next, out var at))
            {
                Fail("the event queue ran dry before every transfer completed");
                break;
            }

            if (at.Time > deadline)
            {
                Fail($"liveness: not done within {Faults.LivenessBudgetMs} ms after the fault period: {IncompleteReason()}");
                break;
            }

            if (++_events > Faults.MaxEvents)
            {
                Fail($"more than {Faults.MaxEvents} events: the run is stuck in a loop");
                break;
            }

            Now = at.Time;
            Trace(at.Sequence, next);
            Log?.Invoke($"{Now} {Describe(next)}");
            Dispatch(next);
        }

        if (_failure is null)
        {
            CheckFinalState();
        }

        if (_failure is not null)
        {
            throw new SimulationFailureException(Seed, Name, Now, _failure);
        }

        var reports = _chains.Where(c => c.IsIntermediary).SelectMany(c => FirstHonest(c).Intermediary!.CompletedCycles).ToList();
        var outcomes = _transfers.Select(t => StateOn(FirstHonest(t.PayerChain), t.Id) ?? CrossChainTransactionState.Pending).ToList();
        return new SettlementSimulationResult(Seed, Convert.ToHexStringLower(_trace.GetHashAndReset()), _events, Now,
            outcomes.Count(o => o == CrossChainTransactionState.Committed),
            outcomes.Count(o => o == CrossChainTransactionState.Cancelled),
            outcomes.Count(o => o == CrossChainTransactionState.Failed),
            _crashCount, _partitionCount, [.. _nodes.Where(n => n.Role is not null).Select(n => $"{n.Chain.Id}/{n.Local}:{n.Role!.Name}")])
        {
            CheckpointRestores = _checkpointRestores,
            Outcomes = outcomes,
            IntermediaryOutcomes = [.. _transfers.Select(t => StateOn(FirstHonest(t.Icc), t.Id))],
            PayeeOutcomes = [.. _transfers.Select(t => StateOn(FirstHonest(t.PayeeChain), t.Id))],
            NettingTransfers = _transfers.Count(t => t.IsNetting),
            NettingCommitted = _transfers.Where((t, i) => t.IsNetting && outcomes[i] == CrossChainTransactionState.Committed).Count(),
            CyclesSettled = reports.Count,
            MaxObligationsPerCycle = reports.Count == 0 ? 0 : reports.Max(r => r.Assets.Sum(a => a.GrossCount)),
        };
    }

    private void Dispatch(SimEvent next)
    {
        switch (next)
        {
            case StartNode start:
                StartNodeProcess(_nodes[start.Node]);
                break;
            case Deliver deliver:
                OnDeliver(deliver);
                break;
            case FrameDeliver frame:
                OnFrame(frame);
                break;
            case TimerFire fire:
                OnTimerFire(fire);
                break;
            case LoadBlocks load:
                OnLoadBlocks(load);
                break;
            case ValidatorSubmit submit:
                OnValidatorSubmit(submit);
                break;
            case ValidatorTick tick:
                OnValidatorTick(tick);
                break;
            case ClientToNode submit:
                OnClientToNode(submit);
                break;
            case ReplyToClient reply:
                OnReplyToBank(reply);
                break;
            case ClientWake wake:
                OnBankWake(wake);
                break;
            case Crash crash:
                OnCrash(_nodes[crash.Node]);
                break;
            case Restart restart:
                if (!_nodes[restart.Node].Alive)
                {
                    StartNodeProcess(_nodes[restart.Node]);
                }

                break;
            case PartitionStart partition:
                _partitionSide = partition.Sides;
                break;
            case PartitionHeal:
                _partitionSide = null;
                break;
            default:
                throw new InvalidOperationException("unknown event " + next);
        }
    }

    /// <summary>
    /// (Re)starts a validator as a host would: the replica is rebuilt from the store's tip with a fresh executor as its
    /// application, and the stored blocks are replayed into it (the relay sees each with <c>replay: true</c>).
    /// </summary>
    private void StartNodeProcess(SimNode node)
    {
        node.Alive = true;
        node.Incarnation++;
        node.Timers.Clear();
        var chain = node.Chain;
        node.Participant = chain.IsIntermediary || chain.IsTradingChain ? null : _spec.CreateParticipant(chain.Id);
        node.Intermediary = chain.IsIntermediary ? _spec.CreateIntermediary(chain.Id, FirstCycle(chain)) : null;
        node.TradingChain = chain.IsTradingChain ? _spec.CreateTradingChain(chain.Id) : null;
        node.Executor = node.Participant is not null ? SettlementChainExecutor.ForParticipant(node.Participant, chain.Validators, chain.Operators, chain.Peers.Keys, _executorOptions)
            : node.TradingChain is not null ? SettlementChainExecutor.ForTradingChain(node.TradingChain, chain.Validators, chain.Operators, _executorOptions)
            : SettlementChainExecutor.ForIntermediary(node.Intermediary!, chain.Validators, chain.Operators, chain.Peers.Keys, _executorOptions);
        node.Relay = new CrossChainRelay(node.Id, chain.Id, chain.Peers, _relayOptions);
        node.RelayEffects = new RelayEffects(this, node, node.Incarnation);
        var stored = node.Store.ReadAsync().ToBlockingEnumerable().ToList();
        var last = stored.Count == 0 ? null : stored[^1];
        var options = chain.NewReplicaOptions();
        var honest = new NodeSetup(node.Local, node.Id, node.Key, options, IsValidator: true, node.Store, node.Executor);
        var setup = node.Role?.Consensus is { } lie ? lie.PrepareSetup(honest, node.ConsensusContext!) : honest;
        try
        {
            node.Replica = Engine.Factory(setup, last);
        }
        catch (ArgumentException ex) when (setup != honest)
        {
            // The engine refuses the Byzantine node's doctored setup: it runs no replica, which is legal Byzantine behaviour.
            TraceNote($"{node} refused its Byzantine setup: {ex.Message}");
            node.Replica = null;
        }
        catch (Exception ex)
        {
            Fail($"factory threw for {node}: {ex}");
            return;
        }

        if (node.Replica is { } replica)
        {
            try
            {
                // As the node host does: restore the newest checkpoint (if any), replay only the blocks after it, and
                // tell the relay what the restored chain state already executed.
                ulong from = 0;
                if (node.IsHonest && node.Snapshots.LastOrDefault() is { } snapshot)
                {
                    replica.Restore(snapshot, stored[(int)snapshot.Height]);
                    from = snapshot.Height + 1;
                    _checkpointRestores++;
                    TraceNote($"{node} restored its checkpoint at h{snapshot.Height}");
                }

                foreach (var block in stored.Where(b => b.Height >= from))
                {
                    var (_, execution) = replica.Replay(block);
                    node.Relay.OnBlock((SettlementBlockResult)execution, ClockMs, node.RelayEffects, replay: true);
                }

                foreach (var source in chain.Peers.Keys)
                {
                    node.Relay.RestoreExecuted(source, node.Executor.NextExpected(source), node.Executor.ExecutedAbove(source));
                }

                node.NextSnapshotHeight = (last?.Height ?? 0) + (ulong)Scenario.SnapshotIntervalBlocks;
            }
            catch (Exception ex)
            {
                Fail($"{node} threw while replaying its stored blocks: {ex}");
                return;
            }
        }

        node.Effects = new ReplicaEffects(this, node, node.Incarnation);
        Feed(node, "start", (r, e) => r.Start(ClockMs, e));
        Schedule(Random.Next(0, Scenario.RelayTickMs), new ValidatorTick(node.Index, node.Incarnation));
    }

    /// <summary>
    /// The ICC's first settlement cycle, or null without a cycle policy. Every validator (and every restart, which
    /// replays the blocks onto it) builds the same one: sequence 1, opening at the simulation's epoch, the first block time.
    /// </summary>
    private SettlementCycle? FirstCycle(SimChain chain) =>
        Scenario.CyclePolicy is { } policy ? new SettlementCycle(new CycleId(chain.Id, 1), policy, Simulation.EpochUnixMs) : null;

    private void OnCrash(SimNode node)
    {
        if (!node.Alive)
        {
            return;
        }

        _crashCount++;
        node.Alive = false;
        node.Replica = null;
        node.Effects = null;
        node.Relay = null;
        node.RelayEffects = null;
        node.Timers.Clear();
        node.Incarnation++;
    }

    /// <summary>Runs <paramref name="input"/> against a node's replica; an exception from a replica is a failure of the run.</summary>
    private void Feed(SimNode node, string what, Action<IReplica, IReplicaEffects> input)
    {
        if (node.Replica is null || node.Effects is null)
        {
            return;
        }

        try
        {
            input(node.Replica, node.Effects);
            if (node.IsHonest && Scenario.SnapshotIntervalBlocks > 0 && node.Replica?.CommittedHeight is { } height && height >= node.NextSnapshotHeight)
            {
                // Between inputs, after the committed blocks were stored: the state is that of the stored tip.
                node.Snapshots.Add(node.Replica.TakeSnapshot());
                node.NextSnapshotHeight = height + (ulong)Scenario.SnapshotIntervalBlocks;
                if (node.Snapshots.Count > 3)
                {
                    node.Snapshots.RemoveAt(0);
                }
            }
        }
        catch (Exception ex) when (ex is not SimulationFailureException)
        {
            Fail($"{node} threw on {what}: {ex}");
        }
    }

    /// <summary>Runs <paramref name="input"/> against a node's relay; an exception from a relay is a failure of the run.</summary>
    private void FeedRelay(SimNode node, string what, Action<CrossChainRelay, IRelayEffects> input)
    {
        if (!node.Alive || node.Relay is null || node.RelayEffects is null)
        {
            return;
        }

        try
        {
            input(node.Relay, node.RelayEffects);
        }
        catch (Exception ex) when (ex is not SimulationFailureException)
        {
            Fail($"{node}'s relay threw on {what}: {ex}");
        }
    }

    private void OnDeliver(Deliver deliver)
    {
        var node = _nodes[deliver.To];
        if (!node.Alive)
        {
            return;
        }

        var from = _nodes[deliver.From].Id;
        node.Role?.Consensus?.OnReceive(from, deliver.Message, node.ConsensusContext!);
        Feed(node, "message", (r, e) => r.OnMessage(from, deliver.Message, ClockMs, e));
    }

    private void OnTimerFire(TimerFire fire)
    {
        var node = _nodes[fire.Node];
        if (!node.Alive || node.Incarnation != fire.Incarnation
            || !node.Timers.TryGetValue(fire.Timer, out long generation) || generation != fire.Generation)
        {
            return;
        }

        node.Timers.Remove(fire.Timer);
        Feed(node, "timer " + fire.Timer, (r, e) => r.OnTimer(fire.Timer, ClockMs, e));
    }

    private void OnLoadBlocks(LoadBlocks load)
    {
        var node = _nodes[load.Node];
        if (!node.Alive || node.Incarnation != load.Incarnation)
        {
            return;
        }

        var blocks = new List<Block>();
        for (ulong h = load.FromHeight; blocks.Count < load.MaxCount; h++)
        {
            var block = Simulation.Sync(node.Store.GetAsync(h));
            if (block is null)
            {
                break;
            }

            blocks.Add(block);
        }

        Feed(node, "blocks loaded", (r, e) => r.OnBlocksLoaded(load.Requester, blocks, ClockMs, e));
    }

    /// <summary>A replica sends: a Byzantine validator's consensus behaviour decides what really goes out.</summary>
    private void SendConsensus(SimNode node, NodeId recipient, byte[] message)
    {
        if (node.Role?.Consensus is { } lie)
        {
            lie.OnSend(recipient, message, node.ConsensusContext!);
        }
        else
        {
            Transmit(node.Index, recipient, message, frame: false);
        }
    }

    /// <summary>Puts a consensus message or relay frame on the simulated wire: partitions, drops, duplicates, delays.</summary>
    private void Transmit(int from, NodeId recipient, byte[] message, bool frame)
    {
        if (!_nodeIndex.TryGetValue(recipient, out int to) || to == from)
        {
            return;
        }

        if (InFaultPeriod)
        {
            if (_partitionSide is not null && _partitionSide[from] != _partitionSide[to])
            {
                return;
            }

            if (FaultSchedule.Drops(Random, Faults, inFaultPeriod: true))
            {
                return;
            }

            if (FaultSchedule.Duplicates(Random, Faults, inFaultPeriod: true))
            {
                Schedule(NetworkDelay(), frame ? new FrameDeliver(from, to, message) : new Deliver(from, to, message));
            }
        }

        Schedule(NetworkDelay(), frame ? new FrameDeliver(from, to, message) : new Deliver(from, to, message));
    }

    private long NetworkDelay() => FaultSchedule.Delay(Random, Faults, InFaultPeriod);

    /// <summary>Bank traffic crosses the same lossy network (no partitions: banks reach every side).</summary>
    private bool ClientMessageLost() => FaultSchedule.Drops(Random, Faults, InFaultPeriod);

    private void ChooseByzantineValidators()
    {
        var roles = Scenario.ByzantineRoles ?? SettlementByzantineRoles.All;
        foreach (var chain in _chains)
        {
            int count = Scenario.ByzantinePerChain ?? Random.Next(0, chain.Validators.FaultTolerance + 1);
            var candidates = Enumerable.Range(0, chain.Nodes.Count).ToList();
            for (int i = 0; i < count; i++)
            {
                int pick = candidates[Random.Next(candidates.Count)];
                candidates.Remove(pick);
                var node = chain.Nodes[pick];
                node.Role = roles[Random.Next(roles.Count)]();
                var options = chain.NewReplicaOptions();
                node.ConsensusContext = new ByzantineContext(new NodeSetup(node.Local, node.Id, node.Key, options, true, node.Store),
                    chain.Validators, [.. chain.Nodes.Select(n => n.Id)], Random, () => Now,
                    (to, bytes) => Transmit(node.Index, to, bytes, frame: false));
                node.RelayContext = new RelayByzantineContext(chain.Id, chain.Peers, [.. _transfers.Select(t => t.Id)], Random,
                    (to, bytes) => Transmit(node.Index, to, bytes, frame: true), entry => SubmitEntry(node, entry));
                TraceNote($"byzantine {node} {node.Role.Name}");
            }
        }
    }

    private void Schedule(long delayMs, SimEvent simEvent) =>
        _queue.Enqueue(simEvent, (Now + Math.Max(0, delayMs), _sequence++));

    private void Fail(string message) => _failure ??= message;

    private void Trace(long sequence, SimEvent simEvent)
    {
        Span<byte> head = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(head, Now);
        BinaryPrimitives.WriteInt64LittleEndian(head[8..], sequence);
        _trace.AppendData(head);
        _trace.AppendData(Encoding.UTF8.GetBytes(simEvent.TraceKey));
        switch (simEvent)
        {
            case Deliver deliver:
                _trace.AppendData(deliver.Message.Span);
                break;
            case FrameDeliver frame:
                _trace.AppendData(frame.Frame.Span);
                break;
            case ValidatorSubmit submit:
                _trace.AppendData(submit.Request.Digest.ToArray());
                break;
        }
    }

    private string Describe(SimEvent simEvent) => simEvent switch
    {
        Deliver d => $"deliver {_nodes[d.From]}->{_nodes[d.To]} {Engine.DescribeMessage?.Invoke(d.Message) ?? d.Message.Length + " bytes"}",
        FrameDeliver f => $"frame {_nodes[f.From]}->{_nodes[f.To]} {DescribeFrame(f.Frame)}",
        _ => simEvent.ToString(),
    };

    private static string DescribeFrame(ReadOnlyMemory<byte> frame)
    {
        var message = RelayBehaviours.TryOpenEnvelope(frame);
        if (message is null)
        {
            return frame.Length + " bytes (ack or junk)";
        }

        try
        {
            var payload = ChainInterop.Codec.Canonical.Decode<TransferMessage>(message.Payload);
            return $"{message.Source}->{message.Destination} #{message.Sequence} {payload.Kind} {payload.TransactionId.ToShortString()}";
        }
        catch (ChainInterop.Codec.CodecException)
        {
            return $"{message.Source}->{message.Destination} #{message.Sequence} (junk payload)";
        }
    }

    private void TraceNote(string note)
    {
        _trace.AppendData(Encoding.UTF8.GetBytes(note));
        Log?.Invoke($"{Now} note {note}");
    }

    private SimChain ChainOf(ChainId id) => _chains.First(c => c.Id == id);

    private AccountLedger NewApplicationLedger(SimChain chain) =>
        chain.IsIntermediary ? _spec.CreateIntermediary(chain.Id).Ledger
        : chain.IsTradingChain ? new AccountLedger() // a TBC holds no balances
        : _spec.CreateParticipant(chain.Id).Ledger;

    /// <summary>3 PPCs by default; ICC 1 links every PPC, ICC 2 every PPC but the first.</summary>
    private static SettlementNetworkSpec BuildSpec(SettlementScenario scenario)
    {
        var assets = new[] { Usd, Eur };
        var balances = assets.ToDictionary(a => a, _ => scenario.OpeningBalance);
        var participants = Enumerable.Range(1, scenario.ParticipantCount)
            .Select(p => new ParticipantSpec(new ChainId($"ppc{p}"),
                [.. Enumerable.Range(0, CustomersPerBank).Select(c => new CustomerSpec(Customer(c), balances))], balances, balances))
            .ToList();
        var intermediaries = new List<IntermediarySpec> { new(new ChainId("icc1"), [.. participants.Select(p => p.Chain)]) };
        if (scenario.IntermediaryCount == 2)
        {
            intermediaries.Add(new IntermediarySpec(new ChainId("icc2"), [.. participants.Skip(1).Select(p => p.Chain)]));
        }

        return new SettlementNetworkSpec(assets, participants, intermediaries);
    }

    /// <summary>One chain of the network: its validators, the chains it relays with, and what its honest validators agreed on.</summary>
    private sealed class SimChain(int index, ChainId id, bool isIntermediary, ValidatorSet validators, InitialBalances initial)
    {
        public int Index { get; } = index;

        public ChainId Id { get; } = id;

        /// <summary>An ICC's ABC.</summary>
        public bool IsIntermediary { get; } = isIntermediary;

        /// <summary>A TBC of an ICC: it passes messages between one PPC and the ABC and records that PPC's transactions.</summary>
        public bool IsTradingChain { get; init; }

        public ValidatorSet Validators { get; } = validators;

        public List<SimNode> Nodes { get; } = [];

        /// <summary>The chains it relays with (insertion order is spec order, so enumeration is deterministic).</summary>
        public Dictionary<ChainId, ValidatorSet> Peers { get; } = [];

        /// <summary>Clients allowed to submit commands (the bank's settlement service on a PPC; none on an ICC).</summary>
        public HashSet<NodeId> Operators { get; } = [];

        public InitialBalances Initial { get; } = initial;

        /// <summary>The first block an honest validator committed at each height.</summary>
        public Dictionary<ulong, (Hash256 Hash, int Node)> Canonical { get; } = [];

        /// <summary>The ledger state hash an honest validator had after each height.</summary>
        public Dictionary<ulong, (Hash256 Hash, int Node)> LedgerStates { get; } = [];

        public ReplicaOptions NewReplicaOptions()
        {
            var options = new ReplicaOptions { ChainId = Id, Validators = Validators };
            Engine.ConfigureOptions?.Invoke(options);
            return options;
        }
    }

    private static readonly AccountLedger NoBalances = new();

    /// <summary>One validator machine: its store survives crashes; replica, application and relay are rebuilt on restart.</summary>
    private sealed class SimNode(int index, SimChain chain, int local, PrivateKey key, InMemoryBlockStore store)
    {
        public int Index { get; } = index;

        public SimChain Chain { get; } = chain;

        public int Local { get; } = local;

        public PrivateKey Key { get; } = key;

        public NodeId Id { get; } = NodeId.FromPublicKey(key.PublicKey);

        public InMemoryBlockStore Store { get; } = store;

        /// <summary>Its checkpoints, newest last (they survive crashes, like the store).</summary>
        public List<StateSnapshot> Snapshots { get; } = [];

        /// <summary>The height at or above which it takes its next checkpoint.</summary>
        public ulong NextSnapshotHeight { get; set; }

        public bool Alive { get; set; }

        /// <summary>Bumped at every crash and start, so timers, loads and submissions of a dead incarnation never fire.</summary>
        public int Incarnation { get; set; }

        public IReplica? Replica { get; set; }

        public IReplicaEffects? Effects { get; set; }

        public Dictionary<ReplicaTimer, long> Timers { get; } = [];

        public ParticipantChainApplication? Participant { get; set; }

        public IntermediaryChainApplication? Intermediary { get; set; }

        public SettlementChainExecutor? Executor { get; set; }

        public CrossChainRelay? Relay { get; set; }

        public IRelayEffects? RelayEffects { get; set; }

        /// <summary>The last timestamp it signed an entry with: its clock, strictly increasing (survives restarts like a real clock).</summary>
        public ulong LastTimestamp { get; set; }

        public long NextTickEntryMs { get; set; }

        public SettlementByzantineRole? Role { get; set; }

        public ByzantineContext? ConsensusContext { get; set; }

        public RelayByzantineContext? RelayContext { get; set; }

        public bool IsHonest => Role is null;

        public TradingChainApplication? TradingChain { get; set; }

        /// <summary>The chain's balances (a TBC holds none: its ledger stays empty, so the balance checks hold trivially there).</summary>
        public AccountLedger Ledger => Participant?.Ledger ?? Intermediary?.Ledger ?? NoBalances;

        public CrossChainTransactionState? StateOf(Hash256 tx) => Participant?.GetState(tx) ?? Intermediary?.GetState(tx) ?? TradingChain?.GetState(tx);

        public override string ToString() => $"{Chain.Id}/{Local}";
    }
}
