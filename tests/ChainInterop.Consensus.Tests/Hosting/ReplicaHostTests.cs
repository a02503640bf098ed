using System.Collections.Concurrent;
using ChainInterop.Blocks;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.Time.Testing;

namespace ChainInterop.Consensus.Tests.Hosting;

public class ReplicaHostTests
{
    private static readonly ChainId Chain = new("ppc-bank-a");

    /// <summary>A replica whose behaviour the test scripts; it records every input it sees.</summary>
    private sealed class ScriptedReplica(PrivateKey key) : IReplica
    {
        public ConcurrentQueue<string> Seen { get; } = new();

        public Action<IReplicaEffects>? OnStart { get; set; }

        public Action<ReplicaTimer, IReplicaEffects>? Timer { get; set; }

        public Action<NodeId, IReadOnlyList<Block>, IReplicaEffects>? Loaded { get; set; }

        public NodeId Id { get; } = NodeId.FromPublicKey(key.PublicKey);

        public ChainId ChainId => Chain;

        public ulong? CommittedHeight { get; set; }

        public (CommittedBlock Block, BlockExecution Execution) Replay(Block block)
        {
            Seen.Enqueue($"replay {block.Height}");
            var committed = CommittedBlock.Decode(block);
            return (committed, BlockExecution.Empty(committed));
        }

        public void Restore(StateSnapshot snapshot, Block block) => Seen.Enqueue($"restore {snapshot.Height}");

        public StateSnapshot TakeSnapshot() => new(Chain, CommittedHeight ?? 0, []);

        public void Start(long nowUnixMs, IReplicaEffects effects)
        {
            Seen.Enqueue("start");
            OnStart?.Invoke(effects);
        }

        public void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects) => Seen.Enqueue($"request {request.Timestamp}");

        public void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects) =>
            Seen.Enqueue($"message from {from.ToShortString()}: {System.Text.Encoding.UTF8.GetString(message.Span)}");

        public void OnBlocksLoaded(NodeId requester, IReadOnlyList<Block> blocks, long nowUnixMs, IReplicaEffects effects)
        {
            Seen.Enqueue($"loaded {blocks.Count}");
            Loaded?.Invoke(requester, blocks, effects);
        }

        public void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects)
        {
            Seen.Enqueue($"timer {timer.Kind} {timer.Subject}");
            Timer?.Invoke(timer, effects);
        }
    }

    private static void Commit(IReplicaEffects effects, Block block)
    {
        var committed = CommittedBlock.Decode(block);
        effects.Commit(committed, BlockExecution.Empty(committed));
    }

    private static PrivateKey Key(byte seed) => SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat(seed, 32).ToArray());

    private static Block Certified(PrivateKey key, ulong height, Hash256 previous)
    {
        var block = Block.Create(Chain, height, previous, 1000 + (long)height, NodeId.FromPublicKey(key.PublicKey), 0, []);
        return block.WithCertificate(CommitCertificate.Sign(block.Header, [key]));
    }

    /// <summary>Polls until <paramref name="condition"/> holds; generous, because a busy machine runs seconds late (a green run never waits for it).</summary>
    private static async Task Eventually(Func<bool> condition, Action? meanwhile = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 120 s");
            meanwhile?.Invoke();
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Committed_blocks_are_stored_before_the_application_sees_them_and_timers_fire_K1()
    {
        using var key = Key(1);
        var validators = new ValidatorSet([key.PublicKey]);
        var store = new InMemoryBlockStore(Chain);
        var replica = new ScriptedReplica(key);
        var applied = new ConcurrentQueue<ulong>();
        replica.OnStart = e => e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch, 1), 5);
        replica.Timer = (t, e) =>
        {
            var tip = store.Tip;
            Commit(e, Certified(key, tip is null ? 0 : tip.Height + 1, tip?.Hash ?? Hash256.Zero));
            if (t.Subject < 3)
            {
                e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch, t.Subject + 1), 5);
            }
        };

        var network = new InMemoryNetwork();
        await using var host = new ReplicaHost(replica, validators, network.Connect(replica.Id), store,
            new InlineObserver((block, replayed) =>
            {
                Assert.Equal(block.Block.Hash, store.Tip!.Hash); // stored first
                Assert.False(replayed);
                applied.Enqueue(block.Height);
            }));
        host.Start();
        await Eventually(() => applied.Count == 3);
        Assert.Equal([0ul, 1ul, 2ul], applied);
        Assert.Contains("timer Batch 3", replica.Seen);
    }

    [Fact]
    public async Task On_start_the_host_replays_the_stored_chain_into_the_replica_in_height_order_and_hands_it_to_the_observer_as_replayed_K2()
    {
        using var key = Key(5);
        var store = new InMemoryBlockStore(Chain);
        var previous = Hash256.Zero;
        for (ulong h = 0; h < 3; h++)
        {
            var block = Certified(key, h, previous);
            await store.AppendAsync(block);
            previous = block.Hash;
        }

        var replica = new ScriptedReplica(key) { CommittedHeight = 2 };
        var observed = new ConcurrentQueue<(ulong Height, bool Replayed)>();
        await using var host = new ReplicaHost(replica, new ValidatorSet([key.PublicKey]), new InMemoryNetwork().Connect(replica.Id), store,
            new InlineObserver((block, replayed) => observed.Enqueue((block.Height, replayed))));
        host.Start();
        await Eventually(() => replica.Seen.Contains("start"));
        Assert.Equal(["replay 0", "replay 1", "replay 2", "start"], replica.Seen.Take(4));
        Assert.Equal([(0ul, true), (1ul, true), (2ul, true)], observed);
    }

    [Fact]
    public async Task A_cancelled_or_rearmed_timer_does_not_fire_its_old_arming()
    {
        using var key = Key(2);
        var replica = new ScriptedReplica(key);
        replica.OnStart = e =>
        {
            e.SetTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, 1), 20);
            e.CancelTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, 1));
            e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch, 7), 5_000);
            e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch, 7), 10);
            e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Retransmit, 9), 80);
            e.SetTimer(new ReplicaTimer(ReplicaTimerKind.Retransmit, 99), 10_000); // after every old arming: once it is seen, so would they be
        };

        // A virtual clock, moved until the last timer fired: every arming's time passes, however busy the machine.
        var clock = new FakeTimeProvider();
        await using var host = new ReplicaHost(replica, new ValidatorSet([key.PublicKey]), new InMemoryNetwork().Connect(replica.Id), new InMemoryBlockStore(Chain), timeProvider: clock);
        host.Start();
        await Eventually(() => replica.Seen.Contains("timer Retransmit 99"), () => clock.Advance(TimeSpan.FromSeconds(1)));
        Assert.Contains("timer Retransmit 9", replica.Seen);
        Assert.DoesNotContain("timer ViewChange 1", replica.Seen);
        Assert.Single(replica.Seen, s => s == "timer Batch 7");
    }

    [Fact]
    public async Task Messages_reach_peers_with_the_authenticated_sender_and_broadcast_skips_the_sender_C6()
    {
        using var keyA = Key(3);
        using var keyB = Key(4);
        using var keyC = Key(5);
        var validators = new ValidatorSet([keyA.PublicKey, keyB.PublicKey, keyC.PublicKey]);
        var network = new InMemoryNetwork();
        var a = new ScriptedReplica(keyA) { OnStart = e => e.Broadcast("hello"u8.ToArray()) };
        var b = new ScriptedReplica(keyB);
        var c = new ScriptedReplica(keyC);
        await using var hostA = new ReplicaHost(a, validators, network.Connect(a.Id), new InMemoryBlockStore(Chain));
        await using var hostB = new ReplicaHost(b, validators, network.Connect(b.Id), new InMemoryBlockStore(Chain));
        await using var hostC = new ReplicaHost(c, validators, network.Connect(c.Id), new InMemoryBlockStore(Chain));
        hostB.Start();
        hostC.Start();
        hostA.Start();
        string expected = $"message from {a.Id.ToShortString()}: hello";
        await Eventually(() => b.Seen.Contains(expected) && c.Seen.Contains(expected));
        Assert.DoesNotContain(a.Seen, s => s.StartsWith("message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoadBlocks_is_answered_from_the_store_for_state_transfer_K2()
    {
        using var key = Key(6);
        var store = new InMemoryBlockStore(Chain);
        var previous = Hash256.Zero;
        for (ulong h = 0; h < 5; h++)
        {
            var block = Certified(key, h, previous);
            await store.AppendAsync(block);
            previous = block.Hash;
        }

        var peer = new NodeId(Hash256.Compute("peer"u8));
        var replica = new ScriptedReplica(key) { OnStart = e => e.LoadBlocks(peer, 2, maxCount: 2) };
        IReadOnlyList<Block>? loaded = null;
        replica.Loaded = (requester, blocks, _) => loaded = requester == peer ? blocks : null;
        await using var host = new ReplicaHost(replica, new ValidatorSet([key.PublicKey]), new InMemoryNetwork().Connect(replica.Id), store);
        host.Start();
        await Eventually(() => loaded is not null);
        Assert.Equal([2ul, 3ul], loaded!.Select(b => b.Height));
    }

    [Fact]
    public async Task A_store_that_refuses_a_commit_stops_the_host_and_the_failure_surfaces()
    {
        using var key = Key(7);
        var replica = new ScriptedReplica(key) { OnStart = e => Commit(e, Certified(key, 5, Hash256.Zero)) };
        var host = new ReplicaHost(replica, new ValidatorSet([key.PublicKey]), new InMemoryNetwork().Connect(replica.Id), new InMemoryBlockStore(Chain));
        host.Start();
        await Assert.ThrowsAsync<ArgumentException>(() => host.Completion);
        await Assert.ThrowsAsync<ArgumentException>(async () => await host.SubmitAsync(ClientRequest.Create(key, Chain, 1, [])));
        await host.DisposeAsync();
    }
}
