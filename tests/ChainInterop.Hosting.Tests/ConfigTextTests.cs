using System.Net;

namespace ChainInterop.Hosting.Tests;

public class ConfigTextTests
{
    [Theory]
    [InlineData("127.0.0.1:7101", "127.0.0.1:7101")]
    [InlineData("[::1]:7101", "[::1]:7101")]
    [InlineData("0.0.0.0:65535", "0.0.0.0:65535")]
    public void Addresses_with_a_port_parse_as_IP_end_points(string text, string expected)
    {
        Assert.True(ConfigText.TryParseEndPoint(text, out var endPoint));
        Assert.Equal(expected, Assert.IsType<IPEndPoint>(endPoint).ToString());
    }

    [Theory]
    [InlineData("validator-1.bank-a.example:7101", "validator-1.bank-a.example")]
    [InlineData("localhost:1", "localhost")]
    public void Host_names_with_a_port_parse_as_DNS_end_points(string text, string host)
    {
        Assert.True(ConfigText.TryParseEndPoint(text, out var endPoint));
        Assert.Equal(host, Assert.IsType<DnsEndPoint>(endPoint).Host);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:")]
    [InlineData(":7101")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:+7101")]
    [InlineData("127.0.0.1: 7101")]
    [InlineData("::1:7101")]
    [InlineData("[127.0.0.1]:7101")]
    [InlineData("bad host:7101")]
    public void Text_without_a_host_and_a_port_1_to_65535_is_not_an_end_point(string? text) =>
        Assert.False(ConfigText.TryParseEndPoint(text, out _));

    [Theory]
    [InlineData("pbft", ConsensusEngine.Pbft)]
    [InlineData("CBFT", ConsensusEngine.Cbft)]
    [InlineData("single-authority", ConsensusEngine.SingleAuthority)]
    public void Engine_names_parse_and_format_back(string text, ConsensusEngine engine)
    {
        Assert.True(ConfigText.TryParseEngine(text, out var parsed));
        Assert.Equal(engine, parsed);
        Assert.Equal(text.ToLowerInvariant(), ConfigText.NameOf(engine));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("raft")]
    [InlineData("SingleAuthority")]
    public void Other_engine_names_do_not_parse(string? text) => Assert.False(ConfigText.TryParseEngine(text, out _));
}
