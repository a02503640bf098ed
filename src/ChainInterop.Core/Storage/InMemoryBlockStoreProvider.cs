using System.Collections.Concurrent;

namespace ChainInterop.Storage;

/// <summary>In-memory stores for every chain (tests, simulations, samples). Reports <see cref="StorageIsolation.Logical"/>: one process memory, separate areas.</summary>
public sealed class InMemoryBlockStoreProvider : IBlockStoreProvider
{
    private readonly ConcurrentDictionary<ChainId, InMemoryBlockStore> _stores = new();
    private volatile bool _disposed;

    /// <inheritdoc />
    public StorageIsolation Isolation => StorageIsolation.Logical;

    /// <inheritdoc />
    public ValueTask<IBlockStore> OpenAsync(ChainId chainId, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ValueTask.FromResult<IBlockStore>(_stores.GetOrAdd(chainId, static id => new InMemoryBlockStore(id)));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var store in _stores.Values)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
