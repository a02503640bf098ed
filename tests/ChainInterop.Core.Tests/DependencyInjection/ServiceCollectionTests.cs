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
