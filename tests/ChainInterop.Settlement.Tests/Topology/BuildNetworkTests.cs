using ChainInterop.Settlement.Topology;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>Alg. 0: building the network from ICCs, PPCs and the connection information.</summary>
public class BuildNetworkTests
{
    [Fact]
    public void Alg0_builds_the_network_from_the_connection_information_S1()
    {
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("B")).Connect(Id("icc-y"), Id("B"), Id("C"));

        var plan = network.Build([Ppc("A"), Ppc("B"), Ppc("C")], [Icc("icc-y"), Icc("icc-x")], connections);

        Assert.True(plan.IsOk, plan.ToString());
        Assert.Equal(
            ["A -> icc-x", "B -> icc-x", "B -> icc-y", "C -> icc-y"],
            plan.Requests.Select(r => $"{r.Participant} -> {r.Intermediary}"));
        Assert.Equal(Ids("icc-x", "icc-y"), network.UnderlinkedIntermediaries); // registered, not linked yet

        Complete(network, plan);

        Assert.Equal(Ids("icc-x"), network.IntermediariesBetween(Id("A"), Id("B")));
        Assert.Equal(Ids("icc-y"), network.IntermediariesBetween(Id("C"), Id("B")));
        Assert.Empty(network.IntermediariesBetween(Id("A"), Id("C")));
        Assert.Equal(Ids("A", "C"), network.TradingPartnersOf(Id("B")));
        Assert.Equal(Ids("B"), network.TradingPartnersOf(Id("A")));
        Assert.Empty(network.UnderlinkedIntermediaries);
        Assert.Equal(Ids("A", "B", "C"), network.Participants);
        Assert.Equal(Ids("icc-x", "icc-y"), network.Intermediaries);
    }

    [Fact]
    public void Alg0_a_PPC_added_to_an_ICC_reaches_every_PPC_already_on_it_S1()
    {
        // Alg. 0 lines 8-11: PPC1 and PPC2 on ICC1, then PPC3 on ICC1: all three reach each other through ICC1.
        var network = Network(["P1", "P2", "P3"], "icc-1:P1,P2", "icc-1:P2,P3");

        Assert.Equal(Ids("P1", "P2", "P3"), network.LinkedParticipantsOf(Id("icc-1")));
        Assert.Equal(Ids("icc-1"), network.IntermediariesBetween(Id("P1"), Id("P3")));
        Assert.Equal(Ids("P2", "P3"), network.TradingPartnersOf(Id("P1")));
    }

    [Fact]
    public void Alg0_an_ICC_connecting_fewer_than_two_PPCs_is_refused_S1()
    {
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("B"));

        // icc-z is given but connects nobody: every ICC links two or more PPCs.
        var plan = network.Build([Ppc("A"), Ppc("B")], [Icc("icc-x"), Icc("icc-z")], connections);

        Assert.Equal(TopologyCode.IccNeedsTwoParticipants, plan.Code);
        Assert.Contains("icc-z", plan.Detail, StringComparison.Ordinal);
        Assert.Empty(plan.Requests);
        Assert.Empty(network.Participants);
        Assert.Empty(network.Intermediaries);
        Assert.Equal(0UL, network.Sequence);
    }

    [Fact]
    public void Alg0_connections_naming_a_chain_not_given_are_refused_S1()
    {
        var network = new TopologyNetwork();
        var unknownPpc = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("Q"));
        var unknownIcc = new ConnectionInfo().Connect(Id("icc-q"), Id("A"), Id("B"));

        Assert.Equal(TopologyCode.UnknownChain, network.Build([Ppc("A"), Ppc("B")], [Icc("icc-x")], unknownPpc).Code);
        Assert.Equal(TopologyCode.UnknownChain, network.Build([Ppc("A"), Ppc("B")], [Icc("icc-x")], unknownIcc).Code);
        Assert.Empty(network.Participants);
    }

    [Fact]
    public void Alg0_a_chain_id_used_twice_is_refused_S1()
    {
        var network = new TopologyNetwork();
        var connections = new ConnectionInfo().Connect(Id("icc-x"), Id("A"), Id("B"));

        // A PPC named like the ICC's trading chain: every chain id is used once.
        var plan = network.Build([Ppc("A"), Ppc("B")], [Icc("icc-x", 4, "B")], connections);

        Assert.Equal(TopologyCode.DuplicateChain, plan.Code);
        Assert.Empty(network.Participants);
    }

    [Fact]
    public void Alg0_builds_from_zero_only_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        var before = network.ComputeStateHash();

        var plan = network.Build([Ppc("C"), Ppc("D")], [Icc("icc-y")], new ConnectionInfo().Connect(Id("icc-y"), Id("C"), Id("D")));

        Assert.Equal(TopologyCode.NetworkNotEmpty, plan.Code);
        Assert.Equal(before, network.ComputeStateHash());
    }

    [Fact]
    public void Alg0_the_same_construction_gives_the_same_state_hash_and_requests_S1()
    {
        var first = Network(["A", "B", "C"], "icc-x:A,B,C", "icc-y:B,C");
        var second = Network(["C", "B", "A"], "icc-y:C,B", "icc-x:C,A,B");

        Assert.Equal(first.ComputeStateHash(), second.ComputeStateHash());
        Assert.Equal(first.TradingChainsOf(Id("icc-x")), second.TradingChainsOf(Id("icc-x")));
    }

    [Fact]
    public void Alg0_the_ICC_maps_onto_the_intermediary_ledger_configuration_S1()
    {
        var network = Network(["A", "B"], "icc-x:A,B");

        var options = network.CreateLedgerOptions(Id("icc-x"));

        options.Validate(); // one ABC, two TBCs, each linking a different PPC
        Assert.Equal(Id("icc-x"), options.AccountChain);
        Assert.Equal(
            [new(Id("icc-x:tbc1"), Id("A")), new(Id("icc-x:tbc2"), Id("B"))],
            options.TradingChains);
        Assert.Throws<ArgumentException>(() => network.CreateLedgerOptions(Id("icc-q")));
    }
}
