using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Hosting;

/// <summary>
/// An operator's client of one settlement chain over TCP, from a client configuration (<c>ChainInterop:Network</c> and
/// <c>ChainInterop:Client</c>, as <see cref="SettlementNetworkLayout"/> writes it): a <see cref="TcpTransport"/>
/// authenticated with the operator's key, dialling the chain's validators, and a <see cref="ChainClient"/> over it.
/// Start transfers and read outcomes and balances with <c>ChainInterop.Settlement.Hosting.SettlementClientExtensions</c>.
/// </summary>
public sealed class SettlementClientSession : IAsyncDisposable
{
    private readonly PrivateKey _key;
    private readonly TcpTransport _transport;

    private SettlementClientSession(SettlementNetworkOptions network, ChainId chain, PrivateKey key, TcpTransport transport, ChainClient client)
    {
        Network = network;
        Chain = chain;
        _key = key;
        _transport = transport;
        Client = client;
    }

    /// <summary>The network's description.</summary>
    public SettlementNetworkOptions Network { get; }

    /// <summary>The chain the client talks to.</summary>
    public ChainId Chain { get; }

    /// <summary>The client (one request at a time; thread-safe).</summary>
    public ChainClient Client { get; }

    /// <summary>Opens a session from a client configuration file (JSON; environment variables override it).</summary>
    /// <param name="configurationFile">The file; relative paths in it resolve against its directory.</param>
    /// <param name="loggers">Loggers for the transport; none when null.</param>
    /// <returns>The session; dispose it to close the connections.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid (every problem named, one per line).</exception>
    /// <exception cref="KeyFileException">The operator's key file is missing, malformed or readable by others.</exception>
    public static SettlementClientSession Open(string configurationFile, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(configurationFile);
        string file = Path.GetFullPath(configurationFile);
        var configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false).AddEnvironmentVariables().Build();
        return Open(configuration, Path.GetDirectoryName(file)!, loggers);
    }

    /// <summary>Opens a session from a configuration holding the network and client sections.</summary>
    /// <param name="configuration">The configuration.</param>
    /// <param name="baseDirectory">The directory the key file's relative path resolves against.</param>
    /// <param name="loggers">Loggers for the transport; none when null.</param>
    /// <returns>The session; dispose it to close the connections.</returns>
    /// <exception cref="ArgumentException">The configuration is invalid (every problem named, one per line).</exception>
    /// <exception cref="KeyFileException">The operator's key file is missing, malformed or readable by others.</exception>
    public static SettlementClientSession Open(IConfiguration configuration, string baseDirectory, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var errors = SettlementOptionsValidation.Validate(configuration, baseDirectory);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), nameof(configuration));
        }

        var network = new SettlementNetworkOptions();
        configuration.GetSection(SettlementNetworkOptions.SectionName).Bind(network);
        var client = new SettlementClientOptions();
        configuration.GetSection(SettlementClientOptions.SectionName).Bind(client);
        client.BaseDirectory = baseDirectory;
        if (string.IsNullOrEmpty(client.Chain) || client.KeyFile is null)
        {
            throw new ArgumentException($"{SettlementClientOptions.SectionName}: Chain and KeyFile are required for a client.", nameof(configuration));
        }

        var chain = new ChainId(client.Chain);
        var key = KeyFile.Read(client.ResolvePath(client.KeyFile));
        try
        {
            var validators = network.ValidatorsOf(chain);
            var options = new TcpTransportOptions { ChainId = chain, NodeKey = key };
            for (int i = 0; i < validators.Count; i++)
            {
                options.Peers.Add(new TcpPeer(validators.PublicKeys[i], network.ConsensusEndPointOf(chain, i)));
            }

            var transport = TcpTransport.Start(options, loggers);
            return new SettlementClientSession(network, chain, key, transport, ChainClient.Connect(transport, chain, validators, key));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Closes the client and its connections.</summary>
    /// <returns>A task that completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _key.Dispose();
    }
}
