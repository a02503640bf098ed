using ChainInterop.Settlement.CrossChainTransactions;
using Xunit.Abstractions;

namespace ChainInterop.Simulation.Settlement;

/// <summary>
/// The multi-chain settlement simulator (issue 6 §3/§4; S2 real time, S3 netting): atomicity, agreement and
/// conservation of cross-chain transfers under faults, real-time and netting-mode mixed, and their liveness after the
/// fault period. Seeds via <see cref="SeedSweep"/>.
/// </summary>
public class SettlementSimulationTests(ITestOutputHelper output)
{
    private static readonly EngineUnderTest Engine = SettlementSimulation.Engine;

    [Fact]
    public void Settlement_AtomicityAndConservation_HoldOverSeeds_S2_S3()
    {
        if (!SeedSweep.Selected(Engine))
        {
            return;
        }

        var results = Sweep(new SettlementScenario(), SeedSweep.Seeds(300));
        // The sweep must exercise what it claims: every outcome, and Byzantine validators.
        if (results.Count >= 100)
        {
            Assert.True(results.Sum(r => r.Committed) > 0);
            Assert.True(results.Sum(r => r.Cancelled) > 0);
            Assert.True(results.Sum(r => r.Failed) > 0);
            Assert.True(results.Sum(r => r.Byzantine.Count) > 0);
            Assert.True(results.Sum(r => r.Crashes) > 0);
            Assert.True(results.Sum(r => r.CheckpointRestores) > 0);
            Assert.True(results.Sum(r => r.NettingCommitted) > 0);
            Assert.True(results.Sum(r => r.NettingTransfers) > results.Sum(r => r.NettingCommitted));
            Assert.Contains(results, r => r.MaxObligationsPerCycle >= 2);
        }
    }

    [Fact]
    public void Settlement_with_two_intermediaries_holds_over_seeds()
    {
        if (!SeedSweep.Selected(Engine))
        {
            return;
        }

        var results = Sweep(new SettlementScenario { IntermediaryCount = 2 }, SeedSweep.Seeds(20));
        Assert.NotEmpty(results);
    }

    [Fact]
    public void A_new_primary_behind_a_certified_tip_does_not_fork_that_height_K2()
    {
        // Regression, 2-ICC seed 51: icc1/2 committed h11 in view 0; icc1/1 (restarted at h10) led view 1 with a
        // NEW-VIEW proving h11's commit certificate but proposed its own h11, and icc1/0 (also at h10) accepted it:
        // a fork among honest validators. Heights at or below the NEW-VIEW's certified tip now arrive only by state transfer.
        var result = new SettlementSimulation(51, new SettlementScenario { IntermediaryCount = 2 }).Run();
        output.WriteLine(result.ToString());
        Assert.Contains(result.Byzantine, b => b.StartsWith("ppc", StringComparison.Ordinal));
    }

    [Fact]
    public void Settlement_survives_a_harsh_network()
    {
        if (!SeedSweep.Selected(Engine))
        {
            return;
        }

        var results = Sweep(SettlementScenario.Harsh, SeedSweep.Seeds(10));
        Assert.NotEmpty(results);
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(1.0)]
    public void Same_seed_gives_the_same_trace(double nettingProbability)
    {
        var scenario = new SettlementScenario { NettingProbability = nettingProbability };
        var first = new SettlementSimulation(11, scenario).Run();
        var second = new SettlementSimulation(11, scenario).Run();
        Assert.True(first.NettingTransfers > 0);
        Assert.Equal(first.TraceHash, second.TraceHash);
        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(first.Byzantine, second.Byzantine);
        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.Equal(first.IntermediaryOutcomes, second.IntermediaryOutcomes);
        Assert.Equal(first.PayeeOutcomes, second.PayeeOutcomes);
        var other = new SettlementSimulation(12, scenario).Run();
        Assert.NotEqual(first.TraceHash, other.TraceHash);
    }

    [Fact]
    public void Without_faults_every_transfer_commits()
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var result = new SettlementSimulation(seed, SettlementScenario.Baseline).Run();
            output.WriteLine(result.ToString());
            Assert.All(result.Outcomes, o => Assert.Equal(CrossChainTransactionState.Committed, o));
            Assert.Equal(SettlementScenario.Baseline.TransfersPerRun, result.Committed);
        }
    }

    [Fact]
    public void Netting_transfers_commit_at_their_cycle_end_and_reports_match_S3()
    {
        // Every transfer in netting mode, no faults; two opposite transfers between PPC1 and PPC2 in one cycle net out.
        var scenario = SettlementScenario.Baseline with
        {
            NettingProbability = 1,
            ExtraTransfers =
            [
                new TransferPlan(Payer: 0, Payee: 1, Amount: 100, DeadlineMs: 6_000, StartAtMs: 2_500, Timing: SettlementTiming.Netting),
                new TransferPlan(Payer: 1, Payee: 0, Amount: 60, DeadlineMs: 6_000, StartAtMs: 2_500, Timing: SettlementTiming.Netting),
            ],
        };
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var result = new SettlementSimulation(seed, scenario).Run();
            output.WriteLine(result.ToString());
            // The simulator's own checks held: atomicity with ABC leg 1 voided and only the nets moved, balances,
            // conservation per PPC, no cycle under review, and each report's gross equal to its committed transfers.
            Assert.All(result.Outcomes, o => Assert.Equal(CrossChainTransactionState.Committed, o));
            Assert.Equal(scenario.TransfersPerRun + 2, result.NettingCommitted);
            Assert.True(result.CyclesSettled >= 2, $"only {result.CyclesSettled} cycles settled");
            Assert.True(result.MaxObligationsPerCycle >= 2);
        }
    }

    [Fact]
    public void Without_a_cycle_an_ICC_refuses_netting_and_nothing_moves_S3()
    {
        // An ICC without a cycle refuses netting requests (CycleRefused): PPC1 releases its leg, nothing moves.
        var scenario = SettlementScenario.Baseline with
        {
            CyclePolicy = null,
            ExtraTransfers = [new TransferPlan(Payer: 0, Payee: 2, Amount: 100, DeadlineMs: 6_000, StartAtMs: 100, Timing: SettlementTiming.Netting)],
        };
        var result = new SettlementSimulation(4, scenario).Run();
        output.WriteLine(result.ToString());
        Assert.NotEqual(CrossChainTransactionState.Committed, result.Outcomes[^1]);
        Assert.Equal(CrossChainTransactionState.Failed, result.IntermediaryOutcomes[^1]);
        Assert.Equal(0, result.NettingCommitted);
    }

    [Fact]
    public void A_timed_out_transfer_is_cancelled_on_every_chain_Alg12()
    {
        // Time1 one millisecond after the bank's request: no PPC2 accept can reach the ICC in time.
        var scenario = SettlementScenario.Baseline with
        {
            TransfersPerRun = 2,
            ExtraTransfers = [new TransferPlan(Payer: 0, Payee: 2, Amount: 100, DeadlineMs: 1, StartAtMs: 100, AckMode.ModeII)],
        };
        var result = new SettlementSimulation(5, scenario).Run();
        output.WriteLine(result.ToString());
        // The simulator's own final checks held (cancelled on PPC1, the ICC and PPC2, every leg voided, balances
        // unchanged); the plan's last transfer is the timed-out one.
        Assert.Equal(CrossChainTransactionState.Cancelled, result.Outcomes[^1]);
        Assert.Equal(CrossChainTransactionState.Cancelled, result.IntermediaryOutcomes[^1]);
        Assert.Equal(CrossChainTransactionState.Cancelled, result.PayeeOutcomes[^1]);
        Assert.All(result.Outcomes.Take(2), o => Assert.Equal(CrossChainTransactionState.Committed, o));
    }

    [Fact]
    public void The_checkers_catch_forging_validators_beyond_f()
    {
        // Three of four validators per chain attest the same forged messages (a flipped decision, a changed amount):
        // only forgeries reach f + 1 identical attestations, so the chains execute lies. The checkers must say so.
        var scenario = SettlementScenario.Baseline with
        {
            Faults = SettlementScenario.Baseline.Faults with { Byzantine = true },
            ByzantinePerChain = 3,
            ByzantineRoles = [() => new SettlementByzantineRole(null, new RelayBehaviours.AttestForged())],
        };
        var failures = new List<SimulationFailureException>();
        for (int seed = 0; seed < 10; seed++)
        {
            try
            {
                new SettlementSimulation(seed, scenario).Run();
            }
            catch (SimulationFailureException ex)
            {
                failures.Add(ex);
            }
        }

        output.WriteLine($"{failures.Count} of 10 seeds caught; first: {failures.FirstOrDefault()?.Message}");
        Assert.True(failures.Count >= 3, $"only {failures.Count} of 10 runs with 2 forgers per chain were caught");
        Assert.All(failures, f =>
        {
            Assert.Contains($"CHAININTEROP_SIM_SEED={f.Seed}", f.Message, StringComparison.Ordinal);
            Assert.Matches("atomicity|conservation|agreement|liveness", f.Detail);
        });
    }

    private IReadOnlyList<SettlementSimulationResult> Sweep(SettlementScenario scenario, IReadOnlyList<int> seeds) =>
        SeedSweep.Run(SettlementSimulation.Name, seeds,
            (seed, log) => new SettlementSimulation(seed, scenario) { Log = log }.Run(), r => r.Seed,
            rs => $"{rs.Sum(r => r.Committed)} committed, {rs.Sum(r => r.Cancelled)} cancelled, {rs.Sum(r => r.Failed)} failed; "
                + $"netting {rs.Sum(r => r.NettingCommitted)} of {rs.Sum(r => r.NettingTransfers)} committed in {rs.Sum(r => r.CyclesSettled)} cycles (at most {(rs.Count == 0 ? 0 : rs.Max(r => r.MaxObligationsPerCycle))} obligations); "
                + $"{rs.Sum(r => r.Events)} events, {rs.Sum(r => r.Crashes)} crashes ({rs.Sum(r => r.CheckpointRestores)} restored a checkpoint), {rs.Sum(r => r.Partitions)} partitions, {rs.Sum(r => r.Byzantine.Count)} Byzantine validators",
            output.WriteLine);
}
