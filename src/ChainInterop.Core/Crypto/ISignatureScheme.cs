namespace ChainInterop.Crypto;

/// <summary>
/// One implementation of one <see cref="SignatureAlgorithm"/>: creates and imports private keys and verifies signatures.
/// Implementations are stateless and thread-safe. Obtain them from <see cref="SignatureSchemes"/>.
/// </summary>
public interface ISignatureScheme
{
    /// <summary>The algorithm this scheme implements.</summary>
    SignatureAlgorithm Algorithm { get; }

    /// <summary>A human-readable name including the implementation, e.g. <c>"Ed25519 (NSec, libsodium)"</c> or <c>"ECDSA P-256"</c>.</summary>
    string Name { get; }

    /// <summary>The size of an encoded public key: 32 for Ed25519, 65 for P-256 (uncompressed <c>0x04 ‖ X ‖ Y</c>).</summary>
    int PublicKeySizeBytes { get; }

    /// <summary>The size of an exported private key: 32 for Ed25519 (the RFC 8032 seed), 32 for P-256 (the big-endian scalar d).</summary>
    int PrivateKeySizeBytes { get; }

    /// <summary>The size of a signature: 64 for both algorithms (P-256 as IEEE P1363 <c>r ‖ s</c>).</summary>
    int SignatureSizeBytes { get; }

    /// <summary>Generates a new private key from the operating system's cryptographic random number generator.</summary>
    /// <returns>The new key; the caller owns it and must dispose it.</returns>
    PrivateKey GenerateKey();

    /// <summary>Imports a private key previously exported with <see cref="PrivateKey.ExportPrivateKey"/>.</summary>
    /// <param name="privateKey">Exactly <see cref="PrivateKeySizeBytes"/> bytes. The span is not retained.</param>
    /// <returns>The key; the caller owns it and must dispose it.</returns>
    /// <exception cref="ArgumentException"><paramref name="privateKey"/> has the wrong length or is not a valid key.</exception>
    PrivateKey ImportPrivateKey(ReadOnlySpan<byte> privateKey);

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="message"/> under <paramref name="publicKey"/>.
    /// Verification is strict (see <see cref="SignatureSchemes.Ed25519"/> and <see cref="SignatureSchemes.EcdsaP256"/>)
    /// and never throws on malformed input: any wrong length, invalid encoding or invalid point yields <see langword="false"/>.
    /// </summary>
    /// <param name="publicKey">The encoded public key.</param>
    /// <param name="message">The signed message.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>Whether the signature is valid.</returns>
    bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);
}
