using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Storage;

/// <summary>
/// Durable stores for every chain a node keeps, in the mode of <see cref="FileStoreOptions.Isolation"/>:
/// physical (a log per chain, <see cref="FileStores.OpenPhysical"/>) or logical (one log with an area per chain,
/// <see cref="FileStores.OpenLogical"/>). Consumers see only <see cref="IBlockStore"/>, so switching modes is a
/// configuration change.
/// </summary>
public sealed class FileBlockStoreProvider : IBlockStoreProvider
{
    private readonly FileStoreOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider? _timeProvider;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<ChainId, IBlockStore> _physical = new();
    private LogicalFileStore? _logical;
    private bool _disposed;

    /// <summary>Creates the provider; stores are opened (and recovered) on first use.</summary>
    /// <param name="options">The file store options, validated here.</param>
    /// <param name="loggerFactory">Recovery and I/O events.</param>
    /// <param name="timeProvider">Drives the interval flush; the system clock when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public FileBlockStoreProvider(FileStoreOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _loggerFactory = loggerFactory;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public StorageIsolation Isolation => _options.Isolation;

    /// <inheritdoc />
    public ValueTask<IBlockStore> OpenAsync(ChainId chainId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_options.Isolation == StorageIsolation.Logical)
            {
                _logical ??= FileStores.OpenLogical(_options, _loggerFactory, _timeProvider);
                return ValueTask.FromResult(_logical.GetStore(chainId));
            }

            return ValueTask.FromResult(_physical.GetOrAdd(chainId, id => FileStores.OpenPhysical(_options, id, _loggerFactory, _timeProvider)));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        LogicalFileStore? logical;
        IBlockStore[] physical;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            logical = _logical;
            physical = [.. _physical.Values];
        }

        foreach (var store in physical)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }

        if (logical is not null)
        {
            await logical.DisposeAsync().ConfigureAwait(false);
        }
    }
}
