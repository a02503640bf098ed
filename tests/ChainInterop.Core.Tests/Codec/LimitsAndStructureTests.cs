using System.Buffers;
using System.Text;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using static ChainInterop.Tests.Codec.CodecTestSupport;

namespace ChainInterop.Tests.Codec;

/// <summary>Limits, map-key order, UTF-8, segmentation and the Canonical entry points (C2).</summary>
public class LimitsAndStructureTests
{
    // ---- limits -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("db ff ff ff ff 61 62 63 64 65")]
    [InlineData("c6 ff ff ff ff 01 02 03 04 05")]
    [InlineData("dd ff ff ff ff c0 c0 c0 c0 c0")]
    [InlineData("df ff ff ff ff c0 c0 c0 c0 c0")]
    [InlineData("dd 00 0f 42 41 c0")]
    public void Declared_lengths_over_the_limit_are_rejected_before_allocation_C2(string hex)
    {
        byte[] bytes = Hex(hex);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.LimitExceeded, 0);
        AssertError(Fails(bytes, (ref CanonicalReader r) => r.PeekType() switch
        {
            CanonicalType.String => r.ReadString(),
            CanonicalType.Binary => r.ReadBinaryArray(),
            CanonicalType.Array => r.ReadArrayHeader(),
            _ => r.ReadMapHeader(),
        }), CodecError.LimitExceeded, 0);
    }

    [Fact]
    public void Declared_lengths_beyond_the_input_are_truncated_even_with_huge_limits_C2()
    {
        var huge = new CodecLimits { MaxStringLengthBytes = int.MaxValue, MaxBinaryLengthBytes = int.MaxValue, MaxElementCount = int.MaxValue };
        AssertError(Fails(Hex("db ff ff ff ff 61 62 63 64 65"), (ref CanonicalReader r) => r.ReadString(), huge), CodecError.LimitExceeded, 0); // 2^32-1 > int.MaxValue
        AssertError(Fails(Hex("db 7f ff ff ff 61 62 63 64 65"), (ref CanonicalReader r) => r.ReadString(), huge), CodecError.Truncated, 0);
        AssertError(Fails(Hex("db 7f ff ff ff 61 62 63 64 65"), (ref CanonicalReader r) => r.ReadStringUtf8(), huge), CodecError.Truncated, 0);
        AssertError(Fails(Hex("c6 7f ff ff ff 01 02 03 04 05"), (ref CanonicalReader r) => r.ReadBinaryArray(), huge), CodecError.Truncated, 0);
        AssertError(Fails(Hex("c6 7f ff ff ff 01 02 03 04 05"), (ref CanonicalReader r) => r.ReadBinary(), huge), CodecError.Truncated, 0);
        AssertError(Fails(Hex("dd 7f ff ff ff c0 c0 c0 c0 c0"), (ref CanonicalReader r) => r.ReadArrayHeader(), huge), CodecError.Truncated, 0);
        AssertError(Fails(Hex("df 00 01 00 00 c0 c0 c0"), (ref CanonicalReader r) => r.ReadMapHeader(), huge), CodecError.Truncated, 0);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(Hex("dd 7f ff ff ff c0 c0 c0 c0 c0")), huge)), CodecError.Truncated, 0);
        // Map of 3 pairs needs at least 6 bytes.
        AssertError(Fails(Hex("83 c0 c0 c0 c0 c0"), (ref CanonicalReader r) => r.ReadMapHeader()), CodecError.Truncated, 0);
    }

    [Fact]
    public void Strings_binaries_and_counts_at_the_limit_pass_and_one_over_fails_C2()
    {
        var limits = new CodecLimits { MaxStringLengthBytes = 3, MaxBinaryLengthBytes = 2, MaxElementCount = 2 };
        Assert.Equal("abc", ReadAll(Hex("a3 61 62 63"), (ref CanonicalReader r) => r.ReadString(), limits));
        AssertError(Fails(Hex("a4 61 62 63 64"), (ref CanonicalReader r) => r.ReadString(), limits), CodecError.LimitExceeded, 0);
        AssertError(Fails(Hex("c4 03 01 02 03"), (ref CanonicalReader r) => r.ReadBinary(), limits), CodecError.LimitExceeded, 0);
        Canonical.Validate(new(Hex("92 01 02")), limits);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(Hex("91 93 01 02 03")), limits)), CodecError.LimitExceeded, 1);
    }

    [Fact]
    public void Messages_over_the_size_limit_are_rejected_first_C2()
    {
        var limits = new CodecLimits { MaxMessageSizeBytes = 4 };
        Canonical.Validate(new(Hex("93 01 02 03")), limits);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(Hex("94 01 02 03 04")), limits)), CodecError.LimitExceeded, 0);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Decode<SamplePayment>(new byte[5], limits)), CodecError.LimitExceeded, 0);
    }

    [Fact]
    public void Nesting_100000_levels_deep_is_limit_exceeded_without_stack_overflow_C2()
    {
        byte[] deepArrays = [.. Enumerable.Repeat((byte)0x91, 100_000), 0xc0];
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(deepArrays))), CodecError.LimitExceeded, 32);
        byte[] deepMaps = [.. Enumerable.Range(0, 100_000).SelectMany(_ => new byte[] { 0x81, 0x00 }), 0xc0];
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(deepMaps))), CodecError.LimitExceeded, 64);

        // Even with an absurd depth limit, Skip is iterative: it reaches the end instead of overflowing the stack.
        var deep = new CodecLimits { MaxDepth = int.MaxValue };
        Canonical.Validate(new(deepArrays), deep);
        Canonical.Validate(OneBytePerSegment(deepArrays[..5000].Concat(new byte[] { 0xc0 }).ToArray()), deep);
    }

    [Fact]
    public void Depth_exactly_at_the_limit_is_accepted_C2()
    {
        byte[] atLimit = [.. Enumerable.Repeat((byte)0x91, 32), 0xc0];
        byte[] overLimit = [.. Enumerable.Repeat((byte)0x91, 32), 0x90];
        Canonical.Validate(new(atLimit));
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(overLimit))), CodecError.LimitExceeded, 32);
    }

    [Fact]
    public void Limits_must_be_positive_C2()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecLimits { MaxDepth = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecLimits { MaxMessageSizeBytes = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecLimits { MaxStringLengthBytes = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecLimits { MaxBinaryLengthBytes = -5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodecLimits { MaxElementCount = 0 });
        Assert.Equal(16L * 1024 * 1024, CodecLimits.Default.MaxMessageSizeBytes);
        Assert.Equal(1024 * 1024, CodecLimits.Default.MaxStringLengthBytes);
        Assert.Equal(16 * 1024 * 1024, CodecLimits.Default.MaxBinaryLengthBytes);
        Assert.Equal(32, CodecLimits.Default.MaxDepth);
        Assert.Equal(1_000_000, CodecLimits.Default.MaxElementCount);
    }

    [Fact]
    public void Writer_rejects_negative_counts_C2()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref CanonicalWriter w) => w.WriteArrayHeader(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Write((ref CanonicalWriter w) => w.WriteMapHeader(int.MinValue)));
    }

    // ---- map keys ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("82 a1 62 00 a1 61 00", 4)] // "b" then "a"
    [InlineData("82 a1 61 00 a1 61 01", 4)] // duplicate "a"
    [InlineData("82 a2 61 62 00 a1 61 00", 5)] // "ab" then "a": shorter encoding sorts first here
    [InlineData("82 02 c0 01 c0", 3)] // 2 then 1
    [InlineData("83 00 c0 01 c0 01 c0", 5)] // duplicate 1, third key
    [InlineData("91 82 01 c0 01 c0", 4)] // nested map
    [InlineData("82 91 01 c0 91 01 c0", 4)] // array keys, duplicated
    [InlineData("81 00 82 a1 7a 00 a1 79 00", 6)] // map inside a map value
    public void Unordered_or_duplicate_map_keys_are_rejected_with_the_key_offset_C2(string hex, int offset)
    {
        byte[] bytes = Hex(hex);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.UnorderedMapKeys, offset);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(OneBytePerSegment(bytes))), CodecError.UnorderedMapKeys, offset);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(Split(bytes, 3))), CodecError.UnorderedMapKeys, offset);
    }

    [Theory]
    [InlineData("82 a1 61 00 a1 62 00")]
    [InlineData("82 a1 61 00 a2 61 61 00")]
    [InlineData("83 00 c0 01 c0 7f c0")]
    [InlineData("82 7f c0 cc 80 c0")]
    [InlineData("82 91 01 c0 91 02 c0")]
    [InlineData("82 c0 01 c2 02")]
    public void Strictly_increasing_map_keys_are_accepted_C2(string hex) => Canonical.Validate(new(Hex(hex)));

    // ---- UTF-8 ------------------------------------------------------------------------------------

    [Theory]
    [InlineData("a2 c0 af")] // overlong '/'
    [InlineData("a2 c1 bf")] // overlong
    [InlineData("a3 e0 80 af")] // overlong 3-byte
    [InlineData("a3 ed a0 80")] // UTF-16 surrogate U+D800
    [InlineData("a3 ed bf bf")] // surrogate U+DFFF
    [InlineData("a2 e2 82")] // truncated sequence
    [InlineData("a1 80")] // lone continuation byte
    [InlineData("a1 ff")]
    [InlineData("a4 f4 90 80 80")] // above U+10FFFF
    [InlineData("a4 f0 80 80 80")] // overlong 4-byte
    public void Invalid_utf8_is_rejected_C2(string hex)
    {
        byte[] bytes = Hex(hex);
        byte[] nested = [0x92, 0x00, .. bytes];
        AssertError(Fails(bytes, (ref CanonicalReader r) => r.ReadString()), CodecError.InvalidUtf8, 0);
        AssertError(Fails(bytes, (ref CanonicalReader r) => r.ReadStringUtf8()), CodecError.InvalidUtf8, 0);
        AssertError(Fails(OneBytePerSegment(bytes), (ref CanonicalReader r) => r.ReadString()), CodecError.InvalidUtf8, 0);
        AssertError(Fails(OneBytePerSegment(bytes), (ref CanonicalReader r) => r.ReadStringUtf8()), CodecError.InvalidUtf8, 0);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(nested))), CodecError.InvalidUtf8, 2);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(OneBytePerSegment(nested))), CodecError.InvalidUtf8, 2);
        Assert.Throws<ArgumentException>(() => Write((ref CanonicalWriter w) => w.WriteStringUtf8(bytes.AsSpan(1))));
    }

    [Theory]
    [InlineData("", 0xd800, "")]
    [InlineData("a", 0xdc00, "b")]
    [InlineData("x", 0xd83d, "")]
    [InlineData("", 0xdfff, "\u20ac")]
    public void Strings_with_lone_surrogates_cannot_be_written_C2(string before, int surrogate, string after)
    {
        // Built at run time: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.
        string prefix = before + (char)surrogate + after;
        Assert.Throws<ArgumentException>(() => Write((ref CanonicalWriter w) => w.WriteString(prefix)));
        string longer = new string('x', 200) + prefix;
        Assert.Throws<ArgumentException>(() => Write((ref CanonicalWriter w) => w.WriteString(longer)));
        Assert.Throws<ArgumentException>(() => Write((ref CanonicalWriter w) => w.WriteString(longer.AsSpan())));
    }

    [Fact]
    public void Supplementary_characters_encode_as_four_byte_utf8_C2()
    {
        string text = "€😀";
        Assert.Equal("a7e282acf09f9880", ToHex(Write((ref CanonicalWriter w) => w.WriteString(text))));
        Assert.Equal(text, ReadAll(Hex("a7 e2 82 ac f0 9f 98 80"), (ref CanonicalReader r) => r.ReadString()));
    }

    // ---- segmented input ------------------------------------------------------------------------

    public static TheoryData<string> Messages => new()
    {
        "96 2a d1 80 00 a3 55 53 44 c4 20 0000000000000000000000000000000000000000000000000000000000000000 c4 03 01 02 03 92 a5 61 6c 69 63 65 07",
        "83 a1 61 92 01 ff a1 62 c4 02 ab cd a1 63 81 00 c3",
        "83 a1 61 92 01 ff a1 62 c4 02 ab cd a1 62 81 00 c3", // duplicate key: error offsets compared
        "92 cc 05 00", // non-canonical at 1
        "93 d9 05 68 65 6c 6c 6f 01 02", // non-canonical str8
        "92 a3 ed a0 80 01", // invalid utf-8 at 1
        "dc 00 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
        "92 cf 00 00 00 01 00 00 00 00 d3 80 00 00 00 00 00 00 00",
        "92 da 01 00", // truncated str16
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Splitting_input_at_every_offset_gives_identical_results_and_offsets_C2(string hex)
    {
        byte[] bytes = Hex(hex);
        string expected = Fuzz.Trace(new ReadOnlySequence<byte>(bytes));
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(expected, Fuzz.Trace(Split(bytes, cut)));
            for (int second = cut + 1; second < bytes.Length; second += 3)
            {
                Assert.Equal(expected, Fuzz.Trace(Split(bytes, cut, second)));
            }
        }

        Assert.Equal(expected, Fuzz.Trace(OneBytePerSegment(bytes)));
    }

    [Fact]
    public void Segmented_payment_decodes_like_the_contiguous_one_C2()
    {
        var payment = new SamplePayment(42, -32768, "USD", Hash256.Compute("prev"u8), [1, 2, 3], new SampleInner("alice", 7));
        byte[] bytes = Canonical.Encode(payment);
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(payment, Canonical.Decode<SamplePayment>(Split(bytes, cut)));
        }

        Assert.Equal(payment, Canonical.Decode<SamplePayment>(OneBytePerSegment(bytes)));
        var reader = new CanonicalReader(OneBytePerSegment(bytes));
        reader.ReadArrayHeader(6);
        reader.ReadUInt64();
        reader.ReadInt64();
        Assert.Equal("USD"u8.ToArray(), reader.ReadStringUtf8().ToArray());
        Assert.Equal(Hash256.Compute("prev"u8), reader.ReadHash256());
        Assert.Equal(new byte[] { 1, 2, 3 }, reader.ReadBinary().ToArray());
        var contiguous = new CanonicalReader(bytes);
        contiguous.ReadArrayHeader(6);
        contiguous.ReadUInt64();
        contiguous.ReadInt64();
        contiguous.ReadStringUtf8();
        contiguous.ReadHash256();
        contiguous.ReadBinary();
        Assert.Equal(contiguous.Consumed, reader.Consumed);
        Assert.Equal(bytes.Length - Canonical.Encode(payment.Inner!).Length, reader.Consumed);
    }

    // ---- Canonical entry points ------------------------------------------------------------------

    [Fact]
    public void Canonical_encode_and_decode_round_trip_a_record_C2()
    {
        var payment = new SamplePayment(ulong.MaxValue, long.MinValue, "EUR", Hash256.Compute("x"u8), new byte[300], null);
        byte[] bytes = Canonical.Encode(payment);
        Assert.Equal(payment, Canonical.Decode<SamplePayment>(bytes));
        Assert.Equal(payment, Canonical.Decode<SamplePayment>(new ReadOnlySequence<byte>(bytes)));
        Canonical.Validate(new(bytes));

        var buffer = new ArrayBufferWriter<byte>();
        Canonical.Encode(payment, buffer);
        Assert.Equal(bytes, buffer.WrittenSpan.ToArray());

        using var pooled = new PooledBufferWriter(1);
        Canonical.Encode(payment, pooled);
        Assert.Equal(bytes, pooled.WrittenSpan.ToArray());
    }

    [Fact]
    public void Nested_Canonical_Encode_inside_Encode_is_safe_C2()
    {
        var payment = new SamplePayment(1, 2, "GBP", default, [], new SampleInner("bob", 3));
        byte[] bytes = Canonical.Encode(payment);
        Assert.Equal(payment, Canonical.Decode<SamplePayment>(bytes));
        Assert.Equal(bytes, Canonical.Encode(payment));
    }

    [Fact]
    public void Decode_rejects_trailing_bytes_C2()
    {
        byte[] bytes = [.. Canonical.Encode(new SampleInner("a", 1)), 0xc0];
        AssertError(Assert.Throws<CodecException>(() => Canonical.Decode<SampleInner>(bytes)), CodecError.TrailingBytes, bytes.Length - 1);
    }

    [Fact]
    public void Domain_validation_failures_in_Decode_surface_as_CodecException_C2()
    {
        byte[] bytes = Canonical.Encode(new SampleInner(" ", 1));
        var e = Assert.Throws<CodecException>(() => Canonical.Decode<SampleInner>(bytes));
        Assert.Equal(CodecError.ValueOutOfRange, e.Error);
        Assert.IsAssignableFrom<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void Reader_reports_offsets_and_end_C2()
    {
        var reader = new CanonicalReader(Hex("93 01 cc 80 a1 61"));
        Assert.Equal(0, reader.Consumed);
        Assert.Equal(3, reader.ReadArrayHeader());
        Assert.Equal(1, reader.Consumed);
        reader.ReadByte();
        Assert.Equal(2, reader.Consumed);
        Assert.Equal(128u, reader.ReadUInt32());
        Assert.Equal(4, reader.Consumed);
        Assert.False(reader.End);
        Assert.Equal("a", reader.ReadString());
        Assert.True(reader.End);
        reader.EnsureEnd();
        AssertError(Assert.Throws<CodecException>(() => { var r = new CanonicalReader(Hex("01 02")); r.ReadByte(); r.EnsureEnd(); }), CodecError.TrailingBytes, 1);
    }

    [Fact]
    public void Pooled_buffer_writer_grows_resets_and_disposes_C2()
    {
        var pooled = new PooledBufferWriter(4);
        var writer = new CanonicalWriter(pooled);
        writer.WriteString(new string('q', 1000));
        writer.WriteBinary(new byte[70_000]);
        Assert.Equal(pooled.WrittenCount, writer.BytesWritten);
        Assert.Equal(3 + 1000 + 5 + 70_000, pooled.WrittenCount);
        Assert.Equal(pooled.WrittenSpan.ToArray(), pooled.WrittenMemory.ToArray());
        Canonical.Validate(new(pooled.WrittenMemory[..1003]));
        pooled.Reset();
        Assert.Equal(0, pooled.WrittenCount);
        pooled.Dispose();
        pooled.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pooled.GetSpan(1));
        Assert.Throws<InvalidOperationException>(() => new PooledBufferWriter().Advance(1 << 20));
    }

    [Fact]
    public void Encoding_with_a_reused_pooled_writer_does_not_allocate_C2()
    {
        var payment = new SamplePayment(42, -5, "USD", Hash256.Compute("p"u8), new byte[64], null);
        using var pooled = new PooledBufferWriter(1024);
        for (int i = 0; i < 100; i++)
        {
            pooled.Reset();
            Canonical.Encode(payment, pooled);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            pooled.Reset();
            Canonical.Encode(payment, pooled);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
