using System.Collections.Concurrent;
using System.Text;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Settlement.Hosting;

/// <summary>
/// A whole settlement network in one process (docs/SETTLEMENT.md): every PPC and ICC of a <see cref="SettlementNetworkSpec"/>
/// as its own <see cref="InProcessChain"/> (its own validators and consensus), each validator running the chain's
/// <see cref="SettlementChainExecutor"/> on its committed blocks and a <see cref="CrossChainRelay"/> that carries the
/// chain's committed messages to the other chains' validators. Banks start transfers through clients of their PPC
/// (<see cref="CreateClient"/>, <see cref="SettlementClientExtensions.StartTransferAsync"/>). Used by the bank-to-bank sample, the benchmarks and
/// tests; a host with its own transport and storage wires the same pieces (executor, relay) into its nodes.
/// </summary>
public sealed partial class InProcessSettlementNetwork : IAsyncDisposable
{
    private readonly InProcessSettlementOptions _options;
    private readonly Dictionary<ChainId, RunningChain> _chains = [];
    private readonly List<PrivateKey> _ownedKeys = [];
    private readonly ConcurrentDictionary<(ChainId Chain, Hash256 Tx), TaskCompletionSource<CrossChainTransactionState>> _waiters = new();

    private InProcessSettlementNetwork(SettlementNetworkSpec spec, InProcessSettlementOptions options)
    {
        Spec = spec;
        _options = options;
    }

    /// <summary>The network's opening state.</summary>
    public SettlementNetworkSpec Spec { get; }

    /// <summary>Every chain (PPCs, then ICCs).</summary>
    public IReadOnlyCollection<ChainId> Chains => _chains.Keys;

    /// <summary>Messages shipped and not yet acknowledged, plus attestations not yet executed, over all relays (a progress gauge).</summary>
    public int RelayBacklog => _chains.Values.SelectMany(c => c.Validators).Sum(v => v.RelayBacklog);

    /// <summary>The validators of a chain, in validator order.</summary>
    /// <param name="chain">The chain.</param>
    /// <returns>Its validators.</returns>
    /// <exception cref="ArgumentException">The chain is not in the network.</exception>
    public IReadOnlyList<SettlementValidatorNode> ValidatorsOf(ChainId chain) => Chain(chain).Validators;

    /// <summary>Starts every chain and relay.</summary>
    /// <param name="spec">The PPCs, ICCs and opening balances.</param>
    /// <param name="options">How to run them (keys, stores, transports, engine).</param>
    /// <param name="cancellationToken">Cancels opening the stores.</param>
    /// <returns>The running network; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="spec"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The spec is invalid (e.g. an ICC linking fewer than 2 PPCs), or no validator keys
    /// are given and <see cref="InProcessSettlementOptions.UseDemoKeys"/> is not set.</exception>
    public static async Task<InProcessSettlementNetwork> StartAsync(SettlementNetworkSpec spec, InProcessSettlementOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ValidatorKeys is null && !options.UseDemoKeys)
        {
            throw new ArgumentException(
                $"{nameof(InProcessSettlementOptions.ValidatorKeys)} is required; set {nameof(InProcessSettlementOptions.UseDemoKeys)} for keys derived from the chain ids (anyone can derive them: tests and demos only).",
                nameof(options));
        }

        if (options.ValidatorKeys is null)
        {
            LogDemoKeys((options.Loggers ?? NullLoggerFactory.Instance).CreateLogger<InProcessSettlementNetwork>());
        }

        var network = new InProcessSettlementNetwork(spec, options);
        try
        {
            await network.StartChainsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return network;
    }

    /// <summary>A client of a chain (e.g. a bank's settlement service on its PPC; its key must be among the chain's operators to start transfers).</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="key">The client's key (the caller keeps ownership).</param>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="ArgumentException">The chain is not in the network.</exception>
    public ChainClient CreateClient(ChainId chain, PrivateKey key) => Chain(chain).Clients.CreateClient(key);

    /// <summary>Waits until validator 0 of <paramref name="chain"/> has the transaction in a final state (committed, cancelled or failed).</summary>
    /// <param name="chain">A PPC or ICC.</param>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The final state.</returns>
    /// <exception cref="ArgumentException">The chain is not in the network.</exception>
    public async Task<CrossChainTransactionState> WaitForOutcomeAsync(ChainId chain, Hash256 transactionId, CancellationToken cancellationToken = default)
    {
        var validator = Chain(chain).Validators[0];
        var waiter = _waiters.GetOrAdd((chain, transactionId), _ => new TaskCompletionSource<CrossChainTransactionState>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (validator.StateOf(transactionId) is { } state && IsFinal(state))
        {
            waiter.TrySetResult(state);
        }

        try
        {
            return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiters.TryRemove((chain, transactionId), out _);
        }
    }

    /// <summary>
    /// Waits for the final state of the transfer a bank started with <paramref name="started"/>
    /// (<see cref="SettlementClientExtensions.StartTransferAsync"/>) on its PPC. Unlike
    /// <see cref="WaitForOutcomeAsync(ChainId, Hash256, CancellationToken)"/> it answers at once when the PPC refused the
    /// transfer (its final state) or never recorded it.
    /// </summary>
    /// <param name="started">The PPC's answer to the bank's <see cref="StartTransfer"/>.</param>
    /// <param name="transactionId">The transaction the command started.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The final state on the PPC.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="started"/> is null.</exception>
    /// <exception cref="ArgumentException">The reply's chain is not in the network.</exception>
    /// <exception cref="TransferNotRecordedException">The PPC committed the command but never recorded the transaction
    /// (e.g. the client is not one of its operators).</exception>
    public Task<CrossChainTransactionState> WaitForOutcomeAsync(TransferStarted started, Hash256 transactionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(started);
        var chain = started.Reply.ChainId;
        _ = Chain(chain);
        return started switch
        {
            { IsRecorded: false } => Task.FromException<CrossChainTransactionState>(new TransferNotRecordedException(chain, transactionId, started.Reply.Height)),
            { Result.State: { } state } when IsFinal(state) && started.Result.TransactionId == transactionId => Task.FromResult(state),
            _ => WaitForOutcomeAsync(chain, transactionId, cancellationToken),
        };
    }

    /// <summary>Reads validator <paramref name="validator"/>'s copy of a PPC's application while no block is applied to it.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="chain">The PPC.</param>
    /// <param name="validator">The validator's index.</param>
    /// <param name="read">The read.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="ArgumentException">The chain is not a PPC of the network.</exception>
    public TResult ReadParticipant<TResult>(ChainId chain, int validator, Func<ParticipantChainApplication, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Chain(chain).Validators[validator].Read((ppc, _) => ppc is not null
            ? read(ppc) : throw new ArgumentException($"{chain} is not a participant chain.", nameof(chain)));
    }

    /// <summary>Reads validator <paramref name="validator"/>'s copy of an ICC's application while no block is applied to it.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="chain">The ICC.</param>
    /// <param name="validator">The validator's index.</param>
    /// <param name="read">The read.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="ArgumentException">The chain is not an ICC of the network.</exception>
    public TResult ReadIntermediary<TResult>(ChainId chain, int validator, Func<IntermediaryChainApplication, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Chain(chain).Validators[validator].Read((_, icc) => icc is not null
            ? read(icc) : throw new ArgumentException($"{chain} is not an intermediary chain.", nameof(chain)));
    }

    /// <summary>Reads validator <paramref name="validator"/>'s copy of a trading chain (TBC) of an ICC.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="chain">The TBC.</param>
    /// <param name="validator">The validator's index.</param>
    /// <param name="read">The read.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="ArgumentException">The chain is not a TBC of the network.</exception>
    public TResult ReadTradingChain<TResult>(ChainId chain, int validator, Func<TradingChainApplication, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!Spec.IsTradingChain(chain))
        {
            throw new ArgumentException($"{chain} is not a trading chain.", nameof(chain));
        }

        return Chain(chain).Validators[validator].ReadTradingChain(read);
    }

    /// <summary>
    /// Takes one chain offline (its relays and validators stop; its stores close), as an outage of that institution
    /// would. The other chains keep running: transfers that do not need it are unaffected (seed 000 [0078]); messages
    /// for it wait in the senders' relays. Its last state stays readable.
    /// </summary>
    /// <param name="chain">The chain.</param>
    /// <returns>A task that completes when it stopped.</returns>
    /// <exception cref="ArgumentException">The chain is not in the network.</exception>
    public async Task StopChainAsync(ChainId chain)
    {
        await Chain(chain).DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops every relay and chain and closes the stores.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        foreach (var chain in _chains.Values)
        {
            await chain.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var key in _ownedKeys)
        {
            key.Dispose();
        }

        foreach (var waiter in _waiters.Values)
        {
            waiter.TrySetCanceled();
        }
    }

    private static bool IsFinal(CrossChainTransactionState state) => SettlementClientExtensions.IsFinal(state);

    private RunningChain Chain(ChainId chain) =>
        _chains.TryGetValue(chain, out var c) ? c : throw new ArgumentException($"{chain} is not a chain of this network.", nameof(chain));

    private async Task StartChainsAsync(CancellationToken cancellationToken)
    {
        int n = _options.ValidatorsPerChain;
        var chainIds = Spec.Chains.ToList();
        var keys = chainIds.ToDictionary(c => c, c => Enumerable.Range(0, n).Select(i => KeyOf(c, i)).ToArray());
        var validatorSets = keys.ToDictionary(kv => kv.Key, kv => new Blocks.ValidatorSet(kv.Value.Select(k => k.PublicKey)));
        var relayNetwork = _options.RelayTransport is null ? new InMemoryNetwork() : null;
        foreach (var chain in chainIds)
        {
            var running = new RunningChain();
            _chains.Add(chain, running);
            var consensusNetwork = new InMemoryNetwork();
            for (int i = 0; i < n; i++)
            {
                var key = keys[chain][i];
                var id = NodeId.FromPublicKey(key.PublicKey);
                var provider = _options.Stores?.Invoke(chain, i) ?? new InMemoryBlockStoreProvider();
                running.Stores.Add(provider);
                var store = await provider.OpenAsync(chain, cancellationToken).ConfigureAwait(false);
                var consensus = _options.ConsensusTransport?.Invoke(chain, i, id) ?? consensusNetwork.Connect(id);
                var relay = _options.RelayTransport?.Invoke(id) ?? relayNetwork!.Connect(id);
                running.Validators.Add(await SettlementValidatorNode.StartAsync(new SettlementValidatorOptions
                {
                    Spec = Spec,
                    Chain = chain,
                    Key = key,
                    Validators = validatorSets,
                    Operators = _options.Operators.TryGetValue(chain, out var operators) ? operators : new HashSet<NodeId>(),
                    Engine = _options.Engine,
                    ConfigureReplica = _options.ConfigureReplica,
                    Cycle = Spec.Intermediaries.Any(icc => icc.Chain == chain) ? _options.Cycles?.Invoke(chain) : null,
                    ChainTickIntervalMs = _options.ChainTickIntervalMs,
                    RelayTickIntervalMs = _options.RelayTickIntervalMs,
                    Relay = _options.Relay,
                    Executor = _options.Executor,
                    Snapshots = _options.Snapshots?.Invoke(chain, i),
                    TimeProvider = _options.TimeProvider,
                    Loggers = _options.Loggers,
                }, store, consensus, relay, i == 0 ? Observe : null, cancellationToken).ConfigureAwait(false));
            }

            running.Clients = new LocalChainClients(chain, validatorSets[chain], [.. running.Validators.Select(v => v.Host)],
                timeProvider: _options.TimeProvider);
        }
    }

    private void Observe(SettlementValidatorNode v, SettlementBlockResult result)
    {
        // The observer first, the waiters second: a caller woken by WaitForOutcomeAsync must find the block's steps
        // already reported (the sample reads a transfer's reason from them).
        _options.Executed?.Invoke(v.Chain, result);
        foreach (var entry in result.Entries)
        {
            if (entry.Execution is { State: { } state } execution && IsFinal(state)
                && _waiters.TryGetValue((v.Chain, execution.TransactionId), out var waiter))
            {
                waiter.TrySetResult(state);
            }
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "The settlement network runs on demo validator keys derived from the chain ids: anyone can derive them and sign as its validators")]
    private static partial void LogDemoKeys(ILogger logger);

    private PrivateKey KeyOf(ChainId chain, int index)
    {
        if (_options.ValidatorKeys is { } keys)
        {
            return keys(chain, index);
        }

        var key = SignatureSchemes.Ed25519.ImportPrivateKey(
            Hash256.Compute(Encoding.UTF8.GetBytes($"chaininterop/settlement/{chain}/validator/{index}")).ToArray());
        _ownedKeys.Add(key);
        return key;
    }

    /// <summary>One chain's validators, their stores and its local clients.</summary>
    private sealed class RunningChain : IAsyncDisposable
    {
        private int _disposed;

        public List<SettlementValidatorNode> Validators { get; } = [];

        public List<IBlockStoreProvider> Stores { get; } = [];

        public LocalChainClients Clients { get; set; } = null!;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            foreach (var validator in Validators)
            {
                await validator.DisposeAsync().ConfigureAwait(false);
            }

            if (Clients is not null)
            {
                await Clients.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var store in Stores)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
