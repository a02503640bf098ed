using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Blocks;

/// <summary>
/// The signed part of a block (C3): chain, height, link to the previous header, Merkle roots of the entries and of
/// the block-level hash records, timestamp, proposer and view. Its <see cref="Hash"/> is SHA-256 of its canonical
/// encoding, and the commit certificate's signatures are over that hash.
/// </summary>
/// <remarks>Canonical form: <c>[version, chainId, height, previousHash, entriesRoot, hashRecordsRoot, timestampUnixMs, proposer, view]</c>.</remarks>
public sealed class BlockHeader : ICanonicalEncodable<BlockHeader>, IEquatable<BlockHeader>
{
    /// <summary>The header format this version writes and reads.</summary>
    public const uint CurrentVersion = 1;

    private const int FieldCount = 9;

    /// <summary>Creates a header.</summary>
    /// <param name="chainId">The chain the block belongs to.</param>
    /// <param name="height">The block's height; the genesis block is height 0.</param>
    /// <param name="previousHash">The previous header's hash; <see cref="Hash256.Zero"/> for genesis.</param>
    /// <param name="entriesRoot">Merkle root of the entries.</param>
    /// <param name="hashRecordsRoot">Merkle root of the block-level hash records.</param>
    /// <param name="timestampUnixMs">When the block was proposed, Unix milliseconds.</param>
    /// <param name="proposer">The validator that proposed it.</param>
    /// <param name="view">The consensus view in which it was committed.</param>
    /// <exception cref="ArgumentException"><paramref name="chainId"/> is default.</exception>
    public BlockHeader(
        ChainId chainId,
        ulong height,
        Hash256 previousHash,
        Hash256 entriesRoot,
        Hash256 hashRecordsRoot,
        long timestampUnixMs,
        NodeId proposer,
        ulong view)
    {
        if (chainId.IsDefault)
        {
            throw new ArgumentException("A block header needs a chain id.", nameof(chainId));
        }

        ChainId = chainId;
        Height = height;
        PreviousHash = previousHash;
        EntriesRoot = entriesRoot;
        HashRecordsRoot = hashRecordsRoot;
        TimestampUnixMs = timestampUnixMs;
        Proposer = proposer;
        View = view;
        Hash = Hash256.Compute(Canonical.Encode(this));
    }

    /// <summary>The chain the block belongs to.</summary>
    public ChainId ChainId { get; }

    /// <summary>The block's height; genesis is 0.</summary>
    public ulong Height { get; }

    /// <summary>The previous header's <see cref="Hash"/>; zero for genesis.</summary>
    public Hash256 PreviousHash { get; }

    /// <summary>Merkle root of the block's entries.</summary>
    public Hash256 EntriesRoot { get; }

    /// <summary>Merkle root of the block's hash records (C4).</summary>
    public Hash256 HashRecordsRoot { get; }

    /// <summary>When the block was proposed, in Unix milliseconds.</summary>
    public long TimestampUnixMs { get; }

    /// <summary>When the block was proposed.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(TimestampUnixMs);

    /// <summary>The validator that proposed the block.</summary>
    public NodeId Proposer { get; }

    /// <summary>The consensus view in which the block was committed.</summary>
    public ulong View { get; }

    /// <summary>SHA-256 of the canonical encoding; what commit signatures sign and the next block links to.</summary>
    public Hash256 Hash { get; }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteUInt32(CurrentVersion);
        writer.WriteChainId(ChainId);
        writer.WriteUInt64(Height);
        writer.WriteHash256(PreviousHash);
        writer.WriteHash256(EntriesRoot);
        writer.WriteHash256(HashRecordsRoot);
        writer.WriteInt64(TimestampUnixMs);
        writer.WriteNodeId(Proposer);
        writer.WriteUInt64(View);
    }

    /// <inheritdoc />
    public static BlockHeader Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        long versionOffset = reader.Consumed;
        if (reader.ReadUInt32() != CurrentVersion)
        {
            throw new CodecException(CodecError.ValueOutOfRange, versionOffset, $"unsupported block header version (this build reads {CurrentVersion})");
        }

        return new BlockHeader(
            reader.ReadChainId(),
            reader.ReadUInt64(),
            reader.ReadHash256(),
            reader.ReadHash256(),
            reader.ReadHash256(),
            reader.ReadInt64(),
            reader.ReadNodeId(),
            reader.ReadUInt64());
    }

    /// <summary>Headers are equal when their hashes are (the hash covers every field).</summary>
    /// <param name="other">The other header.</param>
    /// <returns>Whether they are the same header.</returns>
    public bool Equals(BlockHeader? other) => other is not null && Hash == other.Hash;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BlockHeader);

    /// <inheritdoc />
    public override int GetHashCode() => Hash.GetHashCode();

    /// <summary>"chain@height hash".</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{ChainId}@{Height} {Hash.ToShortString()}";
}
