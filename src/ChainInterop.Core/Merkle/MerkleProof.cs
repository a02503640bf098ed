using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Merkle;

/// <summary>
/// An inclusion proof: the sibling hashes on the path from leaf <see cref="LeafIndex"/> of a tree of
/// <see cref="TreeSize"/> leaves up to the root, bottom first (the audit path of RFC 9162 §2.1.3).
/// </summary>
/// <remarks>Canonical form: <c>[leafIndex, treeSize, [sibling hashes, bottom first]]</c>.</remarks>
public sealed class MerkleProof : ICanonicalEncodable<MerkleProof>
{
    /// <summary>The longest audit path any tree of <see cref="MerkleTree.MaxLeafCount"/> leaves can need.</summary>
    public const int MaxPathLength = 30;

    private readonly Hash256[] _path;

    /// <summary>Creates a proof from its parts (e.g. after decoding); <see cref="Verify"/> checks them.</summary>
    /// <param name="leafIndex">The 0-based index of the proven leaf.</param>
    /// <param name="treeSize">The number of leaves in the tree.</param>
    /// <param name="path">The sibling hashes, bottom first.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The index, size or path length is out of range.</exception>
    public MerkleProof(int leafIndex, int treeSize, IEnumerable<Hash256> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, MerkleTree.MaxLeafCount);
        _path = [.. path];
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_path.Length, MaxPathLength, nameof(path));
        LeafIndex = leafIndex;
        TreeSize = treeSize;
    }

    /// <summary>The 0-based index of the proven leaf.</summary>
    public int LeafIndex { get; }

    /// <summary>The number of leaves in the tree.</summary>
    public int TreeSize { get; }

    /// <summary>The sibling hashes, bottom first.</summary>
    public IReadOnlyList<Hash256> Path => _path;

    /// <summary>Recomputes the root from <paramref name="leafHash"/> and the path.</summary>
    /// <param name="leafHash">The proven leaf's hash (see <see cref="MerkleTree.HashLeaf"/>).</param>
    /// <returns>The root the proof leads to, or null when the path has the wrong length for the tree shape.</returns>
    public Hash256? ComputeRoot(Hash256 leafHash)
    {
        // Walk up the same levels CreateProof walked: an odd position hashes with its left sibling, an even one
        // with its right sibling when there is one, and a last unpaired node is promoted without using the path.
        var current = leafHash;
        int position = LeafIndex;
        int count = TreeSize;
        int used = 0;
        while (count > 1)
        {
            if ((position & 1) == 1 || position + 1 < count)
            {
                if (used == _path.Length)
                {
                    return null;
                }

                var sibling = _path[used++];
                current = (position & 1) == 1 ? MerkleTree.HashNode(sibling, current) : MerkleTree.HashNode(current, sibling);
            }

            position >>= 1;
            count = (count + 1) >> 1;
        }

        return used == _path.Length ? current : null;
    }

    /// <summary>Whether the proof shows that <paramref name="leafHash"/> is leaf <see cref="LeafIndex"/> of the tree with <paramref name="root"/>.</summary>
    /// <param name="leafHash">The proven leaf's hash.</param>
    /// <param name="root">The trusted root (e.g. from a certified block header).</param>
    /// <returns>True when the path leads exactly to <paramref name="root"/>.</returns>
    public bool Verify(Hash256 leafHash, Hash256 root) => ComputeRoot(leafHash) == root;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteInt32(LeafIndex);
        writer.WriteInt32(TreeSize);
        writer.WriteArrayHeader(_path.Length);
        foreach (var hash in _path)
        {
            writer.WriteHash256(hash);
        }
    }

    /// <inheritdoc />
    public static MerkleProof Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        long offset = reader.Consumed;
        int leafIndex = reader.ReadInt32();
        int treeSize = reader.ReadInt32();
        if (leafIndex < 0 || leafIndex >= treeSize || treeSize > MerkleTree.MaxLeafCount)
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, $"leaf {leafIndex} is not in a tree of {treeSize} leaves");
        }

        offset = reader.Consumed;
        int length = reader.ReadArrayHeader();
        if (length > MaxPathLength)
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, $"an audit path has at most {MaxPathLength} hashes, got {length}");
        }

        var path = new Hash256[length];
        for (int i = 0; i < path.Length; i++)
        {
            path[i] = reader.ReadHash256();
        }

        return new MerkleProof(leafIndex, treeSize, path);
    }
}
