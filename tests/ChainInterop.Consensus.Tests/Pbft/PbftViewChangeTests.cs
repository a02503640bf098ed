using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;
using static ChainInterop.Consensus.Tests.Pbft.PbftNormalCaseTests;

namespace ChainInterop.Consensus.Tests.Pbft;

public class PbftViewChangeTests
{
    [Fact]
    public void A_silent_primary_is_replaced_by_a_view_change_and_requests_commit_in_view_1_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(10);
        net.StartAll();
        net.Down[0] = true;
        long start = net.Now;
        net.Submit(Request(client, 1));
        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 1, 2, 3)));
        Assert.True(net.Now - start >= net.Options.ViewChangeTimeoutMs);
        Assert.All(new[] { 1, 2, 3 }, i => Assert.Equal(1UL, net.Replicas[i].View));
        Assert.Equal(1UL, net.Committed[1][0].Header.View);
        Assert.Equal(net.Ids[1], net.Committed[1][0].Header.Proposer);
        Assert.Equal(2, net.Committed[1].Sum(b => b.Entries.Count));
        AssertSameChains(net, 1, 2, 3);

        // The chain keeps going in view 1.
        net.Submit(Request(client, 3));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1, 1, 2, 3)));
        AssertSameChains(net, 1, 2, 3);
    }

    [Fact]
    public void Two_silent_primaries_in_a_row_are_skipped_with_growing_timeouts_K2()
    {
        using var net = new PbftTestNetwork(7);
        using var client = ClientKey(11);
        net.StartAll();
        net.Down[0] = true;
        net.Down[1] = true;
        net.Submit(Request(client, 1));
        int[] live = [2, 3, 4, 5, 6];
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, live)));
        Assert.All(live, i => Assert.Equal(2UL, net.Replicas[i].View));
        AssertSameChains(net, live);
    }

    [Fact]
    public void An_equivocating_primary_never_makes_two_replicas_commit_different_blocks_and_is_replaced_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(12);
        net.StartAll();

        // Replica 0 (primary of view 0) sends a different, correctly signed block to each backup.
        net.ReplaceProposals((to, view, block) =>
        {
            var h = block.Header;
            return view != 0 ? null : Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs + to, h.Proposer, h.View, block.Entries);
        });
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 1, 2, 3)));
        AssertSameChains(net);
        Assert.Equal(1UL, net.Committed[1][0].Header.View);

        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1)));
        AssertSameChains(net);
    }

    [Fact]
    public void An_equivocating_primary_whose_block_reaches_a_quorum_keeps_the_chain_consistent_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(13);
        net.StartAll();

        // Replica 3 gets a different block; 0, 1, 2 form a quorum on the original; 3 must not commit its variant.
        net.ReplaceProposals((to, view, block) =>
        {
            var h = block.Header;
            return to != 3 ? null : Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs + 1, h.Proposer, h.View, block.Entries);
        });
        for (ulong t = 1; t <= 3; t++)
        {
            net.Submit(Request(client, t));
            Assert.True(net.RunUntil(() => net.AllAtLeast(t - 1, 0, 1, 2)));
        }

        net.Intercept = null;
        net.Submit(Request(client, 4));
        Assert.True(net.RunUntil(() => net.AllAtLeast(3)));
        AssertSameChains(net);
    }

    [Fact]
    public void A_block_prepared_before_the_view_change_is_re_proposed_and_committed_with_the_same_hash_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(14);
        net.StartAll();
        Hash256Holder proposed = new();

        // Every COMMIT is lost and the primary then falls silent: replicas 1-3 prepared the block but cannot commit it.
        net.Intercept = (from, to, bytes) =>
        {
            var message = Canonical.Decode<PbftMessage>(bytes);
            if (message.Kind == PbftMessageKind.PrePrepare && message.View == 0)
            {
                proposed.Value = message.DecodeBody<PrePrepareBody>().Block.Hash;
            }

            return message.Kind == PbftMessageKind.Commit && message.View == 0 ? null : bytes;
        };
        net.Submit(Request(client, 1));
        net.RunFor(10);
        Assert.NotNull(proposed.Value);
        Assert.All(net.Committed, c => Assert.Empty(c));
        net.Down[0] = true;
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 1, 2, 3)));
        Assert.Equal(proposed.Value, net.Committed[1][0].Hash);
        Assert.Equal(0UL, net.Committed[1][0].Header.View);
        Assert.All(new[] { 1, 2, 3 }, i => Assert.Equal(1UL, net.Replicas[i].View));
        AssertSameChains(net, 1, 2, 3);

        // The old primary comes back and catches up.
        net.Down[0] = false;
        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1)));
        AssertSameChains(net);
    }

    private sealed class Hash256Holder
    {
        public Crypto.Hash256? Value { get; set; }
    }

    [Fact]
    public void Replicas_without_a_pending_request_join_a_view_change_once_f_plus_1_replicas_ask_for_it_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(15);
        net.StartAll();

        // The primary swallows forwarded requests; only replicas 2 and 3 heard from the client.
        net.Intercept = (from, to, bytes) =>
            to == 0 && Canonical.Decode<PbftMessage>(bytes).Kind == PbftMessageKind.Forward ? null : bytes;
        net.SubmitTo(Request(client, 1), 2, 3);
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        Assert.All(net.Replicas, r => Assert.Equal(1UL, r.View));
        Assert.Equal(net.Ids[1], net.Committed[0][0].Header.Proposer);
        Assert.Equal(0, net.Replicas[1].PendingRequestCount);
        AssertSameChains(net);
    }
    [Fact]
    public void A_new_primary_behind_the_certified_tip_of_its_new_view_fetches_that_height_instead_of_forking_it_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(14);
        net.StartAll();
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));

        // Height 1 commits on replica 2 only: everyone prepares it, but the COMMITs reach nobody else, and replica 2 says
        // nothing but its VIEW-CHANGE. Replica 3's VIEW-CHANGE never reaches replica 1, so the NEW-VIEW of view 1
        // (primary: replica 1, still at height 0) is built from replica 2's, which proves height 1 committed.
        net.Intercept = (from, to, bytes) =>
        {
            var message = Canonical.Decode<PbftMessage>(bytes);
            bool commitOfHeight1 = message.Kind == PbftMessageKind.Commit && message.DecodeBody<CommitBody>().Height == 1 && to != 2;
            bool silenced = from == 2 && message.Kind != PbftMessageKind.ViewChange && net.Height(2) >= 1;
            bool lostViewChange = message.Kind == PbftMessageKind.ViewChange && from == 3 && to == 1;
            return commitOfHeight1 || silenced || lostViewChange ? null : bytes;
        };
        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1, 2)));
        Assert.True(net.RunUntil(() => net.Replicas[1].View >= 1));

        // The network heals: the replicas behind must fetch height 1, not commit another block there.
        net.Intercept = null;
        bool done = net.RunUntil(() => net.AllAtLeast(1));
        Assert.True(done, string.Join("; ", Enumerable.Range(0, 4).Select(i => $"r{i} view {net.Replicas[i].View} height {net.Height(i)}")));

        // Nobody forked height 1, and the chain goes on.
        AssertSameChains(net);
        net.Intercept = null;
        net.Submit(Request(client, 3));
        Assert.True(net.RunUntil(() => net.AllAtLeast(2)));
        AssertSameChains(net);
    }
}
