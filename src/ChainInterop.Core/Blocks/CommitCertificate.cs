using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Blocks;

/// <summary>
/// Proof that a quorum of a chain's validators committed a block header (C3): their signatures over
/// "ChainInterop/commit/v1" ‖ header hash (<see cref="SignedDigest"/>). The domain tag keeps a commit signature from being reused as any other
/// kind of signed message; the header hash binds chain id and height.
/// </summary>
/// <remarks>
/// Canonical form: <c>[headerHash, [[signer, signature], …]]</c> with signers strictly ascending, so one set of
/// signatures has one encoding. Verification is strict: one bad or unknown signature fails the whole certificate,
/// even when the others would reach the quorum, so no byte of a stored certificate can change unnoticed.
/// </remarks>
public sealed class CommitCertificate : ICanonicalEncodable<CommitCertificate>
{
    /// <summary>The domain tag of commit signatures (see <see cref="SignedDigest"/>).</summary>
    internal static ReadOnlySpan<byte> DomainTag => "ChainInterop/commit/v1"u8;

    private readonly CommitSignature[] _signatures;

    private CommitCertificate(Hash256 headerHash, CommitSignature[] sortedSignatures)
    {
        HeaderHash = headerHash;
        _signatures = sortedSignatures;
    }

    /// <summary>The hash of the certified header.</summary>
    public Hash256 HeaderHash { get; }

    /// <summary>The signatures, ordered by signer.</summary>
    public IReadOnlyList<CommitSignature> Signatures => _signatures;

    /// <summary>Assembles a certificate from validators' signatures.</summary>
    /// <param name="headerHash">The certified header's hash.</param>
    /// <param name="signatures">The signatures, in any order.</param>
    /// <returns>The certificate (not yet verified: see <see cref="Verify"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="signatures"/> is null or holds null.</exception>
    /// <exception cref="ArgumentException">A signer appears twice or there are too many signatures.</exception>
    public static CommitCertificate Create(Hash256 headerHash, IEnumerable<CommitSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        CommitSignature[] sorted = [.. signatures];
        foreach (var s in sorted)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(signatures));
        }

        Array.Sort(sorted, static (a, b) => a.Signer.CompareTo(b.Signer));
        if (sorted.Length > ValidatorSet.MaxValidators)
        {
            throw new ArgumentException($"At most {ValidatorSet.MaxValidators} signatures.", nameof(signatures));
        }

        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Signer == sorted[i - 1].Signer)
            {
                throw new ArgumentException($"Signer {sorted[i].Signer.ToShortString()} appears twice.", nameof(signatures));
            }
        }

        return new CommitCertificate(headerHash, sorted);
    }

    /// <summary>Signs <paramref name="header"/> with every key and assembles the certificate (tests, samples, single-process chains).</summary>
    /// <param name="header">The header to certify.</param>
    /// <param name="keys">The validators' private keys.</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static CommitCertificate Sign(BlockHeader header, IEnumerable<PrivateKey> keys)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(keys);
        return Create(header.Hash, keys.Select(k => CommitSignature.Create(k, header.Hash)));
    }

    /// <summary>
    /// Checks that this certificate commits <paramref name="header"/>: it names that header, every signer is a
    /// validator, every signature verifies, and there are at least <see cref="ValidatorSet.Quorum"/> of them.
    /// </summary>
    /// <param name="header">The header it should certify.</param>
    /// <param name="validators">The chain's validators.</param>
    /// <returns>Valid, or the first failure, attributed to the header's height.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public VerificationResult Verify(BlockHeader header, ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(validators);
        if (HeaderHash != header.Hash)
        {
            return VerificationResult.Fail(VerificationFailure.CertificateHeaderMismatch, header.Height,
                $"certificate is for header {HeaderHash.ToShortString()}, block header is {header.Hash.ToShortString()}");
        }

        foreach (var signature in _signatures)
        {
            if (!validators.TryGetPublicKey(signature.Signer, out var key))
            {
                return VerificationResult.Fail(VerificationFailure.UnknownSigner, header.Height,
                    $"signer {signature.Signer.ToShortString()} is not a validator of {header.ChainId}");
            }

            if (!SignedDigest.Verify(key, DomainTag, HeaderHash, signature.Signature))
            {
                return VerificationResult.Fail(VerificationFailure.InvalidSignature, header.Height,
                    $"signature of {signature.Signer.ToShortString()} does not verify");
            }
        }

        return _signatures.Length >= validators.Quorum
            ? VerificationResult.Valid
            : VerificationResult.Fail(VerificationFailure.InsufficientSignatures, header.Height,
                $"{_signatures.Length} signatures, quorum is {validators.Quorum} of {validators.Count}");
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteHash256(HeaderHash);
        writer.WriteArrayHeader(_signatures.Length);
        foreach (var signature in _signatures)
        {
            writer.WriteArrayHeader(2);
            writer.WriteNodeId(signature.Signer);
            writer.WriteBinary(signature.Signature);
        }
    }

    /// <inheritdoc />
    public static CommitCertificate Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        var headerHash = reader.ReadHash256();
        long listOffset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > ValidatorSet.MaxValidators)
        {
            throw new CodecException(CodecError.LimitExceeded, listOffset, $"more than {ValidatorSet.MaxValidators} signatures");
        }

        var signatures = new CommitSignature[count];
        for (int i = 0; i < count; i++)
        {
            long offset = reader.Consumed;
            reader.ReadArrayHeader(2);
            var signer = reader.ReadNodeId();
            var bytes = reader.ReadBinaryArray();
            if (i > 0 && signer.CompareTo(signatures[i - 1].Signer) <= 0)
            {
                throw new CodecException(CodecError.NonCanonical, offset, "certificate signers must be strictly ascending");
            }

            signatures[i] = new CommitSignature(signer, bytes);
        }

        return new CommitCertificate(headerHash, signatures);
    }
}
