using ChainInterop.Settlement.Topology;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>Leaving: a bank (PPC) leaves cleanly, never with legs in flight.</summary>
public class LeaveTests
{
    [Fact]
    public void Leave_a_PPC_with_pending_legs_is_refused_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var before = network.ComputeStateHash();

        var outcome = network.Leave(ApprovedLeave(network, "A"), new PendingLegsSnapshot([new(Id("A"), 2), new(Id("B"), 0)]));

        Assert.Equal(TopologyCode.PendingLegs, outcome.Code);
        Assert.Equal(2, outcome.PendingLegs);
        Assert.Empty(outcome.FreedTradingChains);
        Assert.Equal(before, network.ComputeStateHash());
        Assert.Equal(Ids("icc-x"), network.IntermediariesOf(Id("A")));
    }

    [Fact]
    public void Leave_frees_the_TBCs_and_reports_ICCs_left_with_fewer_than_two_PPCs_S1()
    {
        var network = Network(["A", "B", "C"], "icc-x:A,B", "icc-y:A,B,C");

        var outcome = network.Leave(ApprovedLeave(network, "A"), PendingLegsSnapshot.None);

        Assert.True(outcome.IsOk, outcome.ToString());
        Assert.Equal(
            [new FreedTradingChain(Id("icc-x"), Id("icc-x:tbc1")), new FreedTradingChain(Id("icc-y"), Id("icc-y:tbc1"))],
            outcome.FreedTradingChains);
        Assert.Equal(Ids("icc-x"), outcome.UnderlinkedIntermediaries); // icc-y still links B and C
        Assert.Equal(Ids("icc-x"), network.UnderlinkedIntermediaries);
        Assert.Equal(Ids("icc-x:tbc1"), network.FreeTradingChainsOf(Id("icc-x")));
        Assert.Equal(Ids("B"), network.LinkedParticipantsOf(Id("icc-x"))); // the ICC stays, with its remaining link
        Assert.False(network.TryGetParticipant(Id("A"), out _));
        Assert.Empty(network.IntermediariesBetween(Id("A"), Id("B")));
        Assert.Equal(Ids("C"), network.TradingPartnersOf(Id("B")));
    }

    [Fact]
    public void Leave_needs_the_PPC_vote_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var request = network.ProposeLeave(Id("A")).Request!;
        var before = network.ComputeStateHash();

        var byB = network.Leave(new LeaveRecord(request, Vote(request.Digest, "B")), PendingLegsSnapshot.None);
        var tooFew = network.Leave(new LeaveRecord(request, Vote(request.Digest, "A", signers: 2)), PendingLegsSnapshot.None);
        var forged = network.Leave(new LeaveRecord(request, TopologyVote.Create(request.Digest, Id("A"), TopologyVoteDecision.Approve, Keys("mallory"))), PendingLegsSnapshot.None);

        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.WrongChain), (byB.Code, byB.Evidence));
        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.InsufficientSignatures), (tooFew.Code, tooFew.Evidence));
        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.UnknownSigner), (forged.Code, forged.Evidence));
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Leave_a_vote_from_an_earlier_membership_is_stale_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var firstLeave = ApprovedLeave(network, "A");
        Assert.True(network.Leave(firstLeave, PendingLegsSnapshot.None).IsOk);
        Complete(network, network.PlanParticipantJoin(Ppc("A"), Ids("B")));

        var replay = network.Leave(firstLeave, PendingLegsSnapshot.None);

        Assert.Equal(TopologyCode.StaleRequest, replay.Code);
        Assert.Equal(Ids("icc-x"), network.IntermediariesBetween(Id("A"), Id("B")));
    }

    [Fact]
    public void Leave_of_an_unknown_PPC_is_refused_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var request = new LeaveRequest(Id("Q"), 1);

        Assert.Equal(TopologyCode.UnknownChain, network.ProposeLeave(Id("Q")).Code);
        Assert.Equal(TopologyCode.UnknownChain, network.Leave(new LeaveRecord(request, Vote(request.Digest, "Q")), PendingLegsSnapshot.None).Code);
    }

    [Fact]
    public void Leave_removes_the_PPC_from_the_partners_others_declared_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");
        Complete(network, network.PlanParticipantJoin(Ppc("N"), Ids("B", "C")));
        Assert.Equal(Ids("B", "C"), network.DeclaredPartnersOf(Id("N")));

        Assert.True(network.Leave(ApprovedLeave(network, "B"), PendingLegsSnapshot.None).IsOk);

        Assert.Equal(Ids("C"), network.DeclaredPartnersOf(Id("N")));
        Assert.Empty(network.UnreachablePartners());
    }

    [Fact]
    public void Leave_pending_leg_counts_are_never_negative_S1()
    {
        Assert.Throws<ArgumentException>(() => new PendingLegsSnapshot([new(Id("A"), -1)]));
        Assert.Equal(0, PendingLegsSnapshot.None.CountPending(Id("A")));
    }
}
