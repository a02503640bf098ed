using System.Threading.Channels;
using ChainInterop.Blocks;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Storage;

namespace ChainInterop.Consensus.Tests.Hosting;

/// <summary>
/// Checkpoints of a replica's state (C5, K2): a host saves its client table and application every so many blocks and a
/// restart restores the newest snapshot and re-executes only the blocks after it, arriving at the same state.
/// </summary>
public sealed class ReplicaSnapshotTests : IDisposable
{
    private static readonly ChainId Chain = new("snapshot-chain");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120); // generous: a green run never waits for it
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaininterop-snapshots-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Engines => new() { "pbft", "single-authority" };

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_restart_restores_the_newest_snapshot_and_replays_only_later_blocks_to_the_same_state_C5_K2(string engine)
    {
        var (factory, validators) = Engine(engine);
        using var key = Key(1);

        // Run the chain, 12 requests, snapshots every 4 blocks.
        var first = new ReplicatedApplication<CounterApplication>(validators, _ => new CounterApplication());
        await using (var chain = await StartAsync(factory, validators, first))
        {
            using var client = chain.CreateClient(key);
            ClientReply last = null!;
            for (int r = 0; r < 12; r++)
            {
                last = await client.SubmitAsync(new byte[] { (byte)(r % 3), (byte)r }).WaitAsync(Patience);
            }

            await first.WaitForHeightAsync(last.Height).WaitAsync(Patience);
            Assert.All(chain.Hosts, host => Assert.NotNull(host.LastSnapshotHeight));
        }

        var saved = new StateSnapshot[validators];
        for (int i = 0; i < validators; i++)
        {
            saved[i] = (await SnapshotStore(i).LoadLatestAsync(Chain))!;
            Assert.NotNull(saved[i]);
            Assert.True(saved[i].Height >= 3, $"validator {i} saved its first snapshot at height 3 or later, not {saved[i].Height}");
        }

        // Restart on the same stores with fresh applications: each restores its snapshot and replays the rest.
        var observed = Enumerable.Range(0, validators).Select(_ => Channel.CreateUnbounded<(ulong Height, bool Replayed)>()).ToArray();
        var second = new ReplicatedApplication<CounterApplication>(validators, _ => new CounterApplication());
        await using (var chain = await StartAsync(factory, validators, second, i => new InlineObserver((block, wasReplayed) =>
            observed[i].Writer.TryWrite((block.Height, wasReplayed)))))
        {
            for (int i = 0; i < validators; i++)
            {
                ulong storedTip = chain.Stores[i].Tip!.Height;
                await second.WaitForHeightAsync(i, storedTip).WaitAsync(Patience);
                Assert.Equal(saved[i].Height, chain.Hosts[i].RestoredHeight);

                // What the host handed to the observer at start: the stored blocks after the snapshot, replayed, in
                // order, and nothing before them; then (the chain runs on) only new commits.
                var seen = new List<(ulong Height, bool Replayed)>();
                while ((seen.Count == 0 ? saved[i].Height : seen[^1].Height) < storedTip)
                {
                    seen.Add(await observed[i].Reader.ReadAsync().AsTask().WaitAsync(Patience));
                }

                var replayed = seen.TakeWhile(e => e.Replayed).Select(e => e.Height).ToList();
                Assert.All(seen.Skip(replayed.Count), e => Assert.False(e.Replayed));
                var expected = Enumerable.Range(0, replayed.Count).Select(h => saved[i].Height + 1 + (ulong)h);
                Assert.Equal(expected, replayed);

                // The restored and replayed state is the state of executing the stored chain from height 0.
                var (height, running, counts) = second.Read(i, a => (a.Height, a.Running, a.Counts.OrderBy(kv => kv.Key).ToArray()));
                var replay = await ExecuteStoredAsync(chain.Stores[i], height!.Value);
                Assert.Equal(replay.Running, running);
                Assert.Equal(replay.Counts.OrderBy(kv => kv.Key).ToArray(), counts);
                Assert.Equal(12, counts.Sum(kv => kv.Value));
            }

            // The chain goes on from the restored state: the next request's result extends the same running hash.
            var before = second.Read(0, a => a.Running);
            using var client = chain.CreateClient(key);
            var reply = await client.SubmitAsync(new byte[] { 7, 7 }).WaitAsync(Patience);
            Assert.Equal(Hash256.Compute([.. before.ToArray(), 7, 7]).ToArray(), reply.Result.ToArray());
            await second.WaitForHeightAsync(reply.Height).WaitAsync(Patience);
            Assert.All(Enumerable.Range(0, validators), i => Assert.Equal(1, second.Read(i, a => a.Counts[7])));
        }
    }

    [Fact]
    public async Task A_snapshot_that_does_not_restore_is_skipped_and_the_whole_store_is_replayed_C5()
    {
        using var key = Key(2);
        var first = new ReplicatedApplication<CounterApplication>(1, _ => new CounterApplication());
        ulong tip;
        await using (var chain = await StartAsync(ConsensusEngines.SingleAuthority, 1, first))
        {
            using var client = chain.CreateClient(key);
            for (int r = 0; r < 6; r++)
            {
                await client.SubmitAsync(new byte[] { 1, (byte)r }).WaitAsync(Patience);
            }

            tip = chain.Stores[0].Tip!.Height;
            await first.WaitForHeightAsync(tip).WaitAsync(Patience);
        }

        // A newer snapshot whose bytes are not a replica's state (damaged, or written by something else).
        await SnapshotStore(0).SaveAsync(new StateSnapshot(Chain, tip, [1, 2, 3]));

        var second = new ReplicatedApplication<CounterApplication>(1, _ => new CounterApplication());
        await using (var chain = await StartAsync(ConsensusEngines.SingleAuthority, 1, second))
        {
            await second.WaitForHeightAsync(tip).WaitAsync(Patience);
            Assert.Null(chain.Hosts[0].RestoredHeight);
            Assert.Equal(first.Read(0, a => a.Running), second.Read(0, a => a.Running));
            Assert.Equal(6, second.Read(0, a => a.Counts[1]));
        }
    }

    [Fact]
    public void A_replica_refuses_a_snapshot_of_another_block_and_stays_as_it_was_C5()
    {
        using var key = Key(3);
        var options = new ReplicaOptions { ChainId = Chain, Validators = new ValidatorSet([key.PublicKey]) };
        var genesis = Block.Create(Chain, 0, Hash256.Zero, 1_000, NodeId.FromPublicKey(key.PublicKey), 0, []);
        genesis = genesis.WithCertificate(CommitCertificate.Sign(genesis.Header, [key]));
        var other = Block.Create(Chain, 0, Hash256.Zero, 2_000, NodeId.FromPublicKey(key.PublicKey), 0, []);
        other = other.WithCertificate(CommitCertificate.Sign(other.Header, [key]));

        // A snapshot taken by a replica whose block 0 is `other`.
        var donor = new ChainInterop.Consensus.SingleAuthority.SingleAuthorityReplica(options, key, other, new CounterApplication());
        donor.Replay(other);
        donor.Start(0, new NoEffects());
        var snapshot = donor.TakeSnapshot();

        var application = new CounterApplication();
        var replica = new ChainInterop.Consensus.SingleAuthority.SingleAuthorityReplica(options, key, genesis, application);
        Assert.Throws<ArgumentException>(() => replica.Restore(snapshot, genesis));
        Assert.Null(application.Height);

        // The replica still replays its own chain from height 0.
        replica.Replay(genesis);
        replica.Start(0, new NoEffects());
        Assert.Equal(0UL, replica.CommittedHeight);
    }

    /// <summary>Executes a store's blocks 0 to <paramref name="height"/> on a fresh application, each client's request once (K2).</summary>
    private static async Task<CounterApplication> ExecuteStoredAsync(IBlockStore store, ulong height)
    {
        var application = new CounterApplication();
        var last = new Dictionary<NodeId, ulong>();
        for (ulong h = 0; h <= height; h++)
        {
            var block = (await store.GetAsync(h))!;
            var all = CommittedBlock.Decode(block);
            var fresh = all.Requests.Where(r => !last.TryGetValue(r.Request.ClientId, out ulong t) || r.Request.Timestamp > t).ToList();
            foreach (var (_, request) in fresh)
            {
                last[request.ClientId] = request.Timestamp;
            }

            application.Execute(new CommittedBlock(block, fresh));
        }

        return application;
    }

    private static (ReplicaFactory Factory, int Validators) Engine(string name) => name switch
    {
        "pbft" => (ConsensusEngines.Pbft, 4),
        _ => (ConsensusEngines.SingleAuthority, 1),
    };

    private static PrivateKey Key(int i) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(7000 + i)).ToArray());

    private FileStateSnapshotStore SnapshotStore(int validator) => new(Path.Combine(_root, $"v{validator}", "snapshots"));

    private Task<InProcessChain> StartAsync(
        ReplicaFactory factory, int validators, ReplicatedApplication<CounterApplication> application, Func<int, ICommittedBlockObserver>? observers = null) =>
        InProcessChain.StartAsync(
            new InProcessChainOptions
            {
                ChainId = Chain,
                UseDemoKeys = true,
                ValidatorCount = validators,
                Engine = factory,
                ConfigureReplica = o => o.BatchDelayMs = 1,
                Stores = i => new FileBlockStoreProvider(new FileStoreOptions { Path = Path.Combine(_root, $"v{i}", "blocks") }),
                Snapshots = i => new ReplicaSnapshots(SnapshotStore(i), IntervalBlocks: 4),
                Observers = observers,
            },
            application.Application);

    private sealed class NoEffects : IReplicaEffects
    {
        public void Send(NodeId recipient, ReadOnlyMemory<byte> message)
        {
        }

        public void Broadcast(ReadOnlyMemory<byte> message)
        {
        }

        public void SetTimer(ReplicaTimer timer, long delayMs)
        {
        }

        public void CancelTimer(ReplicaTimer timer)
        {
        }

        public void Commit(CommittedBlock block, BlockExecution execution)
        {
        }

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount)
        {
        }

        public void Reply(ClientReply reply)
        {
        }
    }
}
