using ChainInterop.Codec;
using ChainInterop.Merkle;

namespace ChainInterop.Blocks;

/// <summary>
/// A self-contained proof that some bytes were entry <see cref="MerkleProof.LeafIndex"/> of a committed block: the
/// entry, its Merkle path to the header's entries root, the header, and the header's commit certificate. Anyone who
/// knows the chain's validator set can check it offline, e.g. a chain receiving a cross-chain message (C6).
/// </summary>
/// <remarks>Canonical form: <c>[header, certificate, entry, proof]</c>.</remarks>
public sealed class CertifiedEntry : ICanonicalEncodable<CertifiedEntry>
{
    private readonly byte[] _entry;

    /// <summary>Creates a proof from its parts (e.g. after decoding); <see cref="Verify"/> checks them.</summary>
    /// <param name="header">The header of the block holding the entry.</param>
    /// <param name="certificate">The header's commit certificate.</param>
    /// <param name="entry">The entry's bytes (copied).</param>
    /// <param name="proof">The entry's inclusion proof under <see cref="BlockHeader.EntriesRoot"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public CertifiedEntry(BlockHeader header, CommitCertificate certificate, ReadOnlySpan<byte> entry, MerkleProof proof)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(proof);
        Header = header;
        Certificate = certificate;
        _entry = entry.ToArray();
        Proof = proof;
    }

    /// <summary>The header of the block holding the entry.</summary>
    public BlockHeader Header { get; }

    /// <summary>The header's commit certificate.</summary>
    public CommitCertificate Certificate { get; }

    /// <summary>The entry's bytes.</summary>
    public ReadOnlyMemory<byte> Entry => _entry;

    /// <summary>The entry's inclusion proof under the header's entries root.</summary>
    public MerkleProof Proof { get; }

    /// <summary>The proof of entry <paramref name="index"/> of a certified <paramref name="block"/>.</summary>
    /// <param name="block">A committed block with its certificate.</param>
    /// <param name="index">The entry.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    /// <exception cref="ArgumentException">The block has no certificate.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an entry of the block.</exception>
    public static CertifiedEntry FromBlock(Block block, int index)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Certificate is null)
        {
            throw new ArgumentException("Only a certified block can prove its entries.", nameof(block));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, block.Entries.Count);
        return new CertifiedEntry(block.Header, block.Certificate, block.Entries[index].Span, block.ProveEntry(index));
    }

    /// <summary>Checks the certificate against <paramref name="validators"/> and the entry's path against the certified entries root.</summary>
    /// <param name="validators">The validators of the entry's chain, as registered by the verifier.</param>
    /// <returns>Valid, or what failed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public VerificationResult Verify(ValidatorSet validators)
    {
        var certificate = Certificate.Verify(Header, validators);
        if (!certificate.IsValid)
        {
            return certificate;
        }

        return Proof.Verify(MerkleTree.HashLeaf(_entry), Header.EntriesRoot)
            ? VerificationResult.Valid
            : VerificationResult.Fail(VerificationFailure.EntriesRootMismatch, Header.Height,
                $"the entry is not leaf {Proof.LeafIndex} under the certified entries root");
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        Header.Encode(ref writer);
        Certificate.Encode(ref writer);
        writer.WriteBinary(_entry);
        Proof.Encode(ref writer);
    }

    /// <inheritdoc />
    public static CertifiedEntry Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var header = BlockHeader.Decode(ref reader);
        var certificate = CommitCertificate.Decode(ref reader);
        var entry = reader.ReadBinaryArray();
        return new CertifiedEntry(header, certificate, entry, MerkleProof.Decode(ref reader));
    }
}
