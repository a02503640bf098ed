using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Storage;

/// <summary>
/// The append-only store of one chain's committed blocks (C5), consumed by consensus engines and ledgers.
/// Blocks are appended in height order and linked by previous hash; the store checks both, so a store never holds
/// a gap or a fork. It does not check signatures: that is the engine's job before it appends.
/// </summary>
/// <remarks>
/// Implementations: <see cref="InMemoryBlockStore"/> and the durable file store. Integrators' stores prove they
/// behave the same by passing the shared contract test suite. Calls are made by one writer (the chain's driver);
/// reads may come from any thread.
/// </remarks>
public interface IBlockStore : IAsyncDisposable
{
    /// <summary>The chain whose blocks this store holds.</summary>
    ChainId ChainId { get; }

    /// <summary>The header of the highest block, or null while the store is empty.</summary>
    BlockHeader? Tip { get; }

    /// <summary>
    /// Appends the next block: height 0 with a zero previous hash on an empty store, otherwise tip height + 1
    /// linked to the tip's hash. Returns when the block is as durable as the store's policy promises.
    /// </summary>
    /// <param name="block">The block to append.</param>
    /// <param name="cancellationToken">Cancels before the block is written; once writing started the append completes.</param>
    /// <returns>A task that completes when the block is stored.</returns>
    /// <exception cref="ArgumentException">Wrong chain, wrong height or not linked to the tip; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store is closed.</exception>
    ValueTask AppendAsync(Block block, CancellationToken cancellationToken = default);

    /// <summary>Appends several consecutive blocks as one group (one flush where the policy flushes per batch).</summary>
    /// <param name="blocks">The blocks, lowest height first.</param>
    /// <param name="cancellationToken">Cancels before the first block is written.</param>
    /// <returns>A task that completes when all blocks are stored.</returns>
    /// <exception cref="ArgumentException">Any block is out of sequence; nothing is written.</exception>
    /// <exception cref="ObjectDisposedException">The store is closed.</exception>
    ValueTask AppendBatchAsync(IReadOnlyList<Block> blocks, CancellationToken cancellationToken = default);

    /// <summary>Makes every appended block durable now, whatever the policy.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when everything appended so far is durable.</returns>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>The block at <paramref name="height"/>.</summary>
    /// <param name="height">The height.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The block, or null above the tip.</returns>
    ValueTask<Block?> GetAsync(ulong height, CancellationToken cancellationToken = default);

    /// <summary>The block whose header hash is <paramref name="hash"/>.</summary>
    /// <param name="hash">The header hash.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The block, or null when the store has no such block.</returns>
    ValueTask<Block?> GetAsync(Hash256 hash, CancellationToken cancellationToken = default);

    /// <summary>The blocks from <paramref name="fromHeight"/> up to the tip as of the call, in height order.</summary>
    /// <param name="fromHeight">The first height.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The blocks.</returns>
    IAsyncEnumerable<Block> ReadAsync(ulong fromHeight = 0, CancellationToken cancellationToken = default);
}
