namespace ChainInterop.Hosting.Tests;

public class NetworkValidationTests
{
    private const string Network = "ChainInterop:Network";
    private const string PpcA = $"{Network}:Participants:0";
    private const string PpcB = $"{Network}:Participants:1";
    private const string Icc = $"{Network}:Intermediaries:0";

    /// <summary>Each case breaks one field of <see cref="TestNetwork"/>: the path of the one error it must give, and what the error says.</summary>
    private static readonly Dictionary<string, (Action<SettlementNetworkOptions> Break, string Path, string Says)> Breaks = new()
    {
        ["asset not a code"] = (n => n.Assets[1] = "cny", $"{Network}:Assets:1", "'cny' is not an asset code"),
        ["asset twice"] = (n => n.Assets[1] = "USD", $"{Network}:Assets:1", "USD is listed twice"),
        ["resend not positive"] = (n => n.ResendAfterMs = 0, $"{Network}:ResendAfterMs", "not a positive number"),
        ["chain id not valid"] = (n => n.Intermediaries[0].Chain = "icc 1", $"{Icc}:Chain", "'icc 1' is not a chain id"),
        ["chain id twice"] = (n => n.Intermediaries[0].Chain = "ppc-bank-a", $"{Icc}:Chain", $"ppc-bank-a is already the chain of {PpcA}"),
        ["unknown engine"] = (n => n.Participants[0].Engine = "raft", $"{PpcA}:Engine", "unknown engine 'raft'; use pbft, cbft or single-authority"),
        ["no validator"] = (n => n.Participants[1].Validators.Clear(), $"{PpcB}:Validators", "0 validators; a chain has 1 to 1024"),
        ["public key not hex"] = (n => n.Participants[1].Validators[2].PublicKey = "zz", $"{PpcB}:Validators:2:PublicKey", "not 64 hex digits"),
        ["public key too short"] = (n => n.Participants[1].Validators[2].PublicKey = new string('a', 62), $"{PpcB}:Validators:2:PublicKey", "not 64 hex digits"),
        ["public key twice in a chain"] = (
            n => n.Participants[1].Validators[3].PublicKey = n.Participants[1].Validators[0].PublicKey.ToUpperInvariant(),
            $"{PpcB}:Validators:3:PublicKey", $"repeats the key at {PpcB}:Validators:0:PublicKey"),
        ["consensus end point without port"] = (n => n.Participants[0].Validators[1].Consensus = "127.0.0.1", $"{PpcA}:Validators:1:Consensus", "not host:port"),
        ["relay end point on port 0"] = (n => n.Participants[0].Validators[1].Relay = "127.0.0.1:0", $"{PpcA}:Validators:1:Relay", "not host:port"),
        ["end point port too large"] = (n => n.Intermediaries[0].Validators[0].Relay = "127.0.0.1:65536", $"{Icc}:Validators:0:Relay", "not host:port"),
        ["end point of another validator"] = (
            n => n.Intermediaries[0].Validators[2].Consensus = "127.0.0.1:7101",
            $"{Icc}:Validators:2:Consensus", $"127.0.0.1:7101 is already the end point of {PpcA}:Validators:1:Consensus"),
        ["operator not a key"] = (n => n.Participants[0].Operators[0] = "operator", $"{PpcA}:Operators:0", "not 64 hex digits"),
        ["operator twice"] = (n => n.Participants[0].Operators.Add(n.Participants[0].Operators[0]), $"{PpcA}:Operators:1", $"repeats the key at {PpcA}:Operators:0"),
        ["account not an id"] = (n => n.Participants[0].Customers[0].Account = "", $"{PpcA}:Customers:0:Account", "'' is not an account id"),
        ["account is the transit account"] = (n => n.Participants[0].Customers[1].Account = "transit", $"{PpcA}:Customers:1:Account", "transit account"),
        ["account twice"] = (n => n.Participants[1].Customers[1].Account = "alice", $"{PpcB}:Customers:1:Account", $"alice is already the account of {PpcB}:Customers:0"),
        ["negative balance"] = (n => n.Participants[1].Customers[1].Balances["USD"] = -1, $"{PpcB}:Customers:1:Balances:USD", "-1 is negative"),
        ["balance in an unknown asset"] = (n => n.Participants[0].Customers[0].Balances["EUR"] = 5, $"{PpcA}:Customers:0:Balances:EUR", "EUR is not one of the network's Assets"),
        ["negative transit liquidity"] = (n => n.Participants[0].TransitLiquidity["USD"] = -5, $"{PpcA}:TransitLiquidity:USD", "-5 is negative"),
        ["deposit in a bad asset code"] = (n => n.Participants[1].AbcDeposit["usd"] = 1, $"{PpcB}:AbcDeposit:usd", "'usd' is not an asset code"),
        ["link to an unknown chain"] = (n => n.Intermediaries[0].Participants.Add("ppc-bank-z"), $"{Icc}:Participants:2", "ppc-bank-z is not a participant chain"),
        ["link to an intermediary"] = (n => n.Intermediaries[0].Participants.Add("icc-1"), $"{Icc}:Participants:2", "icc-1 is not a participant chain"),
        ["link twice"] = (n => n.Intermediaries[0].Participants.Add("ppc-bank-b"), $"{Icc}:Participants:2", "ppc-bank-b is listed twice"),
        ["intermediary linking one participant"] = (
            n => n.Intermediaries.Add(TestNetwork.Intermediary("icc-2", 7400, "ppc-bank-a")),
            $"{Network}:Intermediaries:1:Participants", "links 1 known participant chain(s); an intermediary links at least 2"),
        ["participant no intermediary links"] = (
            n => n.Participants.Add(TestNetwork.Participant("ppc-bank-c", 7500)),
            $"{Network}:Participants:2:Chain", "no intermediary links ppc-bank-c"),
    };

    public static TheoryData<string> Cases => [.. Breaks.Keys];

    [Fact]
    public void The_test_network_is_valid() => Assert.Empty(SettlementOptionsValidation.Validate(TestNetwork.Create()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_field_gives_one_error_prefixed_with_its_configuration_path(string name)
    {
        var (breakIt, path, says) = Breaks[name];
        var network = TestNetwork.Create();
        breakIt(network);

        string error = Assert.Single(SettlementOptionsValidation.Validate(network));
        Assert.StartsWith(path + ": ", error, StringComparison.Ordinal);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_bad_fields_give_three_errors_at_once_in_configuration_order()
    {
        var network = TestNetwork.Create();
        network.Participants[1].Validators[2].PublicKey = "not-a-key";
        network.Assets[0] = "usd";
        network.Intermediaries[0].Engine = "paxos";

        var errors = SettlementOptionsValidation.Validate(network);

        // USD is no longer an asset, so every USD balance is reported too: the list is complete, not just the first.
        Assert.Equal($"{Network}:Assets:0: 'usd' is not an asset code (1-16 characters from A-Z 0-9 . _ -, starting with a letter)", errors[0]);
        Assert.Contains($"{PpcB}:Validators:2:PublicKey: not 64 hex digits (an Ed25519 public key)", errors);
        Assert.Contains($"{Icc}:Engine: unknown engine 'paxos'; use pbft, cbft or single-authority", errors);
        Assert.Contains($"{PpcA}:Customers:0:Balances:USD: USD is not one of the network's Assets", errors);
    }

    [Fact]
    public void Three_independent_bad_fields_give_exactly_three_errors()
    {
        var network = TestNetwork.Create();
        network.ResendAfterMs = -1;
        network.Participants[0].Validators[0].Relay = "nowhere";
        network.Participants[1].Operators[0] = "";

        var errors = SettlementOptionsValidation.Validate(network);

        Assert.Equal(
            [
                $"{Network}:ResendAfterMs: -1 is not a positive number of milliseconds",
                $"{PpcA}:Validators:0:Relay: 'nowhere' is not host:port (an IPv4 address, [IPv6] address or DNS name, then a port 1-65535)",
                $"{PpcB}:Operators:0: not 64 hex digits (an Ed25519 public key)",
            ],
            errors);
    }

    [Fact]
    public void An_empty_network_names_its_missing_assets_participants_and_intermediaries()
    {
        var errors = SettlementOptionsValidation.Validate(new SettlementNetworkOptions());

        Assert.Equal(
            [
                $"{Network}:Assets: no asset given; name at least one, e.g. USD",
                $"{Network}:Participants: no participant chain given",
                $"{Network}:Intermediaries: no intermediary chain given",
            ],
            errors);
    }

    [Fact]
    public void A_validator_may_use_one_end_point_for_consensus_and_relay()
    {
        var network = TestNetwork.Create();
        network.Participants[0].Validators[0].Relay = network.Participants[0].Validators[0].Consensus;

        Assert.Empty(SettlementOptionsValidation.Validate(network));
    }

    [Fact]
    public void Engine_names_are_case_insensitive_and_host_names_are_end_points()
    {
        var network = TestNetwork.Create();
        network.Participants[0].Engine = "Single-Authority";
        network.Participants[1].Engine = "CBFT";
        network.Intermediaries[0].Validators[0].Consensus = "icc-1-v0.clearing.example:7300";
        network.Intermediaries[0].Validators[1].Consensus = "[::1]:7301";

        Assert.Empty(SettlementOptionsValidation.Validate(network));
        Assert.Equal(ConsensusEngine.SingleAuthority, network.EngineOf(new ChainId("ppc-bank-a")));
        Assert.Equal(ConsensusEngine.Cbft, network.EngineOf(new ChainId("ppc-bank-b")));
    }

    [Fact]
    public void ToSpec_of_an_invalid_network_throws_listing_every_error()
    {
        var network = TestNetwork.Create();
        network.Assets[1] = "cny";
        network.Participants[0].Engine = "raft";

        var e = Assert.Throws<InvalidOperationException>(network.ToSpec);
        Assert.Contains($"{Network}:Assets:1:", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{PpcA}:Engine:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_typed_view_of_a_bad_field_throws_naming_its_path()
    {
        var network = TestNetwork.Create();
        network.Participants[1].Validators[2].PublicKey = "zz";
        network.Participants[0].Validators[3].Relay = "nowhere";

        var keys = Assert.Throws<InvalidOperationException>(() => network.ValidatorsOf(new ChainId("ppc-bank-b")));
        Assert.StartsWith($"{PpcB}:Validators:2:PublicKey: ", keys.Message, StringComparison.Ordinal);
        var relay = Assert.Throws<InvalidOperationException>(() => network.RelayEndPointOf(new ChainId("ppc-bank-a"), 3));
        Assert.StartsWith($"{PpcA}:Validators:3:Relay: ", relay.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => network.ValidatorsOf(new ChainId("ppc-bank-z")));
        Assert.Throws<ArgumentOutOfRangeException>(() => network.ConsensusEndPointOf(new ChainId("icc-1"), 4));
    }
}
