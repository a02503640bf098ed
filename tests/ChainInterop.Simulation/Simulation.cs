using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Storage;

namespace ChainInterop.Simulation;

/// <summary>
/// One seeded, deterministic run of a chain (ARCHITECTURE.md, like TigerBeetle's VOPR and FoundationDB's simulator):
/// a virtual clock, one event queue ordered by (time, insertion sequence), simulated nodes whose durable state is an
/// <see cref="InMemoryBlockStore"/>, a faulty network, simulated clients, and safety/liveness checkers. Every random
/// choice comes from the one <see cref="Random"/> built from the seed, so the same seed replays the same run byte
/// for byte (<see cref="SimulationResult.TraceHash"/>). Replicas never see the random source.
/// </summary>
public sealed partial class Simulation
{
    private readonly PriorityQueue<SimEvent, (long Time, long Sequence)> _queue = new();
    private readonly IncrementalHash _trace = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SimNode[] _nodes;
    private readonly Dictionary<NodeId, int> _nodeIndex = [];
    private readonly NodeId[] _nodeIds;
    private readonly ValidatorSet _validators;
    private readonly ChainId _chainId = new("sim-chain");
    private long _sequence;
    private long _events;
    private string? _failure;

    /// <summary>Prepares a run; nothing happens until <see cref="Run"/>.</summary>
    /// <param name="seed">The run's one seed.</param>
    /// <param name="engine">The engine under test.</param>
    /// <param name="faults">The faults to inject.</param>
    public Simulation(int seed, EngineUnderTest engine, FaultProfile faults)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(faults);
        Seed = seed;
        Engine = engine;
        Faults = faults;
        Random = new Random(seed);

        var keys = new PrivateKey[engine.NodeCount];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = DeriveKey(seed, "node", i);
        }

        _validators = new ValidatorSet(keys.Take(engine.ValidatorCount).Select(k => k.PublicKey));
        _nodeIds = [.. keys.Select(k => NodeId.FromPublicKey(k.PublicKey))];
        _nodes = new SimNode[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            _nodeIndex.Add(_nodeIds[i], i);
            _nodes[i] = new SimNode(i, _nodeIds[i], keys[i], i < engine.ValidatorCount, new InMemoryBlockStore(_chainId));
        }

        _clients = new SimClient[faults.ClientCount];
        for (int c = 0; c < _clients.Length; c++)
        {
            _clients[c] = new SimClient(c, DeriveKey(seed, "client", c), _validators);
            _clientIndex.Add(_clients[c].Id, c);
        }
    }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>The engine under test.</summary>
    public EngineUnderTest Engine { get; }

    /// <summary>The injected faults.</summary>
    public FaultProfile Faults { get; }

    /// <summary>The virtual time, ms since the start of the run.</summary>
    public long Now { get; private set; }

    /// <summary>The chain's validators.</summary>
    public ValidatorSet Validators => _validators;

    /// <summary>A debug log of every event (e.g. <c>CHAININTEROP_SIM_LOG=path</c> with one seed); null: none.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The run's only random source.</summary>
    internal Random Random { get; }

    /// <summary>Epoch of the virtual clock, so block timestamps look like real Unix times.</summary>
    internal static long EpochUnixMs => 1_767_225_600_000; // 2026-01-01T00:00:00Z

    private bool InFaultPeriod => Now < Faults.FaultPeriodMs;

    /// <summary>Runs to completion and checks every invariant.</summary>
    /// <returns>What happened.</returns>
    /// <exception cref="SimulationFailureException">An invariant was violated or liveness was not reached; the message names the seed.</exception>
    public SimulationResult Run()
    {
        ScheduleFaults();
        for (int i = 0; i < _nodes.Length; i++)
        {
            Schedule(0, new StartNode(i));
        }

        foreach (var client in _clients)
        {
            ScheduleClientWake(client, Random.Next(0, Faults.ClientThinkMs + 1));
        }

        long deadline = Faults.FaultPeriodMs + Faults.LivenessBudgetMs;
        while (_failure is null)
        {
            if (Now >= Faults.FaultPeriodMs && IsQuiescentAndComplete())
            {
                break;
            }

            if (!_queue.TryDequeue(out var next, out var at))
            {
                Fail("the event queue ran dry before every request completed");
                break;
            }

            if (at.Time > deadline)
            {
                Fail($"liveness: not every request completed (or honest nodes did not converge) within {Faults.LivenessBudgetMs} ms after the fault period: {DescribeProgress()}");
                break;
            }

            if (++_events > Faults.MaxEvents)
            {
                Fail($"more than {Faults.MaxEvents} events: the run is stuck in a loop");
                break;
            }

            Now = at.Time;
            Trace(at.Sequence, next);
            Log?.Invoke(Describe(next));
            Dispatch(next);
        }

        if (_failure is null)
        {
            CheckFinalState();
        }

        if (_failure is not null)
        {
            throw new SimulationFailureException(Seed, Engine.Name, Now, _failure);
        }

        return new SimulationResult(Seed, Engine.Name, Convert.ToHexStringLower(_trace.GetHashAndReset()), _events, Now,
            _canonical.Count, _accepted.Count, _crashCount, _validatorCrashCount, _partitionCount, _nodes.Count(n => n.Behaviour is not null))
        {
            Proposers = [.. _canonical.OrderBy(p => p.Key).Select(p => _validators.IndexOf(p.Value.Block.Header.Proposer))],
            ByzantineValidators = [.. _nodes.Where(n => n.Behaviour is not null && n.IsValidator).Select(n => n.Index)],
            RequestWaits = [.. _waits],
        };
    }

    private void Dispatch(SimEvent next)
    {
        switch (next)
        {
            case StartNode start:
                StartReplica(_nodes[start.Node]);
                break;
            case Deliver deliver:
                OnDeliver(deliver);
                break;
            case TimerFire fire:
                OnTimerFire(fire);
                break;
            case LoadBlocks load:
                OnLoadBlocks(load);
                break;
            case ClientToNode submit:
                OnClientToNode(submit);
                break;
            case ReplyToClient reply:
                OnReplyToClient(reply);
                break;
            case ClientWake wake:
                OnClientWake(wake);
                break;
            case Crash crash:
                OnCrash(_nodes[crash.Node]);
                break;
            case Restart restart:
                OnRestart(_nodes[restart.Node]);
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
        }
        catch (Exception ex) when (ex is not SimulationFailureException)
        {
            Fail($"node {node.Index} threw on {what}: {ex}");
        }
    }

    private void StartReplica(SimNode node)
    {
        node.Alive = true;
        node.Incarnation++;
        node.Timers.Clear();
        var tip = node.Store.Tip;
        var last = tip is null ? null : Sync(node.Store.GetAsync(tip.Height));
        var options = new ReplicaOptions { ChainId = _chainId, Validators = _validators };
        Engine.ConfigureOptions?.Invoke(options);
        var honest = new NodeSetup(node.Index, node.Id, node.Key, options, node.IsValidator, node.Store);
        var setup = node.Behaviour is null ? honest : node.Behaviour.PrepareSetup(honest, node.ByzantineContext!);

        try
        {
            node.Replica = Engine.Factory(setup, last);
        }
        catch (ArgumentException ex) when (setup != honest)
        {
            // The engine refuses the Byzantine node's doctored setup (e.g. PBFT rejects a key outside the validator
            // set): that node runs no replica and so sends nothing, which is legal Byzantine behaviour.
            TraceNote($"node {node.Index} refused its Byzantine setup: {ex.Message}");
            node.Replica = null;
            return;
        }
        catch (Exception ex)
        {
            Fail($"factory threw for node {node.Index}: {ex}");
            return;
        }

        if (last is not null)
        {
            try
            {
                // As the runtime host does: the client table (and application) are the replay of the store.
                foreach (var block in node.Store.ReadAsync().ToBlockingEnumerable())
                {
                    node.Replica.Replay(block);
                }
            }
            catch (Exception ex)
            {
                Fail($"node {node.Index} threw while replaying its stored blocks: {ex}");
                return;
            }
        }

        node.Effects = new NodeEffects(this, node, node.Incarnation);
        Feed(node, "start", (r, e) => r.Start(EpochUnixMs + Now, e));
    }

    private void OnDeliver(Deliver deliver)
    {
        var node = _nodes[deliver.To];
        if (!node.Alive)
        {
            return;
        }

        var from = _nodeIds[deliver.From];
        node.Behaviour?.OnReceive(from, deliver.Message, node.ByzantineContext!);
        Feed(node, "message", (r, e) => r.OnMessage(from, deliver.Message, EpochUnixMs + Now, e));
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
        Feed(node, "timer " + fire.Timer, (r, e) => r.OnTimer(fire.Timer, EpochUnixMs + Now, e));
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
            var block = Sync(node.Store.GetAsync(h));
            if (block is null)
            {
                break;
            }

            blocks.Add(block);
        }

        Feed(node, "blocks loaded", (r, e) => r.OnBlocksLoaded(load.Requester, blocks, EpochUnixMs + Now, e));
    }

    private void OnCrash(SimNode node)
    {
        if (!node.Alive)
        {
            return;
        }

        _crashCount++;
        if (node.IsValidator)
        {
            _validatorCrashCount++;
        }

        node.Alive = false;
        node.Replica = null;
        node.Effects = null;
        node.Timers.Clear();
        node.Incarnation++;
    }

    private void OnRestart(SimNode node)
    {
        if (!node.Alive)
        {
            StartReplica(node);
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
        if (simEvent is Deliver deliver)
        {
            _trace.AppendData(deliver.Message.Span);
        }
    }

    private string Describe(SimEvent simEvent) => simEvent switch
    {
        Deliver d => $"{Now} deliver {d.From}->{d.To} {Engine.DescribeMessage?.Invoke(d.Message) ?? d.Message.Length + " bytes"}",
        TimerFire t => $"{Now} timer node {t.Node} {t.Timer}{(_nodes[t.Node].Timers.TryGetValue(t.Timer, out long g) && g == t.Generation && _nodes[t.Node].Incarnation == t.Incarnation ? string.Empty : " (stale)")}",
        _ => $"{Now} {simEvent}",
    };

    private void TraceNote(string note)
    {
        _trace.AppendData(Encoding.UTF8.GetBytes(note));
        Log?.Invoke($"{Now} note {note}");
    }

    internal static PrivateKey DeriveKey(int seed, string role, int index)
    {
        var material = SHA256.HashData(Encoding.UTF8.GetBytes($"chaininterop-sim/{seed}/{role}/{index}"));
        return SignatureSchemes.Ed25519.ImportPrivateKey(material);
    }

    internal static T Sync<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    // The in-memory store completes synchronously; a failed append surfaces here.
    internal static void Sync(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>One simulated machine: its durable store survives crashes; everything else is rebuilt on restart.</summary>
    private sealed class SimNode(int index, NodeId id, PrivateKey key, bool isValidator, InMemoryBlockStore store)
    {
        public int Index { get; } = index;

        public NodeId Id { get; } = id;

        public PrivateKey Key { get; } = key;

        public bool IsValidator { get; } = isValidator;

        public InMemoryBlockStore Store { get; } = store;

        public bool Alive { get; set; }

        /// <summary>Bumped at every crash and start, so timers and loads of a dead incarnation never fire.</summary>
        public int Incarnation { get; set; }

        public IReplica? Replica { get; set; }

        public NodeEffects? Effects { get; set; }

        /// <summary>Armed timers and the generation of their latest arming.</summary>
        public Dictionary<ReplicaTimer, long> Timers { get; } = [];

        public IByzantineBehaviour? Behaviour { get; set; }

        public ByzantineContext? ByzantineContext { get; set; }

        public bool IsHonest => Behaviour is null;
    }
}
