using System.Numerics;
using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>
/// ECDSA on NIST P-256 with SHA-256 on the platform's <see cref="ECDsa"/>: 65-byte uncompressed public keys,
/// 32-byte big-endian private scalars, 64-byte IEEE P1363 <c>r ‖ s</c> signatures normalised to low S.
/// </summary>
internal sealed class EcdsaP256Scheme : ISignatureScheme
{
    internal const int PublicKeySize = 65;
    internal const int ScalarSize = 32;
    internal const int SignatureSize = 64;

    /// <summary>The group order n.</summary>
    internal static readonly BigInteger N = Parse("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

    /// <summary>n / 2 (floor): a signature is low-S when s ≤ HalfN.</summary>
    internal static readonly BigInteger HalfN = N >> 1;

    /// <summary>The field prime p.</summary>
    internal static readonly BigInteger P = Parse("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");

    /// <summary>The curve coefficient b (a = -3).</summary>
    internal static readonly BigInteger B = Parse("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");

    internal static EcdsaP256Scheme Instance { get; } = new();

    private EcdsaP256Scheme()
    {
    }

    public SignatureAlgorithm Algorithm => SignatureAlgorithm.EcdsaP256;

    public string Name => "ECDSA P-256";

    public int PublicKeySizeBytes => PublicKeySize;

    public int PrivateKeySizeBytes => ScalarSize;

    public int SignatureSizeBytes => SignatureSize;

    public PrivateKey GenerateKey()
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            return new EcdsaP256PrivateKey(this, ExportPublicKey(ecdsa), ecdsa);
        }
        catch
        {
            ecdsa.Dispose();
            throw;
        }
    }

    public PrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != ScalarSize)
        {
            throw new ArgumentException($"A P-256 private key is a {ScalarSize}-byte scalar, got {privateKey.Length} bytes.", nameof(privateKey));
        }

        var d = new BigInteger(privateKey, isUnsigned: true, isBigEndian: true);
        if (d.IsZero || d >= N)
        {
            throw new ArgumentException("A P-256 private scalar must be in [1, n-1].", nameof(privateKey));
        }

        byte[] dCopy = privateKey.ToArray();
        ECDsa? ecdsa = null;
        try
        {
            ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = dCopy });
            var key = new EcdsaP256PrivateKey(this, ExportPublicKey(ecdsa), ecdsa);
            ecdsa = null;
            return key;
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException("Not a valid P-256 private key.", nameof(privateKey), e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dCopy);
            ecdsa?.Dispose();
        }
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || publicKey[0] != 0x04 || signature.Length != SignatureSize)
        {
            return false;
        }

        var r = new BigInteger(signature[..ScalarSize], isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature[ScalarSize..], isUnsigned: true, isBigEndian: true);
        if (r.IsZero || r >= N || s.IsZero || s > HalfN)
        {
            return false;
        }

        var x = new BigInteger(publicKey.Slice(1, ScalarSize), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(publicKey.Slice(1 + ScalarSize, ScalarSize), isUnsigned: true, isBigEndian: true);
        if (!IsOnCurve(x, y))
        {
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey.Slice(1, ScalarSize).ToArray(), Y = publicKey.Slice(1 + ScalarSize, ScalarSize).ToArray() },
            });
            return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether (x, y) is an affine point of P-256 with canonical coordinates (the identity has no affine form).</summary>
    internal static bool IsOnCurve(BigInteger x, BigInteger y)
    {
        if (x.Sign < 0 || y.Sign < 0 || x >= P || y >= P)
        {
            return false;
        }

        BigInteger left = y * y % P;
        BigInteger right = (((x * x % P) * x) - (3 * x) + B) % P;
        if (right.Sign < 0)
        {
            right += P;
        }

        return left == right;
    }

    /// <summary>Rewrites the S half of a P1363 signature to n − s when s &gt; n/2.</summary>
    internal static void NormalizeLowS(Span<byte> signature)
    {
        Span<byte> sBytes = signature.Slice(ScalarSize, ScalarSize);
        var s = new BigInteger(sBytes, isUnsigned: true, isBigEndian: true);
        if (s > HalfN)
        {
            sBytes.Clear();
            BigInteger low = N - s;
            int offset = ScalarSize - low.GetByteCount(isUnsigned: true);
            low.TryWriteBytes(sBytes[offset..], out _, isUnsigned: true, isBigEndian: true);
        }
    }

    private static PublicKey ExportPublicKey(ECDsa ecdsa)
    {
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        byte[] encoded = new byte[PublicKeySize];
        encoded[0] = 0x04;
        parameters.Q.X!.CopyTo(encoded.AsSpan(1 + ScalarSize - parameters.Q.X!.Length));
        parameters.Q.Y!.CopyTo(encoded.AsSpan(1 + (2 * ScalarSize) - parameters.Q.Y!.Length));
        return PublicKey.CreateOwned(SignatureAlgorithm.EcdsaP256, encoded);
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
