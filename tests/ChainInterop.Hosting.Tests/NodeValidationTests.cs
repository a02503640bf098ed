using ChainInterop.Crypto;

namespace ChainInterop.Hosting.Tests;

public sealed class NodeValidationTests : IDisposable
{
    private const string Node = "ChainInterop:Node";
    private const string Client = "ChainInterop:Client";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_node_on_demo_keys_matching_the_network_is_valid() =>
        Assert.Empty(SettlementOptionsValidation.Validate(TestNetwork.Create(), TestNetwork.DemoNode()));

    [Fact]
    public void A_node_whose_key_files_hold_the_networks_keys_is_valid()
    {
        var network = TestNetwork.Create();
        var node = FileNode(network, ("ppc-bank-a", 0), ("icc-1", 3));

        Assert.Empty(SettlementOptionsValidation.Validate(network, node));
    }

    public static TheoryData<string, string, string> Cases => new()
    {
        // case, path of the one error, what it says
        { "no data directory", $"{Node}:DataDirectory", "not given" },
        { "negative snapshot interval", $"{Node}:SnapshotIntervalBlocks", "must be 0 (off) or more blocks, not -5" },
        { "no validator", $"{Node}:Validators", "this node runs no validator" },
        { "chain not an id", $"{Node}:Validators:0:Chain", "'ppc bank a' is not a chain id" },
        { "unknown chain", $"{Node}:Validators:0:Chain", "ppc-bank-z is not a chain of the network" },
        { "index past the end", $"{Node}:Validators:0:Index", "4 is not a validator of ppc-bank-a, which has 4 (indexes 0 to 3)" },
        { "negative index", $"{Node}:Validators:0:Index", "-1 is not a validator of ppc-bank-a" },
        { "validator twice", $"{Node}:Validators:1", $"validator 1 of ppc-bank-a is already run by {Node}:Validators:0" },
        { "no key file", $"{Node}:Validators:0:KeyFile", "not given; name the validator's key file" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_node_field_gives_one_error_prefixed_with_its_path(string name, string path, string says)
    {
        var node = TestNetwork.DemoNode();
        var validator = node.Validators[0];
        switch (name)
        {
            case "no data directory": node.DataDirectory = " "; break;
            case "negative snapshot interval": node.SnapshotIntervalBlocks = -5; break;
            case "no validator": node.Validators.Clear(); break;
            case "chain not an id": validator.Chain = "ppc bank a"; break;
            case "unknown chain": validator.Chain = "ppc-bank-z"; break;
            case "index past the end": validator.Index = 4; break;
            case "negative index": validator.Index = -1; break;
            case "validator twice": node.Validators.Add(new HostedValidatorOptions { Chain = "ppc-bank-a", Index = 1 }); break;
            case "no key file": node.UseDemoKeys = false; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }

        string error = Assert.Single(SettlementOptionsValidation.Validate(TestNetwork.Create(), node));
        Assert.StartsWith(path + ": ", error, StringComparison.Ordinal);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_holding_another_key_is_reported_naming_the_file_the_network_entry_and_both_keys()
    {
        var network = TestNetwork.Create();
        var node = FileNode(network, ("ppc-bank-b", 2));
        string file = _directory.File("keys/ppc-bank-b-2.key");
        File.Delete(file);
        using var other = DemoSigningKeyProvider.DeriveKey(new ChainId("elsewhere"), 0);
        KeyFile.Write(file, other);

        string error = Assert.Single(SettlementOptionsValidation.Validate(network, node));

        Assert.Equal(
            $"{Node}:Validators:0:KeyFile: key file {file} holds public key {other.PublicKey}, but "
            + $"ChainInterop:Network:Participants:1:Validators:2:PublicKey is {TestNetwork.DemoKeyOf("ppc-bank-b", 2)}",
            error);
    }

    [Fact]
    public void Demo_keys_the_network_does_not_list_are_reported_with_both_keys()
    {
        var network = TestNetwork.Create();
        using var listed = SignatureSchemes.Ed25519.ImportPrivateKey(new byte[32]);
        network.Participants[0].Validators[1].PublicKey = listed.PublicKey.ToString();

        string error = Assert.Single(SettlementOptionsValidation.Validate(network, TestNetwork.DemoNode()));

        Assert.StartsWith($"{Node}:Validators:0: the demo key of validator 1 of ppc-bank-a has public key {TestNetwork.DemoKeyOf("ppc-bank-a", 1)}", error, StringComparison.Ordinal);
        Assert.EndsWith($"but ChainInterop:Network:Participants:0:Validators:1:PublicKey is {listed.PublicKey}; UseDemoKeys needs the network to list the demo keys", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_that_is_not_a_seed_is_reported_under_the_key_file_path()
    {
        var network = TestNetwork.Create();
        var node = FileNode(network, ("ppc-bank-a", 0));
        string file = _directory.File("keys/ppc-bank-a-0.key");
        File.WriteAllText(file, "not hex at all");

        string error = Assert.Single(SettlementOptionsValidation.Validate(network, node));

        Assert.StartsWith($"{Node}:Validators:0:KeyFile: Key file {file} does not hold a 32-byte Ed25519 seed", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_is_left_to_the_key_provider()
    {
        var network = TestNetwork.Create();
        var node = FileNode(network, ("ppc-bank-a", 0));
        File.Delete(_directory.File("keys/ppc-bank-a-0.key"));

        Assert.Empty(SettlementOptionsValidation.Validate(network, node));
    }

    [Fact]
    public void A_bad_network_key_is_reported_once_by_the_network_check_not_again_by_the_node_check()
    {
        var network = TestNetwork.Create();
        network.Participants[0].Validators[1].PublicKey = "zz";

        string error = Assert.Single(SettlementOptionsValidation.Validate(network, TestNetwork.DemoNode()));
        Assert.StartsWith("ChainInterop:Network:Participants:0:Validators:1:PublicKey: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_fields_in_both_sections_are_reported_together()
    {
        var network = TestNetwork.Create();
        network.Intermediaries[0].Engine = "raft";
        var node = TestNetwork.DemoNode();
        node.Validators[0].Index = 9;
        node.DataDirectory = "";

        var errors = SettlementOptionsValidation.Validate(network, node);

        Assert.Equal(3, errors.Count);
        Assert.StartsWith("ChainInterop:Network:Intermediaries:0:Engine: ", errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"{Node}:DataDirectory: ", errors[1], StringComparison.Ordinal);
        Assert.StartsWith($"{Node}:Validators:0:Index: ", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_whose_key_is_an_operator_of_its_participant_chain_is_valid()
    {
        var network = TestNetwork.Create();
        var client = OperatorClient("ppc-bank-b", "ppc-bank-b");

        Assert.Empty(SettlementOptionsValidation.Validate(network, client));
    }

    [Fact]
    public void A_client_key_that_is_not_an_operator_of_its_chain_is_reported()
    {
        var network = TestNetwork.Create();
        var client = OperatorClient("ppc-bank-b", keyOf: "ppc-bank-a");

        string error = Assert.Single(SettlementOptionsValidation.Validate(network, client));

        Assert.Equal(
            $"{Client}:KeyFile: key file {client.ResolvePath(client.KeyFile!)} holds public key {TestNetwork.OperatorKeyOf("ppc-bank-a")}, "
            + "which is not one of ChainInterop:Network:Participants:1:Operators",
            error);
    }

    [Fact]
    public void A_client_of_an_unknown_chain_or_without_a_key_file_is_reported()
    {
        var client = new SettlementClientOptions { Chain = "icc-9" };

        var errors = SettlementOptionsValidation.Validate(TestNetwork.Create(), client);

        Assert.Equal(
            [
                $"{Client}:Chain: icc-9 is not a chain of the network (ChainInterop:Network)",
                $"{Client}:KeyFile: not given; name the client's key file",
            ],
            errors);
    }

    /// <summary>A node running the given validators, each with a key file (under this test's directory) holding its demo key.</summary>
    private SettlementNodeOptions FileNode(SettlementNetworkOptions network, params (string Chain, int Index)[] validators)
    {
        var node = new SettlementNodeOptions { BaseDirectory = _directory.Path };
        foreach (var (chain, index) in validators)
        {
            string relative = $"keys/{chain}-{index}.key";
            using var key = DemoSigningKeyProvider.DeriveKey(new ChainId(chain), index);
            Assert.Equal(key.PublicKey, network.ValidatorsOf(new ChainId(chain)).PublicKeys[index]);
            KeyFile.Write(node.ResolvePath(relative), key);
            node.Validators.Add(new HostedValidatorOptions { Chain = chain, Index = index, KeyFile = relative });
        }

        return node;
    }

    /// <summary>A client of <paramref name="chain"/> whose key file holds the operator key of <paramref name="keyOf"/>.</summary>
    private SettlementClientOptions OperatorClient(string chain, string keyOf)
    {
        var client = new SettlementClientOptions { Chain = chain, KeyFile = $"{keyOf}-operator.key", BaseDirectory = _directory.Path };
        using var key = DemoSigningKeyProvider.DeriveKey(new ChainId(keyOf + "-operator"), 0);
        KeyFile.Write(client.ResolvePath(client.KeyFile), key);
        return client;
    }
}
