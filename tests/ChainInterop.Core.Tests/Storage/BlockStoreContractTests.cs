using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Tests.Blocks;

namespace ChainInterop.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IBlockStore"/> must have (C5). Each implementation runs this suite by deriving
/// from it; durable stores also set <see cref="IsDurable"/> so the reopen tests run.
/// </summary>
public abstract class BlockStoreContractTests : IDisposable
{
    private readonly TestChain _chain = new();
    private bool _disposed;

    protected ChainId ChainId => _chain.ChainId;

    /// <summary>Whether <see cref="ReopenAsync"/> returns a fresh instance over the same durable data.</summary>
    protected abstract bool IsDurable { get; }

    /// <summary>Opens (or creates) the store under test for <paramref name="chainId"/>.</summary>
    protected abstract ValueTask<IBlockStore> OpenAsync(ChainId chainId);

    /// <summary>Closes <paramref name="store"/> and opens it again from its durable data.</summary>
    protected virtual async ValueTask<IBlockStore> ReopenAsync(IBlockStore store)
    {
        var chainId = store.ChainId;
        await store.DisposeAsync();
        return await OpenAsync(chainId);
    }

    protected Block NextBlock(int entries = 2, int records = 1) => _chain.Append(entries, records);

    [Fact]
    public async Task An_empty_store_has_no_tip_and_no_blocks_C5()
    {
        await using var store = await OpenAsync(ChainId);
        Assert.Null(store.Tip);
        Assert.Null(await store.GetAsync(0));
        Assert.Null(await store.GetAsync(Hash256.Compute("nothing"u8)));
        Assert.Empty(await store.ReadAsync().ToListAsync());
    }

    [Fact]
    public async Task Appended_blocks_are_found_by_height_and_hash_and_read_in_order_C5()
    {
        await using var store = await OpenAsync(ChainId);
        var blocks = Enumerable.Range(0, 5).Select(_ => NextBlock()).ToList();
        foreach (var block in blocks)
        {
            await store.AppendAsync(block);
            Assert.Equal(block.Header, store.Tip);
        }

        for (int i = 0; i < blocks.Count; i++)
        {
            AssertSame(blocks[i], await store.GetAsync((ulong)i));
            AssertSame(blocks[i], await store.GetAsync(blocks[i].Hash));
        }

        Assert.Null(await store.GetAsync(5));
        Assert.Equal(blocks.Skip(2).Select(b => b.Hash), (await store.ReadAsync(2).ToListAsync()).Select(b => b.Hash));
    }

    [Fact]
    public async Task Out_of_sequence_foreign_and_unlinked_blocks_are_refused_and_change_nothing_C5()
    {
        await using var store = await OpenAsync(ChainId);
        var genesis = NextBlock();
        var second = NextBlock();
        var third = NextBlock();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(second));
        Assert.Null(store.Tip);

        await store.AppendAsync(genesis);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(third));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(genesis));

        var foreignChain = Block.Create(new ChainId("another-chain"), 1, genesis.Hash, 0, genesis.Header.Proposer, 0, []);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(foreignChain));

        var unlinked = Block.Create(ChainId, 1, Hash256.Compute("fork"u8), 0, genesis.Header.Proposer, 0, []);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(unlinked));
        Assert.Equal(genesis.Header, store.Tip);
        Assert.Null(await store.GetAsync(1));
    }

    [Fact]
    public async Task A_batch_with_one_bad_block_writes_none_of_it_C5()
    {
        await using var store = await OpenAsync(ChainId);
        var blocks = Enumerable.Range(0, 4).Select(_ => NextBlock()).ToList();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendBatchAsync([blocks[0], blocks[1], blocks[3]]));
        Assert.Null(store.Tip);

        await store.AppendBatchAsync(blocks);
        Assert.Equal(blocks[^1].Header, store.Tip);
        Assert.Equal(4, (await store.ReadAsync().ToListAsync()).Count);
    }

    [Fact]
    public async Task Stored_blocks_still_verify_and_prove_their_hash_records_C3_C4_C5()
    {
        await using var store = await OpenAsync(ChainId);
        foreach (var block in Enumerable.Range(0, 3).Select(_ => NextBlock(records: 3)))
        {
            await store.AppendAsync(block);
        }

        var stored = await store.ReadAsync().ToListAsync();
        Assert.True(ChainVerifier.Verify(ChainId, _chain.Validators, stored).IsValid);
        Assert.True(stored[1].ProveHashRecord(2).Verify(_chain.Validators).IsValid);
    }

    [Fact]
    public async Task A_closed_store_refuses_appends()
    {
        var store = await OpenAsync(ChainId);
        await store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await store.AppendAsync(NextBlock()));
    }

    [Fact]
    public async Task Reopening_returns_exactly_what_was_committed_C5()
    {
        if (!IsDurable)
        {
            return; // nothing outlives an in-memory store; the durable stores run this test for real
        }

        var store = await OpenAsync(ChainId);
        var blocks = Enumerable.Range(0, 6).Select(_ => NextBlock(records: 2)).ToList();
        await store.AppendBatchAsync(blocks[..3]);
        foreach (var block in blocks[3..])
        {
            await store.AppendAsync(block);
        }

        await store.FlushAsync();
        store = await ReopenAsync(store);
        await using (store)
        {
            Assert.Equal(blocks[^1].Header, store.Tip);
            var reread = await store.ReadAsync().ToListAsync();
            Assert.Equal(blocks.Select(b => b.Hash), reread.Select(b => b.Hash));
            Assert.True(ChainVerifier.Verify(ChainId, _chain.Validators, reread).IsValid);
            Assert.True(reread[4].ProveHashRecord(1).Verify(_chain.Validators).IsValid);

            // And the reopened store keeps appending where it left off.
            var next = NextBlock();
            await store.AppendAsync(next);
            Assert.Equal(next.Header, store.Tip);
        }
    }

    private static void AssertSame(Block expected, Block? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(ChainInterop.Codec.Canonical.Encode(expected), ChainInterop.Codec.Canonical.Encode(actual));
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _chain.Dispose();
        }

        _disposed = true;
    }
}

public sealed class InMemoryBlockStoreTests : BlockStoreContractTests
{
    protected override bool IsDurable => false;

    protected override ValueTask<IBlockStore> OpenAsync(ChainId chainId) => ValueTask.FromResult<IBlockStore>(new InMemoryBlockStore(chainId));
}
