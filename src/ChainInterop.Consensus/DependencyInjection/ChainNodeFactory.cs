using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// Starts this node's replica of a chain registered with <c>AddChain(…).AddPbft()</c> (or another engine): opens the
/// chain's store, rebuilds the replica from the store's tip (from the newest snapshot in the registered
/// <see cref="IStateSnapshotStore"/>, see <see cref="ChainNodeOptions.SnapshotIntervalBlocks"/>), and runs it in a
/// <see cref="ReplicaHost"/> over the given transport.
/// </summary>
public sealed class ChainNodeFactory
{
    private readonly IServiceProvider _services;

    /// <summary>Created by dependency injection.</summary>
    /// <param name="services">The host's services.</param>
    public ChainNodeFactory(IServiceProvider services) => _services = services;

    /// <summary>Starts the replica of <paramref name="chainId"/>.</summary>
    /// <param name="chainId">A chain registered with <c>AddChain</c>.</param>
    /// <param name="transport">The node's transport for this chain.</param>
    /// <param name="application">This node's copy of the chain's application; null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="observer">What follows the chain on this node (e.g. a relay); called after each block is stored.</param>
    /// <param name="cancellationToken">Cancels opening the store.</param>
    /// <returns>The running host; dispose it to stop.</returns>
    /// <exception cref="InvalidOperationException">The chain was not registered, or no engine was chosen for it.</exception>
    /// <exception cref="ArgumentException">The chain's options are invalid.</exception>
    public async Task<ReplicaHost> StartAsync(
        ChainId chainId,
        ITransport transport,
        IChainApplication? application = null,
        ICommittedBlockObserver? observer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var engine = _services.GetKeyedService<ReplicaFactory>(chainId)
            ?? throw new InvalidOperationException($"No consensus engine is registered for chain {chainId}: use AddChain({chainId}, …).AddPbft() or .AddSingleAuthority().");
        var options = _services.GetRequiredService<IOptionsMonitor<ChainNodeOptions>>().Get(chainId.Value);
        options.Validate();
        var loggers = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var stores = _services.GetService<IBlockStoreProvider>()
            ?? throw new InvalidOperationException("No block store is registered: use AddFileStore(path) or AddInMemoryStore().");

        var store = await stores.OpenAsync(chainId, cancellationToken).ConfigureAwait(false);
        var snapshots = options.SnapshotIntervalBlocks > 0 && _services.GetService<IStateSnapshotStore>() is { } snapshotStore
            ? new ReplicaSnapshots(snapshotStore, options.SnapshotIntervalBlocks)
            : null;
        return await ReplicaHost.StartAsync(engine, options.Replica, options.SigningKey!, store, transport, application, observer,
            options.ServeRemoteClients, localReplies: true, snapshots, _services.GetService<TimeProvider>(), loggers, cancellationToken).ConfigureAwait(false);
    }
}
