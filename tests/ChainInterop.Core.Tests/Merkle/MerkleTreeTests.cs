using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Tests.Merkle;

public class MerkleTreeTests
{
    /// <summary>The RFC 6962 §2.1 definition, recursively: MTH(D[n]) = HashNode(MTH(D[0:k]), MTH(D[k:n])) with k the largest power of two below n.</summary>
    private static Hash256 ReferenceRoot(ReadOnlySpan<Hash256> leaves)
    {
        if (leaves.Length == 0)
        {
            return Hash256.Compute([]);
        }

        if (leaves.Length == 1)
        {
            return leaves[0];
        }

        int k = 1;
        while (k * 2 < leaves.Length)
        {
            k *= 2;
        }

        return MerkleTree.HashNode(ReferenceRoot(leaves[..k]), ReferenceRoot(leaves[k..]));
    }

    private static Hash256[] Leaves(int n) =>
        Enumerable.Range(0, n).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i))).ToArray();

    [Fact]
    public void Empty_tree_root_is_sha256_of_nothing_C3()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", MerkleTree.EmptyRoot.ToString());
        Assert.Equal(MerkleTree.EmptyRoot, MerkleTree.ComputeRoot(ReadOnlySpan<Hash256>.Empty));
    }

    [Fact]
    public void Leaf_hash_uses_the_0x00_prefix_of_RFC6962_C3()
    {
        // SHA-256 of the single byte 0x00: the RFC 6962 hash of an empty leaf.
        Assert.Equal("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", MerkleTree.HashLeaf([]).ToString());
    }

    [Fact]
    public void Root_matches_the_recursive_RFC6962_definition_for_every_size_up_to_130_C3()
    {
        for (int n = 1; n <= 130; n++)
        {
            var leaves = Leaves(n);
            Assert.Equal(ReferenceRoot(leaves), MerkleTree.ComputeRoot(leaves));
        }
    }

    [Fact]
    public void Every_leaf_of_every_tree_up_to_70_has_a_proof_that_verifies_C3()
    {
        for (int n = 1; n <= 70; n++)
        {
            var leaves = Leaves(n);
            var root = MerkleTree.ComputeRoot(leaves);
            for (int i = 0; i < n; i++)
            {
                var proof = MerkleTree.CreateProof(leaves, i);
                Assert.True(proof.Verify(leaves[i], root), $"leaf {i} of {n}");
                Assert.True(proof.Path.Count <= MerkleProof.MaxPathLength);
            }
        }
    }

    [Fact]
    public void Proofs_built_together_equal_the_proofs_built_one_by_one_for_every_tree_up_to_70_C3()
    {
        for (int n = 1; n <= 70; n++)
        {
            var leaves = Leaves(n);
            var proofs = MerkleTree.CreateProofs(leaves, out var root);
            Assert.Equal(MerkleTree.ComputeRoot(leaves), root);
            for (int i = 0; i < n; i++)
            {
                var single = MerkleTree.CreateProof(leaves, i);
                Assert.Equal((single.LeafIndex, single.TreeSize), (proofs[i].LeafIndex, proofs[i].TreeSize));
                Assert.Equal(single.Path, proofs[i].Path);
                Assert.True(proofs[i].Verify(leaves[i], root));
            }
        }

        Assert.Throws<ArgumentException>(() => MerkleTree.CreateProofs(ReadOnlySpan<Hash256>.Empty, out _));
    }

    [Fact]
    public void A_proof_fails_for_another_leaf_index_size_or_a_changed_path_element_C3()
    {
        for (int n = 2; n <= 33; n++)
        {
            var leaves = Leaves(n);
            var root = MerkleTree.ComputeRoot(leaves);
            for (int i = 0; i < n; i++)
            {
                var proof = MerkleTree.CreateProof(leaves, i);
                Assert.False(proof.Verify(leaves[(i + 1) % n], root));
                Assert.False(proof.Verify(leaves[i], MerkleTree.HashLeaf([1])));
                if (n > 1)
                {
                    var otherIndex = new MerkleProof((i + 1) % n, n, proof.Path);
                    Assert.False(otherIndex.Verify(leaves[i], root));
                }

                for (int p = 0; p < proof.Path.Count; p++)
                {
                    var path = proof.Path.ToArray();
                    path[p] = MerkleTree.HashLeaf([(byte)p]);
                    Assert.False(new MerkleProof(i, n, path).Verify(leaves[i], root));
                }

                // A path one element short or long never verifies.
                Assert.False(new MerkleProof(i, n, proof.Path.Skip(1)).Verify(leaves[i], root));
                Assert.False(new MerkleProof(i, n, proof.Path.Append(root)).Verify(leaves[i], root));
            }
        }
    }

    [Fact]
    public void Changing_any_leaf_changes_the_root_C3()
    {
        var leaves = Leaves(37);
        var root = MerkleTree.ComputeRoot(leaves);
        for (int i = 0; i < leaves.Length; i++)
        {
            var changed = (Hash256[])leaves.Clone();
            changed[i] = MerkleTree.HashLeaf([0xff, (byte)i]);
            Assert.NotEqual(root, MerkleTree.ComputeRoot(changed));
        }
    }

    [Fact]
    public void Root_over_raw_leaves_hashes_each_leaf_first_C3()
    {
        var raw = new List<ReadOnlyMemory<byte>> { new byte[] { 1 }, new byte[] { 2, 3 }, Array.Empty<byte>() };
        var expected = MerkleTree.HashNode(MerkleTree.HashNode(MerkleTree.HashLeaf([1]), MerkleTree.HashLeaf([2, 3])), MerkleTree.HashLeaf([]));
        Assert.Equal(expected, MerkleTree.ComputeRoot(raw));
    }
}
