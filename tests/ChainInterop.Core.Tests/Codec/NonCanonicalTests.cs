using System.Buffers.Binary;
using ChainInterop.Codec;
using static ChainInterop.Tests.Codec.CodecTestSupport;

namespace ChainInterop.Tests.Codec;

/// <summary>Every valid-but-not-shortest MessagePack encoding is rejected with the right offset (C2).</summary>
public class NonCanonicalTests
{
    /// <summary>All MessagePack integer encodings of <paramref name="value"/> (canonical or not).</summary>
    private static IEnumerable<byte[]> AllEncodings(Int128 value)
    {
        if (value >= 0 && value <= 0x7f)
        {
            yield return [(byte)value];
        }

        if (value >= -32 && value < 0)
        {
            yield return [(byte)(sbyte)value];
        }

        if (value >= 0 && value <= byte.MaxValue)
        {
            yield return [0xcc, (byte)value];
        }

        if (value >= 0 && value <= ushort.MaxValue)
        {
            yield return Big(0xcd, (ulong)value, 2);
        }

        if (value >= 0 && value <= uint.MaxValue)
        {
            yield return Big(0xce, (ulong)value, 4);
        }

        if (value >= 0 && value <= ulong.MaxValue)
        {
            yield return Big(0xcf, (ulong)value, 8);
        }

        if (value >= sbyte.MinValue && value <= sbyte.MaxValue)
        {
            yield return [0xd0, (byte)(sbyte)value];
        }

        if (value >= short.MinValue && value <= short.MaxValue)
        {
            yield return Big(0xd1, (ulong)(long)value, 2);
        }

        if (value >= int.MinValue && value <= int.MaxValue)
        {
            yield return Big(0xd2, (ulong)(long)value, 4);
        }

        if (value >= long.MinValue && value <= long.MaxValue)
        {
            yield return Big(0xd3, (ulong)(long)value, 8);
        }
    }

    private static byte[] Big(byte code, ulong bits, int size)
    {
        byte[] result = new byte[1 + size];
        result[0] = code;
        Span<byte> tmp = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(tmp, bits);
        tmp[(8 - size)..].CopyTo(result.AsSpan(1));
        return result;
    }

    public static TheoryData<string> IntegerValues => new()
    {
        "0", "5", "127", "128", "255", "256", "65535", "65536", "2147483648", "4294967295", "4294967296",
        "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "-1", "-32", "-33", "-128", "-129", "-32768", "-32769", "-2147483648", "-2147483649", "-9223372036854775808",
    };

    [Theory]
    [MemberData(nameof(IntegerValues))]
    public void Only_the_shortest_integer_encoding_is_accepted_others_are_non_canonical_C2(string text)
    {
        Int128 value = Int128.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        byte[] canonical = value < 0
            ? Write((ref CanonicalWriter w) => w.WriteInt64((long)value))
            : Write((ref CanonicalWriter w) => w.WriteUInt64((ulong)value));
        int seen = 0;
        foreach (byte[] encoding in AllEncodings(value))
        {
            seen++;
            if (encoding.AsSpan().SequenceEqual(canonical))
            {
                Canonical.Validate(new(encoding));
                continue;
            }

            // At top level and inside an array (offset 2), for Validate and typed reads alike.
            AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(encoding))), CodecError.NonCanonical, 0);
            byte[] nested = [0x92, 0xc0, .. encoding];
            AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(nested))), CodecError.NonCanonical, 2);
            AssertError(Fails(nested, (ref CanonicalReader r) => { r.ReadArrayHeader(); r.ReadNil(); return r.ReadUInt64(); }), CodecError.NonCanonical, 2);
            AssertError(Fails(nested, (ref CanonicalReader r) => { r.ReadArrayHeader(); r.ReadNil(); return r.ReadInt64(); }), CodecError.NonCanonical, 2);
            AssertError(Fails(OneBytePerSegment(nested), (ref CanonicalReader r) => { r.Skip(); return null; }), CodecError.NonCanonical, 2);
        }

        Assert.True(seen >= 1);
    }

    [Theory]
    [InlineData("cc 05")]
    [InlineData("d0 05")]
    [InlineData("d0 e0")]
    [InlineData("cd 00 ff")]
    [InlineData("cc 7f")]
    [InlineData("ce 00 00 ff ff")]
    [InlineData("cf 00 00 00 00 ff ff ff ff")]
    [InlineData("d1 ff 80")]
    [InlineData("d1 00 00")]
    [InlineData("d2 ff ff 80 00")]
    [InlineData("d3 ff ff ff ff 80 00 00 00")]
    [InlineData("d3 7f ff ff ff ff ff ff ff")]
    public void Uint8_holding_a_fixint_value_and_other_long_integer_forms_are_rejected_as_non_canonical_C2(string hex)
    {
        var e = Assert.Throws<CodecException>(() => Canonical.Validate(new(Hex(hex))));
        AssertError(e, CodecError.NonCanonical, 0);
        Assert.Contains("NonCanonical at byte 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_canonical_error_message_names_the_format_and_offset_C2()
    {
        byte[] bytes = [.. Hex("9f"), .. new byte[14], .. Hex("cc 05")];
        var e = Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes)));
        Assert.Equal("NonCanonical at byte 15: uint8 0x05 fits a positive fixint", e.Message);
    }

    [Theory]
    [InlineData("d9 01 61", 0)]
    [InlineData("da 00 01 61", 0)]
    [InlineData("db 00 00 00 01 61", 0)]
    [InlineData("d9 00", 0)]
    [InlineData("c5 00 01 07", 0)]
    [InlineData("c5 00 ff", 0)]
    [InlineData("c6 00 00 00 01 07", 0)]
    [InlineData("c6 00 00 ff ff", 0)]
    [InlineData("dc 00 00", 0)]
    [InlineData("dc 00 0f", 0)]
    [InlineData("dd 00 00 00 00", 0)]
    [InlineData("dd 00 00 ff ff", 0)]
    [InlineData("de 00 00", 0)]
    [InlineData("de 00 0f", 0)]
    [InlineData("df 00 00 00 00", 0)]
    [InlineData("df 00 00 ff ff", 0)]
    [InlineData("91 d9 01 61", 1)]
    [InlineData("92 00 c5 00 01 07", 2)]
    [InlineData("81 a1 61 dc 00 01 c0", 3)]
    public void Longer_than_necessary_str_bin_array_and_map_headers_are_non_canonical_C2(string hex, int offset)
    {
        byte[] bytes = Hex(hex);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.NonCanonical, offset);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(OneBytePerSegment(bytes))), CodecError.NonCanonical, offset);
    }

    [Fact]
    public void Str8_with_32_bytes_is_canonical_but_with_31_is_not_C2()
    {
        byte[] ok = [0xd9, 32, .. new byte[32].Select(_ => (byte)'x')];
        byte[] bad = [0xd9, 31, .. new byte[31].Select(_ => (byte)'x')];
        Canonical.Validate(new(ok));
        AssertError(Fails(bad, (ref CanonicalReader r) => r.ReadString()), CodecError.NonCanonical, 0);
    }

    [Theory]
    [InlineData("ca 00 00 00 00")]
    [InlineData("cb 00 00 00 00 00 00 00 00")]
    [InlineData("c7 00 01")]
    [InlineData("c8 00 00 01")]
    [InlineData("c9 00 00 00 00 01")]
    [InlineData("d4 01 00")]
    [InlineData("d5 01 00 00")]
    [InlineData("d6 01 00 00 00 00")]
    [InlineData("d7 01 00 00 00 00 00 00 00 00")]
    [InlineData("d8 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00")]
    [InlineData("c1")]
    [InlineData("ca")]
    public void Floats_extensions_and_c1_are_unsupported_C2(string hex)
    {
        byte[] bytes = Hex(hex);
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(bytes))), CodecError.UnsupportedType, 0);
        AssertError(Fails(bytes, (ref CanonicalReader r) => r.ReadInt64()), CodecError.UnsupportedType, 0);
        byte[] nested = [0x91, .. bytes];
        AssertError(Assert.Throws<CodecException>(() => Canonical.Validate(new(nested))), CodecError.UnsupportedType, 1);
    }

    [Fact]
    public void PeekType_reports_floats_and_extensions_without_consuming_C2()
    {
        Assert.Equal(CanonicalType.Float, new CanonicalReader(Hex("ca 00 00 00 00")).PeekType());
        Assert.Equal(CanonicalType.Extension, new CanonicalReader(Hex("d4 01 00")).PeekType());
        Assert.Equal(CanonicalType.Integer, new CanonicalReader(Hex("ff")).PeekType());
        Assert.Equal(CanonicalType.Map, new CanonicalReader(Hex("80")).PeekType());
        AssertError(Assert.Throws<CodecException>(() => new CanonicalReader(Hex("c1")).PeekType()), CodecError.UnsupportedType, 0);
        AssertError(Assert.Throws<CodecException>(() => new CanonicalReader(Array.Empty<byte>()).PeekType()), CodecError.Truncated, 0);
    }

    [Theory]
    [InlineData("a1 61", "integer")]
    [InlineData("c0", "bool")]
    [InlineData("01", "string")]
    [InlineData("a0", "binary")]
    [InlineData("c4 00", "array")]
    [InlineData("90", "map")]
    [InlineData("80", "nil")]
    public void Reading_the_wrong_type_is_unexpected_type_C2(string hex, string read)
    {
        byte[] bytes = Hex(hex);
        CodecException e = read switch
        {
            "integer" => Fails(bytes, (ref CanonicalReader r) => r.ReadUInt64()),
            "bool" => Fails(bytes, (ref CanonicalReader r) => r.ReadBoolean()),
            "string" => Fails(bytes, (ref CanonicalReader r) => r.ReadString()),
            "binary" => Fails(bytes, (ref CanonicalReader r) => r.ReadBinaryArray()),
            "array" => Fails(bytes, (ref CanonicalReader r) => r.ReadArrayHeader()),
            "map" => Fails(bytes, (ref CanonicalReader r) => r.ReadMapHeader()),
            _ => Fails(bytes, (ref CanonicalReader r) => { r.ReadNil(); return null; }),
        };
        AssertError(e, CodecError.UnexpectedType, 0);
    }

    [Theory]
    [InlineData("ff", "uint64")]
    [InlineData("cf 80 00 00 00 00 00 00 00", "int64")]
    [InlineData("cf 00 00 00 01 00 00 00 00", "uint32")]
    [InlineData("ce 80 00 00 00", "int32")]
    [InlineData("d3 ff ff ff ff 7f ff ff ff", "int32")]
    [InlineData("cd 01 00", "byte")]
    [InlineData("e0", "byte")]
    public void Integers_that_do_not_fit_the_requested_type_are_out_of_range_C2(string hex, string type)
    {
        byte[] bytes = [0x91, .. Hex(hex)];
        CodecException e = type switch
        {
            "uint64" => Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(); return r.ReadUInt64(); }),
            "int64" => Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(); return r.ReadInt64(); }),
            "uint32" => Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(); return r.ReadUInt32(); }),
            "int32" => Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(); return r.ReadInt32(); }),
            _ => Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(); return r.ReadByte(); }),
        };
        AssertError(e, CodecError.ValueOutOfRange, 1);
    }

    [Fact]
    public void Binary_of_the_wrong_length_is_unexpected_length_C2()
    {
        AssertError(Fails(Hex("c4 01 00"), (ref CanonicalReader r) => r.ReadHash256()), CodecError.UnexpectedLength, 0);
        AssertError(Fails(Hex("c4 02 00 00"), (ref CanonicalReader r) => { r.ReadBinary(new byte[3]); return null; }), CodecError.UnexpectedLength, 0);
    }
}
