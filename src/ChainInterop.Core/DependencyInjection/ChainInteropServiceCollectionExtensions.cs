using ChainInterop.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ChainInterop in a host's <see cref="IServiceCollection"/>.</summary>
public static class ChainInteropServiceCollectionExtensions
{
    private const string SnapshotDirectoryName = ".snapshots";

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

    /// <summary>
    /// Keeps every chain's blocks durably under <paramref name="path"/> (physical isolation unless
    /// <see cref="FileStoreOptions.Isolation"/> says logical) and state snapshots under <c>path/.snapshots</c> (no chain id starts with a dot, so it never meets a chain's directory).
    /// The options are validated when the host starts. Replaces any store chosen before.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The directory for the chains' logs.</param>
    /// <param name="configure">Further options: isolation mode, durability policy, segment size…</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static IChainInteropBuilder AddFileStore(this IChainInteropBuilder builder, string path, Action<FileStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.AddOptions<FileStoreOptions>()
            .Configure(options =>
            {
                options.Path = path;
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>, FileStoreOptionsValidator>());
        builder.Services.RemoveAll<IBlockStoreProvider>();
        builder.Services.RemoveAll<IStateSnapshotStore>();
        builder.Services.AddSingleton<IBlockStoreProvider>(sp => new FileBlockStoreProvider(
            sp.GetRequiredService<IOptions<FileStoreOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        builder.Services.AddSingleton<IStateSnapshotStore>(sp => new FileStateSnapshotStore(
            Path.Combine(sp.GetRequiredService<IOptions<FileStoreOptions>>().Value.Path, SnapshotDirectoryName),
            logger: sp.GetService<ILoggerFactory>()?.CreateLogger<FileStateSnapshotStore>()));
        return builder;
    }

    /// <summary>Reports every problem of the options, in the words of <see cref="FileStoreOptions.Validate"/>.</summary>
    private sealed class FileStoreOptionsValidator : IValidateOptions<FileStoreOptions>
    {
        public ValidateOptionsResult Validate(string? name, FileStoreOptions options)
        {
            try
            {
                options.Validate();
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException e)
            {
                return ValidateOptionsResult.Fail(e.Message);
            }
        }
    }

    private sealed class ChainInteropBuilder(IServiceCollection services) : IChainInteropBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
