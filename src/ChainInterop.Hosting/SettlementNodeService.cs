using System.Net;
using ChainInterop.Blocks;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Storage;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting;

/// <summary>
/// Runs this server's validators of a settlement network (<see cref="SettlementNodeOptions.Validators"/>: a bank's PPC
/// validator, an intermediary's ICC validators, or several) as a hosted service: each is a
/// <see cref="SettlementValidatorNode"/> with a durable file store under <see cref="SettlementNodeOptions.DataDirectory"/>,
/// a <see cref="TcpTransport"/> for consensus and clients (at its <c>Consensus</c> end point) and one for the relay (at
/// its <c>Relay</c> end point). Stopping the host (SIGTERM, Ctrl+C) stops them cleanly.
/// </summary>
public sealed partial class SettlementNodeService : IHostedService, IAsyncDisposable
{
    private readonly SettlementNetworkOptions _network;
    private readonly SettlementNodeOptions _node;
    private readonly ISigningKeyProvider _keys;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider? _time;
    private readonly ILogger _log;
    private readonly List<HostedValidator> _running = [];
    private readonly Lock _gate = new();

    /// <summary>Created by dependency injection (<c>AddSettlementNode</c>).</summary>
    /// <param name="network">The network's description.</param>
    /// <param name="node">The validators this server runs.</param>
    /// <param name="keys">Their signing keys.</param>
    /// <param name="loggers">Loggers; none when null.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public SettlementNodeService(IOptions<SettlementNetworkOptions> network, IOptions<SettlementNodeOptions> node, ISigningKeyProvider keys,
        ILoggerFactory? loggers = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(keys);
        _network = network.Value;
        _node = node.Value;
        _keys = keys;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _time = timeProvider;
        _log = _loggers.CreateLogger<SettlementNodeService>();
    }

    /// <summary>The validators running, in configuration order (empty before start and after stop).</summary>
    public IReadOnlyList<SettlementValidatorNode> Validators
    {
        get
        {
            lock (_gate)
            {
                return [.. _running.Select(r => r.Node)];
            }
        }
    }

    /// <summary>How many of its chain's other validators validator <paramref name="node"/> is connected to over its consensus transport.</summary>
    /// <param name="node">A running validator.</param>
    /// <returns>How many (0 for a validator that is not running).</returns>
    public int ConnectedValidators(SettlementValidatorNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TcpTransport? consensus;
        lock (_gate)
        {
            consensus = _running.FirstOrDefault(r => r.Node == node)?.Consensus;
        }

        return consensus is null ? 0 : _network.ValidatorsOf(node.Chain).NodeIds.Count(consensus.IsConnected);
    }

    /// <summary>Starts every configured validator (opening its store replays it; then consensus and relay start).</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when all run.</returns>
    /// <exception cref="KeyFileException">A key file is missing, malformed or readable by others.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_node.UseDemoKeys)
        {
            LogDemoKeys(_log, DemoSigningKeyProvider.Warning);
        }

        var spec = _network.ToSpec();
        var validators = _network.Chains.ToDictionary(c => c, _network.ValidatorsOf);
        try
        {
            foreach (var hosted in _node.Validators)
            {
                var chain = new ChainId(hosted.Chain);
                var running = await StartValidatorAsync(spec, validators, chain, hosted.Index, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _running.Add(running);
                }

                var consensusAt = _network.ConsensusEndPointOf(chain, hosted.Index);
                var relayAt = _network.RelayEndPointOf(chain, hosted.Index);
                LogStarted(_log, chain, hosted.Index, running.Node.Id, consensusAt, relayAt, running.Node.Store.Tip?.Height);
            }
        }
        catch
        {
            await StopAllAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every validator, then closes its transports and store.</summary>
    /// <param name="cancellationToken">Not used: stopping always completes (transports drain within their own limits).</param>
    /// <returns>A task that completes when stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken) => StopAllAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAllAsync().ConfigureAwait(false);

    private async Task<HostedValidator> StartValidatorAsync(
        Settlement.Relay.SettlementNetworkSpec spec, Dictionary<ChainId, ValidatorSet> validators, ChainId chain, int index, CancellationToken cancellationToken)
    {
        var key = _keys.GetSigningKey(chain, index);
        FileBlockStoreProvider? stores = null;
        TcpTransport? consensus = null;
        TcpTransport? relay = null;
        try
        {
            stores = new FileBlockStoreProvider(new FileStoreOptions { Path = _node.DataDirectoryOf(chain, index) }, _loggers, _time);
            var store = await stores.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
            consensus = TcpTransport.Start(ConsensusTransport(chain, index, key), _loggers, _time);
            relay = TcpTransport.Start(RelayTransport(spec, chain, index, key), _loggers, _time);
            var node = await SettlementValidatorNode.StartAsync(new SettlementValidatorOptions
            {
                Spec = spec,
                Chain = chain,
                Key = key,
                Validators = validators,
                Operators = _network.OperatorsOf(chain),
                Engine = _network.EngineOf(chain) switch
                {
                    ConsensusEngine.Cbft => ConsensusEngines.Cbft,
                    ConsensusEngine.SingleAuthority => ConsensusEngines.SingleAuthority,
                    _ => ConsensusEngines.Pbft,
                },
                ServeRemoteClients = true,
                LocalClients = false, // every client of a node is remote: no reply queue to fill
                Snapshots = _node.SnapshotIntervalBlocks > 0
                    ? new ReplicaSnapshots(
                        new FileStateSnapshotStore(Path.Combine(_node.DataDirectoryOf(chain, index), "snapshots"), logger: _loggers.CreateLogger<FileStateSnapshotStore>()),
                        _node.SnapshotIntervalBlocks)
                    : null,
                TimeProvider = _time,
                Loggers = _loggers,
            }, store, consensus, relay, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new HostedValidator(node, consensus, stores, key);
        }
        catch
        {
            if (relay is not null)
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }

            if (consensus is not null)
            {
                await consensus.DisposeAsync().ConfigureAwait(false);
            }

            if (stores is not null)
            {
                await stores.DisposeAsync().ConfigureAwait(false);
            }

            key.Dispose();
            throw;
        }
    }

    /// <summary>Consensus and clients: the chain's other validators (dialled) and its operators (accepted).</summary>
    private TcpTransportOptions ConsensusTransport(ChainId chain, int index, PrivateKey key)
    {
        var options = new TcpTransportOptions { ChainId = chain, NodeKey = key, ListenEndPoint = ListenOn(_network.ConsensusEndPointOf(chain, index)) };
        var validators = _network.ValidatorsOf(chain);
        for (int i = 0; i < validators.Count; i++)
        {
            if (i != index)
            {
                options.Peers.Add(new TcpPeer(validators.PublicKeys[i], _network.ConsensusEndPointOf(chain, i)));
            }
        }

        foreach (var client in _network.OperatorKeysOf(chain))
        {
            options.Peers.Add(new TcpPeer(client, endPoint: null));
        }

        return options;
    }

    /// <summary>The relay: every validator of every chain this one relays with, at its relay end point.</summary>
    private TcpTransportOptions RelayTransport(Settlement.Relay.SettlementNetworkSpec spec, ChainId chain, int index, PrivateKey key)
    {
        var options = new TcpTransportOptions { ChainId = chain, NodeKey = key, ListenEndPoint = ListenOn(_network.RelayEndPointOf(chain, index)) };
        foreach (var peer in spec.PeersOf(chain))
        {
            var validators = _network.ValidatorsOf(peer);
            for (int i = 0; i < validators.Count; i++)
            {
                options.Peers.Add(new TcpPeer(validators.PublicKeys[i], _network.RelayEndPointOf(peer, i), peer));
            }
        }

        return options;
    }

    /// <summary>An IP end point is listened on as given; a host name is listened on at every address, on its port.</summary>
    private static IPEndPoint ListenOn(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => ip,
        DnsEndPoint dns => new IPEndPoint(IPAddress.Any, dns.Port),
        _ => throw new InvalidOperationException($"Cannot listen on {endPoint}."),
    };

    private async Task StopAllAsync()
    {
        HostedValidator[] running;
        lock (_gate)
        {
            running = [.. _running];
            _running.Clear();
        }

        foreach (var validator in running)
        {
            await validator.Node.DisposeAsync().ConfigureAwait(false);
            await validator.Stores.DisposeAsync().ConfigureAwait(false);
            validator.Key.Dispose();
            LogStopped(_log, validator.Node.Chain, validator.Node.Index);
        }
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogDemoKeys(ILogger logger, string warning);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Validator {Index} of {Chain} ({Node}) runs: consensus {Consensus}, relay {Relay}, stored tip {Tip}")]
    private static partial void LogStarted(ILogger logger, ChainId chain, int index, NodeId node, EndPoint consensus, EndPoint relay, ulong? tip);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "Validator {Index} of {Chain} stopped")]
    private static partial void LogStopped(ILogger logger, ChainId chain, int index);

    /// <summary>A running validator and what the service owns for it (the node owns its transports).</summary>
    private sealed record HostedValidator(SettlementValidatorNode Node, TcpTransport Consensus, IBlockStoreProvider Stores, PrivateKey Key);
}
