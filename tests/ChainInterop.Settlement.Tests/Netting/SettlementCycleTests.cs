using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>Every transition and refusal of the settlement cycle (SPEC S3, seed 000 Alg. 11 steps 1–3 and 12–14).</summary>
public class SettlementCycleTests
{
    private const long Open = 1_000_000;
    private const long HourMs = 3_600_000;

    private static SettlementCycle Hourly() => new(Cycle1, SettlementCyclePolicy.Hourly, Open);

    private static void Expect(CycleResult result, CycleResultCode code, SettlementCycleState state, bool changed = false)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal(state, result.State);
        Assert.Equal(changed, result.StateChanged);
    }

    [Fact]
    public void Policies_name_hour_day_week_and_count_and_reject_bad_limits_S3_Alg11()
    {
        Assert.Equal(3_600_000, SettlementCyclePolicy.Hourly.PeriodMs);
        Assert.Equal(86_400_000, SettlementCyclePolicy.Daily.PeriodMs);
        Assert.Equal(604_800_000, SettlementCyclePolicy.Weekly.PeriodMs);
        Assert.Equal(90_000, SettlementCyclePolicy.ByDuration(TimeSpan.FromSeconds(90)).PeriodMs);
        var byCount = SettlementCyclePolicy.ByTransactionCount(500);
        Assert.Null(byCount.PeriodMs);
        Assert.Equal(500, byCount.MaxTransactionsPerCycle);
        Assert.Equal(SettlementCyclePolicy.DefaultMaxTransactionsPerCycle, SettlementCyclePolicy.Daily.MaxTransactionsPerCycle);
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlementCyclePolicy.ByDuration(TimeSpan.FromTicks(15_000)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlementCyclePolicy.ByDuration(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlementCyclePolicy.ByTransactionCount(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlementCyclePolicy.ByTransactionCount(GrossObligationBook.MaxObligationsPerCycle + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SettlementCyclePolicy.Hourly with { MaxInFlightTransactions = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SettlementCycle(Cycle1, SettlementCyclePolicy.Hourly, long.MaxValue - 10));
    }

    [Fact]
    public void A_new_cycle_is_open_and_due_one_period_after_it_opens_S3_Alg11()
    {
        var cycle = Hourly();
        Assert.Equal(SettlementCycleState.Open, cycle.State);
        Assert.Equal(CycleCloseReason.None, cycle.CloseReason);
        Assert.Equal(Open + HourMs, cycle.DueAtMs);
        Assert.Equal(Open, cycle.LastClockMs);
        Assert.Null(new SettlementCycle(Cycle1, SettlementCyclePolicy.ByTransactionCount(3), Open).DueAtMs);
    }

    [Fact]
    public void Open_cycle_admits_transactions_and_finishing_records_the_obligation_S3_Alg11()
    {
        var cycle = Hourly();
        Expect(cycle.TryStart(Tx(1), Open + 5), CycleResultCode.Ok, SettlementCycleState.Open);
        Assert.True(cycle.IsInFlight(Tx(1)));
        Assert.Equal(1, cycle.InFlightCount);
        Expect(cycle.Finish(Ob(1, BankA, BankB, Cny, 100)), CycleResultCode.Ok, SettlementCycleState.Open);
        Assert.False(cycle.IsInFlight(Tx(1)));
        Assert.Equal([Ob(1, BankA, BankB, Cny, 100)], cycle.Obligations);
        Assert.Equal(1, cycle.StartedCount);
    }

    [Fact]
    public void Due_time_tick_with_transactions_in_flight_moves_to_Closing_then_last_finish_to_Netting_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        cycle.TryStart(Tx(2), Open);
        Expect(cycle.Tick(Open + HourMs - 1), CycleResultCode.Ok, SettlementCycleState.Open);
        Expect(cycle.Tick(Open + HourMs), CycleResultCode.Ok, SettlementCycleState.Closing, changed: true);
        Assert.Equal(CycleCloseReason.DueTime, cycle.CloseReason);

        // Closing: in-flight transactions still finish (Alg. 11 step 3), new ones are refused (step 2).
        Expect(cycle.TryStart(Tx(3), Open + HourMs + 1), CycleResultCode.CycleClosed, SettlementCycleState.Closing);
        Expect(cycle.Finish(Ob(1, BankA, BankB, Cny, 10)), CycleResultCode.Ok, SettlementCycleState.Closing);
        Expect(cycle.Abandon(Tx(2)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
        Assert.Equal(1, cycle.AbandonedCount);
        Assert.Equal(0, cycle.InFlightCount);
    }

    [Fact]
    public void Due_time_tick_with_nothing_in_flight_goes_straight_to_Netting_S3_Alg11()
    {
        var cycle = Hourly();
        Expect(cycle.Tick(Open + (2 * HourMs)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
        Assert.Equal(CycleCloseReason.DueTime, cycle.CloseReason);
    }

    [Fact]
    public void Start_at_the_due_time_closes_the_cycle_and_is_refused_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        Expect(cycle.TryStart(Tx(2), Open + HourMs), CycleResultCode.CycleClosed, SettlementCycleState.Closing, changed: true);
        Assert.False(cycle.IsInFlight(Tx(2)));
        Assert.Equal(1, cycle.StartedCount);
    }

    [Fact]
    public void Count_policy_closes_when_it_admits_its_last_transaction_S3_Alg11()
    {
        var cycle = new SettlementCycle(Cycle1, SettlementCyclePolicy.ByTransactionCount(2), Open);
        Expect(cycle.TryStart(Tx(1), Open), CycleResultCode.Ok, SettlementCycleState.Open);
        Expect(cycle.TryStart(Tx(2), Open), CycleResultCode.Ok, SettlementCycleState.Closing, changed: true);
        Assert.Equal(CycleCloseReason.TransactionCount, cycle.CloseReason);
        Expect(cycle.TryStart(Tx(3), Open), CycleResultCode.CycleClosed, SettlementCycleState.Closing);
        Expect(cycle.Tick(long.MaxValue), CycleResultCode.Ok, SettlementCycleState.Closing);
        cycle.Finish(Ob(1, BankA, BankB, Cny, 1));
        Expect(cycle.Finish(Ob(2, BankB, BankA, Cny, 1)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
    }

    [Fact]
    public void Duration_policy_also_closes_at_its_transaction_cap_S3_Alg11()
    {
        var cycle = new SettlementCycle(Cycle1, SettlementCyclePolicy.Hourly with { MaxTransactionsPerCycle = 1 }, Open);
        Expect(cycle.TryStart(Tx(1), Open), CycleResultCode.Ok, SettlementCycleState.Closing, changed: true);
        Assert.Equal(CycleCloseReason.TransactionCount, cycle.CloseReason);
    }

    [Fact]
    public void Close_on_request_stops_admission_and_is_a_no_op_once_closed_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        Expect(cycle.Close(), CycleResultCode.Ok, SettlementCycleState.Closing, changed: true);
        Assert.Equal(CycleCloseReason.Requested, cycle.CloseReason);
        Expect(cycle.Close(), CycleResultCode.Ok, SettlementCycleState.Closing);
        Expect(cycle.TryStart(Tx(2), Open), CycleResultCode.CycleClosed, SettlementCycleState.Closing);
        Expect(cycle.Abandon(Tx(1)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);

        var empty = Hourly();
        Expect(empty.Close(), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
    }

    [Fact]
    public void Repeated_start_is_AlreadyStarted_even_with_an_older_time_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open + 100);
        Expect(cycle.TryStart(Tx(1), Open + 100), CycleResultCode.AlreadyStarted, SettlementCycleState.Open);
        Expect(cycle.TryStart(Tx(1), Open), CycleResultCode.AlreadyStarted, SettlementCycleState.Open);
        Assert.True(cycle.TryStart(Tx(1), Open).IsAccepted);
        Assert.Equal(1, cycle.StartedCount);
    }

    [Fact]
    public void Start_of_a_finished_or_abandoned_transaction_is_AlreadyFinished_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        cycle.TryStart(Tx(2), Open);
        cycle.Finish(Ob(1, BankA, BankB, Cny, 5));
        cycle.Abandon(Tx(2));
        Expect(cycle.TryStart(Tx(1), Open), CycleResultCode.AlreadyFinished, SettlementCycleState.Open);
        Expect(cycle.TryStart(Tx(2), Open), CycleResultCode.AlreadyFinished, SettlementCycleState.Open);
        Assert.Equal(2, cycle.StartedCount);
    }

    [Fact]
    public void Zero_transaction_id_is_refused_S3_Alg11()
    {
        var cycle = Hourly();
        Expect(cycle.TryStart(Hash256.Zero, Open), CycleResultCode.InvalidTransactionId, SettlementCycleState.Open);
        Assert.Equal(0, cycle.StartedCount);
    }

    [Fact]
    public void Committed_time_never_goes_backwards_S3_Alg11()
    {
        var cycle = Hourly();
        Expect(cycle.TryStart(Tx(1), Open - 1), CycleResultCode.ClockRegressed, SettlementCycleState.Open);
        Expect(cycle.Tick(Open + 50), CycleResultCode.Ok, SettlementCycleState.Open);
        Expect(cycle.Tick(Open + 49), CycleResultCode.ClockRegressed, SettlementCycleState.Open);
        Expect(cycle.TryStart(Tx(2), Open + 49), CycleResultCode.ClockRegressed, SettlementCycleState.Open);
        Assert.Equal(Open + 50, cycle.LastClockMs);
        Assert.Equal(0, cycle.StartedCount);
        Assert.False(cycle.Tick(Open).IsAccepted);
    }

    [Fact]
    public void In_flight_limit_refuses_more_until_one_finishes_S3_Alg11()
    {
        var cycle = new SettlementCycle(Cycle1, SettlementCyclePolicy.Hourly with { MaxInFlightTransactions = 2 }, Open);
        cycle.TryStart(Tx(1), Open);
        cycle.TryStart(Tx(2), Open);
        Expect(cycle.TryStart(Tx(3), Open), CycleResultCode.InFlightLimitReached, SettlementCycleState.Open);
        cycle.Abandon(Tx(1));
        Expect(cycle.TryStart(Tx(3), Open), CycleResultCode.Ok, SettlementCycleState.Open);
    }

    [Fact]
    public void Finish_or_abandon_of_a_transaction_never_started_is_UnknownTransaction_S3_Alg11()
    {
        var cycle = Hourly();
        Expect(cycle.Finish(Ob(9, BankA, BankB, Cny, 1)), CycleResultCode.UnknownTransaction, SettlementCycleState.Open);
        Expect(cycle.Abandon(Tx(9)), CycleResultCode.UnknownTransaction, SettlementCycleState.Open);
        Assert.Empty(cycle.Obligations);
    }

    [Fact]
    public void Repeated_finish_is_idempotent_and_a_different_outcome_conflicts_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        cycle.TryStart(Tx(2), Open);
        cycle.Finish(Ob(1, BankA, BankB, Cny, 5));
        cycle.Abandon(Tx(2));

        Expect(cycle.Finish(Ob(1, BankA, BankB, Cny, 5)), CycleResultCode.AlreadyFinished, SettlementCycleState.Open);
        Expect(cycle.Finish(Ob(1, BankA, BankB, Cny, 6)), CycleResultCode.ConflictingOutcome, SettlementCycleState.Open);
        Expect(cycle.Abandon(Tx(1)), CycleResultCode.ConflictingOutcome, SettlementCycleState.Open);
        Expect(cycle.Abandon(Tx(2)), CycleResultCode.AlreadyFinished, SettlementCycleState.Open);
        Expect(cycle.Finish(Ob(2, BankA, BankB, Cny, 5)), CycleResultCode.ConflictingOutcome, SettlementCycleState.Open);
        Assert.Equal([Ob(1, BankA, BankB, Cny, 5)], cycle.Obligations);
        Assert.Equal(1, cycle.AbandonedCount);
    }

    [Fact]
    public void Refused_obligation_leaves_the_transaction_in_flight_until_abandoned_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        cycle.Close();
        foreach (var (obligation, code) in new[]
        {
            (Ob(1, BankA, BankA, Cny, 5), ObligationCode.SameParticipant),
            (Ob(1, BankA, BankB, Cny, 0), ObligationCode.InvalidAmount),
            (Ob(1, BankA, BankB, Cny, -5), ObligationCode.InvalidAmount),
            (Ob(1, BankA, BankB, default, 5), ObligationCode.MissingField),
            (Ob(1, BankA, Icc, Cny, 5), ObligationCode.IntermediaryAsParticipant),
            (Ob(1, Icc, BankA, Cny, 5), ObligationCode.IntermediaryAsParticipant),
        })
        {
            var result = cycle.Finish(obligation);
            Expect(result, CycleResultCode.ObligationRefused, SettlementCycleState.Closing);
            Assert.Equal(code, result.Obligation);
            Assert.False(result.IsAccepted);
            Assert.True(cycle.IsInFlight(Tx(1)));
        }

        Expect(cycle.Abandon(Tx(1)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
        Assert.Empty(cycle.Obligations);
    }

    [Fact]
    public void Obligation_that_would_overflow_the_asset_gross_is_refused_and_the_cycle_still_settles_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        cycle.TryStart(Tx(2), Open);
        cycle.TryStart(Tx(3), Open);
        cycle.Close();
        Assert.Equal(CycleResultCode.Ok, cycle.Finish(Ob(1, BankA, BankB, Cny, long.MaxValue - 5)).Code);
        var refused = cycle.Finish(Ob(2, BankC, BankB, Cny, 6));
        Expect(refused, CycleResultCode.ObligationRefused, SettlementCycleState.Closing);
        Assert.Equal(ObligationCode.GrossValueOverflow, refused.Obligation);
        Assert.Equal(CycleResultCode.Ok, cycle.Finish(Ob(3, BankC, BankB, Usd, 6)).Code);
        Expect(cycle.Abandon(Tx(2)), CycleResultCode.Ok, SettlementCycleState.Netting, changed: true);
        Assert.Equal(NettingCode.Balanced, cycle.Net(new NettingEngine()).Code);
        Assert.Equal(SettlementCycleState.Settled, cycle.State);
    }

    [Fact]
    public void Net_runs_only_in_the_Netting_state_and_only_once_S3_Alg11()
    {
        var engine = new NettingEngine();
        var cycle = Hourly();
        cycle.TryStart(Tx(1), Open);
        Assert.Throws<InvalidOperationException>(() => cycle.Net(engine));
        cycle.Close();
        Assert.Equal(SettlementCycleState.Closing, cycle.State);
        Assert.Throws<InvalidOperationException>(() => cycle.Net(engine));
        cycle.Finish(Ob(1, BankA, BankB, Cny, 7));
        var outcome = cycle.Net(engine);
        Assert.Equal(NettingCode.Balanced, outcome.Code);
        Assert.Equal(SettlementCycleState.Settled, cycle.State);
        Assert.Same(outcome, cycle.Outcome);
        Assert.Throws<InvalidOperationException>(() => cycle.Net(engine));
    }

    [Fact]
    public void Settled_cycle_refuses_new_transactions_and_unknown_finishes_S3_Alg11()
    {
        var cycle = Hourly();
        cycle.Tick(Open + HourMs);
        cycle.Net(new NettingEngine());
        Expect(cycle.TryStart(Tx(1), Open + HourMs), CycleResultCode.CycleClosed, SettlementCycleState.Settled);
        Expect(cycle.Finish(Ob(1, BankA, BankB, Cny, 1)), CycleResultCode.UnknownTransaction, SettlementCycleState.Settled);
        Expect(cycle.Tick(Open + (5 * HourMs)), CycleResultCode.Ok, SettlementCycleState.Settled);
    }

    [Fact]
    public void Full_cycle_settles_with_a_report_bound_to_the_gross_records_and_the_net_result_S3_Alg11()
    {
        var cycle = Hourly();
        for (int i = 1; i <= 5; i++)
        {
            Assert.Equal(CycleResultCode.Ok, cycle.TryStart(Tx(i), Open + i).Code);
        }

        cycle.Finish(Ob(1, BankA, BankB, Cny, 100));
        cycle.Finish(Ob(2, BankB, BankC, Cny, 70));
        cycle.Abandon(Tx(3));
        cycle.Tick(Open + HourMs);
        cycle.Finish(Ob(4, BankC, BankA, Cny, 50));
        cycle.Finish(Ob(5, BankC, BankB, Cny, 30));
        Assert.Equal(SettlementCycleState.Netting, cycle.State);

        var outcome = cycle.Net(new NettingEngine());
        Assert.True(outcome.IsBalanced);
        var report = Assert.IsType<CycleReport>(cycle.Report);
        Assert.Equal(Cycle1, report.Cycle);
        Assert.Equal(outcome.Result.Digest, report.NetResultDigest);
        Assert.Equal(Book(cycle.Obligations).ComputeDigest(), report.GrossRecordsDigest);
        Assert.False(report.Renetted);
        Assert.Equal(3, report.ParticipantCount);
        var cny = Assert.Single(report.Assets);
        Assert.Equal((4, 250L, 60L, 190L), (cny.GrossCount, cny.GrossValue.MinorUnits, cny.NetValue.MinorUnits, cny.LiquiditySaved.MinorUnits));
        Assert.Equal(4, cycle.StartedCount - cycle.AbandonedCount);
    }

    [Fact]
    public void Next_keeps_due_time_cycles_aligned_and_skips_idle_periods_S3_Alg11()
    {
        var cycle = Hourly();
        Assert.Throws<InvalidOperationException>(() => cycle.Next());
        cycle.Tick(Open + HourMs + 10);
        var second = cycle.Next();
        Assert.Equal(new CycleId(Icc, 2), second.Id);
        Assert.Equal(Open + HourMs, second.OpensAtMs);
        Assert.Equal(SettlementCycleState.Open, second.State);
        Assert.Same(cycle.Policy, second.Policy);

        // Idle for several periods: the next cycle opens at the start of the period that holds the latest time.
        second.Tick(Open + (4 * HourMs) + 7);
        var third = second.Next();
        Assert.Equal(Open + (4 * HourMs), third.OpensAtMs);
        Assert.Equal(SettlementCycleState.Open, third.State);
    }

    [Fact]
    public void Next_after_a_count_or_requested_close_opens_at_the_latest_committed_time_S3_Alg11()
    {
        var byCount = new SettlementCycle(Cycle1, SettlementCyclePolicy.ByTransactionCount(1), Open);
        byCount.TryStart(Tx(1), Open + 42);
        Assert.Equal(Open + 42, byCount.Next().OpensAtMs);

        var requested = Hourly();
        requested.Tick(Open + 99);
        requested.Close();
        var next = requested.Next();
        Assert.Equal(Open + 99, next.OpensAtMs);
        Assert.Equal(Open + 99 + HourMs, next.DueAtMs);
    }
}
