using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>An Ed25519 private key: a pinned 64-byte seed ‖ public key buffer, wiped on dispose.</summary>
internal sealed class Ed25519PrivateKey : PrivateKey
{
    private readonly Ed25519Scheme _scheme;

    // Invariant: pinned, 64 bytes, seed ‖ public key until DisposeCore zeroes it.
    private readonly byte[] _secretKey;

    internal Ed25519PrivateKey(Ed25519Scheme scheme, PublicKey publicKey, byte[] secretKey)
        : base(scheme, publicKey)
    {
        _scheme = scheme;
        _secretKey = secretKey;
    }

    internal override ReadOnlySpan<byte> SecretBufferForTesting => _secretKey;

    private protected override void SignCore(ReadOnlySpan<byte> message, Span<byte> signature) =>
        _scheme.SignWith(_secretKey, message, signature);

    private protected override void ExportCore(Span<byte> destination) =>
        _secretKey.AsSpan(0, Ed25519Strict.SeedSizeBytes).CopyTo(destination);

    private protected override void DisposeCore() => CryptographicOperations.ZeroMemory(_secretKey);
}
