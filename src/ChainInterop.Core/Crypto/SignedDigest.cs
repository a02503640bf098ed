namespace ChainInterop.Crypto;

/// <summary>
/// The one way ChainInterop signs a message: over <c>domain tag ‖ SHA-256 digest</c>. The tag (e.g.
/// "ChainInterop/commit/v1") names what is signed, so a signature made for one kind of message can never be
/// replayed as another; the digest is the hash of the message's canonical encoding.
/// </summary>
public static class SignedDigest
{
    /// <summary>The longest domain tag, in bytes.</summary>
    public const int MaxDomainTagSizeBytes = 64;

    /// <summary>Signs <paramref name="digest"/> under <paramref name="domainTag"/>.</summary>
    /// <param name="key">The signer's private key.</param>
    /// <param name="domainTag">What is being signed (ASCII, at most 64 bytes).</param>
    /// <param name="digest">The digest of the message.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="domainTag"/> is empty or too long.</exception>
    public static byte[] Sign(PrivateKey key, ReadOnlySpan<byte> domainTag, Hash256 digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> payload = stackalloc byte[MaxDomainTagSizeBytes + Hash256.SizeBytes];
        return key.Sign(Write(domainTag, digest, payload));
    }

    /// <summary>Whether <paramref name="signature"/> is <paramref name="key"/>'s signature of <paramref name="digest"/> under <paramref name="domainTag"/>.</summary>
    /// <param name="key">The claimed signer.</param>
    /// <param name="domainTag">What was signed.</param>
    /// <param name="digest">The digest of the message.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>True when it verifies; never throws on malformed signatures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="domainTag"/> is empty or too long.</exception>
    public static bool Verify(PublicKey key, ReadOnlySpan<byte> domainTag, Hash256 digest, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> payload = stackalloc byte[MaxDomainTagSizeBytes + Hash256.SizeBytes];
        return key.Verify(Write(domainTag, digest, payload), signature);
    }

    private static ReadOnlySpan<byte> Write(ReadOnlySpan<byte> domainTag, Hash256 digest, Span<byte> buffer)
    {
        if (domainTag.IsEmpty || domainTag.Length > MaxDomainTagSizeBytes)
        {
            throw new ArgumentException($"A domain tag is 1 to {MaxDomainTagSizeBytes} bytes.", nameof(domainTag));
        }

        domainTag.CopyTo(buffer);
        digest.WriteTo(buffer[domainTag.Length..]);
        return buffer[..(domainTag.Length + Hash256.SizeBytes)];
    }
}
