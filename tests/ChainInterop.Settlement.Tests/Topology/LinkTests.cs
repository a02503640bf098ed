using ChainInterop.Codec;
using ChainInterop.Settlement.Topology;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>Alg. 7 (choose or create the TBC), Alg. 8 (votes and verification information) and Alg. 9 (the ABC verifies).</summary>
public class LinkTests
{
    /// <summary>A, B linked to icc-x; C registered (joined with no partners) and not linked.</summary>
    private static TopologyNetwork NetworkWithUnlinkedC(params string[] iccTradingChains)
    {
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("B"));
        Complete(network, network.Build([Ppc("A"), Ppc("B")], [Icc("icc-x", 4, iccTradingChains)], connections));
        Complete(network, network.PlanParticipantJoin(Ppc("C"), []));
        return network;
    }

    private static LinkRequest ProposeCToX(TopologyNetwork network)
    {
        var plan = network.ProposeLink(Id("icc-x"), Id("C"));
        Assert.True(plan.IsOk, plan.ToString());
        return Assert.Single(plan.Requests);
    }

    // ---- Alg. 7 ---------------------------------------------------------------------------------------

    [Fact]
    public void Alg7_linking_reuses_a_free_TBC_of_the_ICC_S1()
    {
        var network = NetworkWithUnlinkedC("tbc-x1", "tbc-x2", "tbc-x3");
        Assert.Equal(Ids("tbc-x3"), network.FreeTradingChainsOf(Id("icc-x")));

        var request = ProposeCToX(network);

        Assert.Equal(Id("tbc-x3"), request.TradingChain);
        Assert.False(request.CreatesTradingChain);
        var outcome = network.Link(Approve(request));
        Assert.True(outcome.IsOk, outcome.ToString());
        Assert.False(outcome.CreatedTradingChain);
        Assert.Empty(network.FreeTradingChainsOf(Id("icc-x")));
        Assert.Contains(new Ledger.TradingChainLink(Id("tbc-x3"), Id("C")), network.TradingChainsOf(Id("icc-x")));
    }

    [Fact]
    public void Alg7_linking_creates_a_TBC_when_none_is_free_S1()
    {
        var network = NetworkWithUnlinkedC("tbc-x1", "tbc-x2");
        Assert.Empty(network.FreeTradingChainsOf(Id("icc-x")));

        var request = ProposeCToX(network);

        Assert.Equal(Id("icc-x:tbc1"), request.TradingChain);
        Assert.True(request.CreatesTradingChain);
        Assert.Equal(0UL, request.Generation);
        var outcome = network.Link(Approve(request));
        Assert.True(outcome.IsOk, outcome.ToString());
        Assert.True(outcome.CreatedTradingChain);
        Assert.Equal(1UL, network.GenerationOf(Id("icc-x"), Id("icc-x:tbc1")));
        Assert.Equal(Ids("A", "B", "C"), network.LinkedParticipantsOf(Id("icc-x")));
    }

    [Fact]
    public void Alg7_a_plan_gives_each_link_to_one_ICC_its_own_TBC_S1()
    {
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("B")).Connect(Id("icc-x"), Id("A"), Id("C"));

        var plan = network.Build([Ppc("A"), Ppc("B"), Ppc("C")], [Icc("icc-x", 4, "tbc-x1")], connections);

        Assert.Equal(Ids("tbc-x1", "icc-x:tbc1", "icc-x:tbc2"), plan.Requests.Select(r => r.TradingChain));
        Assert.Equal([false, true, true], plan.Requests.Select(r => r.CreatesTradingChain));
        Complete(network, plan);
        Assert.Equal(3, network.TradingChainsOf(Id("icc-x")).Select(l => l.TradingChain).Distinct().Count());
    }

    [Fact]
    public void Alg7_linking_a_PPC_already_linked_to_the_ICC_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var first = ProposeCToX(network);
        var second = ProposeCToX(network);
        Assert.True(network.Link(Approve(first)).IsOk);

        Assert.Equal(TopologyCode.AlreadyLinked, network.ProposeLink(Id("icc-x"), Id("C")).Code);
        Assert.Equal(TopologyCode.AlreadyLinked, network.Link(Approve(second)).Code);
        Assert.Equal(TopologyCode.AlreadyLinked, network.Link(Approve(first)).Code); // a replay links nothing twice
    }

    [Fact]
    public void Alg7_linking_an_unknown_chain_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();

        Assert.Equal(TopologyCode.UnknownChain, network.ProposeLink(Id("icc-q"), Id("C")).Code);
        Assert.Equal(TopologyCode.UnknownChain, network.ProposeLink(Id("icc-x"), Id("Q")).Code);
        Assert.Equal(TopologyCode.UnknownChain, network.Link(Approve(new LinkRequest(Id("icc-x"), Id("icc-x:tbc9"), true, 0, Id("Q")))).Code);
    }

    [Fact]
    public void Alg7_an_ICC_with_every_TBC_linked_and_no_room_for_another_is_refused_S1()
    {
        const int max = TopologyNetwork.MaxTradingChainsPerIntermediary;
        var names = Enumerable.Range(0, max + 1).Select(i => $"p{i:000}").ToArray();
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo();
        for (int i = 1; i < max; i++)
        {
            connections.Connect(Id("icc-x"), Id(names[0]), Id(names[i]));
        }

        // One-validator chains keep the 256 links cheap.
        Complete(network, network.Build(names.Select(n => Ppc(n, 1)), [Icc("icc-x", 1)], connections), validators: 1);
        Assert.Equal(max, network.LinkedParticipantsOf(Id("icc-x")).Count);

        var plan = network.ProposeLink(Id("icc-x"), Id(names[max]));

        Assert.Equal(TopologyCode.LimitReached, plan.Code);
        Assert.Empty(network.FreeTradingChainsOf(Id("icc-x")));
    }

    // ---- Alg. 8 ---------------------------------------------------------------------------------------

    [Fact]
    public void Alg8_a_link_needs_the_PPC_vote_its_verification_info_and_the_ICC_vote_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var sequence = network.Sequence;

        var ppcVote = Vote(request.Digest, "C");
        var info = LinkVerificationInfo.Create(request, ppcVote, Keys("C").Take(3));
        var iccVote = Vote(request.Digest, "icc-x");
        var outcome = network.Link(new LinkRecord(request, ppcVote, info, iccVote));

        Assert.Equal(TopologyCode.Ok, outcome.Code);
        Assert.Equal(sequence + 1, network.Sequence);
        Assert.Equal(Ids("icc-x"), network.IntermediariesBetween(Id("A"), Id("C")));
        Assert.Equal(Ids("icc-x"), network.IntermediariesOf(Id("C")));
    }

    [Fact]
    public void Alg8_a_link_without_the_PPC_vote_quorum_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var before = network.ComputeStateHash();
        var valid = Approve(request);

        // 2 of 4 validators: the quorum is 3.
        var outcome = network.Link(valid with { ParticipantVote = Vote(request.Digest, "C", signers: 2) });

        Assert.Equal(TopologyCode.PpcVoteRejected, outcome.Code);
        Assert.Equal(EvidenceFailure.InsufficientSignatures, outcome.Evidence);
        Assert.Equal(before, network.ComputeStateHash());
        Assert.Empty(network.IntermediariesOf(Id("C")));
    }

    [Fact]
    public void Alg8_a_PPC_vote_against_the_link_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);

        var no = Vote(request.Digest, "C", signers: 4, decision: TopologyVoteDecision.Reject);
        var outcome = network.Link(Approve(request) with { ParticipantVote = no });

        Assert.Equal(TopologyCode.PpcVoteRejected, outcome.Code);
        Assert.Equal(EvidenceFailure.Rejected, outcome.Evidence);
    }

    [Fact]
    public void Alg8_a_PPC_vote_for_another_request_or_by_another_chain_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var other = new LinkRequest(Id("icc-x"), Id("icc-x:tbc7"), true, 0, Id("C"));

        var wrongSubject = network.Link(Approve(request) with { ParticipantVote = Vote(other.Digest, "C") });
        var wrongChain = network.Link(Approve(request) with { ParticipantVote = Vote(request.Digest, "A") });

        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.WrongSubject), (wrongSubject.Code, wrongSubject.Evidence));
        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.WrongChain), (wrongChain.Code, wrongChain.Evidence));
    }

    [Fact]
    public void Alg8_a_PPC_vote_signed_by_validators_it_does_not_have_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);

        // Keys of another chain sign "as C": they are not C's registered validators.
        var forged = TopologyVote.Create(request.Digest, Id("C"), TopologyVoteDecision.Approve, Keys("mallory"));
        var outcome = network.Link(Approve(request) with { ParticipantVote = forged });

        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.UnknownSigner), (outcome.Code, outcome.Evidence));
    }

    [Fact]
    public void Alg8_a_PPC_vote_with_one_bad_signature_is_refused_even_with_a_quorum_of_good_ones_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var bytes = Canonical.Encode(Vote(request.Digest, "C", signers: 4));
        bytes[^1] ^= 0x01; // the last byte of the last signature
        var tampered = Canonical.Decode<TopologyVote>(bytes);

        var outcome = network.Link(Approve(request) with { ParticipantVote = tampered });

        Assert.Equal((TopologyCode.PpcVoteRejected, EvidenceFailure.InvalidSignature), (outcome.Code, outcome.Evidence));
    }

    [Fact]
    public void Alg8_a_link_without_the_ICC_vote_quorum_is_refused_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var before = network.ComputeStateHash();

        var tooFew = network.Link(Approve(request) with { IntermediaryVote = Vote(request.Digest, "icc-x", signers: 2) });
        var no = network.Link(Approve(request) with { IntermediaryVote = Vote(request.Digest, "icc-x", decision: TopologyVoteDecision.Reject) });
        var byThePpc = network.Link(Approve(request) with { IntermediaryVote = Vote(request.Digest, "C") });

        Assert.Equal((TopologyCode.IccVoteRejected, EvidenceFailure.InsufficientSignatures), (tooFew.Code, tooFew.Evidence));
        Assert.Equal((TopologyCode.IccVoteRejected, EvidenceFailure.Rejected), (no.Code, no.Evidence));
        Assert.Equal((TopologyCode.IccVoteRejected, EvidenceFailure.WrongChain), (byThePpc.Code, byThePpc.Evidence));
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Alg8_the_PPC_vote_is_checked_before_the_verification_info_and_the_ICC_vote_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var valid = Approve(request);
        var badVote = Vote(request.Digest, "C", signers: 1);
        var badInfo = LinkVerificationInfo.Create(request, valid.ParticipantVote, Keys("mallory"));
        var badIccVote = Vote(request.Digest, "icc-x", signers: 1);

        Assert.Equal(TopologyCode.PpcVoteRejected, network.Link(new LinkRecord(request, badVote, badInfo, badIccVote)).Code);
        Assert.Equal(TopologyCode.VerificationFailed, network.Link(new LinkRecord(request, valid.ParticipantVote, badInfo, badIccVote)).Code);
        Assert.Equal(TopologyCode.IccVoteRejected, network.Link(valid with { IntermediaryVote = badIccVote }).Code);
    }

    [Fact]
    public void Alg8_votes_cast_before_the_TBC_was_taken_are_stale_S1()
    {
        var network = NetworkWithUnlinkedC("tbc-x1", "tbc-x2", "tbc-x3");
        Complete(network, network.PlanParticipantJoin(Ppc("D"), []));
        var forC = ProposeCToX(network);
        var forD = Assert.Single(network.ProposeLink(Id("icc-x"), Id("D")).Requests);
        Assert.Equal(forC.TradingChain, forD.TradingChain); // both proposals saw tbc-x3 free

        Assert.True(network.Link(Approve(forC)).IsOk);
        var outcome = network.Link(Approve(forD));

        Assert.Equal(TopologyCode.StaleRequest, outcome.Code);
        Assert.Equal(Id("C"), network.TradingChainsOf(Id("icc-x")).Single(l => l.TradingChain == Id("tbc-x3")).ParticipantChain);
    }

    [Fact]
    public void Alg8_a_link_record_replayed_after_its_TBC_was_freed_and_relinked_is_stale_S1()
    {
        var network = NetworkWithUnlinkedC();
        var record = Approve(ProposeCToX(network));
        Assert.True(network.Link(record).IsOk);
        Assert.True(network.Leave(ApprovedLeave(network, "C"), PendingLegsSnapshot.None).IsOk);
        Complete(network, network.PlanParticipantJoin(Ppc("C"), []));

        // The TBC exists now and the request was to create it; its evidence cannot link C again.
        Assert.Equal(TopologyCode.StaleRequest, network.Link(record).Code);

        var relink = ProposeCToX(network);
        Assert.Equal((record.Request.TradingChain, false, 1UL), (relink.TradingChain, relink.CreatesTradingChain, relink.Generation));
        Assert.True(network.Link(Approve(relink)).IsOk);
        Assert.Equal(2UL, network.GenerationOf(Id("icc-x"), relink.TradingChain));
    }

    // ---- Alg. 9 ---------------------------------------------------------------------------------------

    [Fact]
    public void Alg9_the_ABC_refuses_verification_info_not_signed_by_the_PPC_validators_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var valid = Approve(request);

        var outcome = network.Link(valid with { VerificationInfo = LinkVerificationInfo.Create(request, valid.ParticipantVote, Keys("mallory")) });

        // A distinct failure from the PPC's vote: the vote is fine, the information sent to the TBC is not.
        Assert.Equal((TopologyCode.VerificationFailed, EvidenceFailure.UnknownSigner), (outcome.Code, outcome.Evidence));
    }

    [Fact]
    public void Alg9_the_ABC_refuses_verification_info_signed_by_too_few_PPC_validators_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var valid = Approve(request);

        var outcome = network.Link(valid with { VerificationInfo = LinkVerificationInfo.Create(request, valid.ParticipantVote, Keys("C").Take(2)) });

        Assert.Equal((TopologyCode.VerificationFailed, EvidenceFailure.InsufficientSignatures), (outcome.Code, outcome.Evidence));
    }

    [Fact]
    public void Alg9_the_ABC_refuses_verification_info_for_another_request_or_vote_S1()
    {
        var network = NetworkWithUnlinkedC();
        var request = ProposeCToX(network);
        var valid = Approve(request);
        var other = new LinkRequest(Id("icc-x"), Id("icc-x:tbc7"), true, 0, Id("C"));
        var otherVote = Vote(request.Digest, "C", signers: 4); // also valid, but not the vote presented

        var forOtherRequest = network.Link(valid with { VerificationInfo = LinkVerificationInfo.Create(other, Vote(other.Digest, "C"), Keys("C")) });
        var forOtherVote = network.Link(valid with { VerificationInfo = LinkVerificationInfo.Create(request, otherVote, Keys("C")) });

        Assert.Equal((TopologyCode.VerificationFailed, EvidenceFailure.WrongSubject), (forOtherRequest.Code, forOtherRequest.Evidence));
        Assert.Equal((TopologyCode.VerificationFailed, EvidenceFailure.WrongSubject), (forOtherVote.Code, forOtherVote.Evidence));
        Assert.True(network.Link(valid).IsOk);
    }
}
