namespace ChainInterop.Crypto;

/// <summary>
/// The signature algorithms ChainInterop understands. The numeric values are part of the wire format
/// (they tag public keys and signatures) and must never be renumbered.
/// </summary>
public enum SignatureAlgorithm : byte
{
    /// <summary>Ed25519 (RFC 8032, pure, no context), 32-byte keys and 64-byte signatures, verified with the strict rule of <see cref="SignatureSchemes.Ed25519"/>.</summary>
    Ed25519 = 1,

    /// <summary>ECDSA on NIST P-256 over SHA-256, 65-byte uncompressed public keys and 64-byte low-S IEEE P1363 signatures.</summary>
    EcdsaP256 = 2,
}
