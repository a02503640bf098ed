using ChainInterop.Settlement.Topology;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>Alg. 6: a new ICC joins the network.</summary>
public class IntermediaryJoinTests
{
    [Fact]
    public void Alg6_a_new_ICC_links_every_PPC_it_must_link_S1()
    {
        var network = Network(["A", "B", "C"], "icc-x:A,B");

        var plan = network.PlanIntermediaryJoin(Icc("icc-y", 4, "tbc-y1"), Ids("C", "A", "B"));

        Assert.True(plan.IsOk, plan.ToString());
        Assert.Equal(["A -> tbc-y1", "B -> icc-y:tbc1", "C -> icc-y:tbc2"], plan.Requests.Select(r => $"{r.Participant} -> {r.TradingChain}"));
        Complete(network, plan);
        Assert.Equal(Ids("A", "B", "C"), network.LinkedParticipantsOf(Id("icc-y")));
        Assert.Equal(Ids("icc-y"), network.IntermediariesBetween(Id("A"), Id("C")));
        Assert.Equal(Ids("icc-x", "icc-y"), network.IntermediariesBetween(Id("A"), Id("B")));
    }

    [Fact]
    public void Alg6_an_ICC_with_one_participant_is_refused_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var before = network.ComputeStateHash();

        var plan = network.PlanIntermediaryJoin(Icc("icc-y"), Ids("A", "A"));

        Assert.Equal(TopologyCode.IccNeedsTwoParticipants, plan.Code);
        Assert.Empty(plan.Requests);
        Assert.False(network.TryGetIntermediary(Id("icc-y"), out _));
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Alg6_an_ICC_with_no_participant_is_refused_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");

        Assert.Equal(TopologyCode.IccNeedsTwoParticipants, network.PlanIntermediaryJoin(Icc("icc-y"), []).Code);
    }

    [Fact]
    public void Alg6_an_ICC_naming_an_unregistered_PPC_or_a_used_chain_id_is_refused_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");

        Assert.Equal(TopologyCode.UnknownChain, network.PlanIntermediaryJoin(Icc("icc-y"), Ids("A", "Q")).Code);
        Assert.Equal(TopologyCode.DuplicateChain, network.PlanIntermediaryJoin(Icc("icc-x"), Ids("A", "B")).Code);
        Assert.Equal(TopologyCode.DuplicateChain, network.PlanIntermediaryJoin(Icc("icc-y", 4, "A"), Ids("A", "B")).Code);
        Assert.Equal(Ids("icc-x"), network.Intermediaries);
    }

    [Fact]
    public void Alg6_an_ICC_stays_underlinked_until_its_links_are_made_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var plan = network.PlanIntermediaryJoin(Icc("icc-y"), Ids("A", "B"));

        Assert.True(network.Link(Approve(plan.Requests[0])).IsOk);
        Assert.Equal(Ids("icc-y"), network.UnderlinkedIntermediaries);
        var refused = network.Link(Approve(plan.Requests[1]) with { IntermediaryVote = Vote(plan.Requests[1].Digest, "icc-y", signers: 1) });
        Assert.Equal(TopologyCode.IccVoteRejected, refused.Code);
        Assert.Equal(Ids("icc-y"), network.UnderlinkedIntermediaries);

        Assert.True(network.Link(Approve(plan.Requests[1])).IsOk);
        Assert.Empty(network.UnderlinkedIntermediaries);
    }
}
