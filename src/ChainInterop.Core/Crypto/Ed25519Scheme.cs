using System.Security.Cryptography;
using KeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using KeyCreationParameters = NSec.Cryptography.KeyCreationParameters;
using KeyExportPolicies = NSec.Cryptography.KeyExportPolicies;
using NSecKey = NSec.Cryptography.Key;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace ChainInterop.Crypto;

/// <summary>
/// Ed25519 through NSec (libsodium 1.0.22, shipped natively by the <c>libsodium</c> package), behind our strict
/// pre-check (<see cref="Ed25519Strict"/>) so the verdict is our rule, whatever libsodium build runs underneath.
/// </summary>
internal sealed class Ed25519Scheme : ISignatureScheme
{
    private Ed25519Scheme()
    {
    }

    internal static Ed25519Scheme Instance { get; } = new();

    /// <summary>NSec's Ed25519 (pure, RFC 8032); a thread-safe singleton.</summary>
    internal static NSec.Cryptography.Ed25519 NSecEd25519 => NSec.Cryptography.SignatureAlgorithm.Ed25519;

    public SignatureAlgorithm Algorithm => SignatureAlgorithm.Ed25519;

    public string Name => "Ed25519 (NSec, libsodium)";

    public int PublicKeySizeBytes => Ed25519Strict.PublicKeySizeBytes;

    public int PrivateKeySizeBytes => Ed25519Strict.SeedSizeBytes;

    public int SignatureSizeBytes => Ed25519Strict.SignatureSizeBytes;

    public PrivateKey GenerateKey()
    {
        // Export is allowed because PrivateKey.ExportPrivateKey promises the seed of every key (docs/CRYPTO.md).
        var creation = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return Wrap(NSecKey.Create(NSecEd25519, in creation));
    }

    public PrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Ed25519Strict.SeedSizeBytes)
        {
            throw new ArgumentException(
                $"An Ed25519 private key is a {Ed25519Strict.SeedSizeBytes}-byte seed, got {privateKey.Length} bytes.",
                nameof(privateKey));
        }

        // NSec expands the seed straight into libsodium's guarded memory; no managed copy of the secret is made.
        var creation = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        return Wrap(NSecKey.Import(NSecEd25519, privateKey, KeyBlobFormat.RawPrivateKey, in creation));
    }

    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Ed25519Strict.PreCheck(publicKey, signature) && VerifyCofactorless(publicKey, message, signature);

    /// <summary>
    /// libsodium's own verification through NSec (rule 5, cofactorless, comparing encoded R, plus whatever checks
    /// that libsodium build makes itself) WITHOUT our pre-check. Internal so tests can compare the two.
    /// </summary>
    /// <remarks>Importing a raw public key into NSec copies 32 bytes into a small object; nothing is validated there.</remarks>
    internal static bool VerifyCofactorless(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519Strict.PublicKeySizeBytes || signature.Length != Ed25519Strict.SignatureSizeBytes)
        {
            return false;
        }

        NSecPublicKey key = NSecPublicKey.Import(NSecEd25519, publicKey, KeyBlobFormat.RawPublicKey);
        return NSecEd25519.Verify(key, message, signature);
    }

    public override string ToString() => Name;

    private Ed25519PrivateKey Wrap(NSecKey key)
    {
        try
        {
            byte[] publicKey = new byte[Ed25519Strict.PublicKeySizeBytes];
            if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out int written) || written != publicKey.Length)
            {
                throw new CryptographicException("NSec exported an Ed25519 public key of an unexpected size.");
            }

            return new Ed25519PrivateKey(this, PublicKey.CreateOwned(SignatureAlgorithm.Ed25519, publicKey), key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
