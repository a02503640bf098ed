using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>
/// What both Ed25519 backends share: key sizes, key generation and import into a pinned buffer, and the strict
/// pre-check (<see cref="Ed25519Strict"/>) in front of the backend's own verification.
/// </summary>
internal abstract class Ed25519Scheme : ISignatureScheme
{
    /// <summary>The libsodium secret key layout: seed (32) ‖ public key (32).</summary>
    internal const int SecretKeySizeBytes = 64;

    public SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;

    public abstract string Name { get; }

    public int PublicKeySizeBytes => Ed25519Strict.PublicKeySizeBytes;

    public int PrivateKeySizeBytes => Ed25519Strict.SeedSizeBytes;

    public int SignatureSizeBytes => Ed25519Strict.SignatureSizeBytes;

    public PrivateKey GenerateKey()
    {
        Span<byte> seed = stackalloc byte[Ed25519Strict.SeedSizeBytes];
        try
        {
            RandomNumberGenerator.Fill(seed);
            return ImportPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public PrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Ed25519Strict.SeedSizeBytes)
        {
            throw new ArgumentException(
                $"An Ed25519 private key is a {Ed25519Strict.SeedSizeBytes}-byte seed, got {privateKey.Length} bytes.",
                nameof(privateKey));
        }

        // Pinned so the GC never leaves a stale copy of the secret behind when compacting.
        byte[] secretKey = GC.AllocateArray<byte>(SecretKeySizeBytes, pinned: true);
        try
        {
            ExpandSeed(privateKey, secretKey);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(secretKey);
            throw;
        }

        var publicKey = PublicKey.CreateOwned(SignatureAlgorithm.Ed25519, secretKey.AsSpan(32, 32).ToArray());
        return new Ed25519PrivateKey(this, publicKey, secretKey);
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Ed25519Strict.PreCheck(publicKey, signature) && VerifyCofactorless(publicKey, message, signature);

    /// <summary>Fills <paramref name="secretKey"/> (64 bytes) with seed ‖ public key. Must not keep other copies.</summary>
    private protected abstract void ExpandSeed(ReadOnlySpan<byte> seed, byte[] secretKey);

    /// <summary>RFC 8032 signing with the 64-byte seed ‖ public key; <paramref name="signature"/> is 64 bytes.</summary>
    internal abstract void SignWith(byte[] secretKey, ReadOnlySpan<byte> message, Span<byte> signature);

    /// <summary>
    /// The backend's own verification (rule 5, cofactorless, comparing encoded R) WITHOUT the strict pre-check.
    /// Callers guarantee 32-byte key and 64-byte signature. Internal so tests can show what the pre-check adds.
    /// </summary>
    internal abstract bool VerifyCofactorless(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

    public override string ToString() => Name;
}
