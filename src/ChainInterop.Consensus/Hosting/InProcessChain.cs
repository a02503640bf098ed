using System.Text;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Consensus.Hosting;

/// <summary>How an <see cref="InProcessChain"/> is built.</summary>
public sealed class InProcessChainOptions
{
    /// <summary>The most validators one in-process chain runs.</summary>
    public const int MaxValidatorCount = 64;

    /// <summary>The chain.</summary>
    public ChainId ChainId { get; set; }

    /// <summary>How many validators run (N ≥ 3f + 1 for the BFT engines); 4 by default.</summary>
    public int ValidatorCount { get; set; } = 4;

    /// <summary>The consensus engine; <see cref="ConsensusEngines.Pbft"/> by default.</summary>
    public ReplicaFactory Engine { get; set; } = ConsensusEngines.Pbft;

    /// <summary>The validators' keys, one per validator; required unless <see cref="UseDemoKeys"/> is set.</summary>
    public IReadOnlyList<PrivateKey>? ValidatorKeys { get; set; }

    /// <summary>
    /// Without <see cref="ValidatorKeys"/>, derive each validator's key from the chain id and its index, so a restarted
    /// chain signs as the same validators. Anyone can derive these keys: tests and demos only. Off by default; when
    /// used, a warning is logged.
    /// </summary>
    public bool UseDemoKeys { get; set; }

    /// <summary>Adjusts the replicas' limits (batch size, timeouts, client mode); the chain and validators are set for you.</summary>
    public Action<ReplicaOptions>? ConfigureReplica { get; set; }

    /// <summary>The store of validator <c>i</c>; in memory when null. The chain disposes the providers it is given.</summary>
    public Func<int, IBlockStoreProvider>? Stores { get; set; }

    /// <summary>The checkpoints of validator <c>i</c> (saved every so many blocks, restored on start); none when null or when it returns null.</summary>
    public Func<int, ReplicaSnapshots?>? Snapshots { get; set; }

    /// <summary>The network the validators talk over; a private one when null (pass one to let several chains share it).</summary>
    public InMemoryNetwork? Network { get; set; }

    /// <summary>
    /// The transport of validator <c>i</c> (e.g. a TCP transport on a loopback port), given its node id; null: the
    /// in-memory <see cref="Network"/>. The transports must reach each other; the chain disposes them.
    /// </summary>
    public Func<int, NodeId, ITransport>? Transports { get; set; }

    /// <summary>What follows the chain on validator <c>i</c> (e.g. its relay), given each stored block and its execution; none when null.</summary>
    public Func<int, ICommittedBlockObserver>? Observers { get; set; }

    /// <summary>How long a client waits for f + 1 replies before sending its request again; 1,000 ms by default.</summary>
    public int RequestRetryMs { get; set; } = 1_000;

    /// <summary>The clock and timers; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Loggers for the replicas and hosts; none when null.</summary>
    public ILoggerFactory? Loggers { get; set; }
}

/// <summary>
/// A whole chain in one process: N validators, each a replica of the chosen engine run by a <see cref="ReplicaHost"/>
/// over an <see cref="InMemoryNetwork"/>, each with its own store and its own copy of the application (the
/// replicated state machine fed the committed blocks). Clients (<see cref="CreateClient"/>) submit signed requests
/// and get the outcome vouched for by f + 1 validators. Used by samples and tests, and by hosts that run
/// protocol roles (vouchers, channels, settlement) against a local chain.
/// </summary>
public sealed partial class InProcessChain : IAsyncDisposable
{
    private readonly InProcessChainOptions _options;
    private readonly ClientAuthentication _clientMode;
    private readonly List<ReplicaHost> _hosts = [];
    private readonly List<IBlockStoreProvider> _providers = [];
    private readonly List<IBlockStore> _stores = [];
    private readonly List<ITransport> _ownedTransports = [];
    private readonly PrivateKey[] _keys;
    private readonly bool _ownsKeys;
    private LocalChainClients? _clients;
    private int _disposed;

    private InProcessChain(InProcessChainOptions options, PrivateKey[] keys, bool ownsKeys, ClientAuthentication clientMode)
    {
        _options = options;
        _keys = keys;
        _ownsKeys = ownsKeys;
        _clientMode = clientMode;
        Validators = new ValidatorSet(keys.Select(k => k.PublicKey));
    }

    /// <summary>The chain.</summary>
    public ChainId ChainId => _options.ChainId;

    /// <summary>The chain's validators.</summary>
    public ValidatorSet Validators { get; }

    /// <summary>Each validator's store, in validator order.</summary>
    public IReadOnlyList<IBlockStore> Stores => _stores;

    /// <summary>The validators' hosts, by index (read their status only: <see cref="ReplicaHost.RestoredHeight"/>, <see cref="ReplicaHost.LastSnapshotHeight"/>).</summary>
    public IReadOnlyList<ReplicaHost> Hosts => _hosts;

    /// <summary>Starts the validators.</summary>
    /// <param name="options">The chain, engine, validator count and limits.</param>
    /// <param name="application">Validator <c>i</c>'s copy of the application (called once per validator); null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="cancellationToken">Cancels opening the stores.</param>
    /// <returns>The running chain; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (including no validator keys without <see cref="InProcessChainOptions.UseDemoKeys"/>).</exception>
    public static async Task<InProcessChain> StartAsync(
        InProcessChainOptions options,
        Func<int, IChainApplication>? application = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ValidatorCount is < 1 or > InProcessChainOptions.MaxValidatorCount)
        {
            throw new ArgumentException($"An in-process chain runs 1 to {InProcessChainOptions.MaxValidatorCount} validators, not {options.ValidatorCount}.", nameof(options));
        }

        if (options.ValidatorKeys is { } given && given.Count != options.ValidatorCount)
        {
            throw new ArgumentException($"{given.Count} validator keys given for {options.ValidatorCount} validators.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.RequestRetryMs, 1, nameof(options));
        if (options.ValidatorKeys is null && !options.UseDemoKeys)
        {
            throw new ArgumentException(
                $"{nameof(InProcessChainOptions.ValidatorKeys)} is required; set {nameof(InProcessChainOptions.UseDemoKeys)} for keys derived from the chain id (anyone can derive them: tests and demos only).",
                nameof(options));
        }

        bool ownsKeys = options.ValidatorKeys is null;
        if (ownsKeys)
        {
            LogDemoKeys((options.Loggers ?? NullLoggerFactory.Instance).CreateLogger<InProcessChain>(), options.ChainId);
        }

        var keys = options.ValidatorKeys?.ToArray() ?? Enumerable.Range(0, options.ValidatorCount).Select(i => DeriveKey(options.ChainId, i)).ToArray();
        var probe = new ReplicaOptions { ChainId = options.ChainId, Validators = new ValidatorSet(keys.Select(k => k.PublicKey)) };
        options.ConfigureReplica?.Invoke(probe);
        var chain = new InProcessChain(options, keys, ownsKeys, probe.ClientAuthentication);
        try
        {
            await chain.StartValidatorsAsync(application, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await chain.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return chain;
    }

    /// <summary>A client of this chain: submits requests one at a time under <paramref name="clientKey"/> (see <see cref="ChainClient"/>).</summary>
    /// <param name="clientKey">The client's key (the caller keeps ownership).</param>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clientKey"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A live client with this key exists already (a disposed one is forgotten).</exception>
    public ChainClient CreateClient(PrivateKey clientKey) => _clients!.CreateClient(clientKey);

    /// <summary>
    /// Hands a signed request to every validator without waiting for replies (as a <see cref="ChainClient"/> does, but
    /// fire-and-forget): for submitters that learn the outcome from the committed state. A saturated validator drops
    /// it; the submitter resends.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public void Submit(ClientRequest request) => _clients!.Submit(request);

    /// <summary>Stops every validator and closes the stores.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }

        if (_clients is not null)
        {
            await _clients.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var transport in _ownedTransports)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var provider in _providers)
        {
            await provider.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsKeys)
        {
            foreach (var key in _keys)
            {
                key.Dispose();
            }
        }
    }

    private async Task StartValidatorsAsync(Func<int, IChainApplication>? application, CancellationToken cancellationToken)
    {
        var network = _options.Network ?? new InMemoryNetwork();
        var loggers = _options.Loggers ?? NullLoggerFactory.Instance;
        for (int i = 0; i < _keys.Length; i++)
        {
            var replicaOptions = new ReplicaOptions { ChainId = ChainId, Validators = Validators };
            _options.ConfigureReplica?.Invoke(replicaOptions);
            replicaOptions.ChainId = ChainId;
            replicaOptions.Validators = Validators;
            replicaOptions.Validate();

            var provider = _options.Stores?.Invoke(i) ?? new InMemoryBlockStoreProvider();
            _providers.Add(provider);
            var store = await provider.OpenAsync(ChainId, cancellationToken).ConfigureAwait(false);
            _stores.Add(store);
            var id = NodeId.FromPublicKey(_keys[i].PublicKey);
            ITransport transport;
            if (_options.Transports is { } transports)
            {
                transport = transports(i, id);
                _ownedTransports.Add(transport);
            }
            else
            {
                transport = network.Connect(id);
            }

            var host = await ReplicaHost.StartAsync(_options.Engine, replicaOptions, _keys[i], store, transport, application?.Invoke(i),
                _options.Observers?.Invoke(i), serveRemoteClients: false, localReplies: true, _options.Snapshots?.Invoke(i), _options.TimeProvider, loggers, cancellationToken).ConfigureAwait(false);
            _hosts.Add(host);
        }

        _clients = new LocalChainClients(ChainId, Validators, _hosts, _clientMode, _options.TimeProvider, _options.RequestRetryMs);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Chain {ChainId} runs on demo validator keys derived from its id: anyone can derive them and sign as its validators")]
    private static partial void LogDemoKeys(ILogger logger, ChainId chainId);

    private static PrivateKey DeriveKey(ChainId chainId, int index) =>
        SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes($"chaininterop/in-process/{chainId}/validator/{index}")).ToArray());
}
