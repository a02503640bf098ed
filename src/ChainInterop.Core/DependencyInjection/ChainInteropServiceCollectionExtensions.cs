using ChainInterop.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ChainInterop in a host's <see cref="IServiceCollection"/>.</summary>
public static class ChainInteropServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ChainInterop core services (a <see cref="TimeProvider"/> unless the host registered one) and returns a
    /// builder for the host's choices. Calling it again is harmless and returns a builder over the same services.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IChainInteropBuilder AddChainInterop(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        return new ChainInteropBuilder(services);
    }

    /// <summary>
    /// Keeps every chain's blocks and snapshots in memory (tests, simulations, samples). Replaces any store chosen
    /// before: the last store choice wins.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IChainInteropBuilder AddInMemoryStore(this IChainInteropBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IBlockStoreProvider>();
        builder.Services.RemoveAll<IStateSnapshotStore>();
        builder.Services.AddSingleton<IBlockStoreProvider, InMemoryBlockStoreProvider>();
        builder.Services.AddSingleton<IStateSnapshotStore, InMemoryStateSnapshotStore>();
        return builder;
    }

    private sealed class ChainInteropBuilder(IServiceCollection services) : IChainInteropBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
