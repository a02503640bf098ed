namespace ChainInterop.Crypto;

/// <summary>
/// An immutable public key: an algorithm and its encoded bytes (32 bytes for Ed25519, 65 bytes uncompressed for P-256).
/// Equality is by algorithm and bytes; the text form is the lower-case hex of the bytes.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    // Invariant: _bytes is a private copy of length PublicKeySize(Algorithm) and is never mutated.
    private readonly byte[] _bytes;

    private PublicKey(SignatureAlgorithm algorithm, byte[] bytes)
    {
        Algorithm = algorithm;
        _bytes = bytes;
    }

    /// <summary>Creates a public key from its encoding. The bytes are copied.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="bytes">32 bytes for <see cref="SignatureAlgorithm.Ed25519"/>, 65 for <see cref="SignatureAlgorithm.EcdsaP256"/>.</param>
    /// <returns>The public key.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> has the wrong length for <paramref name="algorithm"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="algorithm"/> is not a known algorithm.</exception>
    public static PublicKey Create(SignatureAlgorithm algorithm, ReadOnlySpan<byte> bytes)
    {
        int expected = SizeOf(algorithm);
        if (bytes.Length != expected)
        {
            throw new ArgumentException($"A {algorithm} public key is {expected} bytes, got {bytes.Length}.", nameof(bytes));
        }

        return new PublicKey(algorithm, bytes.ToArray());
    }

    /// <summary>Creates a key from an array the caller hands over (no copy); used by our own schemes only.</summary>
    internal static PublicKey CreateOwned(SignatureAlgorithm algorithm, byte[] bytes)
    {
        System.Diagnostics.Debug.Assert(bytes.Length == SizeOf(algorithm), "public key length");
        return new PublicKey(algorithm, bytes);
    }

    private static int SizeOf(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Ed25519 => Ed25519Strict.PublicKeySizeBytes,
        SignatureAlgorithm.EcdsaP256 => EcdsaP256Scheme.PublicKeySize,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown signature algorithm."),
    };

    /// <summary>The algorithm of this key.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The encoded key bytes (a read-only view of an internal copy).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Verifies a signature with the default scheme of <see cref="Algorithm"/> (<see cref="SignatureSchemes.Get"/>).</summary>
    /// <param name="message">The signed message.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>Whether the signature is valid; <see langword="false"/> for any malformed signature, never an exception.</returns>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        SignatureSchemes.Get(Algorithm).Verify(_bytes, message, signature);

    /// <inheritdoc />
    public bool Equals(PublicKey? other) =>
        other is not null && Algorithm == other.Algorithm && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Algorithm);
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>Equality by algorithm and bytes.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether both are null or both are equal.</returns>
    public static bool operator ==(PublicKey? left, PublicKey? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by algorithm and bytes.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns>Whether the keys differ.</returns>
    public static bool operator !=(PublicKey? left, PublicKey? right) => !(left == right);

    /// <summary>The lower-case hex of <see cref="Bytes"/>.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString() => Convert.ToHexStringLower(_bytes);
}
