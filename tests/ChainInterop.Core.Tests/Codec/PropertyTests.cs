using System.Buffers;
using ChainInterop.Codec;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Tests.Codec.CodecTestSupport;

namespace ChainInterop.Tests.Codec;

/// <summary>FsCheck properties of the canonical codec (C2), 500+ cases each.</summary>
public class PropertyTests
{
    private static int ShortestUnsignedSize(ulong v) => v <= 0x7f ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffff ? 5 : 9;

    [Fact]
    public void Any_ulong_round_trips_in_its_shortest_form_C2()
    {
        int runs = 0;
        ForAll(UInt64s, v =>
        {
            runs++;
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteUInt64(v));
            Assert.Equal(ShortestUnsignedSize(v), bytes.Length);
            Assert.Equal(v, ReadAll(bytes, (ref CanonicalReader r) => r.ReadUInt64()));
            Canonical.Validate(new(bytes));
        });
        Assert.True(runs >= PropertyRuns, $"FsCheck ran {runs} cases");
    }

    [Fact]
    public void Any_long_round_trips_and_validates_C2() =>
        ForAll(Int64s, v =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteInt64(v));
            Assert.Equal(v, ReadAll(bytes, (ref CanonicalReader r) => r.ReadInt64()));
            Canonical.Validate(new(bytes));
            if (v >= 0)
            {
                Assert.Equal(bytes, Write((ref CanonicalWriter w) => w.WriteUInt64((ulong)v)));
            }
        });

    [Fact]
    public void Any_valid_unicode_string_round_trips_C2() =>
        ForAll(Strings, s =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteString(s));
            Assert.Equal(s, ReadAll(bytes, (ref CanonicalReader r) => r.ReadString()));
            Assert.Equal(s, ReadAll(OneBytePerSegment(bytes).ToArray(), (ref CanonicalReader r) => r.ReadString()));
            Assert.Equal(bytes, Write((ref CanonicalWriter w) => w.WriteStringUtf8(System.Text.Encoding.UTF8.GetBytes(s))));
            Canonical.Validate(new(bytes));
            Canonical.Validate(OneBytePerSegment(bytes));
        });

    [Fact]
    public void Any_byte_array_round_trips_C2() =>
        ForAll(ByteArrays, b =>
        {
            byte[] bytes = Write((ref CanonicalWriter w) => w.WriteBinary(b));
            Assert.Equal(b, ReadAll(bytes, (ref CanonicalReader r) => r.ReadBinaryArray()));
            Assert.Equal(b, ReadAll(bytes, (ref CanonicalReader r) => r.ReadBinary().ToArray()));
            Canonical.Validate(new(bytes));
        });

    [Fact]
    public void Any_value_tree_encodes_deterministically_validates_and_round_trips_C2() =>
        ForAll(Trees, tree =>
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

    [Fact]
    public void Nested_arrays_round_trip_C2()
    {
        Gen<Node> nested = Gen.Sized(size => NestedArrays(Math.Min(size, 8)));
        ForAll(nested, tree =>
        {
            byte[] bytes = tree.Encode();
            Canonical.Validate(new(bytes));
            Assert.Equal(bytes, ReadAll(bytes, (ref CanonicalReader r) => Node.Read(ref r)).Encode());
        });

        static Gen<Node> NestedArrays(int depth) => depth == 0
            ? Int64s.Select(v => (Node)new IntNode(v))
            : Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(NestedArrays(depth - 1), n)).Select(items => (Node)new ArrayNode(items));
    }

    [Fact]
    public void Trailing_bytes_after_a_valid_value_are_rejected_C2() =>
        ForAll(Trees.Zip(Gen.Choose(1, 5)), t =>
        {
            byte[] bytes = [.. t.Item1.Encode(), .. new byte[t.Item2]];
            int valueLength = bytes.Length - t.Item2;
            AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.TrailingBytes, valueLength);
        });

    [Fact]
    public void Every_strict_prefix_of_a_valid_encoding_is_truncated_C2() =>
        ForAll(Trees, tree =>
        {
            byte[] bytes = tree.Encode();
            for (int n = 0; n < bytes.Length; n++)
            {
                var prefix = new ReadOnlySequence<byte>(bytes, 0, n);
                var e = Assert.Throws<CodecException>(() => Canonical.Validate(prefix));
                Assert.Equal(CodecError.Truncated, e.Error);
                Assert.InRange(e.Offset, 0, n);
            }
        }, runs: 500);

    [Fact]
    public void Decoding_arbitrary_bytes_never_throws_anything_but_CodecException_C2()
    {
        Gen<byte[]> biased = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Gen.Frequency(
            (3, Bytes),
            (2, Gen.Elements<byte>(0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd3, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x00, 0xff, 0x7f, 0x80, 0x91, 0x9f, 0xa3, 0x81, 0xed, 0xa0, 0xf4))), n));
        ForAll(biased, bytes =>
        {
            Fuzz.AllDecoders(bytes);
            Fuzz.AllDecoders(OneBytePerSegment(bytes));
        }, runs: 3000);
    }

    [Fact]
    public void Mutations_and_truncations_of_valid_encodings_only_throw_CodecException_C2()
    {
        Gen<(byte[] Bytes, int Where, byte What, int Cut)> cases =
            from tree in Trees
            let bytes = tree.Encode()
            from pos in Gen.Choose(0, bytes.Length - 1)
            from what in Bytes
            from cut in Gen.Choose(0, bytes.Length)
            select (bytes, pos, what, cut);
        ForAll(cases, c =>
        {
            byte[] mutated = (byte[])c.Bytes.Clone();
            mutated[c.Where] = c.What;
            Fuzz.AllDecoders(mutated);
            Fuzz.AllDecoders(mutated.AsSpan(0, c.Cut).ToArray());
            Fuzz.AllDecoders(Split(mutated, c.Cut));
            byte[] inserted = [.. c.Bytes.AsSpan(0, c.Where), c.What, .. c.Bytes.AsSpan(c.Where)];
            Fuzz.AllDecoders(inserted);
        }, runs: 1000);
    }

    [Fact]
    public void Multi_segment_input_gives_the_same_results_and_offsets_as_single_segment_C2() =>
        ForAll(Trees.Zip(Gen.ArrayOf(Gen.Choose(0, 400), 6)).Zip(Gen.Choose(-1, 400)).Zip(Bytes), t =>
        {
            byte[] bytes = t.Item1.Item1.Item1.Encode();
            int where = t.Item1.Item2;
            if (where >= 0 && where < bytes.Length)
            {
                bytes[where] = t.Item2; // sometimes invalid, so error offsets are compared too
            }

            string single = Fuzz.Trace(new ReadOnlySequence<byte>(bytes));
            Assert.Equal(single, Fuzz.Trace(Split(bytes, t.Item1.Item1.Item2)));
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
