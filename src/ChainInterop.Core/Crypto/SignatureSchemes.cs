namespace ChainInterop.Crypto;

/// <summary>The signature schemes ChainInterop ships, one per <see cref="SignatureAlgorithm"/>.</summary>
public static class SignatureSchemes
{
    /// <summary>
    /// Ed25519 (RFC 8032, pure) through NSec over libsodium 1.0.22, which the <c>libsodium</c> package ships natively
    /// for Linux, macOS and Windows on x64 and arm64. Thread-safe; one instance per process.
    /// </summary>
    /// <remarks>
    /// <para>Verification applies one strict rule, so every platform gives the same verdict:</para>
    /// <list type="number">
    /// <item><description>the public key is exactly 32 bytes and the signature exactly 64 bytes;</description></item>
    /// <item><description>S (the last 32 bytes, little-endian) is below the group order
    /// L = 2^252 + 27742317777372353535851937790883648493 (non-canonical S is rejected, so signatures are not malleable);</description></item>
    /// <item><description>the public key A is a canonical encoding: its y coordinate (sign bit ignored) is below p = 2^255 − 19;</description></item>
    /// <item><description>neither A nor R is a small-order point: their encodings, sign bit ignored, are not one of
    /// y = 0, y = 1, the two y values of the order-8 points, y = p − 1, y = p or y = p + 1;</description></item>
    /// <item><description>the cofactorless equation holds: encode([S]B − [k]A) equals the R bytes, with k = SHA-512(R ‖ A ‖ M) mod L.</description></item>
    /// </list>
    /// <para>Rules 1 to 4 are our own pre-check, run before libsodium's <c>crypto_sign_verify_detached</c> (rule 5).
    /// libsodium's default build applies the same rule itself; the pre-check keeps the verdict ours on any build.</para>
    /// </remarks>
    public static ISignatureScheme Ed25519 => Ed25519Scheme.Instance;

    /// <summary>
    /// ECDSA P-256 with SHA-256. Signing always yields low-S signatures (s ≤ n/2). Verification rejects wrong lengths,
    /// public keys that are not uncompressed points on the curve, r or s outside [1, n − 1], and high S.
    /// </summary>
    public static ISignatureScheme EcdsaP256 => EcdsaP256Scheme.Instance;

    /// <summary>The scheme for <paramref name="algorithm"/>.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns><see cref="Ed25519"/> or <see cref="EcdsaP256"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not a known algorithm.</exception>
    public static ISignatureScheme Get(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => Ed25519,
        SignatureAlgorithm.EcdsaP256 => EcdsaP256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown signature algorithm."),
    };
}
