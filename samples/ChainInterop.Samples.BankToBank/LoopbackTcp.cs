using System.Net;
using ChainInterop.Crypto;
using ChainInterop.Samples.Node;
using ChainInterop.Settlement.Relay;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// TCP transports on 127.0.0.1 for a settlement network in one process (the sample's <c>--tcp</c>): each chain's
/// validators talk consensus to each other on one port each, and each validator's relay has a port of its own on
/// which it admits (and dials) the validators of the chains it relays with. Ports come from
/// <see cref="NodeConfig.FreeLoopbackPorts"/> and the consensus whitelist from <see cref="NodeConfig.ConfigureTransport"/>,
/// as a node started from a configuration file would set it.
/// </summary>
internal sealed class LoopbackTcp
{
    private readonly SettlementNetworkSpec _spec;
    private readonly IReadOnlyDictionary<ChainId, PrivateKey[]> _keys;
    private readonly Dictionary<ChainId, IPEndPoint[]> _consensus = [];
    private readonly Dictionary<ChainId, IPEndPoint[]> _relay = [];
    private readonly Dictionary<NodeId, (ChainId Chain, int Index)> _nodes = [];

    private LoopbackTcp(SettlementNetworkSpec spec, IReadOnlyDictionary<ChainId, PrivateKey[]> keys)
    {
        _spec = spec;
        _keys = keys;
    }

    /// <summary>How many ports were allocated.</summary>
    public int PortCount { get; private set; }

    /// <summary>Picks two free loopback ports per validator (consensus, relay).</summary>
    /// <param name="spec">The network.</param>
    /// <param name="keys">Each chain's validator keys, in validator order.</param>
    /// <returns>The wiring.</returns>
    public static LoopbackTcp Allocate(SettlementNetworkSpec spec, IReadOnlyDictionary<ChainId, PrivateKey[]> keys)
    {
        var wiring = new LoopbackTcp(spec, keys);
        int count = keys.Values.Sum(k => k.Length) * 2;
        int[] ports = NodeConfig.FreeLoopbackPorts(count);
        int next = 0;
        foreach (var (chain, chainKeys) in keys)
        {
            wiring._consensus[chain] = [.. chainKeys.Select(_ => new IPEndPoint(IPAddress.Loopback, ports[next++]))];
            wiring._relay[chain] = [.. chainKeys.Select(_ => new IPEndPoint(IPAddress.Loopback, ports[next++]))];
            for (int i = 0; i < chainKeys.Length; i++)
            {
                wiring._nodes.Add(NodeId.FromPublicKey(chainKeys[i].PublicKey), (chain, i));
            }
        }

        wiring.PortCount = count;
        return wiring;
    }

    /// <summary>A chain's consensus end points, e.g. "bank-a 127.0.0.1:40001–40004".</summary>
    /// <param name="chain">The chain.</param>
    /// <returns>The description.</returns>
    public string Describe(ChainId chain) => $"{chain} {string.Join(" ", _consensus[chain].Select(e => e.Port))}";

    /// <summary>Validator <paramref name="index"/> of <paramref name="chain"/>'s consensus transport: it listens on its port and admits the chain's other validators.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="index">The validator.</param>
    /// <param name="node">Its node id.</param>
    /// <returns>The started transport (the chain disposes it).</returns>
    public ITransport Consensus(ChainId chain, int index, NodeId node)
    {
        var key = _keys[chain][index];
        var config = new NodeConfig
        {
            ChainId = chain.ToString(),
            Listen = _consensus[chain][index].ToString(),
            Validators = [.. _keys[chain].Select((k, i) => new PeerConfig { PublicKey = Convert.ToHexString(k.PublicKey.Bytes), Endpoint = _consensus[chain][i].ToString() })],
        };
        var options = new TcpTransportOptions();
        config.ConfigureTransport(options, key);
        return TcpTransport.Start(options);
    }

    /// <summary>A validator's relay transport: it listens on its relay port and admits the validators of the chains its chain relays with, each declaring its own chain.</summary>
    /// <param name="node">The validator.</param>
    /// <returns>The started transport (the validator disposes it).</returns>
    public ITransport Relay(NodeId node)
    {
        var (chain, index) = _nodes[node];
        var options = new TcpTransportOptions { ChainId = chain, NodeKey = _keys[chain][index], ListenEndPoint = _relay[chain][index] };
        foreach (var peer in _spec.PeersOf(chain))
        {
            for (int i = 0; i < _keys[peer].Length; i++)
            {
                options.Peers.Add(new TcpPeer(_keys[peer][i].PublicKey, _relay[peer][i], peer));
            }
        }

        return TcpTransport.Start(options);
    }
}
