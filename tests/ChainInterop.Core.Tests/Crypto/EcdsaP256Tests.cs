using System.Numerics;
using System.Security.Cryptography;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Crypto;

public sealed class EcdsaP256Tests
{
    private static readonly ISignatureScheme Scheme = SignatureSchemes.EcdsaP256;
    private static readonly BigInteger N = EcdsaP256Scheme.N;

    private static BigInteger BigEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static byte[] ToBigEndian32(BigInteger value)
    {
        var bytes = new byte[32];
        int count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes.AsSpan(32 - count), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }

    [Fact]
    public void EcdsaP256_sign_verify_round_trip_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        Assert.Equal(SignatureAlgorithm.EcdsaP256, key.Algorithm);
        Assert.Equal(65, key.PublicKey.Bytes.Length);
        Assert.Equal(0x04, key.PublicKey.Bytes[0]);

        byte[] message = "settle 100 EUR"u8.ToArray();
        byte[] sig = key.Sign(message);
        Assert.Equal(64, sig.Length);
        Assert.True(Scheme.Verify(key.PublicKey.Bytes, message, sig));
        Assert.True(key.PublicKey.Verify(message, sig));
        Assert.False(Scheme.Verify(key.PublicKey.Bytes, "settle 101 EUR"u8, sig));

        using PrivateKey other = Scheme.GenerateKey();
        Assert.False(Scheme.Verify(other.PublicKey.Bytes, message, sig));

        // Interoperates with a plain BCL verifier (SHA-256, P1363).
        using var bcl = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key.PublicKey.Bytes[1..33].ToArray(), Y = key.PublicKey.Bytes[33..].ToArray() },
        });
        Assert.True(bcl.VerifyData(message, sig, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void EcdsaP256_signatures_are_always_low_S_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        for (int i = 0; i < 200; i++)
        {
            byte[] message = BitConverter.GetBytes(i);
            byte[] sig = key.Sign(message);
            BigInteger s = BigEndian(sig.AsSpan(32));
            Assert.True(s <= EcdsaP256Scheme.HalfN, $"signature {i} is high-S");
            Assert.True(s > 0);
            Assert.True(Scheme.Verify(key.PublicKey.Bytes, message, sig));
        }
    }

    [Fact]
    public void EcdsaP256_high_S_variant_is_rejected_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        byte[] message = "malleable?"u8.ToArray();
        byte[] sig = key.Sign(message);
        byte[] high = sig[..32].Concat(ToBigEndian32(N - BigEndian(sig.AsSpan(32)))).ToArray();

        // The high-S twin is mathematically valid (the BCL accepts it) but our strict rule does not.
        using var bcl = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = key.PublicKey.Bytes[1..33].ToArray(), Y = key.PublicKey.Bytes[33..].ToArray() },
        });
        Assert.True(bcl.VerifyData(message, high, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(Scheme.Verify(key.PublicKey.Bytes, message, high));
    }

    [Fact]
    public void EcdsaP256_normalize_low_S_maps_high_to_low_C1()
    {
        byte[] sig = new byte[64];
        ToBigEndian32(N - 1).CopyTo(sig, 32);
        EcdsaP256Scheme.NormalizeLowS(sig);
        Assert.Equal(BigInteger.One, BigEndian(sig.AsSpan(32)));

        ToBigEndian32(EcdsaP256Scheme.HalfN).CopyTo(sig, 32);
        EcdsaP256Scheme.NormalizeLowS(sig);
        Assert.Equal(EcdsaP256Scheme.HalfN, BigEndian(sig.AsSpan(32)));

        ToBigEndian32(EcdsaP256Scheme.HalfN + 1).CopyTo(sig, 32);
        EcdsaP256Scheme.NormalizeLowS(sig);
        Assert.Equal(N - EcdsaP256Scheme.HalfN - 1, BigEndian(sig.AsSpan(32)));
    }

    [Fact]
    public void EcdsaP256_rejects_every_single_bit_flip_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        byte[] message = "bits"u8.ToArray();
        byte[] sig = key.Sign(message);
        for (int bit = 0; bit < 512; bit++)
        {
            byte[] bad = (byte[])sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Scheme.Verify(key.PublicKey.Bytes, message, bad), $"bit {bit}");
        }

        byte[] pk = key.PublicKey.Bytes.ToArray();
        for (int bit = 0; bit < 65 * 8; bit++)
        {
            byte[] bad = (byte[])pk.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Scheme.Verify(bad, message, sig), $"public key bit {bit}");
        }
    }

    [Fact]
    public void EcdsaP256_rejects_r_or_s_out_of_range_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        byte[] message = "range"u8.ToArray();
        byte[] sig = key.Sign(message);
        byte[] pk = key.PublicKey.Bytes.ToArray();
        byte[] zero = new byte[32];
        byte[] n = ToBigEndian32(N);
        byte[] ones = Enumerable.Repeat((byte)0xff, 32).ToArray();

        Assert.False(Scheme.Verify(pk, message, zero.Concat(sig[32..]).ToArray()));
        Assert.False(Scheme.Verify(pk, message, sig[..32].Concat(zero).ToArray()));
        Assert.False(Scheme.Verify(pk, message, n.Concat(sig[32..]).ToArray()));
        Assert.False(Scheme.Verify(pk, message, sig[..32].Concat(n).ToArray()));
        Assert.False(Scheme.Verify(pk, message, ones.Concat(sig[32..]).ToArray()));
        // r + n still fits in 32 bytes for small r only; r + n ≥ n is rejected whenever it fits.
        BigInteger r = BigEndian(sig.AsSpan(0, 32));
        if (r + N < BigInteger.One << 256)
        {
            Assert.False(Scheme.Verify(pk, message, ToBigEndian32(r + N).Concat(sig[32..]).ToArray()));
        }
    }

    [Fact]
    public void EcdsaP256_rejects_bad_points_and_lengths_C1()
    {
        using PrivateKey key = Scheme.GenerateKey();
        byte[] message = "points"u8.ToArray();
        byte[] sig = key.Sign(message);
        byte[] pk = key.PublicKey.Bytes.ToArray();

        // Compressed-style and invalid prefixes.
        foreach (byte prefix in new byte[] { 0x00, 0x02, 0x03, 0x05, 0x06, 0x07 })
        {
            byte[] bad = (byte[])pk.Clone();
            bad[0] = prefix;
            Assert.False(Scheme.Verify(bad, message, sig), $"prefix {prefix}");
        }

        // Not on the curve: y + 1.
        byte[] offCurve = (byte[])pk.Clone();
        ToBigEndian32((BigEndian(pk.AsSpan(33)) + 1) % EcdsaP256Scheme.P).CopyTo(offCurve, 33);
        Assert.False(Scheme.Verify(offCurve, message, sig));

        // Coordinates ≥ p (y + p may still fit in 32 bytes; x = p, y = 0 is the non-canonical origin).
        byte[] xIsP = new byte[65];
        xIsP[0] = 0x04;
        ToBigEndian32(EcdsaP256Scheme.P).CopyTo(xIsP, 1);
        Assert.False(Scheme.Verify(xIsP, message, sig));

        // The all-zero "point at infinity" encodings.
        Assert.False(Scheme.Verify([0x04, .. new byte[64]], message, sig));
        Assert.False(Scheme.Verify(new byte[65], message, sig));
        Assert.False(Scheme.Verify([0x00], message, sig));

        // (x, -y) is on the curve but is a different key.
        byte[] negated = (byte[])pk.Clone();
        ToBigEndian32(EcdsaP256Scheme.P - BigEndian(pk.AsSpan(33))).CopyTo(negated, 33);
        Assert.True(EcdsaP256Scheme.IsOnCurve(BigEndian(negated.AsSpan(1, 32)), BigEndian(negated.AsSpan(33))));
        Assert.False(Scheme.Verify(negated, message, sig));

        foreach (int len in new[] { 0, 33, 64, 66 })
        {
            byte[] k = new byte[len];
            pk.AsSpan(0, Math.Min(len, 65)).CopyTo(k);
            Assert.False(Scheme.Verify(k, message, sig), $"public key length {len}");
        }

        foreach (int len in new[] { 0, 63, 65, 70, 72 })
        {
            byte[] s = new byte[len];
            sig.AsSpan(0, Math.Min(len, 64)).CopyTo(s);
            Assert.False(Scheme.Verify(pk, message, s), $"signature length {len}");
        }

        Assert.True(Scheme.Verify(pk, message, sig));
    }

    [Fact]
    public void EcdsaP256_import_validates_scalar_C1()
    {
        Assert.Throws<ArgumentException>(() => Scheme.ImportPrivateKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => Scheme.ImportPrivateKey(ToBigEndian32(N)));
        Assert.Throws<ArgumentException>(() => Scheme.ImportPrivateKey(Enumerable.Repeat((byte)0xff, 32).ToArray()));
        Assert.Throws<ArgumentException>(() => Scheme.ImportPrivateKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => Scheme.ImportPrivateKey(new byte[33]));

        using PrivateKey one = Scheme.ImportPrivateKey(ToBigEndian32(BigInteger.One));
        // d = 1: the public key is the generator G.
        Assert.Equal(
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
            one.PublicKey.ToString());
        using PrivateKey last = Scheme.ImportPrivateKey(ToBigEndian32(N - 1));
        Assert.True(last.PublicKey.Verify("edge"u8, last.Sign("edge"u8)));

        byte[] exported = new byte[32];
        one.ExportPrivateKey(exported);
        Assert.Equal(ToBigEndian32(BigInteger.One), exported);
    }
}
