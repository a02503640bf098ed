using System.Numerics;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Crypto;

/// <summary>Backends under test and an independent, slow, textbook Ed25519 curve in <see cref="BigInteger"/>s.</summary>
public static class Ed25519TestSupport
{
    public const string Managed = "managed";
    public const string Libsodium = "libsodium";

    /// <summary>Backend names for theories; libsodium only where it loads (see the loader test that guards Linux).</summary>
    public static TheoryData<string> Backends()
    {
        var data = new TheoryData<string> { Managed };
        if (SignatureSchemes.Ed25519Libsodium is not null)
        {
            data.Add(Libsodium);
        }

        return data;
    }

    internal static Ed25519Scheme Scheme(string backend) => backend switch
    {
        Managed => (Ed25519Scheme)SignatureSchemes.Ed25519Managed,
        Libsodium => (Ed25519Scheme)(SignatureSchemes.Ed25519Libsodium ?? throw new InvalidOperationException("libsodium not loaded")),
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };

    /// <summary>Every available Ed25519 scheme.</summary>
    public static IReadOnlyList<ISignatureScheme> AllEd25519()
    {
        var list = new List<ISignatureScheme> { SignatureSchemes.Ed25519Managed };
        if (SignatureSchemes.Ed25519Libsodium is { } sodium)
        {
            list.Add(sodium);
        }

        return list;
    }

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

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
