using ChainInterop.Crypto;
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

    [Fact]
    public void Ordering_and_equality_agree_with_the_bytes_C1()
    {
        Prop.ForAll<byte[], byte[]>((a, b) =>
        {
            var x = new Hash256(Pad(a));
            var y = new Hash256(Pad(b));
            int bytewise = Pad(a).AsSpan().SequenceCompareTo(Pad(b));
            return Math.Sign(x.CompareTo(y)) == Math.Sign(bytewise) && (x == y) == (bytewise == 0)
                && x.ToArray().AsSpan().SequenceEqual(Pad(a));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Wrong_length_input_is_refused_C1()
    {
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[31]));
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[33]));
        Assert.Throws<ArgumentException>(() => Hash256.Zero.WriteTo(new byte[31]));
        Assert.True(Hash256.Zero.IsZero);
    }

    private static byte[] Pad(byte[]? bytes)
    {
        var padded = new byte[32];
        (bytes ?? []).AsSpan(0, Math.Min(32, bytes?.Length ?? 0)).CopyTo(padded);
        return padded;
    }
}
