using System.Buffers;
using System.Security.Cryptography;
using Rfc8032 = Org.BouncyCastle.Math.EC.Rfc8032;

namespace ChainInterop.Crypto;

/// <summary>
/// Ed25519 on BouncyCastle's low-level <c>Org.BouncyCastle.Math.EC.Rfc8032.Ed25519</c> (byte-array API, no key
/// parameter objects), so the only long-lived copy of the seed is our own pinned buffer. Always available.
/// </summary>
/// <remarks>
/// BouncyCastle derives the expanded secret (SHA-512 of the seed) into short-lived arrays of its own that it does not
/// wipe; those are garbage after each call. Use the libsodium backend where that matters.
/// </remarks>
internal sealed class ManagedEd25519 : Ed25519Scheme
{
    internal static ManagedEd25519 Instance { get; } = new();

    private ManagedEd25519()
    {
    }

    public override string Name => "Ed25519 (managed)";

    private protected override void ExpandSeed(ReadOnlySpan<byte> seed, byte[] secretKey)
    {
        seed.CopyTo(secretKey);
        Rfc8032.Ed25519.GeneratePublicKey(secretKey, 0, secretKey, Ed25519Strict.SeedSizeBytes);
    }

    internal override void SignWith(byte[] secretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        byte[] m = ArrayPool<byte>.Shared.Rent(message.Length);
        byte[] sig = ArrayPool<byte>.Shared.Rent(Ed25519Strict.SignatureSizeBytes);
        try
        {
            message.CopyTo(m);
            Rfc8032.Ed25519.Sign(secretKey, 0, secretKey, Ed25519Strict.SeedSizeBytes, m, 0, message.Length, sig, 0);
            sig.AsSpan(0, Ed25519Strict.SignatureSizeBytes).CopyTo(signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(m, clearArray: true);
            ArrayPool<byte>.Shared.Return(sig, clearArray: true);
        }
    }

    internal override bool VerifyCofactorless(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519Strict.PublicKeySizeBytes || signature.Length != Ed25519Strict.SignatureSizeBytes)
        {
            return false;
        }

        byte[] m = ArrayPool<byte>.Shared.Rent(message.Length);
        byte[] pk = ArrayPool<byte>.Shared.Rent(Ed25519Strict.PublicKeySizeBytes);
        byte[] sig = ArrayPool<byte>.Shared.Rent(Ed25519Strict.SignatureSizeBytes);
        try
        {
            message.CopyTo(m);
            publicKey.CopyTo(pk);
            signature.CopyTo(sig);
            return Rfc8032.Ed25519.Verify(sig, 0, pk, 0, m, 0, message.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(m, clearArray: true);
            ArrayPool<byte>.Shared.Return(pk);
            ArrayPool<byte>.Shared.Return(sig);
        }
    }
}
