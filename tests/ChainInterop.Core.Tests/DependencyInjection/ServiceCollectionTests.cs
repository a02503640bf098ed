using ChainInterop.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace ChainInterop.Tests.DependencyInjection;

public class ServiceCollectionTests
{
    [Fact]
    public async Task AddChainInterop_with_the_in_memory_store_resolves_one_provider_and_a_time_provider()
    {
        var services = new ServiceCollection();
        services.AddChainInterop().AddInMemoryStore();
        await using var provider = services.BuildServiceProvider();

        var stores = provider.GetRequiredService<IBlockStoreProvider>();
        Assert.Same(stores, provider.GetRequiredService<IBlockStoreProvider>());
        Assert.IsType<InMemoryStateSnapshotStore>(provider.GetRequiredService<IStateSnapshotStore>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        var chain = new ChainId("ppc-bank-a");
        Assert.Same(await stores.OpenAsync(chain), await stores.OpenAsync(chain));
    }

    [Fact]
    public void AddChainInterop_keeps_a_time_provider_the_host_registered_and_is_idempotent()
    {
        var services = new ServiceCollection();
        var hostTime = new FixedTime();
        services.AddSingleton<TimeProvider>(hostTime);
        services.AddChainInterop();
        services.AddChainInterop();
        using var provider = services.BuildServiceProvider();
        Assert.Same(hostTime, provider.GetRequiredService<TimeProvider>());
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
    }

    private sealed class FixedTime : TimeProvider;
}

public sealed class FileStoreRegistrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chaininterop-di-").FullName;

    [Theory]
    [InlineData(StorageIsolation.Physical)]
    [InlineData(StorageIsolation.Logical)]
    public async Task AddFileStore_gives_durable_stores_in_the_chosen_isolation_mode_C5(StorageIsolation isolation)
    {
        var services = new ServiceCollection();
        services.AddChainInterop().AddInMemoryStore().AddFileStore(_directory, o => o.Isolation = isolation);
        await using var provider = services.BuildServiceProvider();

        var stores = provider.GetRequiredService<IBlockStoreProvider>();
        Assert.IsType<FileBlockStoreProvider>(stores);
        Assert.Equal(isolation, stores.Isolation);
        Assert.IsType<FileStateSnapshotStore>(provider.GetRequiredService<IStateSnapshotStore>());

        var abc = await stores.OpenAsync(new ChainId("icc-1-abc"));
        var tbc = await stores.OpenAsync(new ChainId("icc-1-tbc-a"));
        Assert.Same(abc, await stores.OpenAsync(new ChainId("icc-1-abc")));
        Assert.NotSame(abc, tbc);
        // Physical isolation: a directory per chain. Logical: one log for all.
        Assert.Equal(isolation == StorageIsolation.Physical, Directory.Exists(Path.Combine(_directory, "icc-1-abc")));
    }

    [Fact]
    public void Invalid_file_store_options_are_reported_with_their_reasons()
    {
        var services = new ServiceCollection();
        services.AddChainInterop().AddFileStore(_directory, o => o.FlushIntervalMs = 0);
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FileStoreOptions>>().Value);
        Assert.Contains("FlushIntervalMs", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
