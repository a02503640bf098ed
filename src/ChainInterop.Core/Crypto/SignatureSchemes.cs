namespace ChainInterop.Crypto;

/// <summary>The signature schemes ChainInterop ships, one default per <see cref="SignatureAlgorithm"/>.</summary>
public static class SignatureSchemes
{
    /// <summary>
    /// The environment variable that selects the default Ed25519 backend: set it to <c>managed</c> to make
    /// <see cref="Ed25519"/> the BouncyCastle backend even when libsodium loads. Read once, at first use.
    /// </summary>
    public const string Ed25519BackendEnvironmentVariable = "CHAININTEROP_ED25519_BACKEND";

    private static readonly Lazy<ISignatureScheme?> LazyLibsodium =
        new(LibsodiumEd25519.TryCreate, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<ISignatureScheme> LazyDefaultEd25519 =
        new(
            () => ChooseEd25519(Environment.GetEnvironmentVariable(Ed25519BackendEnvironmentVariable), () => Ed25519Libsodium),
            LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The default Ed25519 scheme: libsodium when it loads (see <see cref="Ed25519Libsodium"/>), otherwise
    /// <see cref="Ed25519Managed"/>. Decided once per process, thread-safe. Setting the environment variable
    /// <c>CHAININTEROP_ED25519_BACKEND=managed</c> (<see cref="Ed25519BackendEnvironmentVariable"/>) forces the managed backend.
    /// </summary>
    /// <remarks>
    /// <para>Every Ed25519 backend verifies with the same strict rule, so they accept exactly the same signatures:</para>
    /// <list type="number">
    /// <item><description>the public key is exactly 32 bytes and the signature exactly 64 bytes;</description></item>
    /// <item><description>S (the last 32 bytes, little-endian) is below the group order
    /// L = 2^252 + 27742317777372353535851937790883648493 (non-canonical S is rejected, so signatures are not malleable);</description></item>
    /// <item><description>the public key A is a canonical encoding: its y coordinate (sign bit ignored) is below p = 2^255 − 19;</description></item>
    /// <item><description>neither A nor R is a small-order point: their encodings, sign bit ignored, are not one of
    /// y = 0, y = 1, the two y values of the order-8 points, y = p − 1, y = p or y = p + 1;</description></item>
    /// <item><description>the cofactorless equation holds: encode([S]B − [k]A) equals the R bytes, with k = SHA-512(R ‖ A ‖ M) mod L.</description></item>
    /// </list>
    /// <para>This is libsodium 1.0.18's default rule (<c>crypto_sign_verify_detached</c>), so libsodium-verified and
    /// managed-verified results agree. Rules 1 to 4 are one shared pre-check run before either backend.</para>
    /// </remarks>
    public static ISignatureScheme Ed25519 => LazyDefaultEd25519.Value;

    /// <summary>The BouncyCastle (fully managed) Ed25519 backend; always available. Same strict rule as <see cref="Ed25519"/>.</summary>
    public static ISignatureScheme Ed25519Managed => ManagedEd25519.Instance;

    /// <summary>
    /// The libsodium Ed25519 backend, or <see langword="null"/> when libsodium cannot be loaded or initialised
    /// (Linux: <c>libsodium.so.23</c>/<c>.26</c>; macOS: <c>libsodium.26.dylib</c>/<c>.23.dylib</c>; Windows: <c>libsodium.dll</c>).
    /// Same strict rule as <see cref="Ed25519"/>. Loaded at first use, once, thread-safe.
    /// </summary>
    public static ISignatureScheme? Ed25519Libsodium => LazyLibsodium.Value;

    /// <summary>
    /// ECDSA P-256 with SHA-256. Signing always yields low-S signatures (s ≤ n/2). Verification rejects wrong lengths,
    /// public keys that are not uncompressed points on the curve, r or s outside [1, n − 1], and high S.
    /// </summary>
    public static ISignatureScheme EcdsaP256 => EcdsaP256Scheme.Instance;

    /// <summary>The default scheme for <paramref name="algorithm"/>.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <returns><see cref="Ed25519"/> or <see cref="EcdsaP256"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not a known algorithm.</exception>
    public static ISignatureScheme Get(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => Ed25519,
        SignatureAlgorithm.EcdsaP256 => EcdsaP256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown signature algorithm."),
    };

    /// <summary>The default-backend decision: <c>managed</c> (any case, trimmed) forces managed; anything else prefers libsodium.</summary>
    /// <param name="choice">The value of <see cref="Ed25519BackendEnvironmentVariable"/>, or null.</param>
    /// <param name="libsodium">Loads libsodium; only called when the choice allows it, so a forced-managed process never loads it.</param>
    internal static ISignatureScheme ChooseEd25519(string? choice, Func<ISignatureScheme?> libsodium)
    {
        if (string.Equals(choice?.Trim(), "managed", StringComparison.OrdinalIgnoreCase))
        {
            return Ed25519Managed;
        }

        return libsodium() ?? Ed25519Managed;
    }
}
