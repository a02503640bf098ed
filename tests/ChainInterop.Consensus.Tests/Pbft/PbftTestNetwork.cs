using ChainInterop.Blocks;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.Pbft;

/// <summary>
/// A small deterministic harness: N PBFT replicas, one FIFO queue of deliveries, a manual virtual clock, timers in
/// a sorted list, committed blocks and replies per replica, and knobs to drop or rewrite messages.
/// </summary>
internal sealed class PbftTestNetwork : IDisposable
{
    public static readonly ChainId Chain = new("ppc-bank-a");

    private readonly Queue<Action> _queue = new();
    private readonly SortedDictionary<(long Due, long Seq), (int Node, ReplicaTimer Timer)> _timers = [];
    private readonly Dictionary<(int Node, ReplicaTimer Timer), (long Due, long Seq)> _timerIndex = [];
    private long _timerSeq;

    public PbftTestNetwork(int count = 4, Action<ReplicaOptions>? configure = null)
    {
        Keys = [.. Enumerable.Range(1, count).Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat((byte)i, 32).ToArray()))];
        Validators = new ValidatorSet(Keys.Select(k => k.PublicKey));
        Options = new ReplicaOptions { ChainId = Chain, Validators = Validators, BatchDelayMs = 5, ViewChangeTimeoutMs = 1000 };
        configure?.Invoke(Options);
        Ids = [.. Keys.Select(k => NodeId.FromPublicKey(k.PublicKey))];
        Replicas = new PbftReplica[count];
        Committed = [.. Enumerable.Range(0, count).Select(_ => new List<Block>())];
        Replies = [.. Enumerable.Range(0, count).Select(_ => new List<ClientReply>())];
        Down = new bool[count];
        for (int i = 0; i < count; i++)
        {
            Replicas[i] = new PbftReplica(Options, Keys[i], null);
        }
    }

    public PrivateKey[] Keys { get; }

    public ValidatorSet Validators { get; }

    public ReplicaOptions Options { get; }

    public NodeId[] Ids { get; }

    public PbftReplica[] Replicas { get; }

    /// <summary>Every block each replica delivered, in delivery order (kept across restarts).</summary>
    public List<Block>[] Committed { get; }

    public List<ClientReply>[] Replies { get; }

    /// <summary>A down replica receives nothing (messages, requests, timers) and its messages are lost.</summary>
    public bool[] Down { get; }

    public long Now { get; private set; } = 1_700_000_000_000;

    public long Delivered { get; private set; }

    /// <summary>Rewrites or drops (null) a message from → to; null means deliver unchanged.</summary>
    public Func<int, int, byte[], byte[]?>? Intercept { get; set; }

    /// <summary>
    /// Makes replica 0 lie in its PRE-PREPAREs: <paramref name="replace"/>(recipient, view, block) returns the block
    /// to send instead — validly signed by replica 0 — or null to send the real one.
    /// </summary>
    public void ReplaceProposals(Func<int, ulong, Block, Block?> replace) =>
        Intercept = (from, to, bytes) =>
        {
            var message = ChainInterop.Codec.Canonical.Decode<PbftMessage>(bytes);
            if (from != 0 || message.Kind != PbftMessageKind.PrePrepare)
            {
                return bytes;
            }

            var body = message.DecodeBody<PrePrepareBody>();
            var lie = replace(to, message.View, body.Block);
            return lie is null
                ? bytes
                : PbftMessage.Create(Keys[0], Chain, PbftMessageKind.PrePrepare, message.View, new PrePrepareBody(body.Height, lie)).ToBytes();
        };

    public void StartAll()
    {
        for (int i = 0; i < Replicas.Length; i++)
        {
            int node = i;
            Replicas[i].Start(Now, new Effects(this, node));
        }
    }

    public int IndexOf(NodeId id) => Array.IndexOf(Ids, id);

    /// <summary>A client broadcasts its request to every replica that is up.</summary>
    public void Submit(ClientRequest request)
    {
        for (int i = 0; i < Replicas.Length; i++)
        {
            if (!Down[i])
            {
                Replicas[i].OnClientRequest(request, Now, new Effects(this, i));
            }
        }
    }

    /// <summary>A client sends its request to the chosen replicas only.</summary>
    public void SubmitTo(ClientRequest request, params int[] nodes)
    {
        foreach (int i in nodes.Where(i => !Down[i]))
        {
            Replicas[i].OnClientRequest(request, Now, new Effects(this, i));
        }
    }

    /// <summary>
    /// Replaces replica <paramref name="node"/> with a new instance restarted from its last delivered block; with
    /// <paramref name="replayStore"/> it rebuilds its client table from its delivered blocks first, as a host does
    /// (without, the replica refuses to start).
    /// </summary>
    public void Restart(int node, bool replayStore = true)
    {
        Down[node] = false;
        foreach (var key in _timerIndex.Keys.Where(k => k.Node == node).ToArray())
        {
            _timers.Remove(_timerIndex[key]);
            _timerIndex.Remove(key);
        }

        Replicas[node] = new PbftReplica(Options, Keys[node], Committed[node].LastOrDefault());
        if (replayStore)
        {
            foreach (var block in Committed[node])
            {
                Replicas[node].Replay(block);
            }
        }

        Replicas[node].Start(Now, new Effects(this, node));
    }

    /// <summary>Processes deliveries, then fires timers in time order, until <paramref name="until"/> holds or virtual time passes <paramref name="maxMs"/>.</summary>
    public bool RunUntil(Func<bool> until, long maxMs = 60_000)
    {
        long deadline = Now + maxMs;
        for (int steps = 0; steps < 2_000_000; steps++)
        {
            if (until())
            {
                return true;
            }

            if (_queue.Count > 0)
            {
                _queue.Dequeue()();
                continue;
            }

            if (_timers.Count == 0)
            {
                return until();
            }

            var (key, (node, timer)) = _timers.First();
            if (key.Due > deadline)
            {
                Now = deadline;
                return until();
            }

            _timers.Remove(key);
            _timerIndex.Remove((node, timer));
            Now = Math.Max(Now, key.Due);
            if (!Down[node])
            {
                Replicas[node].OnTimer(timer, Now, new Effects(this, node));
            }
        }

        throw new InvalidOperationException("step limit");
    }

    /// <summary>Runs for <paramref name="ms"/> of virtual time.</summary>
    public void RunFor(long ms) => RunUntil(() => false, ms);

    public ulong? Height(int node) => Committed[node].Count == 0 ? null : Committed[node][^1].Height;

    public bool AllAtLeast(ulong height, params int[] nodes) =>
        (nodes.Length == 0 ? Enumerable.Range(0, Replicas.Length) : nodes).All(i => Height(i) is { } h && h >= height);

    public int RequestsCommitted(int node) => Committed[node].Sum(b => b.Entries.Count);

    public void Dispose()
    {
        foreach (var key in Keys)
        {
            key.Dispose();
        }
    }

    private void Enqueue(int from, int to, byte[] bytes)
    {
        _queue.Enqueue(() =>
        {
            if (Down[from] || Down[to])
            {
                return;
            }

            var delivered = bytes;
            if (Intercept is not null)
            {
                delivered = Intercept(from, to, bytes)!;
                if (delivered is null)
                {
                    return;
                }
            }

            Delivered++;
            Replicas[to].OnMessage(Ids[from], delivered, Now, new Effects(this, to));
        });
    }

    private sealed class Effects(PbftTestNetwork network, int node) : IReplicaEffects
    {
        public void Send(NodeId recipient, ReadOnlyMemory<byte> message)
        {
            int to = network.IndexOf(recipient);
            Assert.True(to >= 0 && to != node, "sends go to another validator");
            network.Enqueue(node, to, message.ToArray());
        }

        public void Broadcast(ReadOnlyMemory<byte> message)
        {
            var bytes = message.ToArray();
            for (int to = 0; to < network.Replicas.Length; to++)
            {
                if (to != node)
                {
                    network.Enqueue(node, to, bytes);
                }
            }
        }

        public void SetTimer(ReplicaTimer timer, long delayMs)
        {
            CancelTimer(timer);
            var key = (network.Now + delayMs, network._timerSeq++);
            network._timers.Add(key, (node, timer));
            network._timerIndex[(node, timer)] = key;
        }

        public void CancelTimer(ReplicaTimer timer)
        {
            if (network._timerIndex.Remove((node, timer), out var key))
            {
                network._timers.Remove(key);
            }
        }

        public void Commit(CommittedBlock committed, BlockExecution execution)
        {
            var block = committed.Block;
            var list = network.Committed[node];
            ulong expected = list.Count == 0 ? 0 : list[^1].Height + 1;
            Assert.Equal(expected, block.Height);
            Assert.NotNull(block.Certificate);
            list.Add(block);
        }

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount)
        {
            network._queue.Enqueue(() =>
            {
                if (network.Down[node])
                {
                    return;
                }

                var blocks = network.Committed[node].Where(b => b.Height >= fromHeight).Take(maxCount).ToList();
                network.Replicas[node].OnBlocksLoaded(requester, blocks, network.Now, new Effects(network, node));
            });
        }

        public void Reply(ClientReply reply) => network.Replies[node].Add(reply);
    }
}
