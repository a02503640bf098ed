using System.Runtime.CompilerServices;
using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Storage;

/// <summary>
/// A block store in memory, for tests, simulations and samples. Same rules as the durable store; nothing survives
/// the process. Thread-safe: one writer and any number of readers.
/// </summary>
public sealed class InMemoryBlockStore : IBlockStore
{
    private readonly Lock _gate = new();
    private readonly List<Block> _blocks = [];
    private readonly Dictionary<Hash256, int> _heightByHash = [];
    private bool _disposed;

    /// <summary>Creates an empty store for <paramref name="chainId"/>.</summary>
    /// <param name="chainId">The chain.</param>
    /// <exception cref="ArgumentException"><paramref name="chainId"/> is default.</exception>
    public InMemoryBlockStore(ChainId chainId)
    {
        if (chainId.IsDefault)
        {
            throw new ArgumentException("A store needs a chain id.", nameof(chainId));
        }

        ChainId = chainId;
    }

    /// <inheritdoc />
    public ChainId ChainId { get; }

    /// <inheritdoc />
    public BlockHeader? Tip
    {
        get
        {
            lock (_gate)
            {
                return _blocks.Count == 0 ? null : _blocks[^1].Header;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AppendAsync(Block block, CancellationToken cancellationToken = default) =>
        AppendBatchAsync([block], cancellationToken);

    /// <inheritdoc />
    public ValueTask AppendBatchAsync(IReadOnlyList<Block> blocks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            BlockSequence.RequireNext(ChainId, _blocks.Count == 0 ? null : _blocks[^1].Header, blocks);
            foreach (var block in blocks)
            {
                _heightByHash.Add(block.Hash, _blocks.Count);
                _blocks.Add(block);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<Block?> GetAsync(ulong height, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(height < (ulong)_blocks.Count ? _blocks[(int)height] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<Block?> GetAsync(Hash256 hash, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_heightByHash.TryGetValue(hash, out int i) ? _blocks[i] : null);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Block> ReadAsync(ulong fromHeight = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Block[] snapshot;
        lock (_gate)
        {
            snapshot = fromHeight < (ulong)_blocks.Count ? _blocks.GetRange((int)fromHeight, _blocks.Count - (int)fromHeight).ToArray() : [];
        }

        foreach (var block in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return block;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        return ValueTask.CompletedTask;
    }
}
