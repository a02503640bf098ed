using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary><see cref="SettlementCycle.FlagForReview"/>: a balanced result that could not be committed (S3; seed 000 Alg. 11 step 14).</summary>
public sealed class SettlementCycleReviewTests
{
    [Fact]
    public void Alg11_Step14_a_settled_cycle_whose_result_cannot_be_committed_is_flagged_and_keeps_its_outcome_S3()
    {
        var cycle = new SettlementCycle(Cycle1, SettlementCyclePolicy.Hourly, 0);
        Assert.Throws<InvalidOperationException>(() => cycle.FlagForReview());
        var tx = Crypto.Hash256.Compute([1]);
        Assert.Equal(CycleResultCode.Ok, cycle.TryStart(tx, 1).Code);
        Assert.Equal(CycleResultCode.Ok, cycle.Finish(new GrossObligation(tx, BankA, BankB, Usd, M(5))).Code);
        cycle.Close();
        Assert.Throws<InvalidOperationException>(() => cycle.FlagForReview());
        var outcome = cycle.Net(new NettingEngine());
        Assert.NotNull(cycle.Report);

        var flagged = cycle.FlagForReview();
        Assert.Equal((CycleResultCode.Ok, SettlementCycleState.UnderReview, true), (flagged.Code, flagged.State, flagged.StateChanged));
        Assert.Null(cycle.Report);
        Assert.Same(outcome, cycle.Outcome);
        var again = cycle.FlagForReview();
        Assert.False(again.StateChanged);
        Assert.Equal(SettlementCycleState.UnderReview, again.State);
    }
}
