using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Tests.Codec.CodecTestSupport;

namespace ChainInterop.Tests.Codec;

/// <summary>FsCheck properties of the canonical codec (C2), 500+ cases each.</summary>
public class PropertyTests
{
    private static int ShortestUnsignedSize(ulong v) => v <= 0x7f ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;

    [Property(MaxTest = PropertyRuns)]
    public Property Any_ulong_round_trips_in_its_shortest_form_C2() =>
        Prop.ForAll(Arbitraries.UInt64s, v =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteUInt64(v));
            Assert.Equal(ShortestUnsignedSize(v), bytes.Length);
            Assert.Equal(v, ReadAll(bytes, (ref CanonicalReader r) => r.ReadUInt64()));
            Canonical.Validate(new(bytes));
        });

    [Property(MaxTest = PropertyRuns)]
    public Property Any_long_round_trips_and_validates_C2() =>
        Prop.ForAll(Arbitraries.Int64s, v =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteInt64(v));
            Assert.Equal(v, ReadAll(bytes, (ref CanonicalReader r) => r.ReadInt64()));
            Canonical.Validate(new(bytes));
            if (v >= 0)
            {
                Assert.Equal(bytes, Write((ref CanonicalWriter w) => w.WriteUInt64((ulong)v)));
            }
        });

    [Property(MaxTest = PropertyRuns)]
    public Property Any_valid_unicode_string_round_trips_C2() =>
        Prop.ForAll(Strings, s =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteString(s));
            Assert.Equal(s, ReadAll(bytes, (ref CanonicalReader r) => r.ReadString()));
            Assert.Equal(s, ReadAll(OneBytePerSegment(bytes).ToArray(), (ref CanonicalReader r) => r.ReadString()));
            Assert.Equal(bytes, Write((ref CanonicalWriter w) => w.WriteStringUtf8(System.Text.Encoding.UTF8.GetBytes(s))));
            Canonical.Validate(new(bytes));
            Canonical.Validate(OneBytePerSegment(bytes));
        });

    [Property(MaxTest = PropertyRuns)]
    public Property Any_byte_array_round_trips_C2() =>
        Prop.ForAll(ByteArrays, b =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteBinary(b));
            Assert.Equal(b, ReadAll(bytes, (ref CanonicalReader r) => r.ReadBinaryArray()));
            Assert.Equal(b, ReadAll(bytes, (ref CanonicalReader r) => r.ReadBinary().ToArray()));
            Canonical.Validate(new(bytes));
        });

    [Property(MaxTest = PropertyRuns)]
    public Property Any_value_tree_encodes_deterministically_validates_and_round_trips_C2() =>
        Prop.ForAll(Trees, tree =>
        {
            byte[] first = tree.Encode();
            byte[] second = tree.Encode();
            Assert.Equal(first, second);
            Canonical.Validate(new(first));

            Node decoded = ReadAll(first, (ref CanonicalReader r) => Node.Read(ref r));
            Assert.Equal(first, decoded.Encode());

            var reader = new CanonicalReader(first);
            reader.Skip();
            Assert.True(reader.End);
        });

    /// <summary>Arrays nested up to 8 deep with integer leaves (a shrunk tree keeps that shape).</summary>
    private static readonly Arbitrary<Node> NestedArrays = Arb.From(Gen.Sized(size => NestedArraysOf(Math.Min(size, 8))), ShrinkTree);

    private static Gen<Node> NestedArraysOf(int depth) => depth == 0
        ? Arbitraries.Int64s.Generator.Select(v => (Node)new IntNode(v))
        : Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(NestedArraysOf(depth - 1), n)).Select(items => (Node)new ArrayNode(items));

    [Property(MaxTest = PropertyRuns)]
    public Property Nested_arrays_round_trip_C2() =>
        Prop.ForAll(NestedArrays, tree =>
        {
            byte[] bytes = tree.Encode();
            Canonical.Validate(new(bytes));
            Assert.Equal(bytes, ReadAll(bytes, (ref CanonicalReader r) => Node.Read(ref r)).Encode());
        });

    [Property(MaxTest = PropertyRuns)]
    public Property Trailing_bytes_after_a_valid_value_are_rejected_C2() =>
        Prop.ForAll(Trees, CommonArbitraries.Range(1, 5), (tree, trailing) =>
        {
            byte[] bytes = [.. tree.Encode(), .. new byte[trailing]];
            int valueLength = bytes.Length - trailing;
            AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.TrailingBytes, valueLength);
        });

    [Property(MaxTest = 500)]
    public Property Every_strict_prefix_of_a_valid_encoding_is_truncated_C2() =>
        Prop.ForAll(Trees, tree =>
        {
            byte[] bytes = tree.Encode();
            for (int n = 0; n < bytes.Length; n++)
            {
                var prefix = new ReadOnlySequence<byte>(bytes, 0, n);
                var e = Assert.Throws<CodecException>(() => Canonical.Validate(prefix));
                Assert.Equal(CodecError.Truncated, e.Error);
                Assert.InRange(e.Offset, 0, n);
            }
        });

    /// <summary>Up to 40 bytes, biased toward MessagePack markers and edge values.</summary>
    private static readonly Arbitrary<byte[]> MarkerBiasedBytes = CommonArbitraries.Bytes(Gen.Choose(0, 40), Gen.Frequency(
        (3, CommonArbitraries.Byte.Generator),
        (2, Gen.Elements<byte>(0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x00, 0xff, 0x7f, 0x80, 0x91, 0x9f, 0xa3, 0x81, 0xed, 0xa0, 0xf4))));

    [Property(MaxTest = 3000)]
    public Property Decoding_arbitrary_bytes_never_throws_anything_but_CodecException_C2() =>
        Prop.ForAll(MarkerBiasedBytes, bytes =>
        {
            Fuzz.AllDecoders(bytes);
            Fuzz.AllDecoders(OneBytePerSegment(bytes));
        });

    /// <summary>A valid encoding with the byte at <c>Where</c> replaced by (or <c>What</c> inserted before) it, and a cut at <c>Cut</c>.</summary>
    private sealed record Mutation(Node Tree, int Where, byte What, int Cut);

    /// <summary>Where and Cut always lie inside the tree's encoding, also after shrinking.</summary>
    private static readonly Arbitrary<Mutation> Mutations = Arb.From(
        from tree in Trees.Generator
        let length = tree.Encode().Length
        from at in Gen.Choose(0, length - 1)
        from what in CommonArbitraries.Byte.Generator
        from cut in Gen.Choose(0, length)
        select new Mutation(tree, at, what, cut),
        m => ShrinkTree(m.Tree).Select(tree => (Tree: tree, Length: tree.Encode().Length))
            .Select(t => m with { Tree = t.Tree, Where = Math.Min(m.Where, t.Length - 1), Cut = Math.Min(m.Cut, t.Length) })
            .Concat(Shrink.Toward(m.Where, 0).Select(at => m with { Where = at }))
            .Concat(Shrink.Toward(m.What, (byte)0).Select(what => m with { What = what }))
            .Concat(Shrink.Toward(m.Cut, 0).Select(cut => m with { Cut = cut })));

    [Property(MaxTest = 1000)]
    public Property Mutations_and_truncations_of_valid_encodings_only_throw_CodecException_C2() =>
        Prop.ForAll(Mutations, c =>
        {
            byte[] bytes = c.Tree.Encode();
            byte[] mutated = (byte[])bytes.Clone();
            mutated[c.Where] = c.What;
            Fuzz.AllDecoders(mutated);
            Fuzz.AllDecoders(mutated.AsSpan(0, c.Cut).ToArray());
            Fuzz.AllDecoders(Split(mutated, c.Cut));
            byte[] inserted = [.. bytes.AsSpan(0, c.Where), c.What, .. bytes.AsSpan(c.Where)];
            Fuzz.AllDecoders(inserted);
        });

    /// <summary>Six cut points for a multi-segment sequence.</summary>
    private static readonly Arbitrary<int[]> Cuts = Arb.From(Gen.ArrayOf(Gen.Choose(0, 400), 6), cuts => Shrink.Array(cuts, c => Shrink.Toward(c, 0), minLength: 6));

    /// <summary>Where to overwrite a byte (-1 or past the end: nowhere), and with what.</summary>
    private static readonly Arbitrary<(int Where, byte What)> Overwrites = Arb.Zip(CommonArbitraries.Range(-1, 400), CommonArbitraries.Byte);

    [Property(MaxTest = PropertyRuns)]
    public Property Multi_segment_input_gives_the_same_results_and_offsets_as_single_segment_C2() =>
        Prop.ForAll(Trees, Cuts, Overwrites, (tree, cuts, overwrite) =>
        {
            byte[] bytes = tree.Encode();
            if (overwrite.Where >= 0 && overwrite.Where < bytes.Length)
            {
                bytes[overwrite.Where] = overwrite.What; // sometimes invalid, so error offsets are compared too
            }

            string single = Fuzz.Trace(new ReadOnlySequence<byte>(bytes));
            Assert.Equal(single, Fuzz.Trace(Split(bytes, cuts)));
            Assert.Equal(single, Fuzz.Trace(OneBytePerSegment(bytes)));
        });
}

/// <summary>Runs every decoding entry point over untrusted bytes; only <see cref="CodecException"/> may escape.</summary>
internal static class Fuzz
{
    private static readonly CodecLimits Tight = new() { MaxDepth = 4, MaxElementCount = 8, MaxStringLengthBytes = 16, MaxBinaryLengthBytes = 16, MaxMessageSizeBytes = 1 << 20 };

    public static void AllDecoders(byte[] bytes)
    {
        AllDecoders(new ReadOnlySequence<byte>(bytes));
    }

    public static void AllDecoders(ReadOnlySequence<byte> input)
    {
        Guard(() => Canonical.Validate(input));
        Guard(() => Canonical.Validate(input, Tight));
        Guard(() => Canonical.Decode<SamplePayment>(input));
        Guard(() => { var r = new CanonicalReader(input); r.Skip(); r.Skip(); });
        Guard(() => { var r = new CanonicalReader(input); while (!r.End) { r.Skip(); } });
        Guard(() => { var r = new CanonicalReader(input); Node.Read(ref r); });
        Guard(() => { var r = new CanonicalReader(input, Tight); Node.Read(ref r); });
        Guard(() => { var r = new CanonicalReader(input); r.PeekType(); });
        Guard(() => { var r = new CanonicalReader(input); r.TryReadNil(); r.ReadNil(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadBoolean(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadUInt64(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadUInt32(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadInt64(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadInt32(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadByte(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadString(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadStringUtf8(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadBinary(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadBinaryArray(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadBinary(new byte[3]); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadHash256(); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadArrayHeader(); r.ReadArrayHeader(2); });
        Guard(() => { var r = new CanonicalReader(input); r.ReadMapHeader(); r.ReadString(); r.EnsureEnd(); });
    }

    /// <summary>A description of what Validate and a typed walk do, offsets included, for comparing inputs.</summary>
    public static string Trace(ReadOnlySequence<byte> input)
    {
        var log = new System.Text.StringBuilder();
        try
        {
            Canonical.Validate(input);
            log.Append("valid;");
        }
        catch (CodecException e)
        {
            log.Append(e.Message).Append(';');
        }

        try
        {
            var r = new CanonicalReader(input);
            Node node = Node.Read(ref r);
            log.Append(Convert.ToHexString(node.Encode())).Append('@').Append(r.Consumed);
        }
        catch (CodecException e)
        {
            log.Append(e.Message);
        }

        return log.ToString();
    }

    private static void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (CodecException)
        {
        }
    }
}
