namespace ChainInterop.Storage;

/// <summary>
/// The account-state store and checkpoint hook (C5): keeps snapshots of chains' application state so that a
/// restarting node loads the latest one and replays only later blocks from its <see cref="IBlockStore"/>.
/// </summary>
public interface IStateSnapshotStore
{
    /// <summary>Stores <paramref name="snapshot"/> durably (older snapshots of the chain may be pruned).</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the snapshot is durable.</returns>
    ValueTask SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>The newest intact snapshot of <paramref name="chainId"/>.</summary>
    /// <param name="chainId">The chain.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The snapshot, or null when there is none (replay from genesis).</returns>
    ValueTask<StateSnapshot?> LoadLatestAsync(ChainId chainId, CancellationToken cancellationToken = default);
}
