using ChainInterop.Codec;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>The netting engine on worked examples, its zero-sum check, and the re-net and manual-review paths (SPEC S3, Alg. 11 steps 4–14).</summary>
public class NettingEngineTests
{
    // A→B 100, B→C 70, C→A 50, C→B 30 CNY and A→C 20 USD. CNY nets: A −50, B +60, C −10.
    private static readonly GrossObligation[] Example =
    [
        Ob(1, BankA, BankB, Cny, 100),
        Ob(2, BankB, BankC, Cny, 70),
        Ob(3, BankC, BankA, Cny, 50),
        Ob(4, BankC, BankB, Cny, 30),
        Ob(5, BankA, BankC, Usd, 20),
    ];

    private static NettingOutcome NetExample(NettingEngine? engine = null) => (engine ?? new NettingEngine()).Net(Cycle1, Book(Example));

    [Fact]
    public void Worked_example_gives_multilateral_positions_per_participant_and_asset_S3_Alg11()
    {
        var outcome = NetExample();
        Assert.Equal(NettingCode.Balanced, outcome.Code);
        var result = outcome.Result!;
        Assert.Equal([Cny, Usd], result.Assets.Select(a => a.Asset));
        var cny = result.Find(Cny)!;
        Assert.Equal(
            [new NetPosition(BankA, M(100), M(50)), new NetPosition(BankB, M(70), M(130)), new NetPosition(BankC, M(80), M(70))],
            cny.Positions);
        Assert.Equal([M(-50), M(60), M(-10)], cny.Positions.Select(p => p.Net));
        Assert.Equal((4, M(250), 3, M(60)), (cny.GrossCount, cny.GrossValue, cny.NetCount, cny.NetValue));
        Assert.Equal(M(20), result.NetOf(BankC, Usd));
        Assert.Equal(M(-20), result.NetOf(BankA, Usd));
        Assert.Equal(M(0), result.NetOf(BankB, Usd));
        Assert.Equal(M(0), result.NetOf(BankA, Eur));
        Assert.Null(result.Find(Eur));
        Assert.Empty(outcome.FirstAttemptMismatches);
        Assert.Null(outcome.Review);
    }

    [Fact]
    public void Worked_example_gives_antisymmetric_bilateral_nets_per_pair_S3_Alg11()
    {
        var result = NetExample().Result!;
        var cny = result.Find(Cny)!;
        Assert.Equal(
            [new BilateralNet(BankA, BankB, M(100)), new BilateralNet(BankC, BankA, M(50)), new BilateralNet(BankB, BankC, M(40))],
            cny.BilateralNets);
        Assert.Equal((3, M(190)), (cny.BilateralCount, cny.BilateralValue));
        Assert.Equal(M(-40), result.BilateralNetOf(BankB, BankC, Cny));
        Assert.Equal(M(40), result.BilateralNetOf(BankC, BankB, Cny));
        Assert.Equal(M(50), result.BilateralNetOf(BankA, BankC, Cny));
        Assert.Equal(M(0), result.BilateralNetOf(BankB, BankC, Usd));
        Assert.Equal(M(0), result.BilateralNetOf(BankA, BankD, Cny));
    }

    [Fact]
    public void Central_counterparty_instructions_collect_from_debtors_then_pay_creditors_S3_Alg11()
    {
        var result = NetExample().Result!;
        var set = result.CentralCounterpartyInstructions();
        Assert.Equal(SettlementMode.CentralCounterparty, set.Mode);
        Assert.Equal(result.Digest, set.NetResultDigest);
        Assert.Equal(Cycle1, set.Cycle);
        Assert.Equal(
            [
                new SettlementInstruction(BankA, Icc, Cny, M(50)),
                new SettlementInstruction(BankC, Icc, Cny, M(10)),
                new SettlementInstruction(Icc, BankB, Cny, M(60)),
                new SettlementInstruction(BankA, Icc, Usd, M(20)),
                new SettlementInstruction(Icc, BankC, Usd, M(20)),
            ],
            set.Instructions);
    }

    [Fact]
    public void Bilateral_instructions_pay_each_pair_net_directly_S3_Alg11()
    {
        var set = NetExample().Result!.BilateralInstructions();
        Assert.Equal(SettlementMode.Bilateral, set.Mode);
        Assert.Equal(
            [
                new SettlementInstruction(BankA, BankB, Cny, M(100)),
                new SettlementInstruction(BankC, BankA, Cny, M(50)),
                new SettlementInstruction(BankB, BankC, Cny, M(40)),
                new SettlementInstruction(BankA, BankC, Usd, M(20)),
            ],
            set.Instructions);
    }

    [Fact]
    public void Report_gives_gross_and_net_count_and_value_and_liquidity_saved_S3_Alg11()
    {
        var outcome = NetExample();
        var book = Book(Example);
        var report = CycleReport.Create(outcome, book.ComputeDigest());
        Assert.Equal(3, report.ParticipantCount);
        var cny = report.Assets[0];
        Assert.Equal(Cny, cny.Asset);
        Assert.Equal((4, 250L), (cny.GrossCount, cny.GrossValue.MinorUnits));
        Assert.Equal((3, 60L), (cny.NetCount, cny.NetValue.MinorUnits));
        Assert.Equal((3, 190L), (cny.BilateralCount, cny.BilateralValue.MinorUnits));
        Assert.Equal(190, cny.LiquiditySaved.MinorUnits);
        Assert.Equal(760_000, cny.LiquiditySavedPpm);
        Assert.Equal(0.76, cny.LiquiditySavedRatio, 6);
        var usd = report.Assets[1];
        Assert.Equal((1, 20L, 2, 20L, 0L, 0L), (usd.GrossCount, usd.GrossValue.MinorUnits, usd.NetCount, usd.NetValue.MinorUnits, usd.LiquiditySaved.MinorUnits, usd.LiquiditySavedPpm));
    }

    [Fact]
    public void Empty_cycle_nets_to_an_empty_balanced_result_S3_Alg11()
    {
        var outcome = new NettingEngine().Net(Cycle1, new GrossObligationBook());
        Assert.Equal(NettingCode.Balanced, outcome.Code);
        Assert.Empty(outcome.Result!.Assets);
        Assert.Empty(outcome.Result.CentralCounterpartyInstructions().Instructions);
        var report = CycleReport.Create(outcome, new GrossObligationBook().ComputeDigest());
        Assert.Empty(report.Assets);
        Assert.Equal(0, report.ParticipantCount);
    }

    [Fact]
    public void Obligations_that_cancel_exactly_leave_zero_nets_and_no_instructions_S3_Alg11()
    {
        var result = new NettingEngine().Net(Cycle1, Book([Ob(1, BankA, BankB, Cny, 40), Ob(2, BankB, BankA, Cny, 40)])).Result!;
        var cny = Assert.Single(result.Assets);
        Assert.Equal(2, cny.Positions.Count);
        Assert.All(cny.Positions, p => Assert.True(p.Net.IsZero));
        Assert.Empty(cny.BilateralNets);
        Assert.Equal((0, M(0)), (cny.NetCount, cny.NetValue));
        Assert.Empty(result.CentralCounterpartyInstructions().Instructions);
        Assert.Equal(AssetCycleReport.PartsPerMillion, AssetCycleReport.From(cny).LiquiditySavedPpm);
    }

    [Fact]
    public void Net_result_is_independent_of_the_order_the_obligations_were_recorded_S3_Alg11()
    {
        var forward = new NettingEngine().Net(Cycle1, Book(Example)).Result!;
        var backward = new NettingEngine().Net(Cycle1, Book(Example.Reverse())).Result!;
        Assert.Equal(Canonical.Encode(forward), Canonical.Encode(backward));
        Assert.Equal(forward.Digest, backward.Digest);
    }

    [Fact]
    public void Many_participants_use_the_sparse_bilateral_table_and_agree_with_the_model_S3_Alg11()
    {
        // 1,500 participants x 2 assets: 4.5 million ordered-pair cells, above the dense limit of 2^20.
        const int n = 1500;
        var banks = Enumerable.Range(0, n).Select(i => new ChainId($"bank-{i:D4}")).ToArray();
        var obligations = Enumerable.Range(0, 3 * n)
            .Select(i => Ob(i, banks[i % n], banks[((i * 7) + 1 + (i / n)) % n], i % 2 == 0 ? Cny : Usd, 1 + (i % 97)))
            .Where(o => o.Payer != o.Payee)
            .ToArray();
        bool sparse = false;
        var result = new NettingEngine { AfterCompute = (_, c) => sparse = c.SparsePairGross is not null && c.PairGross is null }
            .Net(Cycle1, Book(obligations)).Result!;
        Assert.True(sparse);
        Assert.Empty(result.FindMismatches());
        var model = ModelNets(obligations);
        foreach (var ((participant, asset), net) in model)
        {
            Assert.Equal(net, (Int128)result.NetOf(participant, asset).MinorUnits);
        }

        foreach (var o in obligations.Take(200))
        {
            Assert.Equal(ModelBilateral(obligations, o.Payer, o.Payee, o.Asset), (Int128)result.BilateralNetOf(o.Payer, o.Payee, o.Asset).MinorUnits);
        }

        // Pairs come out in canonical order, as the decoder demands.
        Assert.Equal(Canonical.Encode(result), Canonical.Encode(Canonical.Decode<NetResult>(Canonical.Encode(result))));
    }

    [Fact]
    public void Intermediary_named_as_participant_is_refused_S3_Alg11()
    {
        var book = Book([Ob(1, BankA, Icc, Cny, 5)]);
        Assert.Throws<ArgumentException>(() => new NettingEngine().Net(Cycle1, book));
        Assert.Throws<ArgumentException>(() => new NettingEngine().Net(default, Book(Example)));
    }

    [Fact]
    public void Corrupted_first_computation_is_renetted_from_the_gross_records_and_the_clean_result_used_S3_Alg11()
    {
        int calls = 0;
        var engine = new NettingEngine
        {
            AfterCompute = (attempt, c) =>
            {
                calls++;
                if (attempt == 1)
                {
                    c.Received[0] += 3; // participant 0 (ppc-a), asset 0 (CNY): a flipped value
                }
            },
        };
        var outcome = NetExample(engine);
        Assert.Equal(2, calls);
        Assert.Equal(NettingCode.BalancedAfterRenet, outcome.Code);
        Assert.True(outcome.IsBalanced);
        Assert.Equal(NetExample().Result!.Digest, outcome.Result!.Digest);
        Assert.Contains(new AssetMismatch(Cny, NetMismatchKind.NonZeroSum, 3), outcome.FirstAttemptMismatches);
        Assert.Contains(new AssetMismatch(Cny, NetMismatchKind.GrossDisagrees, 3), outcome.FirstAttemptMismatches);
        Assert.Equal(M(-47), outcome.FirstAttempt!.NetOf(BankA, Cny));
        Assert.True(CycleReport.Create(outcome, Book(Example).ComputeDigest()).Renetted);
    }

    [Fact]
    public void Corruption_in_both_computations_flags_manual_review_with_the_evidence_unadjusted_S3_Alg11()
    {
        var engine = new NettingEngine { AfterCompute = (attempt, c) => c.Paid[(1 * c.AssetCount) + 0] -= attempt }; // ppc-b, CNY
        var book = Book(Example);
        var outcome = engine.Net(Cycle1, book);
        Assert.Equal(NettingCode.ManualReview, outcome.Code);
        Assert.False(outcome.IsBalanced);
        Assert.Null(outcome.Result);
        var evidence = outcome.Review!;
        Assert.Equal(Cycle1, evidence.Cycle);
        Assert.Equal(Example, evidence.GrossRecords);
        Assert.Equal(book.ComputeDigest(), evidence.GrossRecordsDigest);
        Assert.Equal([Cny], evidence.MismatchingAssets);
        Assert.Equal(M(69), evidence.FirstComputation.Find(Cny)!.Positions[1].Paid);
        Assert.Equal(M(68), evidence.SecondComputation.Find(Cny)!.Positions[1].Paid);
        Assert.Contains(new AssetMismatch(Cny, NetMismatchKind.NonZeroSum, 1), evidence.FirstMismatches);
        Assert.Contains(new AssetMismatch(Cny, NetMismatchKind.NonZeroSum, 2), evidence.SecondMismatches);
        Assert.Equal(evidence.FirstMismatches, outcome.FirstAttemptMismatches);

        // USD was computed correctly in both and is not blamed.
        Assert.DoesNotContain(evidence.FirstMismatches.Concat(evidence.SecondMismatches), m => m.Asset == Usd);

        // Never silently settled: an unbalanced computation yields no instructions.
        Assert.Throws<InvalidOperationException>(() => evidence.FirstComputation.CentralCounterpartyInstructions());
        Assert.Throws<InvalidOperationException>(() => evidence.SecondComputation.BilateralInstructions());
    }

    [Fact]
    public void Corrupted_bilateral_pair_or_gross_alone_is_caught_by_its_own_check_S3_Alg11()
    {
        // As if one pair total flipped in the pass (C paid A 50 -> 51) and everything derived from it followed: nets
        // still sum to zero and bilateral nets still agree, but the gross no longer matches what the book recorded.
        var flipped = new NettingEngine
        {
            AfterCompute = (_, c) =>
            {
                c.Paid[(2 * c.AssetCount) + 0] += 1;
                c.Received[0] += 1;
                c.Gross[0] += 1;
                c.DenseBilateral![c.DenseCell(0, 2, 0)] += 1;
            },
        }.Net(Cycle1, Book(Example));
        Assert.Equal(NettingCode.ManualReview, flipped.Code);
        Assert.Equal([new AssetMismatch(Cny, NetMismatchKind.GrossDisagrees, 1)], flipped.Review!.FirstMismatches);
        Assert.Equal(M(251), flipped.Review.FirstComputation.Find(Cny)!.GrossValue);

        var bilateral = new NettingEngine { AfterCompute = (_, c) => c.DenseBilateral![c.DenseCell(0, 1, 0)] += 5 }.Net(Cycle1, Book(Example));
        Assert.Equal(NettingCode.ManualReview, bilateral.Code);
        Assert.Equal([new AssetMismatch(Cny, NetMismatchKind.BilateralDisagrees, 10)], bilateral.Review!.FirstMismatches);

        var gross = new NettingEngine { AfterCompute = (_, c) => c.Gross[1] += 1 }.Net(Cycle1, Book(Example));
        Assert.Equal([new AssetMismatch(Usd, NetMismatchKind.GrossDisagrees, 1)], gross.Review!.FirstMismatches);
    }

    [Fact]
    public void Manual_review_puts_the_cycle_under_review_with_the_outcome_kept_S3_Alg11()
    {
        var cycle = new SettlementCycle(Cycle1, SettlementCyclePolicy.ByTransactionCount(2), 0);
        cycle.TryStart(Tx(1), 0);
        cycle.TryStart(Tx(2), 0);
        cycle.Finish(Ob(1, BankA, BankB, Cny, 10));
        cycle.Finish(Ob(2, BankB, BankC, Cny, 4));
        var outcome = cycle.Net(new NettingEngine { AfterCompute = (_, c) => c.Received[0] += 1 });
        Assert.Equal(NettingCode.ManualReview, outcome.Code);
        Assert.Equal(SettlementCycleState.UnderReview, cycle.State);
        Assert.Same(outcome, cycle.Outcome);
        Assert.Null(cycle.Report);
        Assert.Equal(cycle.Obligations, outcome.Review!.GrossRecords);
        Assert.Throws<ArgumentException>(() => CycleReport.Create(outcome, outcome.Review.GrossRecordsDigest));
    }
}
