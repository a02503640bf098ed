using System.Runtime.CompilerServices;
using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Storage;

/// <summary>
/// The durable block store of one chain (C5): one area of a segmented, checksummed, append-only file log. Opened by
/// <see cref="FileStores.OpenPhysical"/> (the store owns its log) or handed out by
/// <see cref="LogicalFileStore.GetStore"/> (the areas share one log). Appends are validated with
/// <see cref="BlockSequence"/> before anything is written and are durable as <see cref="FileStoreOptions.Durability"/>
/// promises; reads decode the block from disk, byte-identical to what was appended.
/// </summary>
/// <remarks>Thread-safety: one writer and any number of concurrent readers.</remarks>
public sealed class FileBlockStore : IBlockStore
{
    private readonly FileLog _log;
    private readonly FileLog.Area _area;
    private readonly bool _ownsLog;
    private volatile bool _disposed;

    internal FileBlockStore(FileLog log, ChainId chainId, bool ownsLog)
    {
        _log = log;
        _area = log.GetArea(chainId);
        _ownsLog = ownsLog;
    }

    /// <inheritdoc />
    public ChainId ChainId => _area.ChainId;

    /// <inheritdoc />
    public BlockHeader? Tip => _log.TipOf(_area);

    /// <summary>The directory holding this store's log (shared with other chains in logical mode).</summary>
    public string DirectoryPath => _log.DirectoryPath;

    /// <summary>Whether this instance was disposed.</summary>
    internal bool IsDisposed => _disposed;

    /// <inheritdoc />
    public ValueTask AppendAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        return AppendBatchAsync([block], cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask AppendBatchAsync(IReadOnlyList<Block> blocks, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _log.AppendAsync(_area, blocks, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _log.FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Block?> GetAsync(ulong height, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_log.Read(_area, height));
    }

    /// <inheritdoc />
    public ValueTask<Block?> GetAsync(Hash256 hash, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_log.Read(_area, hash));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Block> ReadAsync(ulong fromHeight = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong count = _log.CountOf(_area);
        for (ulong height = fromHeight; height < count; height++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return _log.Read(_area, height) ?? throw new InvalidOperationException($"Block {height} of {ChainId} vanished from the index.");
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsLog)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }
}
