namespace ChainInterop.Storage;

/// <summary>
/// Logical isolation (C5): one durable log in one directory holding several chains in separate areas. Each chain
/// gets its own <see cref="IBlockStore"/> from <see cref="GetStore"/>; the chains share segment files and fsyncs but
/// never see each other's blocks. Open with <see cref="FileStores.OpenLogical"/>.
/// </summary>
public sealed class LogicalFileStore : IAsyncDisposable
{
    private readonly FileLog _log;
    private readonly Lock _gate = new();
    private readonly Dictionary<ChainId, FileBlockStore> _stores = [];
    private bool _disposed;

    internal LogicalFileStore(FileLog log) => _log = log;

    /// <summary>The directory of the shared log.</summary>
    public string DirectoryPath => _log.DirectoryPath;

    /// <summary>The chains that have an area in the log (found on disk or handed out since).</summary>
    public IReadOnlyList<ChainId> Chains => _log.Chains;

    /// <summary>The store of <paramref name="chainId"/>'s area (created empty when the log has none). The same open instance is returned until it is disposed.</summary>
    /// <param name="chainId">The chain.</param>
    /// <returns>The chain's store; disposing it does not close the shared log.</returns>
    /// <exception cref="ArgumentException"><paramref name="chainId"/> is default.</exception>
    /// <exception cref="ObjectDisposedException">The logical store is closed.</exception>
    public IBlockStore GetStore(ChainId chainId)
    {
        if (chainId.IsDefault)
        {
            throw new ArgumentException("A store needs a chain id.", nameof(chainId));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_stores.TryGetValue(chainId, out var store) || store.IsDisposed)
            {
                store = new FileBlockStore(_log, chainId, ownsLog: false);
                _stores[chainId] = store;
            }

            return store;
        }
    }

    /// <summary>Makes every appended block of every area durable now.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the log is fsynced.</returns>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => _log.FlushAsync(cancellationToken);

    /// <summary>Closes the log (fsyncing pending writes) and every store handed out.</summary>
    /// <returns>A task that completes when the log is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        FileBlockStore[] stores;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            stores = [.. _stores.Values];
        }

        foreach (var store in stores)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        await _log.DisposeAsync().ConfigureAwait(false);
    }
}
