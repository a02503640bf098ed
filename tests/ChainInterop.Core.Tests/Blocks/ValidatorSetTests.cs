using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Blocks;

public class ValidatorSetTests
{
    private static PublicKey[] Keys(int n) =>
        Enumerable.Range(0, n).Select(i =>
        {
            using var key = SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat((byte)(i + 7), 32).ToArray());
            return key.PublicKey;
        }).ToArray();

    [Fact]
    public void Quorum_is_2f_plus_1_when_N_is_3f_plus_1_K2()
    {
        foreach (int f in new[] { 0, 1, 2, 3, 10 })
        {
            var set = new ValidatorSet(Keys((3 * f) + 1));
            Assert.Equal(f, set.FaultTolerance);
            Assert.Equal((2 * f) + 1, set.Quorum);
            Assert.Equal(f + 1, set.WeakQuorum);
        }
    }

    [Fact]
    public void Any_two_quorums_share_an_honest_validator_and_honest_validators_alone_reach_a_quorum_for_every_N_and_f_K2()
    {
        var keys = Keys(60);
        for (int n = 1; n <= 60; n++)
        {
            for (int f = 0; (3 * f) + 1 <= n; f++)
            {
                var set = new ValidatorSet(keys.Take(n), f);
                // Safety: |Q1 ∩ Q2| ≥ 2Q − N ≥ f + 1. Liveness: the N − f honest validators can form a quorum.
                Assert.True((2 * set.Quorum) - n >= f + 1, $"N={n} f={f} Q={set.Quorum}");
                Assert.True(set.Quorum <= n - f, $"N={n} f={f} Q={set.Quorum}");
            }
        }
    }

    [Fact]
    public void A_set_that_cannot_tolerate_f_faults_is_refused_K2()
    {
        Assert.Throws<ArgumentException>(() => new ValidatorSet(Keys(3), faultTolerance: 1));
        Assert.Throws<ArgumentException>(() => new ValidatorSet(Keys(4), faultTolerance: -1));
        Assert.Throws<ArgumentException>(() => new ValidatorSet([]));
    }

    [Fact]
    public void A_repeated_validator_is_refused()
    {
        var keys = Keys(3);
        Assert.Throws<ArgumentException>(() => new ValidatorSet([keys[0], keys[1], keys[0]]));
    }

    [Fact]
    public void Validators_are_found_by_node_id_in_primary_order()
    {
        var keys = Keys(4);
        var set = new ValidatorSet(keys);
        for (int i = 0; i < keys.Length; i++)
        {
            var id = NodeId.FromPublicKey(keys[i]);
            Assert.Equal(i, set.IndexOf(id));
            Assert.True(set.TryGetPublicKey(id, out var key));
            Assert.Equal(keys[i], key);
        }

        Assert.Equal(-1, set.IndexOf(new NodeId(Hash256.Compute("stranger"u8))));
    }

    [Fact]
    public void Node_id_binds_the_algorithm_and_the_key_C1()
    {
        var key = Keys(1)[0];
        var sameBytesOtherScheme = PublicKey.Create(SignatureAlgorithm.EcdsaP256,
            new byte[SignatureSchemes.EcdsaP256.PublicKeySizeBytes]);
        Assert.Equal(NodeId.FromPublicKey(key), NodeId.FromPublicKey(PublicKey.Create(SignatureAlgorithm.Ed25519, key.Bytes)));
        Assert.NotEqual(NodeId.FromPublicKey(key), NodeId.FromPublicKey(sameBytesOtherScheme));
    }
}
