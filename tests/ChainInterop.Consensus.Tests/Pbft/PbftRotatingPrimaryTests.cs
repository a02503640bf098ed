using ChainInterop.Blocks;
using ChainInterop.Consensus.Pbft;
using static ChainInterop.Consensus.Tests.Pbft.PbftNormalCaseTests;

namespace ChainInterop.Consensus.Tests.Pbft;

/// <summary>A primary that changes with the height (as CBFT's does, K3): requests forwarded to the previous one are not stranded.</summary>
public class PbftRotatingPrimaryTests
{
    /// <summary>The primary of height h in view v is validator (v + h) mod n: a new one for every block.</summary>
    private sealed class PerHeight : IPrimarySelector
    {
        public NodeId SelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted) =>
            validators.NodeIds[(int)((view + height) % (ulong)validators.Count)];
    }

    [Fact]
    public void A_request_held_by_one_backup_reaches_the_next_primary_after_its_forward_to_the_last_one_was_lost_K2_K3()
    {
        // Seen on a busy machine (ChainNodeTests, cbft): a request submitted to one validator was forwarded to the
        // primary of the height being decided, arrived after it had proposed, and then only two replicas held it: too
        // few for a view change, so it waited forever. Here the forward is lost outright.
        using var net = new PbftTestNetwork(selector: new PerHeight());
        using var first = ClientKey(60);
        using var second = ClientKey(61);
        net.StartAll();
        net.Intercept = (from, to, bytes) => from == 3 && to == 0 ? null : bytes; // 3 never reaches 0, the primary of height 0
        net.SubmitTo(Request(second, 1, "to one validator"), 3);
        net.Submit(Request(first, 1, "to all"));

        // Height 0 (primary 0) commits the request everyone has; validator 3 forwards its own to the primary of
        // height 1 (validator 1), which proposes it. No view change is needed (none could start: 3 alone holds it).
        Assert.True(net.RunUntil(() => Enumerable.Range(0, 4).All(i => net.RequestsCommitted(i) == 2), maxMs: 30_000),
            $"committed per validator: {string.Join(",", Enumerable.Range(0, 4).Select(net.RequestsCommitted))}");
        Assert.All(net.Replicas, r => Assert.Equal(0UL, r.View));
    }
}
