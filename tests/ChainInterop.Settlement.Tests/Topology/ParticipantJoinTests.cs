using ChainInterop.Settlement.Topology;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>Alg. 5: a new PPC joins, with its own ICCs and/or a greedy set cover of existing ICCs.</summary>
public class ParticipantJoinTests
{
    /// <summary>The fewest ICCs of <paramref name="network"/> that together link every PPC in <paramref name="needed"/> (brute force).</summary>
    private static int SmallestCoverSize(TopologyNetwork network, IReadOnlyCollection<ChainId> needed)
    {
        var iccs = network.Intermediaries;
        int best = int.MaxValue;
        for (int mask = 0; mask < 1 << iccs.Count; mask++)
        {
            var reached = Enumerable.Range(0, iccs.Count).Where(i => (mask & (1 << i)) != 0)
                .SelectMany(i => network.LinkedParticipantsOf(iccs[i])).ToHashSet();
            if (needed.All(reached.Contains))
            {
                best = Math.Min(best, System.Numerics.BitOperations.PopCount((uint)mask));
            }
        }

        return best;
    }

    [Fact]
    public void Alg5_joining_PPC_links_to_a_smallest_covering_set_of_ICCs_S1()
    {
        var network = Network(["B", "C", "D", "E"], "icc-w:B,C,D", "icc-x:B,C", "icc-y:C,D", "icc-z:D,E");
        var partners = Ids("B", "C", "D", "E");

        var plan = network.PlanParticipantJoin(Ppc("N"), partners);

        // Greedy: icc-w reaches three partners, then only icc-z reaches E. No single ICC reaches all four, so two is the minimum.
        Assert.True(plan.IsOk, plan.ToString());
        Assert.Equal(Ids("icc-w", "icc-z"), plan.CoveringIntermediaries);
        Assert.Equal(SmallestCoverSize(network, partners), plan.CoveringIntermediaries.Count);
        Assert.Equal(Ids("icc-w", "icc-z"), plan.Requests.Select(r => r.Intermediary));
        Assert.All(plan.Requests, r => Assert.Equal(Id("N"), r.Participant));

        Complete(network, plan);
        Assert.Equal(partners, network.TradingPartnersOf(Id("N")));
        Assert.Equal(partners, network.DeclaredPartnersOf(Id("N")));
        Assert.Empty(network.UnreachablePartners());
    }

    [Fact]
    public void Alg5_one_ICC_linking_every_partner_is_the_whole_cover_S1()
    {
        var network = Network(["B", "C", "D"], "icc-a:B,C", "icc-b:C,D", "icc-c:B,C,D");

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("B", "D"));

        Assert.Equal(Ids("icc-c"), plan.CoveringIntermediaries);
    }

    [Fact]
    public void Alg5_greedy_cover_can_exceed_the_minimum_and_still_reaches_every_partner_S1()
    {
        // The textbook case for greedy set cover: icc-g reaches the most partners first, then c and f need one ICC each,
        // while icc-x + icc-y alone would do. Greedy stays within ln(n) + 1 of the minimum; documented in TOPOLOGY.md.
        var network = Network(["a", "b", "c", "d", "e", "f"], "icc-g:a,b,d,e", "icc-x:a,b,c", "icc-y:d,e,f");
        var partners = Ids("a", "b", "c", "d", "e", "f");

        var plan = network.PlanParticipantJoin(Ppc("N"), partners);

        Assert.Equal(Ids("icc-g", "icc-x", "icc-y"), plan.CoveringIntermediaries);
        Assert.Equal(2, SmallestCoverSize(network, partners));
        Complete(network, plan);
        Assert.Equal(partners, network.TradingPartnersOf(Id("N")));
    }

    [Fact]
    public void Alg5_a_trading_partner_that_no_ICC_reaches_is_refused_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");
        Complete(network, network.PlanParticipantJoin(Ppc("F"), [])); // registered, linked to nothing
        var before = network.ComputeStateHash();

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("B", "F"));

        Assert.Equal(TopologyCode.UnreachablePartner, plan.Code);
        Assert.Contains("F", plan.Detail, StringComparison.Ordinal);
        Assert.False(network.TryGetParticipant(Id("N"), out _));
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Alg5_a_trading_partner_that_is_not_registered_is_refused_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");

        Assert.Equal(TopologyCode.UnknownChain, network.PlanParticipantJoin(Ppc("N"), Ids("B", "Q")).Code);
        Assert.Throws<ArgumentException>(() => network.PlanParticipantJoin(Ppc("N"), Ids("N")));
    }

    [Fact]
    public void Alg5_a_joining_PPC_may_create_its_own_ICC_linked_to_itself_and_other_PPCs_S1()
    {
        var network = Network(["B", "C", "E"], "icc-x:B,C", "icc-z:C,E");

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("B", "E"), [new OwnIntermediary(Icc("icc-n"), Ids("B"))]);

        // Own ICC first (linked to N, then B), then the cover for the partner it does not reach: E through icc-z.
        Assert.True(plan.IsOk, plan.ToString());
        Assert.Equal(["N -> icc-n", "B -> icc-n", "N -> icc-z"], plan.Requests.Select(r => $"{r.Participant} -> {r.Intermediary}"));
        Assert.Equal(Ids("icc-z"), plan.CoveringIntermediaries);
        Assert.Contains(Id("icc-n"), network.UnderlinkedIntermediaries);

        Complete(network, plan);
        Assert.Equal(Ids("icc-n"), network.IntermediariesBetween(Id("N"), Id("B")));
        Assert.Equal(Ids("icc-z"), network.IntermediariesBetween(Id("N"), Id("E")));
        Assert.Empty(network.UnderlinkedIntermediaries);
    }

    [Fact]
    public void Alg5_partners_reached_through_its_own_ICCs_need_no_existing_ICC_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("B", "C"), [new OwnIntermediary(Icc("icc-n"), Ids("B", "C"))]);

        Assert.Empty(plan.CoveringIntermediaries);
        Assert.All(plan.Requests, r => Assert.Equal(Id("icc-n"), r.Intermediary));
    }

    [Fact]
    public void Alg5_an_own_ICC_that_links_no_other_PPC_is_refused_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");
        var before = network.ComputeStateHash();

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("B"), [new OwnIntermediary(Icc("icc-n"), [])]);

        Assert.Equal(TopologyCode.IccNeedsTwoParticipants, plan.Code);
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Alg5_a_joining_PPC_with_a_chain_id_in_use_is_refused_S1()
    {
        var network = Network(["B", "C"], "icc-x:B,C");

        Assert.Equal(TopologyCode.DuplicateChain, network.PlanParticipantJoin(Ppc("B"), []).Code);
        Assert.Equal(TopologyCode.DuplicateChain, network.PlanParticipantJoin(Ppc("icc-x:tbc1"), []).Code);
        Assert.Equal(TopologyCode.DuplicateChain, network.PlanParticipantJoin(Ppc("N"), [], [new OwnIntermediary(Icc("icc-x"), Ids("B"))]).Code);
    }

    [Fact]
    public void Alg5_an_underlinked_ICC_is_revived_when_it_covers_a_joining_PPC_S1()
    {
        var network = Network(["A", "B", "C"], "icc-x:A,B", "icc-y:B,C");
        Assert.True(network.Leave(ApprovedLeave(network, "B"), PendingLegsSnapshot.None).IsOk);
        Assert.Equal(Ids("icc-x", "icc-y"), network.UnderlinkedIntermediaries);

        var plan = network.PlanParticipantJoin(Ppc("N"), Ids("A"));

        Assert.Equal(Ids("icc-x"), plan.CoveringIntermediaries);
        Assert.False(Assert.Single(plan.Requests).CreatesTradingChain); // B's freed TBC is reused
        Complete(network, plan);
        Assert.Equal(Ids("icc-y"), network.UnderlinkedIntermediaries);
    }
}
