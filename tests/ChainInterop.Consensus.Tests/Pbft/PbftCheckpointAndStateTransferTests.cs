using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft;
using static ChainInterop.Consensus.Tests.Pbft.PbftNormalCaseTests;

namespace ChainInterop.Consensus.Tests.Pbft;

public class PbftCheckpointAndStateTransferTests
{
    private static void CommitBlocks(PbftTestNetwork net, Crypto.PrivateKey client, ref ulong timestamp, int blocks, params int[] nodes)
    {
        for (int i = 0; i < blocks; i++)
        {
            net.Submit(Request(client, ++timestamp));
            ulong target = timestamp - 1;
            Assert.True(net.RunUntil(() => net.AllAtLeast(target, nodes)), $"block {target}");
        }
    }

    [Fact]
    public void Checkpoints_become_stable_and_truncate_the_log_K2()
    {
        using var net = new PbftTestNetwork(configure: o => { o.CheckpointIntervalBlocks = 10; o.WindowBlocks = 20; });
        using var client = ClientKey(20);
        net.StartAll();
        ulong ts = 0;
        CommitBlocks(net, client, ref ts, 25);
        net.RunFor(100);
        foreach (var replica in net.Replicas)
        {
            Assert.Equal(19UL, replica.StableCheckpoint);
            Assert.All(replica.LoggedHeights, h => Assert.True(h > 19, $"height {h} should have been truncated"));
            Assert.True(replica.LoggedHeights.Count() <= net.Options.WindowBlocks);
        }

        AssertSameChains(net);
    }

    [Fact]
    public void The_window_stops_proposals_while_checkpoints_cannot_become_stable_K2()
    {
        // Checkpoint messages are all lost: the primary may run WindowBlocks ahead of the (never) stable checkpoint, no further.
        using var net = new PbftTestNetwork(configure: o => { o.CheckpointIntervalBlocks = 5; o.WindowBlocks = 10; });
        using var client = ClientKey(21);
        net.Intercept = (from, to, bytes) =>
            Canonical.Decode<ChainInterop.Consensus.Pbft.Messages.PbftMessage>(bytes).Kind == ChainInterop.Consensus.Pbft.Messages.PbftMessageKind.Checkpoint ? null : bytes;
        net.StartAll();
        ulong ts = 0;
        CommitBlocks(net, client, ref ts, 10);
        net.Submit(Request(client, ++ts));
        net.RunFor(200);
        Assert.Equal(9UL, net.Height(0));
        Assert.Null(net.Replicas[0].StableCheckpoint);

        // Checkpoints flow again: the next checkpoint becomes stable and the request commits.
        net.Intercept = null;
        net.Submit(Request(client, ++ts));
        net.RunFor(50_000);
        Assert.True(net.AllAtLeast(10), string.Join(", ", Enumerable.Range(0, 4).Select(i => $"{net.Height(i)}/v{net.Replicas[i].View}/{net.Replicas[i].IsChangingView}/s{net.Replicas[i].StableCheckpoint}/p{net.Replicas[i].PendingRequestCount}")));
        AssertSameChains(net);
    }

    [Fact]
    public void A_replica_isolated_for_100_blocks_catches_up_by_state_transfer_K2()
    {
        using var net = new PbftTestNetwork(configure: o => { o.CheckpointIntervalBlocks = 10; o.WindowBlocks = 20; o.MaxStateTransferBlocks = 16; });
        using var client = ClientKey(22);
        net.StartAll();
        ulong ts = 0;
        CommitBlocks(net, client, ref ts, 3);
        net.Down[3] = true;
        CommitBlocks(net, client, ref ts, 100, 0, 1, 2);
        Assert.Equal(2UL, net.Height(3));

        net.Down[3] = false;
        CommitBlocks(net, client, ref ts, 2, 0, 1, 2);
        Assert.True(net.RunUntil(() => net.Height(3) == net.Height(0)));
        AssertSameChains(net);
        Assert.Equal(net.Height(0), net.Replicas[3].CommittedHeight);

        // It takes part again: with replica 0 down, 1-3 are a quorum.
        net.Down[0] = true;
        net.Submit(Request(client, ++ts));
        ulong next = net.Height(1)!.Value + 1;
        Assert.True(net.RunUntil(() => net.AllAtLeast(next, 1, 2, 3)));
        AssertSameChains(net);
    }

    [Fact]
    public void A_replica_restarted_from_its_last_committed_block_catches_up_and_never_redelivers_a_height_K2()
    {
        using var net = new PbftTestNetwork(configure: o => { o.CheckpointIntervalBlocks = 10; o.WindowBlocks = 20; });
        using var client = ClientKey(23);
        net.StartAll();
        ulong ts = 0;
        CommitBlocks(net, client, ref ts, 5);
        net.Down[2] = true;
        CommitBlocks(net, client, ref ts, 30, 0, 1, 3);

        // The harness asserts every delivered height is the previous one + 1 across the restart.
        net.Restart(2);
        Assert.True(net.RunUntil(() => net.Height(2) == net.Height(0)));
        AssertSameChains(net);

        // Restart an up-to-date replica: nothing is delivered twice, and it keeps working (and still deduplicates).
        net.Restart(1);
        var replay = Request(client, ts);
        net.Submit(replay);
        net.Submit(Request(client, ++ts));
        ulong next = net.Height(0)!.Value + 1;
        Assert.True(net.RunUntil(() => net.AllAtLeast(next)));
        net.RunFor(3_000);
        AssertSameChains(net);
        Assert.All(net.Committed, c => Assert.Single(c.SelectMany(b => b.Entries), e => Canonical.Decode<ClientRequest>(e).Timestamp == ts - 1));
    }

    [Fact]
    public void After_every_replica_restarts_the_client_table_replayed_from_the_store_still_deduplicates_and_answers_resends_K2()
    {
        using var net = new PbftTestNetwork();
        using var first = ClientKey(24);
        using var second = ClientKey(25);
        net.StartAll();
        ulong tsFirst = 0;
        CommitBlocks(net, first, ref tsFirst, 2);
        ulong firstHeight = net.Height(0)!.Value;
        net.Submit(Request(second, 1)); // the tip block knows nothing of the first client
        ulong height = firstHeight + 1;
        Assert.True(net.RunUntil(() => net.AllAtLeast(height)));

        for (int i = 0; i < 4; i++)
        {
            net.Restart(i);
        }

        foreach (var replies in net.Replies)
        {
            replies.Clear();
        }

        net.Submit(Request(first, tsFirst - 1));
        net.Submit(Request(first, tsFirst));
        net.RunFor(3_000);

        // Nothing committed again; the resend of the last request is answered from the reply cache by every replica.
        Assert.All(net.Committed, c => Assert.Equal(height, c[^1].Height));
        Assert.All(net.Replies, replies => Assert.Single(replies, r => r.Timestamp == tsFirst && r.Height == firstHeight));
    }

    [Fact]
    public void A_replica_built_from_a_stored_tip_refuses_to_start_before_its_store_is_replayed_K2()
    {
        // Without the store's history it could not tell old requests from new ones and would execute them again.
        using var net = new PbftTestNetwork();
        using var client = ClientKey(26);
        net.StartAll();
        ulong ts = 0;
        CommitBlocks(net, client, ref ts, 2);

        var refused = Assert.Throws<InvalidOperationException>(() => net.Restart(0, replayStore: false));
        Assert.Contains("replay", refused.Message, StringComparison.OrdinalIgnoreCase);

        var fresh = new PbftReplica(net.Options, net.Keys[0], net.Committed[0][^1]);
        Assert.Throws<ArgumentException>(() => fresh.Replay(net.Committed[0][1])); // not height 0: in order only
        fresh.Replay(net.Committed[0][0]);
        Assert.Throws<ArgumentException>(() => fresh.Replay(net.Committed[0][0])); // once each
    }

    [Fact]
    public void A_forged_state_transfer_block_is_rejected_K2_C3()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(24);
        net.StartAll();
        ulong ts = 0;
        net.Down[3] = true;
        CommitBlocks(net, client, ref ts, 5, 0, 1, 2);

        // Every state response from replicas 0 and 1 to replica 3 carries blocks whose entries were swapped (certificates no longer match).
        int forged = 0;
        net.Intercept = (from, to, bytes) =>
        {
            var message = Canonical.Decode<ChainInterop.Consensus.Pbft.Messages.PbftMessage>(bytes);
            if (to != 3 || message.Kind != ChainInterop.Consensus.Pbft.Messages.PbftMessageKind.StateResponse || from == 2)
            {
                return bytes;
            }

            forged++;
            var blocks = message.DecodeBody<ChainInterop.Consensus.Pbft.Messages.StateResponseBody>().Blocks;
            var tampered = blocks.Select(b =>
            {
                var h = b.Header;
                var copy = Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs, h.Proposer, h.View, [.. b.Entries.Reverse(), new byte[] { 1 }]);
                return copy.WithCertificate(CommitCertificate.Create(copy.Hash, b.Certificate!.Signatures));
            }).ToArray();
            return ChainInterop.Consensus.Pbft.Messages.PbftMessage.Create(net.Keys[from], PbftTestNetwork.Chain, message.Kind, message.View,
                new ChainInterop.Consensus.Pbft.Messages.StateResponseBody(tampered)).ToBytes();
        };
        net.Down[3] = false;
        net.Submit(Request(client, ++ts));
        Assert.True(net.RunUntil(() => net.Height(3) == net.Height(0) && net.Height(0) == 5));
        AssertSameChains(net);
        Assert.True(forged > 0, "replica 3 got forged blocks before an honest peer answered");
    }
}
