using ChainInterop.Codec;
using ChainInterop.Settlement.Netting;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>
/// Properties of the netting engine over random cycles (SPEC S3, Alg. 11): a few participants and assets so that
/// pairs trade both ways and cancel, amounts from one minor unit to 10^15.
/// </summary>
public class NettingPropertyTests
{
    private const int Runs = 300;

    private static readonly ChainId[] Participants = [.. Enumerable.Range(0, 6).Select(i => new ChainId($"ppc-{(char)('a' + i)}"))];
    private static readonly AssetCode[] Assets = [Cny, Usd, Eur];

    private static readonly Gen<long> Amounts = Gen.Frequency(
        (8, Gen.Choose(1, 1000).Select(i => (long)i)),
        (2, Gen.Choose(1, 1_000_000).Select(i => (long)i * 1_000_000_000)));

    private static readonly Gen<(int Payer, int Offset, int Asset, long Amount)> Rows =
        from payer in Gen.Choose(0, Participants.Length - 1)
        from offset in Gen.Choose(1, Participants.Length - 1)
        from asset in Gen.Frequency((4, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)))
        from amount in Amounts
        select (payer, offset, asset, amount);

    /// <summary>0 to 80 obligations with distinct transaction ids, payer ≠ payee.</summary>
    private static readonly Gen<GrossObligation[]> Cycles =
        from count in Gen.Choose(0, 80)
        from rows in Gen.ArrayOf(Rows, count)
        select rows.Select((r, i) => new GrossObligation(
            Tx(i), Participants[r.Payer], Participants[(r.Payer + r.Offset) % Participants.Length], Assets[r.Asset], M(r.Amount))).ToArray();

    /// <summary>An obligation shrinks toward one minor unit; its parties, asset and id stay.</summary>
    private static IEnumerable<GrossObligation> ShrinkObligation(GrossObligation o) =>
        Shrink.Toward(o.Amount.MinorUnits, 1L).Select(amount => o with { Amount = M(amount) });

    /// <summary>Shrinks to fewer (ids stay distinct) and smaller obligations.</summary>
    private static readonly Arbitrary<GrossObligation[]> CycleArb = Arb.From(Cycles, obligations => Shrink.Array(obligations, ShrinkObligation));

    /// <summary>A cycle with a sort key per obligation (a recording order); shrinks keep one key per obligation.</summary>
    private static readonly Arbitrary<(GrossObligation Obligation, int Key)[]> KeyedCycles = Arb.From<(GrossObligation Obligation, int Key)[]>(
        from obligations in Cycles
        from keys in Gen.ArrayOf(Gen.Choose(0, 1000), obligations.Length)
        select obligations.Zip(keys, (o, k) => (o, k)).ToArray(),
        pairs => Shrink.Array(pairs, p => ShrinkObligation(p.Obligation).Select(o => (o, p.Key))));

    private static NetResult Net(GrossObligation[] obligations)
    {
        var outcome = new NettingEngine().Net(Cycle1, Book(obligations));
        Assert.Equal(NettingCode.Balanced, outcome.Code);
        return outcome.Result!;
    }

    [Property(MaxTest = Runs)]
    public Property Nets_sum_to_zero_per_asset_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var result = Net(obligations);
        Assert.Empty(result.FindMismatches());
        foreach (var asset in result.Assets)
        {
            Int128 sum = 0;
            foreach (var p in asset.Positions)
            {
                sum += p.Net.MinorUnits;
            }

            Assert.Equal(0, sum);
            Assert.Equal(asset.GrossValue, Amount.Sum(asset.Positions.Select(p => p.Paid)));
            Assert.Equal(asset.GrossValue, Amount.Sum(asset.Positions.Select(p => p.Received)));
        }
    });

    [Property(MaxTest = Runs)]
    public Property Each_participant_net_is_received_minus_paid_over_the_cycle_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var result = Net(obligations);
        var model = ModelNets(obligations);
        foreach (var participant in Participants)
        {
            foreach (var asset in Assets)
            {
                Assert.Equal(model.GetValueOrDefault((participant, asset)), (Int128)result.NetOf(participant, asset).MinorUnits);
            }
        }

        // Exactly the participants that traded an asset have a position in it.
        foreach (var asset in result.Assets)
        {
            var traded = obligations.Where(o => o.Asset == asset.Asset).SelectMany(o => new[] { o.Payer, o.Payee }).Distinct().Order();
            Assert.Equal(traded, asset.Positions.Select(p => p.Participant));
            Assert.Equal(obligations.Count(o => o.Asset == asset.Asset), asset.GrossCount);
        }
    });

    [Property(MaxTest = Runs)]
    public Property Bilateral_nets_are_antisymmetric_match_the_pairs_and_sum_to_the_multilateral_net_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var result = Net(obligations);
        foreach (var asset in Assets)
        {
            foreach (var participant in Participants)
            {
                Int128 total = 0;
                foreach (var counterparty in Participants.Where(c => c != participant))
                {
                    var net = result.BilateralNetOf(participant, counterparty, asset);
                    Assert.Equal(-net, result.BilateralNetOf(counterparty, participant, asset));
                    Assert.Equal(ModelBilateral(obligations, participant, counterparty, asset), (Int128)net.MinorUnits);
                    total += net.MinorUnits;
                }

                Assert.Equal(result.NetOf(participant, asset).MinorUnits, total);
            }
        }
    });

    [Property(MaxTest = Runs)]
    public Property Instructions_through_the_central_counterparty_reproduce_the_nets_and_leave_it_flat_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var result = Net(obligations);
        var set = result.CentralCounterpartyInstructions();
        var balances = Apply(set);
        foreach (var asset in Assets)
        {
            Assert.Equal(0, balances.GetValueOrDefault((Icc, asset)));
            foreach (var participant in Participants)
            {
                Assert.Equal((Int128)result.NetOf(participant, asset).MinorUnits, balances.GetValueOrDefault((participant, asset)));
            }
        }

        // Every instruction has the central counterparty on one side, and each participant settles once per asset.
        Assert.All(set.Instructions, i => Assert.True(i.Payer == Icc ^ i.Payee == Icc));
        Assert.Equal(result.Assets.Sum(a => a.NetCount), set.Instructions.Count(i => i.Payer != Icc) + set.Instructions.Count(i => i.Payee != Icc));
    });

    [Property(MaxTest = Runs)]
    public Property Bilateral_instructions_reproduce_the_nets_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var result = Net(obligations);
        var balances = Apply(result.BilateralInstructions());
        foreach (var asset in Assets)
        {
            foreach (var participant in Participants)
            {
                Assert.Equal((Int128)result.NetOf(participant, asset).MinorUnits, balances.GetValueOrDefault((participant, asset)));
            }
        }
    });

    [Property(MaxTest = Runs)]
    public Property Report_liquidity_saved_is_gross_minus_positive_nets_and_never_negative_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var outcome = new NettingEngine().Net(Cycle1, Book(obligations));
        var report = CycleReport.Create(outcome, Book(obligations).ComputeDigest());
        Assert.Equal(outcome.Result!.Assets.Select(a => a.Asset), report.Assets.Select(a => a.Asset));
        foreach (var line in report.Assets)
        {
            var gross = obligations.Where(o => o.Asset == line.Asset).ToArray();
            Assert.Equal(gross.Length, line.GrossCount);
            Assert.Equal(Amount.Sum(gross.Select(o => o.Amount)), line.GrossValue);
            var positives = ModelNets(gross).Values.Where(v => v > 0).ToArray();
            Assert.Equal(positives.Length, line.NetCount - ModelNets(gross).Values.Count(v => v < 0));
            Assert.Equal(positives.Aggregate(Int128.Zero, (a, b) => a + b), (Int128)line.NetValue.MinorUnits);
            Assert.Equal(line.GrossValue - line.NetValue, line.LiquiditySaved);
            Assert.InRange(line.LiquiditySavedPpm, 0, AssetCycleReport.PartsPerMillion);
            Assert.True(line.BilateralValue >= line.NetValue, "multilateral netting never needs more than bilateral");
        }
    });

    [Property(MaxTest = Runs)]
    public Property Net_result_does_not_depend_on_recording_order_S3_Alg11() => Prop.ForAll(KeyedCycles, pairs =>
    {
        var obligations = pairs.Select(p => p.Obligation).ToArray();
        var shuffled = pairs.OrderBy(p => p.Key).Select(p => p.Obligation).ToArray();
        Assert.Equal(Net(obligations).Digest, Net(shuffled).Digest);
    });

    [Property(MaxTest = Runs)]
    public Property Net_result_instructions_and_report_round_trip_through_the_canonical_codec_S3_Alg11() => Prop.ForAll(CycleArb, obligations =>
    {
        var outcome = new NettingEngine().Net(Cycle1, Book(obligations));
        var result = outcome.Result!;
        RoundTrip(result);
        RoundTrip(result.CentralCounterpartyInstructions());
        RoundTrip(result.BilateralInstructions());
        RoundTrip(CycleReport.Create(outcome, Book(obligations).ComputeDigest()));
        foreach (var o in obligations.Take(3))
        {
            RoundTrip(o);
        }
    });

    private static void RoundTrip<T>(T value)
        where T : ICanonicalEncodable<T>
    {
        var bytes = Canonical.Encode(value);
        Assert.Equal(bytes, Canonical.Encode(Canonical.Decode<T>(bytes)));
    }
}
