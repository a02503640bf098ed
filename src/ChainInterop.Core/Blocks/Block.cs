using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Blocks;

/// <summary>
/// A block (C3, C4): its <see cref="Header"/>, the opaque <see cref="Entries"/> the chain's application executes
/// (ledger postings, transaction records…), the block-level <see cref="HashRecords"/>, and the commit certificate
/// once a quorum has signed.
/// </summary>
/// <remarks>
/// Canonical form: <c>[header, [entry, …], [record, …], certificate | nil]</c>. A decoded block is not trusted:
/// <see cref="Verify"/> recomputes both roots and checks the certificate.
/// </remarks>
public sealed class Block : ICanonicalEncodable<Block>
{
    private readonly ReadOnlyMemory<byte>[] _entries;
    private readonly HashRecord[] _hashRecords;

    private Block(BlockHeader header, ReadOnlyMemory<byte>[] entries, HashRecord[] hashRecords, CommitCertificate? certificate)
    {
        Header = header;
        _entries = entries;
        _hashRecords = hashRecords;
        Certificate = certificate;
    }

    /// <summary>The signed header.</summary>
    public BlockHeader Header { get; }

    /// <summary>The entries, in order; their Merkle root is <see cref="BlockHeader.EntriesRoot"/>.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Entries => _entries;

    /// <summary>The block-level hash records, in order; their Merkle root is <see cref="BlockHeader.HashRecordsRoot"/>.</summary>
    public IReadOnlyList<HashRecord> HashRecords => _hashRecords;

    /// <summary>The commit certificate, or null while the block is only proposed.</summary>
    public CommitCertificate? Certificate { get; }

    /// <summary>The block's height.</summary>
    public ulong Height => Header.Height;

    /// <summary>The header's hash, which names the block.</summary>
    public Hash256 Hash => Header.Hash;

    /// <summary>Builds an uncertified block, computing both Merkle roots.</summary>
    /// <param name="chainId">The chain.</param>
    /// <param name="height">The height (0 for genesis).</param>
    /// <param name="previousHash">The previous header's hash (zero for genesis).</param>
    /// <param name="timestampUnixMs">Proposal time, Unix milliseconds.</param>
    /// <param name="proposer">The proposing validator.</param>
    /// <param name="view">The consensus view.</param>
    /// <param name="entries">The entries (copied).</param>
    /// <param name="hashRecords">The hash records closed into this block, if any.</param>
    /// <returns>The block, without certificate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entries"/> is null or a record is null.</exception>
    public static Block Create(
        ChainId chainId,
        ulong height,
        Hash256 previousHash,
        long timestampUnixMs,
        NodeId proposer,
        ulong view,
        IEnumerable<ReadOnlyMemory<byte>> entries,
        IEnumerable<HashRecord>? hashRecords = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ReadOnlyMemory<byte>[] entryCopies = [.. entries.Select(e => (ReadOnlyMemory<byte>)e.ToArray())];
        HashRecord[] records = [.. hashRecords ?? []];
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(hashRecords));
        }

        var header = new BlockHeader(chainId, height, previousHash, MerkleTree.ComputeRoot(entryCopies),
            ComputeHashRecordsRoot(records), timestampUnixMs, proposer, view);
        return new Block(header, entryCopies, records, certificate: null);
    }

    /// <summary>This block with <paramref name="certificate"/> attached.</summary>
    /// <param name="certificate">The commit certificate for <see cref="Header"/>.</param>
    /// <returns>A certified block.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is null.</exception>
    /// <exception cref="ArgumentException">The certificate names another header.</exception>
    public Block WithCertificate(CommitCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.HeaderHash != Header.Hash)
        {
            throw new ArgumentException("The certificate certifies another header.", nameof(certificate));
        }

        return new Block(Header, _entries, _hashRecords, certificate);
    }

    /// <summary>Checks that the entries and hash records hash to the header's roots.</summary>
    /// <returns>Valid, or the root that does not match.</returns>
    public VerificationResult VerifyContents()
    {
        if (MerkleTree.ComputeRoot(_entries) != Header.EntriesRoot)
        {
            return VerificationResult.Fail(VerificationFailure.EntriesRootMismatch, Height, "entries do not match the header's entries root");
        }

        return ComputeHashRecordsRoot(_hashRecords) == Header.HashRecordsRoot
            ? VerificationResult.Valid
            : VerificationResult.Fail(VerificationFailure.HashRecordsRootMismatch, Height, "hash records do not match the header's hash-records root");
    }

    /// <summary>Checks the block on its own: contents match the header, the proposer is a validator, and the certificate commits it.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public VerificationResult Verify(ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        var contents = VerifyContents();
        if (!contents.IsValid)
        {
            return contents;
        }

        if (!validators.Contains(Header.Proposer))
        {
            return VerificationResult.Fail(VerificationFailure.UnknownProposer, Height, $"proposer {Header.Proposer.ToShortString()} is not a validator");
        }

        return Certificate is null
            ? VerificationResult.Fail(VerificationFailure.MissingCertificate, Height, "block has no commit certificate")
            : Certificate.Verify(Header, validators);
    }

    /// <summary>The inclusion proof of entry <paramref name="index"/> under <see cref="BlockHeader.EntriesRoot"/>.</summary>
    /// <param name="index">The entry's index.</param>
    /// <returns>The proof; verify with the entry's <see cref="MerkleTree.HashLeaf"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not an entry.</exception>
    public MerkleProof ProveEntry(int index) => MerkleTree.CreateProof(MerkleTree.HashLeaves(_entries), index);

    /// <summary>A self-contained proof that hash record <paramref name="index"/> is in this certified block.</summary>
    /// <param name="index">The record's index.</param>
    /// <returns>The proof.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a record.</exception>
    /// <exception cref="InvalidOperationException">The block has no certificate yet.</exception>
    public HashRecordProof ProveHashRecord(int index)
    {
        var certificate = Certificate ?? throw new InvalidOperationException("Only a certified block can prove its hash records.");
        var path = MerkleTree.CreateProof(_hashRecords.Select(r => r.Id).ToArray(), index);
        return new HashRecordProof(Header, certificate, _hashRecords[index], path);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        Header.Encode(ref writer);
        writer.WriteArrayHeader(_entries.Length);
        foreach (var entry in _entries)
        {
            writer.WriteBinary(entry.Span);
        }

        writer.WriteArrayHeader(_hashRecords.Length);
        foreach (var record in _hashRecords)
        {
            record.Encode(ref writer);
        }

        if (Certificate is null)
        {
            writer.WriteNil();
        }
        else
        {
            Certificate.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static Block Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var header = BlockHeader.Decode(ref reader);
        var entries = new ReadOnlyMemory<byte>[reader.ReadArrayHeader()];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = reader.ReadBinaryArray();
        }

        var records = new HashRecord[reader.ReadArrayHeader()];
        for (int i = 0; i < records.Length; i++)
        {
            records[i] = HashRecord.Decode(ref reader);
        }

        var certificate = reader.TryReadNil() ? null : CommitCertificate.Decode(ref reader);
        return new Block(header, entries, records, certificate);
    }

    private static Hash256 ComputeHashRecordsRoot(HashRecord[] records) =>
        MerkleTree.ComputeRoot(records.Select(r => r.Id).ToArray());
}
