using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;
using static ChainInterop.Consensus.Tests.Pbft.PbftNormalCaseTests;

namespace ChainInterop.Consensus.Tests.Pbft;

/// <summary>Regression tests for liveness bugs found by the seeded simulator (tests/ChainInterop.Simulation).</summary>
public class PbftRetransmissionTests
{
    private static PbftMessageKind Kind(byte[] bytes) => Canonical.Decode<PbftMessage>(bytes).Kind;

    [Fact]
    public void A_resent_request_that_already_executed_gets_its_reply_again()
    {
        // Simulator seed 89 (crash faults): replies were lost, the client resent, replicas dropped the executed request
        // silently, and the client never reached f + 1 replies.
        using var net = new PbftTestNetwork();
        using var client = ClientKey(40);
        net.StartAll();
        var request = Request(client, 1);
        net.Submit(request);
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        Assert.All(net.Replies, r => Assert.Single(r));

        net.Submit(request);
        net.RunFor(100);
        Assert.All(net.Replies, r =>
        {
            Assert.Equal(2, r.Count);
            Assert.Equal((r[0].Height, r[0].EntryIndex), (r[1].Height, r[1].EntryIndex));
        });
        Assert.All(net.Committed, c => Assert.Single(c));
    }

    [Fact]
    public void Lost_commits_are_retransmitted_so_the_height_commits()
    {
        // Simulator crash-fault seeds (e.g. 15): a lost COMMIT or PREPARE stalled a height forever.
        using var net = new PbftTestNetwork(configure: o => o.ViewChangeTimeoutMs = 400);
        using var client = ClientKey(41);
        net.StartAll();
        int dropped = 0;
        net.Intercept = (from, to, bytes) => Kind(bytes) == PbftMessageKind.Commit && to == 3 && dropped++ < 3 ? null : bytes;
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0), maxMs: 2_000));
        Assert.All(net.Replicas, r => Assert.Equal(0UL, r.View));
    }

    [Fact]
    public void A_replica_that_missed_the_last_block_catches_up_without_further_traffic()
    {
        // Simulator seed 145: a replica lost the last COMMITs of a burst (its peers restarted or moved on); nothing
        // else was ever sent, so it never learned it was behind. The retransmit timer's STATE-REQUEST fixes that.
        using var net = new PbftTestNetwork(configure: o => o.ViewChangeTimeoutMs = 400);
        using var client = ClientKey(42);
        net.StartAll();
        net.Intercept = (from, to, bytes) => to == 3 && Kind(bytes) is PbftMessageKind.Commit or PbftMessageKind.Prepare or PbftMessageKind.PrePrepare ? null : bytes;
        net.SubmitTo(Request(client, 1), 0, 1, 2);
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 0, 1, 2), maxMs: 2_000));
        Assert.Null(net.Height(3));
        net.Intercept = null;
        Assert.True(net.RunUntil(() => net.AllAtLeast(0), maxMs: 2_000));
    }

    [Fact]
    public void A_replica_that_lost_the_new_view_rejoins_the_view()
    {
        // Simulator seed 15 (crash faults): a replica still changing to view v (it lost the NEW-VIEW) ignored the
        // PRE-PREPAREs of v, and a block certified in v did not end its view change (only a later view did).
        using var net = new PbftTestNetwork(configure: o => o.ViewChangeTimeoutMs = 400);
        using var client = ClientKey(43);
        net.Intercept = (from, to, bytes) => Kind(bytes) switch
        {
            PbftMessageKind.PrePrepare when from == 0 => null, // the view-0 primary's proposals are lost: view change
            PbftMessageKind.NewView when to == 3 => null,      // replica 3 never hears the NEW-VIEW of view 1
            _ => bytes,
        };
        net.StartAll();
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0) && !net.Replicas[3].IsChangingView, maxMs: 1_000));
        Assert.All(net.Replicas, r => Assert.Equal(1UL, r.View));
    }

    [Fact]
    public void A_replica_alone_in_a_later_view_change_waits_for_the_others_instead_of_running_ahead()
    {
        // Simulator seed 36 (all faults): with equal timeouts one honest replica stayed one view ahead of the other two
        // forever (it timed out first, alone), so no view ever had a quorum. Now a timeout without a quorum at the
        // target view keeps the view; the others catch up and the view change completes.
        using var net = new PbftTestNetwork(configure: o => o.ViewChangeTimeoutMs = 400);
        using var client = ClientKey(44);
        net.StartAll();
        net.Down[0] = true;

        // Replica 3 alone sees the request first and times out alone.
        net.SubmitTo(Request(client, 1), 3);
        net.Intercept = (from, to, bytes) => Kind(bytes) == PbftMessageKind.Forward ? null : bytes;
        net.RunFor(1_000);
        ulong ahead = net.Replicas[3].View;
        net.RunFor(5_000);
        Assert.Equal(ahead, net.Replicas[3].View);

        net.Intercept = null;
        net.SubmitTo(Request(client, 1), 1, 2);
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 1, 2, 3), maxMs: 30_000));
    }

    [Fact]
    public void A_primary_that_censors_one_client_while_committing_others_is_replaced()
    {
        // Simulator (CensorOneClient, e.g. seed 37 of the PBFT-behaviour sweep): the primary kept committing other
        // clients' (or empty) batches; every commit restarted the view-change timer, so the censored request waited
        // forever. The timer now restarts only when the oldest pending request executed.
        using var net = new PbftTestNetwork(configure: o => o.ViewChangeTimeoutMs = 400);
        using var censored = ClientKey(45);
        using var other = ClientKey(46);
        var censoredId = NodeId.FromPublicKey(censored.PublicKey);
        net.Intercept = (from, to, bytes) =>
        {
            var m = Canonical.Decode<PbftMessage>(bytes);
            if (from != 0 || m.Kind != PbftMessageKind.PrePrepare)
            {
                return bytes;
            }

            var body = m.DecodeBody<PrePrepareBody>();
            var h = body.Block.Header;
            var kept = body.Block.Entries.Where(e => Canonical.Decode<ClientRequest>(e).ClientId != censoredId);
            var block = ChainInterop.Blocks.Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs, h.Proposer, h.View, kept);
            return PbftMessage.Create(net.Keys[0], m.ChainId, m.Kind, m.View, new PrePrepareBody(body.Height, block)).ToBytes();
        };
        net.StartAll();
        net.Submit(Request(censored, 1));
        for (ulong t = 1; t <= 20; t++)
        {
            net.Submit(Request(other, t));
            net.RunFor(100);
        }

        Assert.True(net.RunUntil(() => net.Replies[1].Any(r => r.ClientId == censoredId), maxMs: 5_000));
        Assert.True(net.Replicas[1].View > 0);
    }
}
