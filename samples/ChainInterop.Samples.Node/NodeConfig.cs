using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Samples.Node;

/// <summary>One validator of one chain, as written in its configuration file (JSON). Relative paths are relative to the file.</summary>
public sealed class NodeConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The chain.</summary>
    public string ChainId { get; set; } = "";

    /// <summary>pbft, cbft or single-authority.</summary>
    public string Engine { get; set; } = "pbft";

    /// <summary>The file holding this node's 32-byte Ed25519 seed in hex (keep it private: mode 600).</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>Where this node listens, host:port; null for a client that only dials.</summary>
    public string? Listen { get; set; }

    /// <summary>Where the chain's blocks are kept (durable file store); null for a client.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The chain's validators in primary order, this node included (the admission whitelist, thesis §4.3).</summary>
    public List<PeerConfig> Validators { get; set; } = [];

    /// <summary>Clients allowed to connect and submit requests (public keys in hex).</summary>
    public List<string> Clients { get; set; } = [];

    /// <summary>How long a primary waits to fill a batch, in milliseconds.</summary>
    public int BatchDelayMs { get; set; } = 5;

    /// <summary>How long a backup waits for progress before a view change, in milliseconds.</summary>
    public int ViewChangeTimeoutMs { get; set; } = 2_000;

    /// <summary>The directory of the file this configuration was read from.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; private set; } = Directory.GetCurrentDirectory();

    /// <summary>Reads and checks a configuration file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid configuration (the message says why).</exception>
    public static NodeConfig Load(string path)
    {
        NodeConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<NodeConfig>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a node configuration ({e.Message}).", e);
        }

        if (config is null || string.IsNullOrWhiteSpace(config.ChainId) || string.IsNullOrWhiteSpace(config.KeyFile) || config.Validators.Count == 0)
        {
            throw new InvalidDataException($"{path}: chainId, keyFile and validators are required.");
        }

        config.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return config;
    }

    /// <summary>Writes the configuration to <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>Resolves a path of this configuration.</summary>
    /// <param name="path">Absolute, or relative to the configuration file.</param>
    /// <returns>The absolute path.</returns>
    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));

    /// <summary>The chain's validator set.</summary>
    /// <returns>The validators in primary order.</returns>
    public ValidatorSet ValidatorSet() => new(Validators.Select(v => v.Key()));

    /// <summary>Reads this node's key.</summary>
    /// <returns>The key; dispose it when done.</returns>
    /// <exception cref="InvalidDataException">The key file does not hold a 32-byte hex seed.</exception>
    public PrivateKey LoadKey()
    {
        string file = Resolve(KeyFile);
        byte[] seed;
        try
        {
            seed = Convert.FromHexString(File.ReadAllText(file).Trim());
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{file}: not a hex key.", e);
        }

        try
        {
            return SignatureSchemes.Ed25519.ImportPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Sets the TCP transport's options: listen end point, the other validators to dial, the clients to accept.</summary>
    /// <param name="options">The options to fill.</param>
    /// <param name="key">This node's key.</param>
    public void ConfigureTransport(TcpTransportOptions options, PrivateKey key)
    {
        var self = NodeId.FromPublicKey(key.PublicKey);
        options.ChainId = new ChainId(ChainId);
        options.NodeKey = key;
        options.ListenEndPoint = Listen is null ? null : IPEndPoint.Parse(Listen);
        options.Peers.Clear();
        foreach (var validator in Validators)
        {
            var publicKey = validator.Key();
            if (NodeId.FromPublicKey(publicKey) != self)
            {
                options.Peers.Add(new TcpPeer(publicKey, validator.Endpoint is null ? null : IPEndPoint.Parse(validator.Endpoint)));
            }
        }

        foreach (string client in Clients)
        {
            options.Peers.Add(new TcpPeer(PublicKeyOf(client)));
        }
    }

    /// <summary>
    /// Free TCP ports on 127.0.0.1 for a test chain: each is bound once to let the OS pick it, then released (another
    /// process could take one in between; tests retry by failing loudly).
    /// </summary>
    /// <param name="count">How many ports.</param>
    /// <returns>Distinct free ports.</returns>
    public static int[] FreeLoopbackPorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        int[] ports = [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }

    /// <summary>A hex Ed25519 public key.</summary>
    /// <param name="hex">The key in hex.</param>
    /// <returns>The key.</returns>
    public static PublicKey PublicKeyOf(string hex) => PublicKey.Create(SignatureAlgorithm.Ed25519, Convert.FromHexString(hex));

    /// <summary>
    /// Writes a test chain on 127.0.0.1: one configuration and key file per validator (ports basePort, basePort+1,
    /// …) and one client configuration, into <paramref name="directory"/>.
    /// </summary>
    /// <param name="directory">Where to write the files.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="nodes">How many validators.</param>
    /// <param name="basePort">The first validator's port.</param>
    /// <param name="engine">pbft, cbft or single-authority.</param>
    /// <returns>The validators' configuration files and the client's.</returns>
    public static (string[] Nodes, string Client) WriteTestChain(string directory, string chainId, int nodes, int basePort, string engine = "pbft") =>
        WriteTestChain(directory, chainId, [.. Enumerable.Range(basePort, nodes)], engine);

    /// <summary>Writes a test chain on 127.0.0.1 with one validator per port in <paramref name="ports"/>.</summary>
    /// <param name="directory">Where to write the files.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="ports">Each validator's port.</param>
    /// <param name="engine">pbft, cbft or single-authority.</param>
    /// <returns>The validators' configuration files and the client's.</returns>
    public static (string[] Nodes, string Client) WriteTestChain(string directory, string chainId, IReadOnlyList<int> ports, string engine = "pbft")
    {
        var (nodes, clients) = WriteTestChain(directory, chainId, ports, clients: 1, engine);
        return (nodes, clients[0]);
    }

    /// <summary>Writes a test chain on 127.0.0.1 with one validator per port and <paramref name="clients"/> client configurations.</summary>
    /// <param name="directory">Where to write the files.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="ports">Each validator's port.</param>
    /// <param name="clients">How many clients (client0.json …; the first is also client.json).</param>
    /// <param name="engine">pbft, cbft or single-authority.</param>
    /// <returns>The validators' configuration files and the clients'.</returns>
    public static (string[] Nodes, string[] Clients) WriteTestChain(string directory, string chainId, IReadOnlyList<int> ports, int clients, string engine = "pbft")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        int nodes = ports.Count;
        Directory.CreateDirectory(directory);
        var seeds = Enumerable.Range(0, nodes + clients).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        var publicKeys = seeds.Select(s =>
        {
            using var key = SignatureSchemes.Ed25519.ImportPrivateKey(s);
            return Convert.ToHexString(key.PublicKey.Bytes);
        }).ToArray();
        var keyFiles = new string[seeds.Length];
        for (int i = 0; i < seeds.Length; i++)
        {
            keyFiles[i] = i < nodes ? $"node{i}.key" : $"client{i - nodes}.key";
            string keyFile = Path.Combine(directory, keyFiles[i]);
            File.WriteAllText(keyFile, Convert.ToHexString(seeds[i]));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            CryptographicOperations.ZeroMemory(seeds[i]);
        }

        var validators = Enumerable.Range(0, nodes).Select(i => new PeerConfig { PublicKey = publicKeys[i], Endpoint = $"127.0.0.1:{ports[i]}" }).ToList();
        var clientKeys = publicKeys[nodes..].ToList();
        var nodeFiles = new string[nodes];
        for (int i = 0; i < nodes; i++)
        {
            nodeFiles[i] = Path.Combine(directory, $"node{i}.json");
            new NodeConfig
            {
                ChainId = chainId, Engine = engine, KeyFile = keyFiles[i], Listen = validators[i].Endpoint,
                DataDirectory = $"node{i}-data", Validators = validators, Clients = clientKeys,
            }.Save(nodeFiles[i]);
        }

        var clientFiles = new string[clients];
        for (int c = 0; c < clients; c++)
        {
            var config = new NodeConfig { ChainId = chainId, Engine = engine, KeyFile = keyFiles[nodes + c], Validators = validators };
            clientFiles[c] = Path.Combine(directory, c == 0 ? "client.json" : $"client{c}.json");
            config.Save(clientFiles[c]);
        }

        return (nodeFiles, clientFiles);
    }
}

/// <summary>A validator in a configuration file.</summary>
public sealed class PeerConfig
{
    /// <summary>Its Ed25519 public key in hex.</summary>
    public string PublicKey { get; set; } = "";

    /// <summary>Where it listens, host:port.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The key.</summary>
    /// <returns>The public key.</returns>
    public PublicKey Key() => NodeConfig.PublicKeyOf(PublicKey);
}
