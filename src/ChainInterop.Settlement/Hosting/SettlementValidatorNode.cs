using System.Threading.Channels;
using ChainInterop.Consensus;
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
/// One validator of one settlement chain (a bank's PPC or an intermediary's ICC), running in this process: its replica
/// (consensus over its consensus transport, blocks in its store) executing its copy of the chain's application (the
/// <see cref="SettlementChainExecutor"/>), and its <see cref="CrossChainRelay"/> (frames over its relay transport),
/// which follows the chain's stored blocks and submits the validator's own entries (attestations, ticks) to it.
/// The same class runs every validator of <see cref="InProcessSettlementNetwork"/> and of a settlement node process.
/// </summary>
/// <remarks>The relay is driven by one loop of its own (executions, received frames and ticks go through a queue), so it
/// stays single-threaded; the application runs on the replica's thread and is read under a lock.</remarks>
public sealed partial class SettlementValidatorNode : IAsyncDisposable
{
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(NodeId Recipient, ReadOnlyMemory<byte> Frame)> _sends = [];
    private readonly List<SettlementEntry> _submits = [];
    private readonly SettlementValidatorOptions _options;
    private readonly ReplicatedApplication<SettlementChainExecutor> _application;
    private readonly CrossChainRelay _relay;
    private readonly PrivateKey _key;
    private readonly ITransport _consensus;
    private readonly ITransport _relayTransport;
    private readonly Action<SettlementValidatorNode, SettlementBlockResult>? _observed;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private ReplicaHost? _host;
    private ulong _timestamp;
    private long _lastCommitUnixMs = long.MinValue;
    private int _disposed;
    private readonly IReadOnlyList<ChainId> _peers;
    private bool _relayCaughtUp;

    private SettlementValidatorNode(SettlementValidatorOptions options, IBlockStore store, ITransport consensus, ITransport relay, Action<SettlementValidatorNode, SettlementBlockResult>? observed)
    {
        _options = options;
        _key = options.Key!;
        _consensus = consensus;
        _relayTransport = relay;
        Store = store;
        _observed = observed;
        _time = options.TimeProvider ?? TimeProvider.System;
        _log = (options.Loggers ?? NullLoggerFactory.Instance).CreateLogger<SettlementValidatorNode>();
        Chain = options.Chain;
        Id = NodeId.FromPublicKey(_key.PublicKey);
        var validators = options.Validators[Chain];
        Index = validators.NodeIds.ToList().IndexOf(Id);
        var spec = options.Spec!;
        var peers = spec.PeersOf(Chain);
        Participant = spec.Participants.Any(p => p.Chain == Chain) ? spec.CreateParticipant(Chain) : null;
        TradingChain = spec.IsTradingChain(Chain) ? spec.CreateTradingChain(Chain) : null;
        Intermediary = Participant is null && TradingChain is null ? spec.CreateIntermediary(Chain, options.Cycle) : null;
        var executor = Participant is not null ? SettlementChainExecutor.ForParticipant(Participant, validators, options.Operators, peers, options.Executor)
            : TradingChain is not null ? SettlementChainExecutor.ForTradingChain(TradingChain, validators, options.Operators, options.Executor)
            : SettlementChainExecutor.ForIntermediary(Intermediary!, validators, options.Operators, peers, options.Executor);
        _application = new ReplicatedApplication<SettlementChainExecutor>(1, _ => executor);
        _relay = new CrossChainRelay(Id, Chain, peers.ToDictionary(p => p, p => options.Validators[p]), options.Relay);
        _peers = peers;
    }

    /// <summary>The chain.</summary>
    public ChainId Chain { get; }

    /// <summary>This validator's index in the chain's validator set.</summary>
    public int Index { get; }

    /// <summary>This validator.</summary>
    public NodeId Id { get; }

    /// <summary>The PPC application, when the chain is a PPC (read it through <see cref="Read"/>).</summary>
    private ParticipantChainApplication? Participant { get; }

    /// <summary>The ICC application, when the chain is an ICC (read it through <see cref="Read"/>).</summary>
    private IntermediaryChainApplication? Intermediary { get; }

    /// <summary>The TBC application, when the chain is a trading chain of an ICC (read it through <see cref="ReadTradingChain"/>).</summary>
    private TradingChainApplication? TradingChain { get; }

    /// <summary>Whether the chain is a bank's PPC (else an ICC).</summary>
    public bool IsParticipant => Participant is not null;

    /// <summary>The validator's store of the chain (the caller's).</summary>
    public IBlockStore Store { get; }

    /// <summary>The replica's host (its <see cref="ReplicaHost.Completion"/> reports a failure).</summary>
    public ReplicaHost Host => _host!;

    /// <summary>The height of the last block this validator executed, or null before the first.</summary>
    public ulong? ExecutedHeight => _application.Read(0, e => e.LastAppliedHeight);

    /// <summary>When this validator last stored a newly committed block (its wall clock), or null before the first since it started.</summary>
    public DateTimeOffset? LastCommitAt
    {
        get
        {
            long ms = Interlocked.Read(ref _lastCommitUnixMs);
            return ms == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    /// <summary>Messages shipped and not yet acknowledged, plus attestations not yet executed (a progress gauge).</summary>
    public int RelayBacklog => _relay.UnackedCount + _relay.AwaitingExecutionCount;

    /// <summary>
    /// Starts the validator: builds its replica from the store's tip (replaying the stored chain into the application and
    /// the relay), then the relay's loops.
    /// </summary>
    /// <param name="options">The validator's chain, key and limits.</param>
    /// <param name="store">The validator's store of the chain (the caller keeps it).</param>
    /// <param name="consensus">The consensus transport (to the chain's other validators and its clients); the node disposes it.</param>
    /// <param name="relay">The relay transport (to the validators of the chains it relays with); the node disposes it.</param>
    /// <param name="observed">Called after each newly committed block is stored, with what it did (on the host's thread: keep it short).</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <returns>The running validator; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<SettlementValidatorNode> StartAsync(
        SettlementValidatorOptions options,
        IBlockStore store,
        ITransport consensus,
        ITransport relay,
        Action<SettlementValidatorNode, SettlementBlockResult>? observed = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(consensus);
        ArgumentNullException.ThrowIfNull(relay);
        options.Validate();
        var node = new SettlementValidatorNode(options, store, consensus, relay, observed);
        var replica = new ReplicaOptions();
        options.ConfigureReplica?.Invoke(replica);
        replica.ChainId = options.Chain;
        replica.Validators = options.Validators[options.Chain];
        node._host = await ReplicaHost.StartAsync(options.Engine, replica, node._key, store, consensus, node._application.Application(0),
            new Follower(node), options.ServeRemoteClients, options.LocalClients, options.Snapshots, options.TimeProvider, options.Loggers, cancellationToken).ConfigureAwait(false);
        node.StartLoops();
        return node;
    }

    /// <summary>Runs the relay's loops until the node stops.</summary>
    private void StartLoops()
    {
        _loops.Add(Task.Run(() => RelayLoopAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => ReceiveLoopAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => TickLoopAsync(_stopping.Token)));
    }

    /// <summary>Reads this validator's copy of the application while no block is executed on it.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="read">The read: the PPC application (null unless the chain is a PPC) and the ICC's ABC application (null unless it is an ABC).</param>
    /// <returns>Its result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is null.</exception>
    public TResult Read<TResult>(Func<ParticipantChainApplication?, IntermediaryChainApplication?, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return _application.Read(0, _ => read(Participant, Intermediary));
    }

    /// <summary>Reads this validator's copy of a TBC application while no block is executed on it.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="read">The read.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="read"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The chain is not a trading chain.</exception>
    public TResult ReadTradingChain<TResult>(Func<TradingChainApplication, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var tbc = TradingChain ?? throw new InvalidOperationException($"{Chain} is not a trading chain.");
        return _application.Read(0, _ => read(tbc));
    }

    /// <summary>The transaction's state on this validator's copy, if it knows it.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>Its state, or null.</returns>
    public CrossChainTransactionState? StateOf(Hash256 transactionId) =>
        _application.Read(0, _ => Participant?.GetState(transactionId) ?? Intermediary?.GetState(transactionId) ?? TradingChain?.GetState(transactionId));

    /// <summary>Waits until this validator executed <paramref name="height"/>.</summary>
    /// <param name="height">The height.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes then.</returns>
    public Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken = default) =>
        _application.WaitForHeightAsync(0, height, cancellationToken);

    /// <summary>Hands a client request to this validator's replica (as a local client of the chain); false when its queue is full.</summary>
    /// <param name="request">The signed request.</param>
    /// <returns>Whether it was queued.</returns>
    public bool Submit(ClientRequest request) => Host.TrySubmit(request);

    /// <summary>Stops the relay, the replica and the transports (the store stays the caller's).</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _work.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }

        await _relayTransport.DisposeAsync().ConfigureAwait(false);
        await _consensus.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void OnCommitted(BlockExecution execution, bool replayed)
    {
        var result = (SettlementBlockResult)execution;
        if (!_relayCaughtUp)
        {
            // The first block after start: the state may come from a snapshot, whose blocks the relay never sees.
            _relayCaughtUp = true;
            _work.Writer.TryWrite(new Work(null, false, default, default, CatchUp: true));
        }

        _work.Writer.TryWrite(new Work(result, replayed, default, default));
        if (!replayed)
        {
            Interlocked.Exchange(ref _lastCommitUnixMs, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _observed?.Invoke(this, result);
        }
    }

    private async Task RelayLoopAsync(CancellationToken cancellationToken)
    {
        var effects = new RelayEffects(this);
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (work.Block is { } block)
                {
                    _relay.OnBlock(block, now, effects, work.Replay);
                }
                else if (work.CatchUp)
                {
                    CatchUpRelay();
                }
                else if (work.Own is { } own)
                {
                    SubmitOwn(own);
                }
                else if (work.Frame.Payload.IsEmpty)
                {
                    _relay.Tick(now, effects);
                }
                else
                {
                    var received = _relay.Receive(work.Frame.From, work.Frame.Payload, now, effects);
                    work.Frame.Release(); // the relay decodes a copy
                    if (received == RelayReceiveCode.Refused)
                    {
                        LogRefused(_log, Chain, Index, work.Frame.From, _relay.LastRefusal);
                    }
                }

                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in _submits)
        {
            SubmitOwn(entry);
        }

        _submits.Clear();
        foreach (var (recipient, frame) in _sends)
        {
            try
            {
                await _relayTransport.SendAsync(recipient, frame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The relay resends what is not acknowledged; a peer being down is not our failure.
                LogSendFailed(_log, e, Chain, Index, recipient);
            }
        }

        _sends.Clear();
    }

    /// <summary>Tells the relay which delivered messages the chain's state executed (all of them, restored from a snapshot or not).</summary>
    private void CatchUpRelay()
    {
        foreach (var source in _peers)
        {
            var (next, above) = _application.Read(0, executor => (executor.NextExpected(source), executor.ExecutedAbove(source)));
            _relay.RestoreExecuted(source, next, above);
        }
    }

    private void SubmitOwn(SettlementEntry entry)
    {
        // A fresh, increasing request counter: a resubmitted attestation must not look like a stale request. The own
        // replica forwards it to the primary; a lost one is resubmitted by the relay until it is executed.
        ulong now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds()) * 1_000;
        _timestamp = Math.Max(_timestamp + 1, now);
        _host!.TrySubmit(ClientRequest.Create(_key, Chain, _timestamp, entry.ToCanonicalBytes()));
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var inbound in _relayTransport.Inbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (inbound.Payload.IsEmpty)
                {
                    inbound.Release(); // an empty work item means "tick"; an empty message is nothing
                }
                else
                {
                    _work.Writer.TryWrite(new Work(null, false, inbound, default));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task TickLoopAsync(CancellationToken cancellationToken)
    {
        long lastChainTick = long.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_options.RelayTickIntervalMs), _time, cancellationToken).ConfigureAwait(false);
                _work.Writer.TryWrite(new Work(null, false, default, default));
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (lastChainTick == long.MinValue || now - lastChainTick >= _options.ChainTickIntervalMs)
                {
                    lastChainTick = now;
                    _work.Writer.TryWrite(new Work(null, false, default, SettlementEntry.OwnCommand(new Tick(now))));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "{Chain} validator {Index}: relay frame from {From} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, ChainId chain, int index, NodeId from, string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "{Chain} validator {Index}: relay send to {Peer} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, ChainId chain, int index, NodeId peer);

    /// <summary>One item for the relay loop: an executed block, a received frame, an own entry to submit, a catch-up with the chain's state, or (all empty) a relay tick.</summary>
    private readonly record struct Work(SettlementBlockResult? Block, bool Replay, InboundMessage Frame, SettlementEntry? Own, bool CatchUp = false);

    /// <summary>The relay's effects, collected during one work item and carried out after it.</summary>
    private sealed class RelayEffects(SettlementValidatorNode node) : IRelayEffects
    {
        public void Send(NodeId recipient, ReadOnlyMemory<byte> frame) => node._sends.Add((recipient, frame));

        public void Submit(SettlementEntry entry) => node._submits.Add(entry);
    }

    /// <summary>The relay follows the chain: each stored block's execution, replayed ones at start included.</summary>
    private sealed class Follower(SettlementValidatorNode node) : ICommittedBlockObserver
    {
        public ValueTask OnCommittedAsync(CommittedBlock block, BlockExecution execution, bool replayed, CancellationToken cancellationToken)
        {
            node.OnCommitted(execution, replayed);
            return ValueTask.CompletedTask;
        }
    }
}
