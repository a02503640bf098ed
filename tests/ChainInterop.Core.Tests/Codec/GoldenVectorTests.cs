using System.Buffers;
using System.Text;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using static ChainInterop.Tests.Codec.CodecTestSupport;

namespace ChainInterop.Tests.Codec;

/// <summary>Byte-exact vectors from the MessagePack specification (spec.md), written and read back (C2).</summary>
public class GoldenVectorTests
{
    public static TheoryData<ulong, string> UnsignedVectors => new()
    {
        { 0UL, "00" },
        { 1UL, "01" },
        { 0x7fUL, "7f" },
        { 0x80UL, "cc 80" },
        { 0xffUL, "cc ff" },
        { 0x100UL, "cd 01 00" },
        { 0xffffUL, "cd ff ff" },
        { 0x10000UL, "ce 00 01 00 00" },
        { 1UL << 31, "ce 80 00 00 00" },
        { uint.MaxValue, "ce ff ff ff ff" },
        { 1UL << 32, "cf 00 00 00 01 00 00 00 00" },
        { (1UL << 63) - 1, "cf 7f ff ff ff ff ff ff ff" },
        { 1UL << 63, "cf 80 00 00 00 00 00 00 00" },
        { ulong.MaxValue, "cf ff ff ff ff ff ff ff ff" },
    };

    public static TheoryData<long, string> SignedVectors => new()
    {
        { 0L, "00" },
        { 127L, "7f" },
        { 128L, "cc 80" },
        { 1L << 31, "ce 80 00 00 00" },
        { 1L << 32, "cf 00 00 00 01 00 00 00 00" },
        { long.MaxValue, "cf 7f ff ff ff ff ff ff ff" },
        { -1L, "ff" },
        { -32L, "e0" },
        { -33L, "d0 df" },
        { -128L, "d0 80" },
        { -129L, "d1 ff 7f" },
        { -32768L, "d1 80 00" },
        { -32769L, "d2 ff ff 7f ff" },
        { int.MinValue, "d2 80 00 00 00" },
        { (long)int.MinValue - 1, "d3 ff ff ff ff 7f ff ff ff" },
        { long.MinValue, "d3 80 00 00 00 00 00 00 00" },
    };

    [Theory]
    [MemberData(nameof(UnsignedVectors))]
    public void Unsigned_integers_use_the_shortest_spec_encoding_and_read_back_C2(ulong value, string hex)
    {
        byte[] expected = Hex(hex);
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteUInt64(value))));
        Assert.Equal(value, ReadAll(expected, (ref CanonicalReader r) => r.ReadUInt64()));
        if (value <= uint.MaxValue)
        {
            Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteUInt32((uint)value))));
            Assert.Equal((uint)value, ReadAll(expected, (ref CanonicalReader r) => r.ReadUInt32()));
        }

        if (value <= long.MaxValue)
        {
            Assert.Equal((long)value, ReadAll(expected, (ref CanonicalReader r) => r.ReadInt64()));
        }

        Canonical.Validate(new(expected));
    }

    [Theory]
    [MemberData(nameof(SignedVectors))]
    public void Signed_integers_use_the_shortest_spec_encoding_and_read_back_C2(long value, string hex)
    {
        byte[] expected = Hex(hex);
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteInt64(value))));
        Assert.Equal(value, ReadAll(expected, (ref CanonicalReader r) => r.ReadInt64()));
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteInt32((int)value))));
            Assert.Equal((int)value, ReadAll(expected, (ref CanonicalReader r) => r.ReadInt32()));
        }

        Canonical.Validate(new(expected));
    }

    [Fact]
    public void Nil_false_and_true_are_c0_c2_c3_C2()
    {
        Assert.Equal("c0", ToHex(Write((ref CanonicalWriter w) => w.WriteNil())));
        Assert.Equal("c2", ToHex(Write((ref CanonicalWriter w) => w.WriteBoolean(false))));
        Assert.Equal("c3", ToHex(Write((ref CanonicalWriter w) => w.WriteBoolean(true))));
        ReadAll(Hex("c0"), (ref CanonicalReader r) => { r.ReadNil(); return 0; });
        Assert.False(ReadAll(Hex("c2"), (ref CanonicalReader r) => r.ReadBoolean()));
        Assert.True(ReadAll(Hex("c3"), (ref CanonicalReader r) => r.ReadBoolean()));
        Assert.True(ReadAll(Hex("c0"), (ref CanonicalReader r) => r.TryReadNil()));
        var reader = new CanonicalReader(Hex("c2"));
        Assert.False(reader.TryReadNil());
        Assert.Equal(0, reader.Consumed);
    }

    public static TheoryData<int, string> StringHeaders => new()
    {
        { 0, "a0" },
        { 1, "a1" },
        { 31, "bf" },
        { 32, "d9 20" },
        { 255, "d9 ff" },
        { 256, "da 01 00" },
        { 65535, "da ff ff" },
        { 65536, "db 00 01 00 00" },
    };

    [Theory]
    [MemberData(nameof(StringHeaders))]
    public void Strings_use_fixstr_then_str8_str16_str32_C2(int length, string headerHex)
    {
        string text = new('x', length);
        byte[] expected = [.. Hex(headerHex), .. Encoding.UTF8.GetBytes(text)];
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteString(text))));
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteString(text.AsSpan()))));
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteStringUtf8(Encoding.UTF8.GetBytes(text)))));
        Assert.Equal(text, ReadAll(expected, (ref CanonicalReader r) => r.ReadString()));
        Assert.Equal(Encoding.UTF8.GetBytes(text), ReadAll(expected, (ref CanonicalReader r) => r.ReadStringUtf8().ToArray()));
        Canonical.Validate(new(expected));
    }

    [Fact]
    public void The_string_a_is_a1_61_C2()
    {
        Assert.Equal("a161", ToHex(Write((ref CanonicalWriter w) => w.WriteString("a"))));
        Assert.Equal("a", ReadAll(Hex("a1 61"), (ref CanonicalReader r) => r.ReadString()));
    }

    [Theory]
    [InlineData(10)] // 30 UTF-8 bytes: fixstr
    [InlineData(11)] // 33 UTF-8 bytes: str8 though only 11 chars
    [InlineData(85)] // 255 UTF-8 bytes: str8
    [InlineData(86)] // 258 UTF-8 bytes: str16
    public void Multibyte_strings_get_their_header_from_the_UTF8_length_C2(int chars)
    {
        string text = new('€', chars); // 3 bytes each
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        byte[] header = utf8.Length <= 31 ? [(byte)(0xa0 | utf8.Length)] : utf8.Length <= 255 ? [0xd9, (byte)utf8.Length] : [0xda, (byte)(utf8.Length >> 8), (byte)utf8.Length];
        byte[] expected = [.. header, .. utf8];
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteString(text))));
        Assert.Equal(text, ReadAll(expected, (ref CanonicalReader r) => r.ReadString()));
    }

    public static TheoryData<int, string> BinaryHeaders => new()
    {
        { 0, "c4 00" },
        { 1, "c4 01" },
        { 255, "c4 ff" },
        { 256, "c5 01 00" },
        { 65535, "c5 ff ff" },
        { 65536, "c6 00 01 00 00" },
    };

    [Theory]
    [MemberData(nameof(BinaryHeaders))]
    public void Binaries_use_bin8_then_bin16_then_bin32_C2(int length, string headerHex)
    {
        byte[] payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        byte[] expected = [.. Hex(headerHex), .. payload];
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteBinary(payload))));
        Assert.Equal(payload, ReadAll(expected, (ref CanonicalReader r) => r.ReadBinaryArray()));
        Assert.Equal(payload, ReadAll(expected, (ref CanonicalReader r) => r.ReadBinary().ToArray()));
        byte[] into = new byte[length];
        ReadAll(expected, (ref CanonicalReader r) => { r.ReadBinary(into); return 0; });
        Assert.Equal(payload, into);
        Canonical.Validate(new(expected));
    }

    [Fact]
    public void Hash256_is_bin8_of_32_bytes_C2()
    {
        Hash256 hash = Hash256.Compute("abc"u8);
        byte[] expected = [0xc4, 0x20, .. hash.ToArray()];
        Assert.Equal(ToHex(expected), ToHex(Write((ref CanonicalWriter w) => w.WriteHash256(hash))));
        Assert.Equal(hash, ReadAll(expected, (ref CanonicalReader r) => r.ReadHash256()));
        Assert.Equal(hash, ReadAll(OneBytePerSegment(expected).ToArray(), (ref CanonicalReader r) => r.ReadHash256()));
    }

    public static TheoryData<int, string, string> CollectionHeaders => new()
    {
        { 0, "90", "80" },
        { 1, "91", "81" },
        { 15, "9f", "8f" },
        { 16, "dc 00 10", "de 00 10" },
        { 65535, "dc ff ff", "de ff ff" },
        { 65536, "dd 00 01 00 00", "df 00 01 00 00" },
    };

    [Theory]
    [MemberData(nameof(CollectionHeaders))]
    public void Arrays_and_maps_use_fix_then_16_then_32_headers_C2(int count, string arrayHex, string mapHex)
    {
        Assert.Equal(ToHex(Hex(arrayHex)), ToHex(Write((ref CanonicalWriter w) => w.WriteArrayHeader(count))));
        Assert.Equal(ToHex(Hex(mapHex)), ToHex(Write((ref CanonicalWriter w) => w.WriteMapHeader(count))));

        // The reader needs the elements to be there (each at least one byte).
        byte[] array = [.. Hex(arrayHex), .. new byte[count]];
        Assert.Equal(count, ReadAll(array, (ref CanonicalReader r) =>
        {
            int n = r.ReadArrayHeader();
            for (int i = 0; i < n; i++)
            {
                r.ReadUInt32();
            }

            return n;
        }));
        Canonical.Validate(new(array));

        // Map keys must be increasing: use distinct positive fixints for small maps.
        if (count <= 64)
        {
            byte[] map = [.. Hex(mapHex), .. Enumerable.Range(0, count).SelectMany(i => new byte[] { (byte)i, 0xc0 })];
            Assert.Equal(count, ReadAll(map, (ref CanonicalReader r) =>
            {
                int n = r.ReadMapHeader();
                for (int i = 0; i < n; i++)
                {
                    Assert.Equal((uint)i, r.ReadUInt32());
                    r.ReadNil();
                }

                return n;
            }));
            Canonical.Validate(new(map));
        }
    }

    [Fact]
    public void Fixed_field_records_check_the_array_length_C2()
    {
        byte[] bytes = Hex("92 01 02");
        ReadAll(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(2); r.ReadUInt64(); r.ReadUInt64(); return 0; });
        AssertError(Fails(bytes, (ref CanonicalReader r) => { r.ReadArrayHeader(3); return null; }), CodecError.UnexpectedLength, 0);
    }

    [Fact]
    public void WriteRaw_embeds_bytes_verbatim_C2()
    {
        byte[] inner = Hex("92 a1 61 cc 80");
        byte[] outer = Write((ref CanonicalWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteRaw(inner);
            w.WriteNil();
        });
        Assert.Equal("9292a161cc80c0", ToHex(outer));
        Canonical.Validate(new(outer));
    }
}
