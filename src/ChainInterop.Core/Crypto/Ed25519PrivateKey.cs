using System.Security.Cryptography;
using KeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using NSecKey = NSec.Cryptography.Key;

namespace ChainInterop.Crypto;

/// <summary>
/// An Ed25519 private key held by an NSec <see cref="NSecKey"/>: the 64-byte libsodium secret key (seed ‖ public key)
/// lives in memory from <c>sodium_malloc</c> (guard pages, locked against swapping), which <c>sodium_free</c> wipes
/// when <see cref="DisposeCore"/> disposes the NSec key.
/// </summary>
internal sealed class Ed25519PrivateKey : PrivateKey
{
    // Invariant: owned by this key alone, created with KeyExportPolicies.AllowPlaintextExport, disposed once by DisposeCore.
    private readonly NSecKey _key;

    internal Ed25519PrivateKey(Ed25519Scheme scheme, PublicKey publicKey, NSecKey key)
        : base(scheme, publicKey)
    {
        _key = key;
    }

    /// <summary>The NSec key, for tests that check it is disposed with this key.</summary>
    internal NSecKey NSecKeyForTesting => _key;

    protected override void SignCore(ReadOnlySpan<byte> message, Span<byte> signature) =>
        Ed25519Scheme.NSecEd25519.Sign(_key, message, signature);

    protected override void ExportCore(Span<byte> destination)
    {
        if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, destination, out int written) || written != Ed25519Strict.SeedSizeBytes)
        {
            throw new CryptographicException("NSec exported an Ed25519 seed of an unexpected size.");
        }
    }

    protected override void DisposeCore() => _key.Dispose();
}
