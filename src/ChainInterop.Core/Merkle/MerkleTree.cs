using System.Buffers;
using System.Security.Cryptography;
using ChainInterop.Crypto;

namespace ChainInterop.Merkle;

/// <summary>
/// Merkle trees in the shape of RFC 6962 / RFC 9162 §2.1: leaves hashed as SHA-256(0x00 ‖ data), interior nodes as
/// SHA-256(0x01 ‖ left ‖ right), an unpaired last node promoted unchanged to the next level, and the empty tree's root
/// SHA-256(""). The distinct leaf and node prefixes stop a leaf from being passed off as an interior node.
/// </summary>
/// <remarks>Used for the entries root and the hash-records root of a block header (C3, C4).</remarks>
public static class MerkleTree
{
    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    /// <summary>The most leaves one tree may have (2^30), a limit that keeps every index and level count in an <see cref="int"/>.</summary>
    public const int MaxLeafCount = 1 << 30;

    /// <summary>The root of the empty tree, SHA-256 of no bytes.</summary>
    public static Hash256 EmptyRoot { get; } = Hash256.Compute([]);

    /// <summary>Hashes one leaf: SHA-256(0x00 ‖ <paramref name="data"/>).</summary>
    /// <param name="data">The leaf's bytes.</param>
    /// <returns>The leaf hash.</returns>
    public static Hash256 HashLeaf(ReadOnlySpan<byte> data) => Hash256.Compute([LeafPrefix], data);

    /// <summary>Hashes an interior node: SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    /// <param name="left">The left child.</param>
    /// <param name="right">The right child.</param>
    /// <returns>The node hash.</returns>
    public static Hash256 HashNode(Hash256 left, Hash256 right)
    {
        Span<byte> buffer = stackalloc byte[1 + (2 * Hash256.SizeBytes)];
        buffer[0] = NodePrefix;
        left.WriteTo(buffer[1..]);
        right.WriteTo(buffer[(1 + Hash256.SizeBytes)..]);
        Span<byte> digest = stackalloc byte[Hash256.SizeBytes];
        Hash256.HashInto(buffer, digest);
        return new Hash256(digest);
    }

    /// <summary>Computes the root over already hashed leaves (see <see cref="HashLeaf"/>).</summary>
    /// <param name="leafHashes">The leaf hashes in order.</param>
    /// <returns>The root; <see cref="EmptyRoot"/> for no leaves.</returns>
    /// <exception cref="ArgumentException">More than <see cref="MaxLeafCount"/> leaves.</exception>
    public static Hash256 ComputeRoot(ReadOnlySpan<Hash256> leafHashes)
    {
        if (leafHashes.IsEmpty)
        {
            return EmptyRoot;
        }

        RequireLeafCount(leafHashes.Length);
        Hash256[] rented = ArrayPool<Hash256>.Shared.Rent(leafHashes.Length);
        try
        {
            Span<Hash256> level = rented.AsSpan(0, leafHashes.Length);
            leafHashes.CopyTo(level);
            // Invariant: level[0..count) holds the current level; each pass halves it (rounding up) in place.
            int count = level.Length;
            while (count > 1)
            {
                int next = 0;
                for (int i = 0; i < count; i += 2)
                {
                    level[next++] = i + 1 < count ? HashNode(level[i], level[i + 1]) : level[i];
                }

                count = next;
            }

            return level[0];
        }
        finally
        {
            ArrayPool<Hash256>.Shared.Return(rented);
        }
    }

    /// <summary>Computes the root over raw leaf data, hashing each leaf first.</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>The root.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="leaves"/> is null.</exception>
    public static Hash256 ComputeRoot(IReadOnlyList<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        return ComputeRoot(HashLeaves(leaves));
    }

    /// <summary>Builds the inclusion proof (audit path) of leaf <paramref name="index"/>.</summary>
    /// <param name="leafHashes">All leaf hashes of the tree, in order.</param>
    /// <param name="index">The leaf to prove, 0-based.</param>
    /// <returns>The proof, verifiable with <see cref="MerkleProof.Verify"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a leaf of the tree.</exception>
    public static MerkleProof CreateProof(ReadOnlySpan<Hash256> leafHashes, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leafHashes.Length);
        RequireLeafCount(leafHashes.Length);

        var path = new List<Hash256>(capacity: 32);
        Hash256[] rented = ArrayPool<Hash256>.Shared.Rent(leafHashes.Length);
        try
        {
            Span<Hash256> level = rented.AsSpan(0, leafHashes.Length);
            leafHashes.CopyTo(level);
            int count = level.Length;
            int position = index;
            while (count > 1)
            {
                int sibling = position ^ 1;
                if (sibling < count)
                {
                    path.Add(level[sibling]);
                }

                int next = 0;
                for (int i = 0; i < count; i += 2)
                {
                    level[next++] = i + 1 < count ? HashNode(level[i], level[i + 1]) : level[i];
                }

                count = next;
                position >>= 1;
            }
        }
        finally
        {
            ArrayPool<Hash256>.Shared.Return(rented);
        }

        return new MerkleProof(index, leafHashes.Length, path);
    }

    /// <summary>
    /// Builds the inclusion proof of every leaf at once, in O(n log n) hashing (one <see cref="CreateProof"/> per
    /// leaf would be O(n²)): e.g. one signature over the root of a block's replies, each reply carrying its proof.
    /// </summary>
    /// <param name="leafHashes">All leaf hashes of the tree, in order (at least one).</param>
    /// <param name="root">The tree's root.</param>
    /// <returns>The proofs, in leaf order; each equals <see cref="CreateProof"/> for its leaf.</returns>
    /// <exception cref="ArgumentException">No leaves, or more than <see cref="MaxLeafCount"/>.</exception>
    public static MerkleProof[] CreateProofs(ReadOnlySpan<Hash256> leafHashes, out Hash256 root)
    {
        if (leafHashes.IsEmpty)
        {
            throw new ArgumentException("A proof needs at least one leaf.", nameof(leafHashes));
        }

        RequireLeafCount(leafHashes.Length);
        var paths = new List<Hash256>[leafHashes.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            paths[i] = new List<Hash256>(capacity: 16);
        }

        Hash256[] rented = ArrayPool<Hash256>.Shared.Rent(leafHashes.Length);
        try
        {
            Span<Hash256> level = rented.AsSpan(0, leafHashes.Length);
            leafHashes.CopyTo(level);
            int count = level.Length;
            // Invariant: at depth d, leaf i sits at position i >> d of the current level; its sibling (if any) joins its path.
            for (int depth = 0; count > 1; depth++)
            {
                for (int leaf = 0; leaf < paths.Length; leaf++)
                {
                    int sibling = (leaf >> depth) ^ 1;
                    if (sibling < count)
                    {
                        paths[leaf].Add(level[sibling]);
                    }
                }

                int next = 0;
                for (int i = 0; i < count; i += 2)
                {
                    level[next++] = i + 1 < count ? HashNode(level[i], level[i + 1]) : level[i];
                }

                count = next;
            }

            root = level[0];
        }
        finally
        {
            ArrayPool<Hash256>.Shared.Return(rented);
        }

        var proofs = new MerkleProof[paths.Length];
        for (int i = 0; i < proofs.Length; i++)
        {
            proofs[i] = new MerkleProof(i, paths.Length, paths[i]);
        }

        return proofs;
    }

    /// <summary>Hashes every leaf with <see cref="HashLeaf"/>.</summary>
    /// <param name="leaves">The leaves in order.</param>
    /// <returns>The leaf hashes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="leaves"/> is null.</exception>
    public static Hash256[] HashLeaves(IReadOnlyList<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var hashes = new Hash256[leaves.Count];
        for (int i = 0; i < hashes.Length; i++)
        {
            hashes[i] = HashLeaf(leaves[i].Span);
        }

        return hashes;
    }

    private static void RequireLeafCount(int count)
    {
        if (count > MaxLeafCount)
        {
            throw new ArgumentException($"A Merkle tree has at most {MaxLeafCount} leaves, got {count}.");
        }
    }
}
