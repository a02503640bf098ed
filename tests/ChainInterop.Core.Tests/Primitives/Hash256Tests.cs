using ChainInterop.Crypto;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests.Primitives;

public class Hash256Tests
{
    [Fact]
    public void Sha256_of_abc_matches_FIPS_180_2_C1()
    {
        var hash = Hash256.Compute("abc"u8);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash.ToString());
        Assert.Equal(hash, Hash256.Compute("a"u8, "bc"u8));
    }

    [Fact]
    public void Hex_parse_and_format_round_trip_in_either_case_C1()
    {
        var hash = Hash256.Compute("x"u8);
        Assert.Equal(hash, Hash256.Parse(hash.ToString()));
        Assert.Equal(hash, Hash256.Parse(hash.ToString().ToUpperInvariant()));
        Assert.False(Hash256.TryParse(hash.ToString()[..63], out _));
        Assert.False(Hash256.TryParse(hash.ToString()[..63] + "g", out _));
        Assert.False(Hash256.TryParse((string?)null, out _));
        Assert.Throws<FormatException>(() => Hash256.Parse("zz"));
    }

    private static readonly Arbitrary<byte[]> Bytes32 = CommonArbitraries.Bytes(Gen.Constant(32), minLength: 32);

    /// <summary>Two 32-byte values: unrelated, equal, or equal but for one byte (so every ordering outcome is frequent).</summary>
    private static readonly Arbitrary<(byte[] A, byte[] B)> Pairs = Arb.From<(byte[] A, byte[] B)>(
        from a in Bytes32.Generator
        from b in Gen.Frequency(
            (2, Bytes32.Generator),
            (1, Gen.Constant(a)),
            (1, from at in Gen.Choose(0, 31) from value in CommonArbitraries.Byte.Generator select With(a, at, value)))
        select (a, b),
        p => Bytes32.Shrinker(p.A).Select(a => (a, p.B)).Concat(Bytes32.Shrinker(p.B).Select(b => (p.A, b))));

    [Property]
    public Property Ordering_and_equality_agree_with_the_bytes_C1() =>
        Prop.ForAll(Pairs, p =>
        {
            var x = new Hash256(p.A);
            var y = new Hash256(p.B);
            int bytewise = p.A.AsSpan().SequenceCompareTo(p.B);
            return Math.Sign(x.CompareTo(y)) == Math.Sign(bytewise) && (x == y) == (bytewise == 0)
                && x.ToArray().AsSpan().SequenceEqual(p.A);
        });

    [Fact]
    public void Wrong_length_input_is_refused_C1()
    {
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[31]));
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[33]));
        Assert.Throws<ArgumentException>(() => Hash256.Zero.WriteTo(new byte[31]));
        Assert.True(Hash256.Zero.IsZero);
    }

    private static byte[] With(byte[] bytes, int at, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] = value;
        return copy;
    }
}
