using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// Signatures of some validators of one chain over <c>domain tag ‖ digest</c> (<see cref="SignedDigest"/>): how a
/// chain speaks in a topology vote or its verification information. Like <see cref="CommitCertificate"/>, but for any
/// domain tag.
/// </summary>
/// <remarks>
/// Canonical form: <c>[[signer, signature], …]</c>, signers strictly ascending, so one set of signatures has one
/// encoding. Verification is strict: one unknown signer or bad signature fails the whole set.
/// </remarks>
internal sealed class QuorumSignatures
{
    /// <summary>The longest signature accepted when decoding, in bytes (Ed25519 and P-256 signatures are 64).</summary>
    public const int MaxSignatureSizeBytes = 128;

    private readonly NodeId[] _signers;
    private readonly byte[][] _signatures;

    private QuorumSignatures(NodeId[] signers, byte[][] signatures)
    {
        _signers = signers;
        _signatures = signatures;
    }

    /// <summary>The signers, ascending.</summary>
    public IReadOnlyList<NodeId> Signers => _signers;

    /// <summary>Signs <paramref name="digest"/> under <paramref name="domainTag"/> with every key.</summary>
    /// <param name="keys">The validators' private keys.</param>
    /// <param name="domainTag">What is signed.</param>
    /// <param name="digest">The digest of the signed content.</param>
    /// <returns>The signatures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null or holds null.</exception>
    /// <exception cref="ArgumentException">A key appears twice, or more than <see cref="ValidatorSet.MaxValidators"/> keys.</exception>
    public static QuorumSignatures Sign(IEnumerable<PrivateKey> keys, ReadOnlySpan<byte> domainTag, Hash256 digest)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var signed = new List<(NodeId Signer, byte[] Signature)>();
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            if (signed.Count == ValidatorSet.MaxValidators)
            {
                throw new ArgumentException($"At most {ValidatorSet.MaxValidators} signers.", nameof(keys));
            }

            signed.Add((NodeId.FromPublicKey(key.PublicKey), SignedDigest.Sign(key, domainTag, digest)));
        }

        signed.Sort(static (a, b) => a.Signer.CompareTo(b.Signer));
        for (int i = 1; i < signed.Count; i++)
        {
            if (signed[i].Signer == signed[i - 1].Signer)
            {
                throw new ArgumentException($"Signer {signed[i].Signer.ToShortString()} appears twice.", nameof(keys));
            }
        }

        return new QuorumSignatures([.. signed.Select(s => s.Signer)], [.. signed.Select(s => s.Signature)]);
    }

    /// <summary>Checks that every signer is a validator, every signature verifies, and there are at least a quorum.</summary>
    /// <param name="validators">The chain's registered validators.</param>
    /// <param name="domainTag">What was signed.</param>
    /// <param name="digest">The digest of the signed content.</param>
    /// <returns>Valid, or the first failure.</returns>
    public EvidenceCheck Verify(ValidatorSet validators, ReadOnlySpan<byte> domainTag, Hash256 digest)
    {
        for (int i = 0; i < _signers.Length; i++)
        {
            if (!validators.TryGetPublicKey(_signers[i], out var key))
            {
                return new EvidenceCheck(EvidenceFailure.UnknownSigner, $"signer {_signers[i].ToShortString()} is not a validator");
            }

            if (!SignedDigest.Verify(key, domainTag, digest, _signatures[i]))
            {
                return new EvidenceCheck(EvidenceFailure.InvalidSignature, $"signature of {_signers[i].ToShortString()} does not verify");
            }
        }

        return _signers.Length >= validators.Quorum
            ? EvidenceCheck.Valid
            : new EvidenceCheck(EvidenceFailure.InsufficientSignatures, $"{_signers.Length} signatures, quorum is {validators.Quorum} of {validators.Count}");
    }

    /// <summary>Writes <c>[[signer, signature], …]</c>.</summary>
    /// <param name="writer">The writer.</param>
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(_signers.Length);
        for (int i = 0; i < _signers.Length; i++)
        {
            writer.WriteArrayHeader(2);
            writer.WriteNodeId(_signers[i]);
            writer.WriteBinary(_signatures[i]);
        }
    }

    /// <summary>Reads what <see cref="Encode"/> wrote, rejecting unordered or repeated signers and oversized lists or signatures.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The signatures (not yet verified).</returns>
    /// <exception cref="CodecException">Malformed or non-canonical input.</exception>
    public static QuorumSignatures Decode(ref CanonicalReader reader)
    {
        long listOffset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > ValidatorSet.MaxValidators)
        {
            throw new CodecException(CodecError.LimitExceeded, listOffset, $"more than {ValidatorSet.MaxValidators} signatures");
        }

        var signers = new NodeId[count];
        var signatures = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            long offset = reader.Consumed;
            reader.ReadArrayHeader(2);
            signers[i] = reader.ReadNodeId();
            if (i > 0 && signers[i].CompareTo(signers[i - 1]) <= 0)
            {
                throw new CodecException(CodecError.NonCanonical, offset, "signers must be strictly ascending");
            }

            long signatureOffset = reader.Consumed;
            signatures[i] = reader.ReadBinaryArray();
            if (signatures[i].Length > MaxSignatureSizeBytes)
            {
                throw new CodecException(CodecError.LimitExceeded, signatureOffset, $"a signature is at most {MaxSignatureSizeBytes} bytes");
            }
        }

        return new QuorumSignatures(signers, signatures);
    }
}
