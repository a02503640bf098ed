using System.Numerics;
using System.Security.Cryptography;

namespace ChainInterop.Tests.Crypto;

/// <summary>
/// An independent, slow, textbook Ed25519 in <see cref="BigInteger"/>s (affine helpers for the constants' checks, and an
/// RFC 8032 reference signer and verifier in extended coordinates) that the one scheme is compared against.
/// </summary>
public static class Ed25519TestSupport
{
    public static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    public static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    public static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);

    public static BigInteger Mod(BigInteger x)
    {
        BigInteger r = x % P;
        return r.Sign < 0 ? r + P : r;
    }

    public static BigInteger Inverse(BigInteger x) => BigInteger.ModPow(Mod(x), P - 2, P);

    public static BigInteger LittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);

    public static byte[] ToLittleEndian32(BigInteger value)
    {
        var bytes = new byte[32];
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }

    /// <summary>Decodes y (taken mod p, as a lax decoder would) and recovers x with the given sign; null when not on the curve.</summary>
    public static (BigInteger X, BigInteger Y)? Decompress(BigInteger y, bool negative)
    {
        y = Mod(y);
        BigInteger x2 = Mod((y * y - 1) * Inverse(D * y * y + 1));
        if (x2.IsZero)
        {
            return negative ? null : (BigInteger.Zero, y);
        }

        BigInteger x = BigInteger.ModPow(x2, (P + 3) / 8, P);
        if (Mod(x * x - x2) != 0)
        {
            x = Mod(x * SqrtMinusOne);
        }

        if (Mod(x * x - x2) != 0)
        {
            return null;
        }

        if (x.IsEven == negative)
        {
            x = P - x;
        }

        return (x, y);
    }

    public static (BigInteger X, BigInteger Y) Add((BigInteger X, BigInteger Y) a, (BigInteger X, BigInteger Y) b)
    {
        BigInteger t = Mod(D * a.X * b.X * a.Y * b.Y);
        BigInteger x = Mod((a.X * b.Y + b.X * a.Y) * Inverse(1 + t));
        BigInteger y = Mod((a.Y * b.Y + a.X * b.X) * Inverse(1 - t));
        return (x, y);
    }

    public static (BigInteger X, BigInteger Y) Multiply(BigInteger k, (BigInteger X, BigInteger Y) point)
    {
        (BigInteger X, BigInteger Y) result = (0, 1);
        while (k > 0)
        {
            if (!k.IsEven)
            {
                result = Add(result, point);
            }

            point = Add(point, point);
            k >>= 1;
        }

        return result;
    }

    /// <summary>The base point B (y = 4/5, x even).</summary>
    public static readonly (BigInteger X, BigInteger Y) BasePoint = Decompress(Mod(4 * Inverse(5)), negative: false)!.Value;

    /// <summary>RFC 8032 section 5.1.5: the public key of a 32-byte seed.</summary>
    public static byte[] ReferencePublicKey(ReadOnlySpan<byte> seed) => Encode(ScalarMultiply(SecretScalar(seed), BasePoint));

    /// <summary>RFC 8032 section 5.1.6: the signature of <paramref name="message"/> under <paramref name="seed"/>.</summary>
    public static byte[] ReferenceSign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        byte[] h = SHA512.HashData(seed);
        BigInteger a = SecretScalar(seed);
        byte[] publicKey = Encode(ScalarMultiply(a, BasePoint));
        BigInteger r = LittleEndian(SHA512.HashData([.. h.AsSpan(32), .. message])) % L;
        byte[] rBytes = Encode(ScalarMultiply(r, BasePoint));
        BigInteger k = LittleEndian(SHA512.HashData([.. rBytes, .. publicKey, .. message])) % L;
        BigInteger s = (r + (k * a)) % L;
        return [.. rBytes, .. ToLittleEndian32(s)];
    }

    /// <summary>
    /// The strict rule of docs/CRYPTO.md, computed from its definitions rather than from <c>Ed25519Strict</c>'s
    /// byte patterns: S &lt; L; A canonical, on the curve and not of order dividing 8; R not the encoding of such a
    /// point; and encode([S]B − [k]A) == R.
    /// </summary>
    public static bool ReferenceVerify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
        {
            return false;
        }

        BigInteger s = LittleEndian(signature[32..]);
        if (s >= L)
        {
            return false;
        }

        if (DecodeCanonical(publicKey) is not { } a || HasSmallOrder(a))
        {
            return false;
        }

        if (DecodeCanonical(signature[..32]) is { } r && HasSmallOrder(r))
        {
            return false;
        }

        return CofactorlessEquationHolds(publicKey, message, signature);
    }

    /// <summary>Rule 5 alone, with no other check: encode([S]B − [k]A) == R (false when A does not decode at all).</summary>
    public static bool CofactorlessEquationHolds(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        BigInteger yA = LittleEndian(publicKey) & ((BigInteger.One << 255) - 1);
        if (Decompress(yA, (publicKey[31] & 0x80) != 0) is not { } a)
        {
            return false;
        }

        BigInteger s = LittleEndian(signature[32..]);
        BigInteger k = LittleEndian(SHA512.HashData([.. signature[..32], .. publicKey, .. message])) % L;
        var minusA = (Mod(-a.X), a.Y);
        var check = Add(ScalarMultiply(s, BasePoint), ScalarMultiply(k, minusA));
        return Encode(check).AsSpan().SequenceEqual(signature[..32]);
    }

    /// <summary>The canonical encoding: y little-endian, the sign of x in bit 255.</summary>
    public static byte[] Encode((BigInteger X, BigInteger Y) point)
    {
        byte[] bytes = ToLittleEndian32(point.Y);
        if (!point.X.IsEven)
        {
            bytes[31] |= 0x80;
        }

        return bytes;
    }

    /// <summary>[<paramref name="k"/>]<paramref name="point"/> in extended coordinates (no inversion per step), returned affine.</summary>
    public static (BigInteger X, BigInteger Y) ScalarMultiply(BigInteger k, (BigInteger X, BigInteger Y) point)
    {
        var p = (X: point.X, Y: point.Y, Z: BigInteger.One, T: Mod(point.X * point.Y));
        var result = (X: BigInteger.Zero, Y: BigInteger.One, Z: BigInteger.One, T: BigInteger.Zero);
        for (int bit = (int)k.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = AddExtended(result, result);
            if (!(k >> bit).IsEven)
            {
                result = AddExtended(result, p);
            }
        }

        BigInteger zInverse = Inverse(result.Z);
        return (Mod(result.X * zInverse), Mod(result.Y * zInverse));
    }

    /// <summary>Unified addition on −x² + y² = 1 + d x² y² (Hisil–Wong–Carter–Dawson 2008, "add-2008-hwcd-3"); complete here.</summary>
    private static (BigInteger X, BigInteger Y, BigInteger Z, BigInteger T) AddExtended(
        (BigInteger X, BigInteger Y, BigInteger Z, BigInteger T) p, (BigInteger X, BigInteger Y, BigInteger Z, BigInteger T) q)
    {
        BigInteger a = Mod((p.Y - p.X) * (q.Y - q.X));
        BigInteger b = Mod((p.Y + p.X) * (q.Y + q.X));
        BigInteger c = Mod(2 * D * p.T % P * q.T);
        BigInteger d = Mod(2 * p.Z * q.Z);
        BigInteger e = b - a, f = d - c, g = d + c, h = b + a;
        return (Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    /// <summary>A point from a canonical encoding (y &lt; p), or null when y is not canonical or not on the curve.</summary>
    private static (BigInteger X, BigInteger Y)? DecodeCanonical(ReadOnlySpan<byte> encoded)
    {
        BigInteger y = LittleEndian(encoded) & ((BigInteger.One << 255) - 1);
        return y >= P ? null : Decompress(y, (encoded[31] & 0x80) != 0);
    }

    /// <summary>Whether [8]P is the identity (P has order 1, 2, 4 or 8).</summary>
    private static bool HasSmallOrder((BigInteger X, BigInteger Y) point) =>
        ScalarMultiply(8, point) == (BigInteger.Zero, BigInteger.One);

    private static BigInteger SecretScalar(ReadOnlySpan<byte> seed)
    {
        byte[] h = SHA512.HashData(seed);
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        return LittleEndian(h.AsSpan(0, 32));
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
