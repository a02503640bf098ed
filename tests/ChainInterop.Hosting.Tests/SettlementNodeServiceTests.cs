using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ChainInterop.Hosting.Tests;

/// <summary>
/// <c>AddChainInterop().AddSettlementNode(configuration)</c> on the .NET Generic Host: one host here runs all 12
/// validators of a written layout (a node section may list several), over TCP on loopback with file stores.
/// </summary>
public sealed class SettlementNodeServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_generic_host_runs_the_configured_validators_reports_healthy_settles_a_transfer_and_stops_cleanly_S2()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions { BasePort = FreePorts.Block(SettlementNetworkLayout.PortsNeeded(new SettlementLayoutOptions())) });
        var configuration = new ConfigurationBuilder().AddJsonFile(files.NodeConfigs[0]).AddInMemoryCollection(AllValidators()).Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddChainInterop().AddSettlementNode(builder.Configuration, _directory.Path);
        using var host = builder.Build();
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a busy machine is slow; a green run never waits for it
        await host.StartAsync(budget.Token);

        var service = host.Services.GetRequiredService<SettlementNodeService>();
        Assert.Equal(20, service.Validators.Count); // two PPCs, the ICC's ABC and its two TBCs, 4 validators each
        // Every validator commits a block of its own after the start (ticks commit at least once a second): then each
        // reaches a quorum and committed just now, which is what the health check asks.
        await Task.WhenAll(service.Validators.Select(v => v.WaitForHeightAsync((v.ExecutedHeight ?? 0) + 2, budget.Token)));
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(budget.Token);
        Assert.Equal(HealthStatus.Healthy, report.Status);

        var entry = report.Entries[SettlementNodeBuilderExtensions.HealthCheckName];
        Assert.Equal(20, entry.Data.Count);
        Assert.Contains("validators connected", (string)entry.Data["icc-1/2"], StringComparison.Ordinal);

        await using (var bank = SettlementClientSession.Open(files.ClientConfigs[0]))
        {
            var tx = Hash256.Compute("hosted"u8);
            var started = await bank.Client.StartTransferAsync(new StartTransfer(tx, new ChainId("icc-1"), new AccountId("customer-1"), new ChainId("ppc-bank-b"),
                new AccountId("customer-2"), new AssetCode("USD"), new Amount(40), AckMode.ModeI, SettlementTiming.RealTime,
                DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds()), budget.Token);
            Assert.True(started.IsAccepted);
            Assert.Equal(CrossChainTransactionState.Committed, await bank.Client.WaitForOutcomeAsync(started, TimeSpan.FromMilliseconds(50), budget.Token));
        }

        await host.StopAsync(budget.Token);
        Assert.Empty(service.Validators);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(budget.Token)).Status);
    }

    [Fact]
    public async Task A_missing_key_file_stops_the_start_with_its_path_and_nothing_keeps_running()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions { BasePort = FreePorts.Block(SettlementNetworkLayout.PortsNeeded(new SettlementLayoutOptions())) });
        File.Delete(files.ValidatorKeys[0]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], DisableDefaults = true });
        builder.Configuration.AddJsonFile(files.NodeConfigs[0]);
        builder.Services.AddChainInterop().AddSettlementNode(builder.Configuration, _directory.Path);
        using var host = builder.Build();

        var refused = await Assert.ThrowsAsync<KeyFileException>(() => host.StartAsync());
        Assert.Contains(files.ValidatorKeys[0], refused.Message, StringComparison.Ordinal);
        Assert.Empty(host.Services.GetRequiredService<SettlementNodeService>().Validators);
    }

    /// <summary>The node section listing every validator of the layout, with its key file.</summary>
    private static Dictionary<string, string?> AllValidators()
    {
        var values = new Dictionary<string, string?>();
        int n = 0;
        foreach (string chain in new[] { "ppc-bank-a", "ppc-bank-b", "icc-1", "icc-1.tbc1", "icc-1.tbc2" })
        {
            for (int i = 0; i < 4; i++, n++)
            {
                values[$"ChainInterop:Node:Validators:{n}:Chain"] = chain;
                values[$"ChainInterop:Node:Validators:{n}:Index"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                values[$"ChainInterop:Node:Validators:{n}:KeyFile"] = $"keys/{chain}-{i}.key";
            }
        }

        return values;
    }
}
