using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting.Tests;

/// <summary><c>AddSettlementNodeOptions</c>: both sections validated when the host starts, every problem at once.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Start_fails_with_every_problem_of_both_sections()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(files.NodeConfigs[0])
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ChainInterop:Network:Participants:1:Validators:2:PublicKey"] = "not-a-key",
                ["ChainInterop:Network:Intermediaries:0:Engine"] = "raft",
                ["ChainInterop:Node:Validators:0:Index"] = "7",
            })
            .Build();
        string[] expected =
        [
            "ChainInterop:Network:Participants:1:Validators:2:PublicKey: not 64 hex digits (an Ed25519 public key)",
            "ChainInterop:Network:Intermediaries:0:Engine: unknown engine 'raft'; use pbft, cbft or single-authority",
            "ChainInterop:Node:Validators:0:Index: 7 is not a validator of ppc-bank-a, which has 4 (indexes 0 to 3)",
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), Startup.Failures(configuration, _directory.Path));
    }

    [Fact]
    public void A_written_node_configuration_starts_and_its_key_provider_gives_the_networks_key()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());
        string config = files.NodeConfigs[5]; // ppc-bank-b, validator 1
        var configuration = new ConfigurationBuilder().AddJsonFile(config).Build();
        using var provider = new ServiceCollection()
            .AddSettlementNodeOptions(configuration, Path.GetDirectoryName(config))
            .BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var keys = provider.GetRequiredService<ISigningKeyProvider>();
        Assert.IsType<KeyFileSigningKeyProvider>(keys);
        var chain = new ChainId("ppc-bank-b");
        using var key = keys.GetSigningKey(chain, 1);
        var network = provider.GetRequiredService<IOptions<SettlementNetworkOptions>>().Value;
        Assert.Equal(network.ValidatorsOf(chain).PublicKeys[1], key.PublicKey);
        Assert.Equal(Path.Combine(_directory.Path, "data", "ppc-bank-b-1"), provider.GetRequiredService<IOptions<SettlementNodeOptions>>().Value.DataDirectoryOf(chain, 1));
        Assert.Throws<ArgumentException>(() => keys.GetSigningKey(chain, 0));
    }

    [Fact]
    public void Demo_keys_give_the_demo_key_provider()
    {
        var configuration = Configuration(TestNetwork.Create(), TestNetwork.DemoNode());
        using var provider = new ServiceCollection().AddSettlementNodeOptions(configuration).BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        var keys = Assert.IsType<DemoSigningKeyProvider>(provider.GetRequiredService<ISigningKeyProvider>());
        using var key = keys.GetSigningKey(new ChainId("ppc-bank-a"), 1);
        Assert.Equal(TestNetwork.DemoKeyOf("ppc-bank-a", 1), key.PublicKey.ToString());
    }

    [Fact]
    public void A_key_provider_the_host_registered_is_kept()
    {
        var configuration = Configuration(TestNetwork.Create(), TestNetwork.DemoNode());
        var hsm = new DemoSigningKeyProvider();
        var services = new ServiceCollection().AddSingleton<ISigningKeyProvider>(hsm).AddSettlementNodeOptions(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Same(hsm, provider.GetRequiredService<ISigningKeyProvider>());
    }

    [Fact]
    public void Adding_the_options_twice_binds_once()
    {
        var configuration = Configuration(TestNetwork.Create(), TestNetwork.DemoNode());
        var services = new ServiceCollection().AddSettlementNodeOptions(configuration).AddSettlementNodeOptions(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(2, provider.GetRequiredService<IOptions<SettlementNetworkOptions>>().Value.Assets.Count);
        Assert.Single(provider.GetRequiredService<IOptions<SettlementNodeOptions>>().Value.Validators);
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<SettlementNodeOptions>));
        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    /// <summary>The test network and node as a configuration, through the same JSON the layout writes.</summary>
    private IConfiguration Configuration(SettlementNetworkOptions network, SettlementNodeOptions node)
    {
        string path = _directory.File("appsettings.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new LayoutFile(new LayoutSections(network, node)), LayoutJsonContext.Default.LayoutFile));
        return new ConfigurationBuilder().AddJsonFile(path).Build();
    }
}
