using System.ComponentModel;
using ChainInterop.Crypto;
using Microsoft.Extensions.Configuration;

namespace ChainInterop.Tests.Primitives;

/// <summary>
/// The id types bind from configuration as plain strings (issue 15: options from appsettings.json or environment
/// variables), and a bad value is refused with the key it came from.
/// </summary>
public class IdentifierBindingTests
{
    private static readonly string Node = Hash256.Compute("node"u8).ToString();

    [Fact]
    public void Ids_bind_from_configuration_as_text()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Chain"] = "bank-a",
            ["Account"] = "alice",
            ["Asset"] = "USD",
            ["Institution"] = "icbc",
            ["Node"] = Node,
            ["Peers:0"] = "bank-b",
            ["Peers:1"] = "icc-1",
        });

        Assert.Equal(new ChainId("bank-a"), options.Chain);
        Assert.Equal(new AccountId("alice"), options.Account);
        Assert.Equal(new AssetCode("USD"), options.Asset);
        Assert.Equal(new InstitutionId("icbc"), options.Institution);
        Assert.Equal(new NodeId(Hash256.Parse(Node)), options.Node);
        Assert.Equal([new ChainId("bank-b"), new ChainId("icc-1")], options.Peers);
    }

    [Theory]
    [InlineData("Chain", "bank a")]
    [InlineData("Node", "not-hex")]
    [InlineData("Asset", "")]
    public void A_bad_id_is_refused_naming_its_key(string key, string value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Bind(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains($"'{key}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_convert_back_to_their_text()
    {
        Assert.Equal("bank-a", TypeDescriptor.GetConverter(typeof(ChainId)).ConvertToInvariantString(new ChainId("bank-a")));
        Assert.Equal(Node, TypeDescriptor.GetConverter(typeof(NodeId)).ConvertToInvariantString(new NodeId(Hash256.Parse(Node))));
    }

    private static BoundIds Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return configuration.Get<BoundIds>() ?? new BoundIds();
    }

    private sealed class BoundIds
    {
        public ChainId Chain { get; set; }

        public AccountId Account { get; set; }

        public AssetCode Asset { get; set; }

        public InstitutionId Institution { get; set; }

        public NodeId Node { get; set; }

        public List<ChainId> Peers { get; set; } = [];
    }
}
