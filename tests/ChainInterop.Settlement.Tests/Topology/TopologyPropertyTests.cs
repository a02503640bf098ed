using ChainInterop.Settlement.Topology;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>
/// Random sequences of joins (Alg. 5, 6), links (Alg. 7–9, with valid or faulty evidence) and leaves over a few
/// PPCs and ICCs, so that ids collide, chains are missing, TBCs are freed and reused and ICCs fall below two PPCs;
/// after every step the topology invariants of S1 are checked against a model built from the accepted operations.
/// </summary>
/// <remarks>
/// Operations hold picks, not names: a pick below <see cref="PickSpread"/> chooses among the chains that make the
/// operation meaningful in the current state (e.g. registered PPCs as partners), a larger one any name of the pool,
/// so that both accepted and refused operations are frequent. A failure reports the resolved trace.
/// </remarks>
public class TopologyPropertyTests
{
    private const int Runs = 100;
    private const int MaxOperations = 24;
    private const int PickSpread = 8;
    private static readonly string[] PpcNames = ["p0", "p1", "p2", "p3", "p4", "p5", "p6"];
    private static readonly string[] IccNames = ["i0", "i1", "i2", "i3", "i4", "i5"];

    // ---- operations -------------------------------------------------------------------------------

    private abstract record Op;

    private sealed record JoinPpc(int Ppc, int[] Partners, (int Icc, int[] Others)[] Own) : Op;

    private sealed record JoinIcc(int Icc, int[] Ppcs) : Op;

    /// <summary>Fault 0: valid evidence; 1: PPC vote without quorum; 2: verification info by strangers; 3: ICC votes no.</summary>
    private sealed record LinkOp(int Icc, int Ppc, int Fault) : Op;

    private sealed record LeaveOp(int Ppc, int PendingLegs) : Op;

    // ---- generators -------------------------------------------------------------------------------

    private static readonly Gen<int> Pick = Gen.Frequency((6, Gen.Choose(0, PickSpread - 1)), (1, Gen.Choose(PickSpread, PickSpread + 12)));
    private static readonly Gen<int[]> Picks = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Pick, n));

    private static readonly Gen<Op> Operations = Gen.Frequency(
        (4, from ppc in Pick
            from partners in Picks
            from ownCount in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
            from own in Gen.ArrayOf(from icc in Pick from others in Picks select (icc, others), ownCount)
            select (Op)new JoinPpc(ppc, partners, own)),
        (3, from icc in Pick from ppcs in Picks select (Op)new JoinIcc(icc, ppcs)),
        (5, from icc in Pick from ppc in Pick from fault in Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 3)))
            select (Op)new LinkOp(icc, ppc, fault)),
        (3, from ppc in Pick from pending in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
            select (Op)new LeaveOp(ppc, pending)));

    /// <summary>1 to <see cref="MaxOperations"/> operations; shrinks to fewer, never none.</summary>
    private static readonly Arbitrary<Op[]> Scripts = Arb.From(
        Gen.Choose(1, MaxOperations).SelectMany(n => Gen.ArrayOf(Operations, n)),
        script => Shrink.Array(script, minLength: 1));

    // ---- the property -----------------------------------------------------------------------------

    [Property(MaxTest = Runs)]
    public Property Property_after_any_joins_links_and_leaves_the_topology_invariants_hold_S1() =>
        Prop.ForAll(Scripts, script => new Run().Execute(script));

    /// <summary>p0 and i0 have four validators (quorum 3), the others one, to keep signing cheap.</summary>
    private static int ValidatorCount(string chain) => chain.EndsWith('0') ? 4 : 1;

    private static ParticipantChain Participant(string name) => Ppc(name, ValidatorCount(name));

    private static IntermediaryChain Intermediary(string name) => Icc(name, ValidatorCount(name));

    private static LinkRecord Evidence(LinkRequest request) =>
        Approve(request, ValidatorCount(request.Participant.Value), ValidatorCount(request.Intermediary.Value));

    /// <summary>One script against one network and its model.</summary>
    private sealed class Run
    {
        private readonly TopologyNetwork _network = new();
        private readonly Dictionary<ChainId, SortedSet<ChainId>> _model = []; // ICC -> linked PPCs, from accepted operations only
        private readonly List<string> _trace = [];

        public void Execute(Op[] script)
        {
            try
            {
                var start = new ConnectionInfo().Connect(Id("i0"), Id("p0"), Id("p1")).Connect(Id("i1"), Id("p1"), Id("p2"));
                ExecutePlan(_network.Build([Participant("p0"), Participant("p1"), Participant("p2")], [Intermediary("i0"), Intermediary("i1")], start), "Build");
                CheckInvariants();
                foreach (var op in script)
                {
                    var before = _network.ComputeStateHash();
                    bool changed = op switch
                    {
                        JoinPpc j => Apply(j),
                        JoinIcc j => Apply(j),
                        LinkOp l => Apply(l),
                        LeaveOp l => Apply(l),
                        _ => throw new InvalidOperationException(op.ToString()),
                    };

                    if (!changed)
                    {
                        Assert.Equal(before, _network.ComputeStateHash()); // a refusal changes nothing
                    }

                    CheckInvariants();
                }
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"After:\n  {string.Join("\n  ", _trace)}\n{e.Message}");
            }
        }

        private IReadOnlyList<string> RegisteredPpcs => [.. _network.Participants.Select(p => p.Value)];

        private IReadOnlyList<string> UnregisteredPpcs => [.. PpcNames.Except(RegisteredPpcs)];

        private IReadOnlyList<string> RegisteredIccs => [.. _network.Intermediaries.Select(i => i.Value)];

        private IReadOnlyList<string> UnregisteredIccs => [.. IccNames.Except(RegisteredIccs)];

        private static string Resolve(int pick, IReadOnlyList<string> preferred, string[] pool) =>
            pick < PickSpread && preferred.Count > 0 ? preferred[pick % preferred.Count] : pool[pick % pool.Length];

        private bool Apply(JoinPpc join)
        {
            var ppc = Resolve(join.Ppc, UnregisteredPpcs, PpcNames);
            var partners = join.Partners.Select(p => Resolve(p, RegisteredPpcs, PpcNames)).Where(p => p != ppc).Distinct().ToArray();
            var own = join.Own.Select(o => (Icc: Resolve(o.Icc, UnregisteredIccs, IccNames), Others: o.Others.Select(p => Resolve(p, RegisteredPpcs, PpcNames)).ToArray())).ToArray();
            var plan = _network.PlanParticipantJoin(Participant(ppc), partners.Select(Id), own.Select(o => new OwnIntermediary(Intermediary(o.Icc), Ids(o.Others))));
            return ExecutePlan(plan,
                $"JoinPpc {ppc} partners [{string.Join(",", partners)}] own [{string.Join("; ", own.Select(o => $"{o.Icc}: {string.Join(",", o.Others)}"))}]");
        }

        private bool Apply(JoinIcc join)
        {
            var icc = Resolve(join.Icc, UnregisteredIccs, IccNames);
            var ppcs = join.Ppcs.Select(p => Resolve(p, RegisteredPpcs, PpcNames)).ToArray();
            return ExecutePlan(_network.PlanIntermediaryJoin(Intermediary(icc), Ids(ppcs)), $"JoinIcc {icc} [{string.Join(",", ppcs)}]");
        }

        private bool Apply(LinkOp link)
        {
            var icc = Resolve(link.Icc, RegisteredIccs, IccNames);
            var ppc = Resolve(link.Ppc, RegisteredPpcs, PpcNames);
            var plan = _network.ProposeLink(Id(icc), Id(ppc));
            _trace.Add($"Link {ppc} -> {icc} fault {link.Fault}: {plan}");
            if (!plan.IsOk)
            {
                return false;
            }

            var request = Assert.Single(plan.Requests);
            var valid = Evidence(request);
            var (record, expected) = link.Fault switch
            {
                0 => (valid, TopologyCode.Ok),
                1 => (valid with { ParticipantVote = Vote(request.Digest, ppc, ValidatorCount(ppc), signers: 0) }, TopologyCode.PpcVoteRejected),
                2 => (valid with { VerificationInfo = LinkVerificationInfo.Create(request, valid.ParticipantVote, Keys("mallory", 1)) }, TopologyCode.VerificationFailed),
                _ => (valid with { IntermediaryVote = Vote(request.Digest, icc, ValidatorCount(icc), decision: TopologyVoteDecision.Reject) }, TopologyCode.IccVoteRejected),
            };

            var outcome = _network.Link(record);
            _trace.Add($"  {request}: {outcome}");
            Assert.Equal(expected, outcome.Code);
            if (outcome.IsOk)
            {
                Linked(request);
            }

            return outcome.IsOk;
        }

        private bool Apply(LeaveOp leave)
        {
            var ppc = Id(Resolve(leave.Ppc, RegisteredPpcs, PpcNames));
            var proposal = _network.ProposeLeave(ppc);
            if (!proposal.IsOk)
            {
                _trace.Add($"Leave {ppc}: {proposal.Code}");
                Assert.False(_network.TryGetParticipant(ppc, out _));
                return false;
            }

            var linkedTo = _network.IntermediariesOf(ppc);
            var record = new LeaveRecord(proposal.Request!, Vote(proposal.Request!.Digest, ppc.Value, ValidatorCount(ppc.Value)));
            var outcome = _network.Leave(record, new PendingLegsSnapshot([new(ppc, leave.PendingLegs)]));
            _trace.Add($"Leave {ppc} pending {leave.PendingLegs}: {outcome}");
            if (leave.PendingLegs > 0)
            {
                Assert.Equal((TopologyCode.PendingLegs, leave.PendingLegs), (outcome.Code, outcome.PendingLegs));
                return false;
            }

            Assert.True(outcome.IsOk, outcome.ToString());
            Assert.Equal(linkedTo, outcome.FreedTradingChains.Select(f => f.Intermediary));
            foreach (var freed in outcome.FreedTradingChains)
            {
                Assert.Contains(freed.TradingChain, _network.FreeTradingChainsOf(freed.Intermediary));
                _model[freed.Intermediary].Remove(ppc);
            }

            Assert.Equal(linkedTo.Where(icc => _model[icc].Count < 2), outcome.UnderlinkedIntermediaries);
            Assert.False(_network.TryGetParticipant(ppc, out _));
            return true;
        }

        /// <summary>Applies every link of an accepted plan with valid evidence: an accepted plan is always executable.</summary>
        private bool ExecutePlan(TopologyPlan plan, string description)
        {
            _trace.Add($"{description}: {plan}");
            if (!plan.IsOk)
            {
                Assert.Empty(plan.Requests);
                return false;
            }

            foreach (var icc in _network.Intermediaries)
            {
                _model.TryAdd(icc, []);
            }

            foreach (var request in plan.Requests)
            {
                var outcome = _network.Link(Evidence(request));
                _trace.Add($"  {request}: {outcome}");
                Assert.True(outcome.IsOk, $"{request}: {outcome}");
                Linked(request);
            }

            return true;
        }

        private void Linked(LinkRequest request) =>
            Assert.True(_model[request.Intermediary].Add(request.Participant), $"{request.Participant} linked twice to {request.Intermediary}");

        private void CheckInvariants()
        {
            var participants = _network.Participants.ToHashSet();
            var intermediaries = _network.Intermediaries;
            var tradingChains = new HashSet<ChainId>();
            Assert.Equal(_model.Keys.Order(), intermediaries);

            foreach (var icc in intermediaries)
            {
                // The links are exactly those the accepted operations made.
                var linked = _network.LinkedParticipantsOf(icc);
                Assert.Equal(_model[icc], linked);
                Assert.All(linked, p => Assert.Contains(p, participants));

                // Every ICC links at least two PPCs, or is reported.
                Assert.Equal(linked.Count < 2, _network.UnderlinkedIntermediaries.Contains(icc));

                // Each TBC links at most one PPC, each PPC at most one TBC per ICC, and no TBC id is used twice anywhere.
                var links = _network.TradingChainsOf(icc);
                Assert.Equal(linked, links.Select(l => l.ParticipantChain).Order());
                foreach (var tbc in links.Select(l => l.TradingChain).Concat(_network.FreeTradingChainsOf(icc)))
                {
                    Assert.True(tradingChains.Add(tbc), $"trading chain {tbc} appears twice");
                    Assert.DoesNotContain(tbc, participants);
                    Assert.DoesNotContain(tbc, intermediaries);
                }
            }

            // Every PPC that declared trading partners reaches each of them through some ICC.
            Assert.Empty(_network.UnreachablePartners());
            foreach (var ppc in participants)
            {
                foreach (var partner in _network.DeclaredPartnersOf(ppc))
                {
                    Assert.Contains(partner, participants);
                    Assert.NotEmpty(_network.IntermediariesBetween(ppc, partner));
                }

                var partners = _network.TradingPartnersOf(ppc);
                foreach (var other in participants.Where(o => o != ppc))
                {
                    var between = _network.IntermediariesBetween(ppc, other);
                    Assert.Equal(between, _network.IntermediariesBetween(other, ppc));
                    Assert.Equal(between.Count > 0, partners.Contains(other));
                    Assert.Equal(_model.Where(m => m.Value.Contains(ppc) && m.Value.Contains(other)).Select(m => m.Key).Order(), between);
                }
            }
        }
    }
}
