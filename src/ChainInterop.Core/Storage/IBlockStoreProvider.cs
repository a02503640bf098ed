namespace ChainInterop.Storage;

/// <summary>
/// Hands out the block store of each chain a node keeps, in one <see cref="StorageIsolation"/> mode. Switching
/// modes is a configuration change: consumers only ever see <see cref="IBlockStore"/>.
/// </summary>
/// <remarks>The provider owns the stores it opens: asking twice for a chain returns the same store, and disposing the provider closes them all.</remarks>
public interface IBlockStoreProvider : IAsyncDisposable
{
    /// <summary>Where the chains' bytes live relative to each other.</summary>
    StorageIsolation Isolation { get; }

    /// <summary>Opens (creating if needed, recovering if it exists) the store of <paramref name="chainId"/>.</summary>
    /// <param name="chainId">The chain.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The chain's store.</returns>
    /// <exception cref="ObjectDisposedException">The provider is closed.</exception>
    ValueTask<IBlockStore> OpenAsync(ChainId chainId, CancellationToken cancellationToken = default);
}
