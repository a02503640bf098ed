using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Storage;

/// <summary>The append rule every <see cref="IBlockStore"/> enforces, in one place.</summary>
public static class BlockSequence
{
    /// <summary>Throws unless <paramref name="block"/> may follow <paramref name="tip"/> on chain <paramref name="chainId"/>.</summary>
    /// <param name="chainId">The store's chain.</param>
    /// <param name="tip">The current tip, or null for an empty store.</param>
    /// <param name="block">The block to append.</param>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    /// <exception cref="ArgumentException">Wrong chain, height or previous hash.</exception>
    public static void RequireNext(ChainId chainId, BlockHeader? tip, Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var header = block.Header;
        if (header.ChainId != chainId)
        {
            throw new ArgumentException($"Block of chain {header.ChainId} cannot be appended to the store of {chainId}.", nameof(block));
        }

        ulong expectedHeight = tip is null ? 0 : tip.Height + 1;
        if (header.Height != expectedHeight)
        {
            throw new ArgumentException($"Block {header.Height} cannot be appended to {chainId}: the next height is {expectedHeight}.", nameof(block));
        }

        var expectedPrevious = tip?.Hash ?? Hash256.Zero;
        if (header.PreviousHash != expectedPrevious)
        {
            throw new ArgumentException(
                $"Block {header.Height} of {chainId} links to {header.PreviousHash.ToShortString()}, the tip is {expectedPrevious.ToShortString()}.",
                nameof(block));
        }
    }

    /// <summary>Throws unless <paramref name="blocks"/> may follow <paramref name="tip"/> one after another.</summary>
    /// <param name="chainId">The store's chain.</param>
    /// <param name="tip">The current tip, or null for an empty store.</param>
    /// <param name="blocks">The blocks to append.</param>
    /// <exception cref="ArgumentNullException"><paramref name="blocks"/> is null.</exception>
    /// <exception cref="ArgumentException">Any block is out of sequence.</exception>
    public static void RequireNext(ChainId chainId, BlockHeader? tip, IReadOnlyList<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        foreach (var block in blocks)
        {
            RequireNext(chainId, tip, block);
            tip = block.Header;
        }
    }
}
