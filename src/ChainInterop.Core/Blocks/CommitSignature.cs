using ChainInterop.Crypto;

namespace ChainInterop.Blocks;

/// <summary>One validator's signature in a <see cref="CommitCertificate"/>.</summary>
public sealed class CommitSignature
{
    private readonly byte[] _signature;

    /// <summary>Wraps a signature (e.g. when decoding); <see cref="CommitCertificate.Verify"/> checks it.</summary>
    /// <param name="signer">The validator that signed.</param>
    /// <param name="signature">The signature bytes (copied).</param>
    public CommitSignature(NodeId signer, ReadOnlySpan<byte> signature)
    {
        Signer = signer;
        _signature = signature.ToArray();
    }

    /// <summary>The validator that signed.</summary>
    public NodeId Signer { get; }

    /// <summary>The signature over "ChainInterop/commit/v1" ‖ header hash (<see cref="SignedDigest"/>).</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>Signs a header hash as validator <paramref name="key"/>.</summary>
    /// <param name="key">The validator's private key.</param>
    /// <param name="headerHash">The hash of the header being committed.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public static CommitSignature Create(PrivateKey key, Hash256 headerHash)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new CommitSignature(NodeId.FromPublicKey(key.PublicKey), SignedDigest.Sign(key, CommitCertificate.DomainTag, headerHash));
    }
}
