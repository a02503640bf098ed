using ChainInterop.Codec;

namespace ChainInterop.Blocks;

/// <summary>
/// Verifies a run of blocks of one chain (C3): each block on its own (<see cref="Block.Verify"/>) and the links
/// between them (same chain, consecutive heights, previous hash, non-decreasing time). Any changed byte in any block
/// is detected and reported with the height of the block it is in.
/// </summary>
public static class ChainVerifier
{
    /// <summary>Verifies decoded blocks in order.</summary>
    /// <param name="chainId">The chain the blocks must belong to.</param>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="blocks">The blocks, lowest height first.</param>
    /// <param name="after">The trusted header the first block follows; null when the first block is genesis (height 0).</param>
    /// <returns>Valid, or the first failure with the height where it was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> or <paramref name="blocks"/> is null.</exception>
    public static VerificationResult Verify(ChainId chainId, ValidatorSet validators, IEnumerable<Block> blocks, BlockHeader? after = null)
    {
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(blocks);
        var previous = after;
        foreach (var block in blocks)
        {
            var result = VerifyLink(chainId, previous, block.Header);
            if (result.IsValid)
            {
                result = block.Verify(validators);
            }

            if (!result.IsValid)
            {
                return result;
            }

            previous = block.Header;
        }

        return VerificationResult.Valid;
    }

    /// <summary>Decodes and verifies encoded blocks in order, so bytes read from disk or the network can be checked in one call.</summary>
    /// <param name="chainId">The chain the blocks must belong to.</param>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="encodedBlocks">Canonical encodings of the blocks, lowest height first.</param>
    /// <param name="after">The trusted header the first block follows; null when the first block is genesis.</param>
    /// <param name="limits">Decoding limits; <see cref="CodecLimits.Default"/> when null.</param>
    /// <returns>Valid, or the first failure; an undecodable block is reported at the height it should have had.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> or <paramref name="encodedBlocks"/> is null.</exception>
    public static VerificationResult VerifyEncoded(
        ChainId chainId,
        ValidatorSet validators,
        IEnumerable<ReadOnlyMemory<byte>> encodedBlocks,
        BlockHeader? after = null,
        CodecLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(encodedBlocks);
        var previous = after;
        foreach (var bytes in encodedBlocks)
        {
            ulong expectedHeight = previous is null ? 0 : previous.Height + 1;
            Block block;
            try
            {
                block = Canonical.Decode<Block>(bytes, limits);
            }
            catch (CodecException e)
            {
                return VerificationResult.Fail(VerificationFailure.Undecodable, expectedHeight, e.Message);
            }

            var result = Verify(chainId, validators, [block], previous);
            if (!result.IsValid)
            {
                return result;
            }

            previous = block.Header;
        }

        return VerificationResult.Valid;
    }

    private static VerificationResult VerifyLink(ChainId chainId, BlockHeader? previous, BlockHeader header)
    {
        ulong expectedHeight = previous is null ? 0 : previous.Height + 1;
        if (header.ChainId != chainId)
        {
            return VerificationResult.Fail(VerificationFailure.ChainIdMismatch, expectedHeight, $"block belongs to {header.ChainId}, expected {chainId}");
        }

        if (header.Height != expectedHeight)
        {
            return VerificationResult.Fail(VerificationFailure.HeightNotSequential, expectedHeight, $"block has height {header.Height}, expected {expectedHeight}");
        }

        var expectedPrevious = previous?.Hash ?? Crypto.Hash256.Zero;
        if (header.PreviousHash != expectedPrevious)
        {
            return VerificationResult.Fail(VerificationFailure.PreviousHashMismatch, expectedHeight,
                $"previous hash {header.PreviousHash.ToShortString()}, expected {expectedPrevious.ToShortString()}");
        }

        return previous is not null && header.TimestampUnixMs < previous.TimestampUnixMs
            ? VerificationResult.Fail(VerificationFailure.TimestampRegression, expectedHeight, "timestamp is earlier than the previous block's")
            : VerificationResult.Valid;
    }
}
