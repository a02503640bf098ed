using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting.Tests;

/// <summary>The documented format binds: JSON as written by hand, and environment variables over it.</summary>
[Collection(ProcessEnvironment.Name)]
public sealed class BindingTests : IDisposable
{
    private static readonly ChainId PpcA = new("ppc-bank-a");
    private static readonly ChainId PpcB = new("ppc-bank-b");
    private static readonly ChainId Icc = new("icc-1");
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Json_binds_to_the_options_and_a_spec_with_its_balances_operators_and_validators()
    {
        var (network, node) = Bind(new ConfigurationBuilder().AddJsonFile(WriteJson()).Build());

        Assert.Equal(["USD", "CNY"], network.Assets);
        Assert.Equal(7_000, network.ResendAfterMs);
        Assert.Equal([PpcA, PpcB, Icc, new ChainId("icc-1.tbc1"), new ChainId("icc-1.tbc2")], network.Chains);
        Assert.Equal("var/node-a", node.DataDirectory);
        var hosted = Assert.Single(node.Validators);
        Assert.Equal(("ppc-bank-a", 1, "keys/ppc-bank-a-1.key"), (hosted.Chain, hosted.Index, hosted.KeyFile));
        Assert.False(node.UseDemoKeys);

        var spec = network.ToSpec();
        Assert.Equal([new AssetCode("USD"), new AssetCode("CNY")], spec.Assets);
        Assert.Equal(7_000, spec.ResendAfterMs);
        var a = spec.Participants[0];
        Assert.Equal(PpcA, a.Chain);
        Assert.Equal(new AccountId("alice"), a.Customers[0].Account);
        Assert.Equal(1_000_000, a.Customers[0].Balances[new AssetCode("USD")]);
        Assert.Equal(250, a.Customers[0].Balances[new AssetCode("CNY")]);
        Assert.Equal(10_000_000, a.TransitLiquidity[new AssetCode("USD")]);
        Assert.Equal(3_000_000, a.AbcDeposit[new AssetCode("USD")]);
        Assert.Equal([PpcA, PpcB], Assert.Single(spec.Intermediaries).Participants);

        using var operatorKey = DemoSigningKeyProvider.DeriveKey(new ChainId("ppc-bank-a-operator"), 0);
        Assert.Equal([NodeId.FromPublicKey(operatorKey.PublicKey)], network.OperatorsOf(PpcA));
        Assert.Empty(network.OperatorsOf(Icc));
        var validators = network.ValidatorsOf(Icc);
        Assert.Equal(4, validators.Count);
        Assert.Equal(1, validators.FaultTolerance);
        Assert.Equal(TestNetwork.DemoKeyOf("icc-1", 3), validators.PublicKeys[3].ToString());
        Assert.Equal(ConsensusEngine.Cbft, network.EngineOf(Icc));
        Assert.Equal(ConsensusEngine.Pbft, network.EngineOf(PpcB));
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7102), network.ConsensusEndPointOf(PpcA, 1));
        Assert.Equal(new DnsEndPoint("icc-1-v0.example", 7401), network.RelayEndPointOf(Icc, 0));
    }

    [Fact]
    public void Environment_variables_override_the_json_file()
    {
        var variables = new Dictionary<string, string>
        {
            ["ChainInterop__Node__DataDirectory"] = "/srv/settlement",
            ["ChainInterop__Node__UseDemoKeys"] = "true",
            ["ChainInterop__Node__Validators__0__Index"] = "3",
            ["ChainInterop__Network__Participants__0__Customers__1__Balances__USD"] = "42",
            ["ChainInterop__Network__Participants__1__Operators__0"] = TestNetwork.OperatorKeyOf("someone-else"),
        };

        var configuration = WithEnvironment(variables, new ConfigurationBuilder().AddJsonFile(WriteJson()));
        var (network, node) = Bind(configuration);

        Assert.Equal("/srv/settlement", node.DataDirectory);
        Assert.True(node.UseDemoKeys);
        Assert.Equal(3, Assert.Single(node.Validators).Index);
        Assert.Equal(42, network.ToSpec().Participants[0].Customers[1].Balances[new AssetCode("USD")]);
        using var other = DemoSigningKeyProvider.DeriveKey(new ChainId("someone-else-operator"), 0);
        Assert.Equal([NodeId.FromPublicKey(other.PublicKey)], network.OperatorsOf(PpcB));
        Assert.Empty(SettlementOptionsValidation.Validate(configuration));
    }

    [Fact]
    public void A_network_given_wholly_in_environment_variables_binds_like_json()
    {
        var variables = new Dictionary<string, string>
        {
            ["ChainInterop__Network__Assets__0"] = "USD",
            ["ChainInterop__Node__UseDemoKeys"] = "true",
            ["ChainInterop__Node__Validators__0__Chain"] = "icc-1",
            ["ChainInterop__Node__Validators__0__Index"] = "0",
        };
        foreach (string chain in new[] { "ppc-bank-a", "ppc-bank-b", "icc-1", "icc-1.tbc1", "icc-1.tbc2" })
        {
            string section = chain switch
            {
                "icc-1" => "Intermediaries__0",
                "icc-1.tbc1" => "Intermediaries__0__TradingChains__0",
                "icc-1.tbc2" => "Intermediaries__0__TradingChains__1",
                _ => $"Participants__{(chain == "ppc-bank-a" ? 0 : 1)}",
            };
            string prefix = $"ChainInterop__Network__{section}";
            variables[$"{prefix}__Chain"] = chain;
            variables[$"{prefix}__Validators__0__PublicKey"] = TestNetwork.DemoKeyOf(chain, 0);
            variables[$"{prefix}__Validators__0__Consensus"] = $"{chain}.example:7000";
            variables[$"{prefix}__Validators__0__Relay"] = $"{chain}.example:7001";
        }

        variables["ChainInterop__Network__Participants__0__Customers__0__Account"] = "alice";
        variables["ChainInterop__Network__Participants__0__Customers__0__Balances__USD"] = "100";
        variables["ChainInterop__Network__Intermediaries__0__Participants__0"] = "ppc-bank-a";
        variables["ChainInterop__Network__Intermediaries__0__Participants__1"] = "ppc-bank-b";
        variables["ChainInterop__Network__Intermediaries__0__TradingChains__0__Participant"] = "ppc-bank-a";
        variables["ChainInterop__Network__Intermediaries__0__TradingChains__1__Participant"] = "ppc-bank-b";

        var (network, node) = Bind(WithEnvironment(variables, new ConfigurationBuilder()));

        Assert.Empty(SettlementOptionsValidation.Validate(network, node));
        Assert.Equal([PpcA, PpcB, Icc, new ChainId("icc-1.tbc1"), new ChainId("icc-1.tbc2")], network.Chains);
        Assert.Equal(100, network.ToSpec().Participants[0].Customers[0].Balances[new AssetCode("USD")]);
        Assert.Equal(1, network.ValidatorsOf(Icc).Count);
        Assert.Equal(("icc-1", 0), (node.Validators[0].Chain, node.Validators[0].Index));
    }

    [Fact]
    public void Numbers_and_flags_the_binder_would_drop_are_all_reported_with_their_paths()
    {
        var configuration = JsonWith(new()
        {
            ["ChainInterop:Network:Participants:0:Customers:1:Balances:USD"] = "1,000",
            ["ChainInterop:Network:Participants:1:AbcDeposit:CNY"] = "lots",
            ["ChainInterop:Node:UseDemoKeys"] = "yes",
            ["ChainInterop:Node:Validators:0:Index"] = "first",
        });

        // Bound as is, bob's balance would silently vanish (and the node's validator with its bad index).
        Assert.Empty(configuration.GetSection(SettlementNetworkOptions.SectionName).Get<SettlementNetworkOptions>()!.Participants[0].Customers[1].Balances);

        Assert.Equal(
            [
                "ChainInterop:Network:Participants:0:Customers:1:Balances:USD: '1,000' is not a whole number of minor units",
                "ChainInterop:Network:Participants:1:AbcDeposit:CNY: 'lots' is not a whole number of minor units",
                "ChainInterop:Node:UseDemoKeys: 'yes' is not true or false",
                "ChainInterop:Node:Validators:0:Index: 'first' is not a whole number",
            ],
            SettlementOptionsValidation.Validate(configuration));
    }

    [Fact]
    public void A_number_the_binder_would_drop_fails_the_host_start_naming_its_path() =>
        Assert.Equal(
            ["ChainInterop:Node:Validators:0:Index: '1st' is not a whole number"],
            Startup.Failures(JsonWith(new() { ["ChainInterop:Node:Validators:0:Index"] = "1st" })));

    [Fact]
    public void Numbers_the_binder_cannot_convert_in_both_sections_all_fail_the_host_start()
    {
        var configuration = JsonWith(new()
        {
            ["ChainInterop:Network:ResendAfterMs"] = "soon",
            ["ChainInterop:Network:Participants:1:TransitLiquidity:USD"] = "-",
            ["ChainInterop:Node:UseDemoKeys"] = "no",
        });

        Assert.Equal(
            [
                "ChainInterop:Network:Participants:1:TransitLiquidity:USD: '-' is not a whole number of minor units",
                "ChainInterop:Network:ResendAfterMs: 'soon' is not a whole number",
                "ChainInterop:Node:UseDemoKeys: 'no' is not true or false",
            ],
            Startup.Failures(configuration));
    }

    /// <summary>The hand-written JSON with some values overridden.</summary>
    private IConfigurationRoot JsonWith(Dictionary<string, string?> overrides) =>
        new ConfigurationBuilder().AddJsonFile(WriteJson()).AddInMemoryCollection(overrides).Build();

    /// <summary>Adds the process environment to <paramref name="builder"/> and builds it, with <paramref name="variables"/> set only while it loads.</summary>
    private static IConfigurationRoot WithEnvironment(Dictionary<string, string> variables, IConfigurationBuilder builder)
    {
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            return builder.AddEnvironmentVariables().Build();
        }
        finally
        {
            foreach (string name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    private static (SettlementNetworkOptions Network, SettlementNodeOptions Node) Bind(IConfiguration configuration)
    {
        using var provider = new ServiceCollection().AddSettlementNodeOptions(configuration).BuildServiceProvider();
        return (provider.GetRequiredService<IOptions<SettlementNetworkOptions>>().Value, provider.GetRequiredService<IOptions<SettlementNodeOptions>>().Value);
    }

    /// <summary>The README's format, written by hand: two PPCs (4 validators each) and a CBFT ICC on host names.</summary>
    private string WriteJson()
    {
        // Validator i listens on port + 2i and port + 2i + 1; {0} in the host is its index.
        string Validators(string chain, string host, int port) => string.Join(",", Enumerable.Range(0, 4).Select(i =>
        {
            string name = string.Format(CultureInfo.InvariantCulture, host, i);
            return $$"""{ "PublicKey": "{{TestNetwork.DemoKeyOf(chain, i)}}", "Consensus": "{{name}}:{{port + (2 * i)}}", "Relay": "{{name}}:{{port + (2 * i) + 1}}" }""";
        }));
        string json = $$"""
            {
              "ChainInterop": {
                "Network": {
                  "Assets": [ "USD", "CNY" ],
                  "ResendAfterMs": 7000,
                  "Participants": [
                    {
                      "Chain": "ppc-bank-a",
                      "Engine": "pbft",
                      "Validators": [ {{Validators("ppc-bank-a", "127.0.0.1", 7100)}} ],
                      "Operators": [ "{{TestNetwork.OperatorKeyOf("ppc-bank-a")}}" ],
                      "Customers": [
                        { "Account": "alice", "Balances": { "USD": 1000000, "CNY": 250 } },
                        { "Account": "bob", "Balances": { "USD": 5 } }
                      ],
                      "TransitLiquidity": { "USD": 10000000 },
                      "AbcDeposit": { "USD": 3000000 }
                    },
                    {
                      "Chain": "ppc-bank-b",
                      "Validators": [ {{Validators("ppc-bank-b", "127.0.0.1", 7200)}} ],
                      "Operators": [ "{{TestNetwork.OperatorKeyOf("ppc-bank-b")}}" ],
                      "Customers": [ { "Account": "carol", "Balances": { "CNY": 9 } } ],
                      "TransitLiquidity": { "USD": 1, "CNY": 2 },
                      "AbcDeposit": { "CNY": 3 }
                    }
                  ],
                  "Intermediaries": [
                    {
                      "Chain": "icc-1",
                      "Engine": "cbft",
                      "Validators": [ {{Validators("icc-1", "icc-1-v{0}.example", 7400)}} ],
                      "Participants": [ "ppc-bank-a", "ppc-bank-b" ],
                      "TradingChains": [
                        { "Chain": "icc-1.tbc1", "Participant": "ppc-bank-a", "Validators": [ {{Validators("icc-1.tbc1", "127.0.0.1", 7500)}} ] },
                        { "Chain": "icc-1.tbc2", "Participant": "ppc-bank-b", "Validators": [ {{Validators("icc-1.tbc2", "127.0.0.1", 7600)}} ] }
                      ]
                    }
                  ]
                },
                "Node": {
                  "DataDirectory": "var/node-a",
                  "Validators": [ { "Chain": "ppc-bank-a", "Index": 1, "KeyFile": "keys/ppc-bank-a-1.key" } ]
                }
              }
            }
            """;
        string path = _directory.File("appsettings.json");
        File.WriteAllText(path, json);
        return path;
    }
}

/// <summary>Tests that set process environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironment
{
    public const string Name = "environment variables";
}
