using System.Collections.Concurrent;

namespace ChainInterop.Storage;

/// <summary>Snapshots in memory, newest per chain (tests and samples).</summary>
public sealed class InMemoryStateSnapshotStore : IStateSnapshotStore
{
    private readonly ConcurrentDictionary<ChainId, StateSnapshot> _latest = new();

    /// <inheritdoc />
    public ValueTask SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _latest.AddOrUpdate(snapshot.ChainId, snapshot, (_, old) => snapshot.Height >= old.Height ? snapshot : old);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<StateSnapshot?> LoadLatestAsync(ChainId chainId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_latest.TryGetValue(chainId, out var snapshot) ? snapshot : null);
}
