using System.Collections.Concurrent;
using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Topology;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>
/// Chains with deterministic Ed25519 validator keys (derived from the chain name), and the evidence their
/// validators produce: votes and verification information signed with those keys, checked for real by the network.
/// </summary>
internal static class TopologyTestSupport
{
    private static readonly ConcurrentDictionary<(string, int), PrivateKey[]> KeyCache = new();

    /// <summary>The validator keys of chain <paramref name="name"/> (the same keys every time).</summary>
    public static PrivateKey[] Keys(string name, int validators = 4) =>
        KeyCache.GetOrAdd((name, validators), static key => Enumerable.Range(0, key.Item2)
            .Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes($"{key.Item1}/validator/{i}")).ToArray()))
            .ToArray());

    public static ValidatorSet Validators(string name, int validators = 4) => new(Keys(name, validators).Select(k => k.PublicKey));

    public static ChainId Id(string name) => new(name);

    public static ParticipantChain Ppc(string name, int validators = 4) => new(Id(name), Validators(name, validators));

    public static IntermediaryChain Icc(string name, int validators = 4, params string[] tradingChains) =>
        new(Id(name), Validators(name, validators), tradingChains.Select(Id));

    /// <summary>A chain's vote on <paramref name="subject"/>, signed by the first <paramref name="signers"/> validators (a quorum by default).</summary>
    public static TopologyVote Vote(Hash256 subject, string chain, int validators = 4, int? signers = null, TopologyVoteDecision decision = TopologyVoteDecision.Approve)
    {
        var keys = Keys(chain, validators);
        int count = signers ?? new ValidatorSet(keys.Select(k => k.PublicKey)).Quorum;
        return TopologyVote.Create(subject, Id(chain), decision, keys.Take(count));
    }

    /// <summary>The full, valid evidence for <paramref name="request"/>: PPC vote, PPC verification info, ICC vote, each by a quorum.</summary>
    public static LinkRecord Approve(LinkRequest request, int ppcValidators = 4, int iccValidators = 4)
    {
        var ppcVote = Vote(request.Digest, request.Participant.Value, ppcValidators);
        var keys = Keys(request.Participant.Value, ppcValidators);
        var info = LinkVerificationInfo.Create(request, ppcVote, keys.Take(ppcVote.Signers.Count));
        return new LinkRecord(request, ppcVote, info, Vote(request.Digest, request.Intermediary.Value, iccValidators));
    }

    /// <summary>Applies every request of an accepted plan with valid evidence; asserts each link is made.</summary>
    public static void Complete(TopologyNetwork network, TopologyPlan plan, int validators = 4)
    {
        Assert.True(plan.IsOk, plan.ToString());
        foreach (var request in plan.Requests)
        {
            var outcome = network.Link(Approve(request, validators, validators));
            Assert.True(outcome.IsOk, $"{request}: {outcome}");
        }
    }

    /// <summary>The PPC's approved leave of the network.</summary>
    public static LeaveRecord ApprovedLeave(TopologyNetwork network, string ppc, int validators = 4)
    {
        var proposal = network.ProposeLeave(Id(ppc));
        Assert.True(proposal.IsOk);
        return new LeaveRecord(proposal.Request!, Vote(proposal.Request!.Digest, ppc, validators));
    }

    public static ChainId[] Ids(params string[] names) => [.. names.Select(Id)];

    /// <summary>
    /// A network of PPCs A..E and ICCs built with Alg. 0 from <paramref name="connections"/> ("X:A,B" = ICC X connects A and B),
    /// every link made.
    /// </summary>
    public static TopologyNetwork Network(string[] participants, params string[] connections)
    {
        var info = new ConnectionInfo();
        var iccs = new SortedDictionary<string, IntermediaryChain>(StringComparer.Ordinal);
        foreach (var c in connections)
        {
            var parts = c.Split(':');
            var members = parts[1].Split(',');
            iccs.TryAdd(parts[0], Icc(parts[0]));
            for (int i = 1; i < members.Length; i++)
            {
                info.Connect(Id(parts[0]), Id(members[0]), Id(members[i]));
            }
        }

        var network = new TopologyNetwork();
        Complete(network, network.Build(participants.Select(p => Ppc(p)), iccs.Values, info));
        return network;
    }
}
