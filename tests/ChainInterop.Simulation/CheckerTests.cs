using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Consensus.SingleAuthority;
using ChainInterop.Crypto;

namespace ChainInterop.Simulation;

/// <summary>The checkers catch deliberately broken replicas, and the failure names the seed and the engine.</summary>
public class CheckerTests
{
    [Fact]
    public void A_fork_is_a_safety_violation_with_its_seed()
    {
        // Follower 1 commits, at height 2, a different block that is validly certified by the authority's key
        // (a lying authority showing two histories): only the cross-node fork check can catch it.
        PrivateKey? authorityKey = null;
        var engine = Broken("forking", (setup, inner) =>
        {
            if (setup.Index == 0)
            {
                authorityKey = setup.Key;
            }

            return setup.Index != 1 ? inner : new Effects(inner)
            {
                OnCommit = block =>
                {
                    if (block.Height != 2)
                    {
                        return block;
                    }

                    var other = Block.Create(block.Header.ChainId, block.Height, block.Header.PreviousHash, block.Header.TimestampUnixMs,
                        block.Header.Proposer, block.Header.View, [new byte[] { 1, 2, 3 }]);
                    return other.WithCertificate(CommitCertificate.Sign(other.Header, [authorityKey!]));
                },
            };
        });

        var ex = Assert.Throws<SimulationFailureException>(() => new Simulation(3, engine, FaultProfile.None).Run());
        Assert.Contains("fork at height 2", ex.Message, StringComparison.Ordinal);
        AssertNamesSeed(ex, 3, engine);
    }

    [Fact]
    public void A_block_that_does_not_verify_is_a_safety_violation()
    {
        // Follower 2 signs height 1 itself: it is not the authority, so the certificate does not verify.
        var engine = Broken("self-signing", (setup, inner) => setup.Index != 2 ? inner : new Effects(inner)
        {
            OnCommit = block =>
            {
                if (block.Height != 1)
                {
                    return block;
                }

                var unsigned = Block.Create(block.Header.ChainId, block.Height, block.Header.PreviousHash, block.Header.TimestampUnixMs,
                    block.Header.Proposer, block.Header.View, block.Entries);
                return unsigned.WithCertificate(CommitCertificate.Sign(unsigned.Header, [setup.Key]));
            },
        });

        var ex = Assert.Throws<SimulationFailureException>(() => new Simulation(5, engine, FaultProfile.None).Run());
        Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
        AssertNamesSeed(ex, 5, engine);
    }

    [Fact]
    public void Delivering_a_height_twice_is_a_safety_violation()
    {
        var engine = Broken("double-delivery", (setup, inner) => setup.Index != 0 ? inner : new Effects(inner) { CommitTwice = true });
        var ex = Assert.Throws<SimulationFailureException>(() => new Simulation(8, engine, FaultProfile.None).Run());
        Assert.Contains("exactly once", ex.Message, StringComparison.Ordinal);
        AssertNamesSeed(ex, 8, engine);
    }

    [Fact]
    public void An_authority_that_never_replies_is_a_liveness_violation()
    {
        var engine = Broken("mute", (setup, inner) => setup.Index != 0 ? inner : new Effects(inner) { DropReplies = true });
        var ex = Assert.Throws<SimulationFailureException>(() => new Simulation(11, engine, FaultProfile.None).Run());
        Assert.Contains("liveness", ex.Message, StringComparison.Ordinal);
        AssertNamesSeed(ex, 11, engine);
    }

    [Fact]
    public void A_replica_that_throws_fails_the_run()
    {
        var engine = Engines.SingleAuthority with
        {
            Name = "throwing",
            Factory = (setup, last) => setup.Index == 1 ? new Throwing(new SingleAuthorityReplica(setup.Options, setup.Key, last)) : new SingleAuthorityReplica(setup.Options, setup.Key, last),
        };
        var ex = Assert.Throws<SimulationFailureException>(() => new Simulation(4, engine, FaultProfile.None).Run());
        Assert.Contains("node 1 threw", ex.Message, StringComparison.Ordinal);
        AssertNamesSeed(ex, 4, engine);
    }

    [Fact]
    public void A_sweep_lists_every_failing_seed()
    {
        var engine = Broken("double-delivery", (setup, inner) => setup.Index != 0 ? inner : new Effects(inner) { CommitTwice = true });
        var ex = Assert.Throws<SimulationFailureException>(() => SeedSweep.Run(engine, FaultProfile.CrashFaults, [20, 21, 22]));
        Assert.Contains("3 of 3 seeds failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("failing seeds: 20, 21, 22", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--seed 20", ex.Message, StringComparison.Ordinal);
    }

    private static void AssertNamesSeed(SimulationFailureException ex, int seed, EngineUnderTest engine)
    {
        Assert.Equal(seed, ex.Seed);
        Assert.Contains($"--seed {seed}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"CHAININTEROP_SIM_SEED={seed}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(engine.Name, ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The single-authority engine with some nodes' effects tampered with.</summary>
    private static EngineUnderTest Broken(string name, Func<NodeSetup, IReplicaEffects, IReplicaEffects> wrap) =>
        Engines.SingleAuthority with
        {
            Name = "single-authority-" + name,
            Factory = (setup, last) => new Wrapped(new SingleAuthorityReplica(setup.Options, setup.Key, last), effects => wrap(setup, effects)),
        };

    private sealed class Effects(IReplicaEffects inner) : IReplicaEffects
    {
        public Func<Block, Block>? OnCommit { get; init; }

        public bool CommitTwice { get; init; }

        public bool DropReplies { get; init; }

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message) => inner.Send(recipient, message);

        public void Broadcast(ReadOnlyMemory<byte> message) => inner.Broadcast(message);

        public void SetTimer(ReplicaTimer timer, long delayMs) => inner.SetTimer(timer, delayMs);

        public void CancelTimer(ReplicaTimer timer) => inner.CancelTimer(timer);

        public void Commit(CommittedBlock block, BlockExecution execution)
        {
            inner.Commit(OnCommit is null ? block : new CommittedBlock(OnCommit(block.Block), []), execution);
            if (CommitTwice)
            {
                inner.Commit(block, execution);
            }
        }

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount) => inner.LoadBlocks(requester, fromHeight, maxCount);

        public void Reply(ClientReply reply)
        {
            if (!DropReplies)
            {
                inner.Reply(reply);
            }
        }
    }

    private sealed class Wrapped(IReplica inner, Func<IReplicaEffects, IReplicaEffects> wrap) : IReplica
    {
        public NodeId Id => inner.Id;

        public ChainId ChainId => inner.ChainId;

        public ulong? CommittedHeight => inner.CommittedHeight;

        public (CommittedBlock Block, BlockExecution Execution) Replay(Block block) => inner.Replay(block);

        public void Restore(ChainInterop.Storage.StateSnapshot snapshot, Block block) => inner.Restore(snapshot, block);

        public ChainInterop.Storage.StateSnapshot TakeSnapshot() => inner.TakeSnapshot();

        public void Start(long nowUnixMs, IReplicaEffects effects) => inner.Start(nowUnixMs, wrap(effects));

        public void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects) => inner.OnClientRequest(request, nowUnixMs, wrap(effects));

        public void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects) => inner.OnMessage(from, message, nowUnixMs, wrap(effects));

        public void OnBlocksLoaded(NodeId requester, IReadOnlyList<Block> blocks, long nowUnixMs, IReplicaEffects effects) => inner.OnBlocksLoaded(requester, blocks, nowUnixMs, wrap(effects));

        public void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects) => inner.OnTimer(timer, nowUnixMs, wrap(effects));
    }

    private sealed class Throwing(IReplica inner) : IReplica
    {
        public NodeId Id => inner.Id;

        public ChainId ChainId => inner.ChainId;

        public ulong? CommittedHeight => inner.CommittedHeight;

        public (CommittedBlock Block, BlockExecution Execution) Replay(Block block) => inner.Replay(block);

        public void Restore(ChainInterop.Storage.StateSnapshot snapshot, Block block) => inner.Restore(snapshot, block);

        public ChainInterop.Storage.StateSnapshot TakeSnapshot() => inner.TakeSnapshot();

        public void Start(long nowUnixMs, IReplicaEffects effects) => inner.Start(nowUnixMs, effects);

        public void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects) => inner.OnClientRequest(request, nowUnixMs, effects);

        public void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects) =>
            throw new InvalidOperationException("deliberate bug");

        public void OnBlocksLoaded(NodeId requester, IReadOnlyList<Block> blocks, long nowUnixMs, IReplicaEffects effects) => inner.OnBlocksLoaded(requester, blocks, nowUnixMs, effects);

        public void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects) => inner.OnTimer(timer, nowUnixMs, effects);
    }
}
