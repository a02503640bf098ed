using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests.Blocks;

public class ChainVerifierTests
{
    [Fact]
    public void A_certified_hash_linked_chain_verifies_decoded_and_encoded_C3()
    {
        using var chain = new TestChain();
        for (int i = 0; i < 5; i++)
        {
            chain.Append();
        }

        Assert.True(ChainVerifier.Verify(chain.ChainId, chain.Validators, chain.Blocks).IsValid);
        Assert.True(ChainVerifier.VerifyEncoded(chain.ChainId, chain.Validators, chain.Encoded().Select(b => (ReadOnlyMemory<byte>)b)).IsValid);
    }

    [Fact]
    public void Blocks_round_trip_through_the_canonical_codec_byte_for_byte_C2_C3()
    {
        using var chain = new TestChain();
        var block = chain.Append(entryCount: 7, recordCount: 3);
        var bytes = Canonical.Encode(block);
        var decoded = Canonical.Decode<Block>(bytes);
        Assert.Equal(block.Header, decoded.Header);
        Assert.Equal(bytes, Canonical.Encode(decoded));
        Assert.Equal(block.Entries.Select(e => e.ToArray()), decoded.Entries.Select(e => e.ToArray()));
        Assert.Equal(block.HashRecords, decoded.HashRecords);
    }

    [Fact]
    public void Flipping_any_byte_of_any_block_fails_verification_at_that_block_C3()
    {
        using var chain = new TestChain();
        for (int i = 0; i < 3; i++)
        {
            chain.Append(entryCount: 2, recordCount: 1);
        }

        var encoded = chain.Encoded();
        for (int b = 0; b < encoded.Length; b++)
        {
            for (int offset = 0; offset < encoded[b].Length; offset++)
            {
                var result = VerifyWithFlip(chain.ChainId, chain.Validators, encoded, b, offset, 0x01);
                Assert.False(result.IsValid, $"flip at block {b} byte {offset} went unnoticed");
                Assert.Equal((ulong)b, result.Height);
            }
        }
    }

    /// <summary>Three certified blocks, encoded once for the property below (its cases only read them).</summary>
    private static readonly Lazy<(ChainId ChainId, ValidatorSet Validators, byte[][] Encoded)> ThreeBlocks = new(() =>
    {
        using var chain = new TestChain();
        for (int i = 0; i < 3; i++)
        {
            chain.Append();
        }

        return (chain.ChainId, chain.Validators, chain.Encoded());
    });

    /// <summary>A non-zero <c>Mask</c> xored into byte <c>Offset</c> of block <c>Block</c>.</summary>
    private sealed record Flip(int Block, int Offset, byte Mask);

    /// <summary>Flips inside <paramref name="encoded"/>; a shrunk flip still lands inside its block.</summary>
    private static Arbitrary<Flip> Flips(byte[][] encoded) => Arb.From(
        from b in Gen.Choose(0, encoded.Length - 1)
        from o in Gen.Choose(0, encoded[b].Length - 1)
        from m in Gen.Choose(1, 255)
        select new Flip(b, o, (byte)m),
        f => Shrink.Toward(f.Block, 0).Select(b => f with { Block = b, Offset = Math.Min(f.Offset, encoded[b].Length - 1) })
            .Concat(Shrink.Toward(f.Offset, 0).Select(o => f with { Offset = o }))
            .Concat(Shrink.Toward(f.Mask, (byte)1).Select(m => f with { Mask = m })));

    [Property(MaxTest = 300)]
    public Property Any_bit_pattern_xored_into_any_block_is_detected_at_that_block_C3()
    {
        var chain = ThreeBlocks.Value;
        return Prop.ForAll(Flips(chain.Encoded), f =>
        {
            var result = VerifyWithFlip(chain.ChainId, chain.Validators, chain.Encoded, f.Block, f.Offset, f.Mask);
            return !result.IsValid && result.Height == (ulong)f.Block;
        });
    }

    private static VerificationResult VerifyWithFlip(ChainId chainId, ValidatorSet validators, byte[][] encoded, int block, int offset, byte mask)
    {
        var copy = encoded.Select(e => (byte[])e.Clone()).ToArray();
        copy[block][offset] ^= mask;
        return ChainVerifier.VerifyEncoded(chainId, validators, copy.Select(e => (ReadOnlyMemory<byte>)e));
    }

    [Fact]
    public void Out_of_order_foreign_and_unlinked_blocks_are_named_C3()
    {
        using var chain = new TestChain();
        for (int i = 0; i < 3; i++)
        {
            chain.Append();
        }

        var b = chain.Blocks;
        var swapped = ChainVerifier.Verify(chain.ChainId, chain.Validators, [b[0], b[2], b[1]]);
        Assert.Equal(VerificationFailure.HeightNotSequential, swapped.Failure);
        Assert.Equal(1ul, swapped.Height);

        Assert.Equal(VerificationFailure.ChainIdMismatch,
            ChainVerifier.Verify(new ChainId("other-chain"), chain.Validators, b).Failure);

        // A block at the right height that links to a different predecessor.
        var forkHeader = Block.Create(chain.ChainId, 1, Hash256.Compute("elsewhere"u8), b[1].Header.TimestampUnixMs,
            b[1].Header.Proposer, 0, []);
        var fork = forkHeader.WithCertificate(CommitCertificate.Sign(forkHeader.Header, chain.Keys));
        var unlinked = ChainVerifier.Verify(chain.ChainId, chain.Validators, [b[0], fork]);
        Assert.Equal(VerificationFailure.PreviousHashMismatch, unlinked.Failure);
        Assert.Equal(1ul, unlinked.Height);
    }

    [Fact]
    public void Time_may_not_run_backwards_and_uncertified_blocks_do_not_verify_C3()
    {
        using var chain = new TestChain();
        var genesis = chain.Append();
        var early = Block.Create(chain.ChainId, 1, genesis.Hash, genesis.Header.TimestampUnixMs - 1, genesis.Header.Proposer, 0, []);
        var earlyCertified = early.WithCertificate(CommitCertificate.Sign(early.Header, chain.Keys));
        var regression = ChainVerifier.Verify(chain.ChainId, chain.Validators, [genesis, earlyCertified]);
        Assert.Equal(VerificationFailure.TimestampRegression, regression.Failure);
        Assert.Equal(1ul, regression.Height);

        var uncertified = Block.Create(chain.ChainId, 0, Hash256.Zero, 0, genesis.Header.Proposer, 0, []);
        Assert.Equal(VerificationFailure.MissingCertificate, ChainVerifier.Verify(chain.ChainId, chain.Validators, [uncertified]).Failure);
    }

    [Fact]
    public void A_block_proposed_by_a_non_validator_does_not_verify_C3()
    {
        using var chain = new TestChain();
        var block = Block.Create(chain.ChainId, 0, Hash256.Zero, 0, new NodeId(Hash256.Compute("mallory"u8)), 0, []);
        var certified = block.WithCertificate(CommitCertificate.Sign(block.Header, chain.Keys));
        Assert.Equal(VerificationFailure.UnknownProposer, certified.Verify(chain.Validators).Failure);
    }
}
