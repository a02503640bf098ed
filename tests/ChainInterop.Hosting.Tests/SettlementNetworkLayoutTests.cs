using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace ChainInterop.Hosting.Tests;

public sealed class SettlementNetworkLayoutTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Two_banks_and_one_intermediary_of_four_validators_give_12_nodes_20_validator_keys_and_an_operator_key_and_client_per_institution()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());

        // Logical isolation (the default): node i of the ICC runs validator i of its ABC and of its two TBCs.
        Assert.Equal(_directory.Path, files.Directory);
        Assert.Equal(12, files.NodeConfigs.Count);
        Assert.Equal(20, files.ValidatorKeys.Count);
        Assert.Equal(3, files.OperatorKeys.Count);
        Assert.Equal(3, files.ClientConfigs.Count);
        Assert.All(files.NodeConfigs.Concat(files.ValidatorKeys).Concat(files.OperatorKeys).Concat(files.ClientConfigs), f => Assert.True(File.Exists(f), f));
        Assert.Equal(_directory.File("node-ppc-bank-a-0.json"), files.NodeConfigs[0]);
        Assert.Equal(_directory.File("node-icc-1-3.json"), files.NodeConfigs[11]);
        Assert.Equal(_directory.File("keys/ppc-bank-b-2.key"), files.ValidatorKeys[6]);
        Assert.Equal([_directory.File("keys/ppc-bank-a-operator.key"), _directory.File("keys/ppc-bank-b-operator.key"), _directory.File("keys/icc-1-operator.key")], files.OperatorKeys);
        Assert.Equal([_directory.File("client-ppc-bank-a.json"), _directory.File("client-ppc-bank-b.json"), _directory.File("client-icc-1.json")], files.ClientConfigs);
        Assert.Equal(_directory.File("keys/icc-1.tbc2-3.key"), files.ValidatorKeys[19]);
        Assert.Equal(38, Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void With_physical_isolation_every_ABC_and_TBC_validator_gets_a_node_of_its_own_Seed000_0014()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions { IntermediaryStorage = IntermediaryStorage.Physical });

        Assert.Equal(20, files.NodeConfigs.Count);
        Assert.Equal(_directory.File("node-icc-1.tbc1-0.json"), files.NodeConfigs[12]);
        Assert.All(files.NodeConfigs, f => Assert.Equal(1, JsonDocument.Parse(Section(f, "Node")).RootElement.GetProperty("Validators").GetArrayLength()));
        Assert.All(files.NodeConfigs, f => Assert.Empty(Startup.Failures(new ConfigurationBuilder().AddJsonFile(f).Build(), _directory.Path)));
    }

    [Fact]
    public void Every_written_configuration_loaded_from_its_json_file_validates_with_no_error_and_every_node_starts()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());

        foreach (string path in files.NodeConfigs.Concat(files.ClientConfigs))
        {
            var configuration = new ConfigurationBuilder().AddJsonFile(path).Build();
            Assert.Empty(SettlementOptionsValidation.Validate(configuration, Path.GetDirectoryName(path)));
        }

        foreach (string path in files.NodeConfigs)
        {
            Assert.Empty(Startup.Failures(new ConfigurationBuilder().AddJsonFile(path).Build(), Path.GetDirectoryName(path)));
        }
    }

    [Fact]
    public void The_key_files_are_checked_against_the_network_so_a_swapped_key_is_caught()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());
        File.Move(files.ValidatorKeys[0], _directory.File("spare.key"));
        File.Copy(files.ValidatorKeys[1], files.ValidatorKeys[0]);
        var configuration = new ConfigurationBuilder().AddJsonFile(files.NodeConfigs[0]).Build();

        string error = Assert.Single(SettlementOptionsValidation.Validate(configuration, _directory.Path));

        Assert.StartsWith($"ChainInterop:Node:Validators:0:KeyFile: key file {files.ValidatorKeys[0]} holds public key ", error, StringComparison.Ordinal);
        Assert.Contains("but ChainInterop:Network:Participants:0:Validators:0:PublicKey is ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_node_gets_the_same_network_and_its_validators_with_their_own_keys_and_data_directory()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());

        var networks = files.NodeConfigs.Concat(files.ClientConfigs).Select(f => Section(f, "Network")).Distinct().ToList();
        Assert.Single(networks);
        var node = Section(files.NodeConfigs[9], "Node");
        Assert.Equal(
            """{"DataDirectory":"data","SnapshotIntervalBlocks":1000,"UseDemoKeys":false,"Validators":[{"Chain":"icc-1","Index":1,"KeyFile":"keys/icc-1-1.key"},"""
            + """{"Chain":"icc-1.tbc1","Index":1,"KeyFile":"keys/icc-1.tbc1-1.key"},{"Chain":"icc-1.tbc2","Index":1,"KeyFile":"keys/icc-1.tbc2-1.key"}]}""",
            node);
        Assert.Equal("""{"Chain":"ppc-bank-b","KeyFile":"keys/ppc-bank-b-operator.key"}""", Section(files.ClientConfigs[1], "Client"));
    }

    [Fact]
    public void Ports_are_consecutive_from_the_base_port_consensus_then_relay_and_all_unique()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions { BasePort = 9000 });
        var network = Network(files.NodeConfigs[0]);

        var endPoints = network.Chains
            .SelectMany(chain => Enumerable.Range(0, 4).SelectMany(i => new[] { network.ConsensusEndPointOf(chain, i), network.RelayEndPointOf(chain, i) }))
            .Cast<IPEndPoint>()
            .ToList();

        Assert.All(endPoints, e => Assert.Equal(IPAddress.Loopback, e.Address));
        Assert.Equal(Enumerable.Range(9000, 40), endPoints.Select(e => e.Port));
        Assert.Equal(40, SettlementNetworkLayout.PortsNeeded(new SettlementLayoutOptions()));
    }

    [Fact]
    public void The_written_network_opens_with_the_default_balances_and_builds_every_chains_genesis()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions { Assets = [new AssetCode("USD"), new AssetCode("CNY")] });
        var network = Network(files.NodeConfigs[0]);

        var spec = network.ToSpec();

        Assert.Equal([new ChainId("ppc-bank-a"), new ChainId("ppc-bank-b")], spec.Participants.Select(p => p.Chain));
        var bank = spec.Participants[1];
        Assert.Equal([new AccountId("customer-1"), new AccountId("customer-2")], bank.Customers.Select(c => c.Account));
        Assert.All(bank.Customers, c => Assert.Equal(1_000_000, c.Balances[new AssetCode("CNY")]));
        Assert.Equal(10_000_000, bank.TransitLiquidity[new AssetCode("USD")]);
        Assert.Equal(10_000_000, bank.AbcDeposit[new AssetCode("CNY")]);
        using var operatorKey = KeyFile.Read(files.OperatorKeys[1]);
        Assert.Equal([NodeId.FromPublicKey(operatorKey.PublicKey)], network.OperatorsOf(bank.Chain));
        Assert.NotNull(spec.CreateParticipant(bank.Chain));
        Assert.NotNull(spec.CreateIntermediary(new ChainId("icc-1")));
    }

    [Fact]
    public void A_larger_layout_names_banks_by_letters_and_links_every_bank_to_every_intermediary()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions
        {
            Banks = 28, ValidatorsPerChain = 1, Intermediaries = 2, Engine = ConsensusEngine.SingleAuthority, CustomersPerBank = 0,
        });
        var network = Network(files.NodeConfigs[0]);

        Assert.Equal(30, files.NodeConfigs.Count);
        Assert.Equal(["ppc-bank-a", "ppc-bank-z", "ppc-bank-aa", "ppc-bank-ab", "icc-1", "icc-1.tbc1", "icc-1.tbc28", "icc-2"],
            network.Chains.Select(c => c.Value).Where((_, i) => i is 0 or 25 or 26 or 27 or 28 or 29 or 56 or 57));
        Assert.All(network.Intermediaries, i => Assert.Equal(28, i.Participants.Count));
        Assert.All(network.Chains, c => Assert.Equal(ConsensusEngine.SingleAuthority, network.EngineOf(c)));
        Assert.Empty(SettlementOptionsValidation.Validate(new ConfigurationBuilder().AddJsonFile(files.NodeConfigs[29]).Build(), _directory.Path));
    }

    [Fact]
    public void Laying_out_over_an_existing_key_is_refused_before_anything_is_written()
    {
        Directory.CreateDirectory(_directory.File("keys"));
        File.WriteAllText(_directory.File("keys/ppc-bank-b-operator.key"), "precious");

        var e = Assert.Throws<IOException>(() => SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions()));

        Assert.Contains(_directory.File("keys/ppc-bank-b-operator.key"), e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(_directory.File("keys/ppc-bank-b-operator.key")));
        Assert.Single(Directory.EnumerateFiles(_directory.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Written_key_files_are_readable_by_their_owner_only()
    {
        var files = SettlementNetworkLayout.Write(_directory.Path, new SettlementLayoutOptions());
        if (!OperatingSystem.IsWindows())
        {
            foreach (string file in files.ValidatorKeys.Concat(files.OperatorKeys))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    [Theory]
    [InlineData("Banks")]
    [InlineData("Intermediaries")]
    [InlineData("ValidatorsPerChain")]
    [InlineData("BasePort")]
    [InlineData("CustomerBalance")]
    [InlineData("Host")]
    [InlineData("Assets")]
    public void Options_out_of_range_are_refused_naming_the_option(string option)
    {
        var options = new SettlementLayoutOptions();
        switch (option)
        {
            case "Banks": options.Banks = 1; break;
            case "Intermediaries": options.Intermediaries = 0; break;
            case "ValidatorsPerChain": options.ValidatorsPerChain = 0; break;
            case "BasePort": options.BasePort = 65_530; break;
            case "CustomerBalance": options.CustomerBalance = -1; break;
            case "Host": options.Host = "not a host"; break;
            case "Assets": options.Assets = [new AssetCode("USD"), new AssetCode("USD")]; break;
            default: throw new ArgumentOutOfRangeException(nameof(option), option, "no such case");
        }

        var e = Assert.ThrowsAny<ArgumentException>(() => SettlementNetworkLayout.Write(_directory.Path, options));

        Assert.Equal($"options.{option}", e.ParamName);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory.Path));
    }

    private static SettlementNetworkOptions Network(string path)
    {
        var network = new SettlementNetworkOptions();
        new ConfigurationBuilder().AddJsonFile(path).Build().GetSection(SettlementNetworkOptions.SectionName).Bind(network);
        return network;
    }

    /// <summary>A section of a written configuration file, as compact JSON.</summary>
    private static string Section(string path, string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return JsonSerializer.Serialize(document.RootElement.GetProperty("ChainInterop").GetProperty(name));
    }
}
