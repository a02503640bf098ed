using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.Netting.NettingTestSupport;

namespace ChainInterop.Settlement.Tests.Netting;

/// <summary>Canonical forms of what a cycle commits to the participant chains (SPEC S3 step 12, C2): round trips, digests, and rejection of non-canonical content.</summary>
public class NettingCodecTests
{
    private static readonly GrossObligation[] Example =
    [
        Ob(1, BankA, BankB, Cny, 100),
        Ob(2, BankB, BankC, Cny, 70),
        Ob(3, BankC, BankA, Cny, 50),
        Ob(4, BankA, BankC, Usd, 20),
    ];

    private static NettingOutcome Outcome() => new NettingEngine().Net(Cycle1, Book(Example));

    private static byte[] Write(Action<CanonicalWriterBox> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new CanonicalWriterBox(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Lets a lambda write through a fresh <see cref="CanonicalWriter"/> (a ref struct cannot be captured).</summary>
    private sealed class CanonicalWriterBox(IBufferWriter<byte> output)
    {
        public void Do(WriteAction action)
        {
            var writer = new CanonicalWriter(output);
            action(ref writer);
        }
    }

    private delegate void WriteAction(ref CanonicalWriter writer);

    private static void AssetNettingBytes(ref CanonicalWriter w, NetPosition[] positions, BilateralNet[] bilateral, string asset = "CNY")
    {
        w.WriteArrayHeader(5);
        w.WriteString(asset);
        w.WriteInt32(1);
        w.WriteInt64(10);
        w.WriteArrayHeader(positions.Length);
        foreach (var p in positions)
        {
            p.Encode(ref w);
        }

        w.WriteArrayHeader(bilateral.Length);
        foreach (var b in bilateral)
        {
            b.Encode(ref w);
        }
    }

    [Fact]
    public void Digests_are_SHA256_of_the_canonical_bytes_S3_Alg11()
    {
        var outcome = Outcome();
        var result = outcome.Result!;
        var ccp = result.CentralCounterpartyInstructions();
        var report = CycleReport.Create(outcome, Book(Example).ComputeDigest());
        Assert.Equal(Hash256.Compute(Canonical.Encode(result)), result.Digest);
        Assert.Equal(Hash256.Compute(Canonical.Encode(ccp)), ccp.Digest);
        Assert.Equal(Hash256.Compute(Canonical.Encode(report)), report.Digest);
        Assert.NotEqual(ccp.Digest, result.BilateralInstructions().Digest);
    }

    [Fact]
    public void Decoded_values_equal_the_originals_S3_Alg11()
    {
        var outcome = Outcome();
        var result = outcome.Result!;
        var decoded = Canonical.Decode<NetResult>(Canonical.Encode(result));
        Assert.Equal(result.Cycle, decoded.Cycle);
        Assert.Equal(result.Digest, decoded.Digest);
        Assert.Equal(result.Find(Cny)!.Positions, decoded.Find(Cny)!.Positions);
        Assert.Equal(result.Find(Cny)!.BilateralNets, decoded.Find(Cny)!.BilateralNets);

        var set = Canonical.Decode<SettlementInstructionSet>(Canonical.Encode(result.BilateralInstructions()));
        Assert.Equal(result.BilateralInstructions().Instructions, set.Instructions);
        Assert.Equal((SettlementMode.Bilateral, result.Digest), (set.Mode, set.NetResultDigest));

        var report = CycleReport.Create(outcome, Hash256.Compute("records"u8));
        var back = Canonical.Decode<CycleReport>(Canonical.Encode(report));
        Assert.Equal((report.Cycle, report.GrossRecordsDigest, report.NetResultDigest, report.Renetted, report.ParticipantCount),
            (back.Cycle, back.GrossRecordsDigest, back.NetResultDigest, back.Renetted, back.ParticipantCount));
        Assert.Equal(report.Assets.Select(a => (a.Asset, a.GrossValue, a.NetValue, a.LiquiditySavedPpm)), back.Assets.Select(a => (a.Asset, a.GrossValue, a.NetValue, a.LiquiditySavedPpm)));

        var cycle = new CycleId(Icc, ulong.MaxValue);
        Assert.Equal(cycle, Canonical.Decode<CycleId>(Canonical.Encode(cycle)));
        Assert.Equal(Example[0], Canonical.Decode<GrossObligation>(Canonical.Encode(Example[0])));
    }

    [Fact]
    public void Positions_out_of_order_or_repeated_are_rejected_S3_Alg11()
    {
        foreach (var positions in new[]
        {
            new[] { new NetPosition(BankB, M(10), M(0)), new NetPosition(BankA, M(0), M(10)) },
            [new NetPosition(BankA, M(10), M(0)), new NetPosition(BankA, M(0), M(10))],
        })
        {
            var bytes = Write(b => b.Do((ref CanonicalWriter w) => AssetNettingBytes(ref w, positions, [])));
            var e = Assert.Throws<CodecException>(() => Canonical.Decode<AssetNetting>(bytes));
            Assert.Equal(CodecError.ValueOutOfRange, e.Error);
        }
    }

    [Fact]
    public void Bilateral_nets_out_of_order_self_paying_or_not_positive_are_rejected_S3_Alg11()
    {
        var positions = new[] { new NetPosition(BankA, M(10), M(0)), new NetPosition(BankB, M(0), M(10)), new NetPosition(BankC, M(0), M(0)) };
        foreach (var bilateral in new[]
        {
            new[] { new BilateralNet(BankB, BankC, M(1)), new BilateralNet(BankA, BankB, M(1)) },
            [new BilateralNet(BankA, BankB, M(1)), new BilateralNet(BankB, BankA, M(1))],
            [new BilateralNet(BankA, BankA, M(1))],
            [new BilateralNet(BankA, BankB, M(0))],
            [new BilateralNet(BankA, BankB, M(-10))],
        })
        {
            var bytes = Write(b => b.Do((ref CanonicalWriter w) => AssetNettingBytes(ref w, positions, bilateral)));
            Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<AssetNetting>(bytes)).Error);
        }

        var valid = Write(b => b.Do((ref CanonicalWriter w) => AssetNettingBytes(ref w, positions, [new BilateralNet(BankA, BankB, M(10))])));
        Assert.Equal(valid, Canonical.Encode(Canonical.Decode<AssetNetting>(valid)));
    }

    [Fact]
    public void Net_result_with_assets_out_of_order_is_rejected_S3_Alg11()
    {
        var bytes = Write(b => b.Do((ref CanonicalWriter w) =>
        {
            w.WriteArrayHeader(2);
            Cycle1.Encode(ref w);
            w.WriteArrayHeader(2);
            AssetNettingBytes(ref w, [], [], "USD");
            AssetNettingBytes(ref w, [], [], "CNY");
        }));
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<NetResult>(bytes)).Error);
        Assert.Throws<ArgumentException>(() => new NetResult(Cycle1, [Outcome().Result!.Assets[1], Outcome().Result!.Assets[0]]));
    }

    [Fact]
    public void Report_line_whose_liquidity_saved_disagrees_with_its_inputs_is_rejected_S3_Alg11()
    {
        var line = new AssetCycleReport(Cny, 4, M(250), 3, M(60), 3, M(190));
        var bytes = Canonical.Encode(line);
        Assert.Equal(line.LiquiditySavedPpm, Canonical.Decode<AssetCycleReport>(bytes).LiquiditySavedPpm);
        var forged = Write(b => b.Do((ref CanonicalWriter w) =>
        {
            w.WriteArrayHeader(9);
            w.WriteString("CNY");
            w.WriteInt32(4);
            w.WriteInt64(250);
            w.WriteInt32(3);
            w.WriteInt64(60);
            w.WriteInt32(3);
            w.WriteInt64(190);
            w.WriteInt64(200); // should be 190
            w.WriteInt64(760_000);
        }));
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<AssetCycleReport>(forged)).Error);
        Assert.Throws<ArgumentException>(() => new AssetCycleReport(Cny, 1, M(10), 1, M(11), 0, M(0)));
    }

    [Fact]
    public void Instruction_set_with_an_undefined_mode_or_a_malformed_instruction_is_rejected_S3_Alg11()
    {
        foreach (var (mode, instruction) in new[]
        {
            (7u, new SettlementInstruction(BankA, Icc, Cny, M(5))),
            (1u, new SettlementInstruction(BankA, BankA, Cny, M(5))),
            (1u, new SettlementInstruction(BankA, Icc, Cny, M(0))),
        })
        {
            var bytes = Write(b => b.Do((ref CanonicalWriter w) =>
            {
                w.WriteArrayHeader(4);
                Cycle1.Encode(ref w);
                w.WriteUInt32(mode);
                w.WriteHash256(Hash256.Compute("result"u8));
                w.WriteArrayHeader(1);
                instruction.Encode(ref w);
            }));
            Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<SettlementInstructionSet>(bytes)).Error);
        }
    }

    [Fact]
    public void Trailing_and_truncated_bytes_are_rejected_S3_Alg11()
    {
        var bytes = Canonical.Encode(Outcome().Result!);
        Assert.Equal(CodecError.TrailingBytes, Assert.Throws<CodecException>(() => Canonical.Decode<NetResult>(bytes.Append((byte)0).ToArray())).Error);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Throws<CodecException>(() => Canonical.Decode<NetResult>(bytes.AsMemory(0, cut)));
        }
    }
}
