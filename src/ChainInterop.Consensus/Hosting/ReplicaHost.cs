using System.Threading.Channels;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// The runtime driver of one replica: feeds it client requests, messages from an <see cref="ITransport"/>, timers
/// from a <see cref="TimeProvider"/> and blocks read from its <see cref="IBlockStore"/>, one input at a time on one
/// logical thread (a channel loop), and carries out what it asks: sends, timers, block commits (stored, then handed
/// to the <see cref="ICommittedBlockObserver"/>), replies. The replica itself stays free of I/O, locks and clocks.
/// On start the host replays the store into the replica (<see cref="IReplica.Replay"/>), so its client table and its
/// application are rebuilt before it takes part again; with <see cref="Snapshots"/> it restores the newest checkpoint
/// first and replays only the blocks after it, and saves a checkpoint every so many committed blocks.
/// </summary>
/// <remarks>A failure of the loop (e.g. the store refusing a block) stops the host and is rethrown by <see cref="Completion"/> and by the next <see cref="SubmitAsync"/>.</remarks>
public sealed partial class ReplicaHost : IAsyncDisposable
{
    /// <summary>The most inputs waiting for the replica.</summary>
    public const int MaxQueuedInputs = 100_000;

    /// <summary>The most replies kept for local clients before the oldest are dropped.</summary>
    public const int MaxQueuedReplies = 100_000;

    private readonly IReplica _replica;
    private readonly ValidatorSet _validators;
    private readonly ITransport _transport;
    private readonly IBlockStore _store;
    private readonly ICommittedBlockObserver? _observer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Three queues, read in this order, so a burst of client requests (which cost a signature check each) never delays
    // the protocol, and the protocol's own wake-ups are never lost:
    // - start, timers and loaded blocks: unbounded, but bounded by construction (one entry per armed timer or load);
    // - peer messages: bounded; the transport pump waits for room (the transport has its own bounded inbox);
    // - client requests: bounded; local callers wait for room, remote clients' requests are dropped when it is full.
    private readonly Channel<Input> _internal = Channel.CreateUnbounded<Input>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Input> _inputs = Channel.CreateBounded<Input>(new BoundedChannelOptions(MaxQueuedInputs) { SingleReader = true });
    private readonly Channel<ClientRequest> _requests = Channel.CreateBounded<ClientRequest>(new BoundedChannelOptions(MaxQueuedInputs) { SingleReader = true });

    // The loop's pending waits, kept across iterations so an idle queue holds one waiter, not one per wake-up.
    private Task<bool>? _internalWait;
    private Task<bool>? _inputsWait;
    private Task<bool>? _requestsWait;
    private readonly Channel<ClientReply> _replies = Channel.CreateBounded<ClientReply>(new BoundedChannelOptions(MaxQueuedReplies)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    private readonly Effects _effects;
    private readonly Dictionary<ReplicaTimer, ITimer> _timers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private Task _pump = Task.CompletedTask;
    private Task _snapshotSave = Task.CompletedTask;
    private ulong _nextSnapshotHeight;
    private long _lastSnapshotHeight = -1;
    private long _restoredHeight = -1;

    /// <summary>Creates the host; call <see cref="Start"/> to run it.</summary>
    /// <param name="replica">The replica, built from the store's tip.</param>
    /// <param name="validators">The chain's validators (broadcast goes to every other one).</param>
    /// <param name="transport">The node's transport.</param>
    /// <param name="store">The chain's block store: committed blocks are appended here before the observer sees them.</param>
    /// <param name="observer">What follows the chain (e.g. a relay): given each stored block and its execution; none when null.</param>
    /// <param name="timeProvider">The clock and timers; the system clock when null.</param>
    /// <param name="logger">Loop failures and dropped work.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public ReplicaHost(
        IReplica replica,
        ValidatorSet validators,
        ITransport transport,
        IBlockStore store,
        ICommittedBlockObserver? observer = null,
        TimeProvider? timeProvider = null,
        ILogger<ReplicaHost>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(store);
        _replica = replica;
        _validators = validators;
        _transport = transport;
        _store = store;
        _observer = observer;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _effects = new Effects();
    }

    /// <summary>
    /// Builds this node's replica of a chain from its store's tip with the chosen engine and starts it in a host (which
    /// replays the store into it first): the one way a validator is started, in one process or in many.
    /// </summary>
    /// <param name="engine">The chain's consensus engine (<see cref="ConsensusEngines"/>).</param>
    /// <param name="options">The replica's options (validated here).</param>
    /// <param name="key">This node's key.</param>
    /// <param name="store">The node's store of the chain (the caller keeps it).</param>
    /// <param name="transport">The node's consensus transport (the caller keeps it).</param>
    /// <param name="application">This node's copy of the application; null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="observer">What follows the chain on this node; none when null.</param>
    /// <param name="serveRemoteClients">See <see cref="ServeRemoteClients"/>.</param>
    /// <param name="localReplies">See <see cref="LocalReplies"/>.</param>
    /// <param name="snapshots">See <see cref="Snapshots"/>; none when null.</param>
    /// <param name="timeProvider">The clock and timers; the system clock when null.</param>
    /// <param name="loggers">Loggers; none when null.</param>
    /// <param name="cancellationToken">Cancels reading the store.</param>
    /// <returns>The running host; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The options (or the snapshot settings) are invalid, or the key is not usable with them.</exception>
    public static async Task<ReplicaHost> StartAsync(
        ReplicaFactory engine,
        ReplicaOptions options,
        PrivateKey key,
        IBlockStore store,
        ITransport transport,
        IChainApplication? application = null,
        ICommittedBlockObserver? observer = null,
        bool serveRemoteClients = false,
        bool localReplies = true,
        ReplicaSnapshots? snapshots = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(transport);
        options.Validate();
        snapshots?.Validate();
        loggers ??= NullLoggerFactory.Instance;
        var lastCommitted = store.Tip is { } tip ? await store.GetAsync(tip.Height, cancellationToken).ConfigureAwait(false) : null;
        var replica = await engine(new ReplicaContext(options, key, store, lastCommitted, loggers, application), cancellationToken).ConfigureAwait(false);
        var host = new ReplicaHost(replica, options.Validators!, transport, store, observer, timeProvider, loggers.CreateLogger<ReplicaHost>())
        {
            ServeRemoteClients = serveRemoteClients,
            LocalReplies = localReplies,
            Snapshots = snapshots,
        };
        host.Start();
        return host;
    }

    /// <summary>
    /// Whether clients reach this node over its transport (K2's client protocol): a message from a node that is not a
    /// validator is taken as a <see cref="ClientRequest"/> when the request's signer is that node, and replies go back
    /// to the client over the transport as well as to <see cref="Replies"/>. Off by default (in-process clients use
    /// <see cref="SubmitAsync"/>). Set it before <see cref="Start"/>.
    /// </summary>
    public bool ServeRemoteClients { get; init; }

    /// <summary>
    /// Whether replies are also queued on <see cref="Replies"/> for clients in this process (<see cref="LocalChainClients"/>);
    /// on by default. A node whose clients are all remote turns it off, so unread replies do not pile up in memory.
    /// Set it before <see cref="Start"/>.
    /// </summary>
    public bool LocalReplies { get; init; } = true;

    /// <summary>
    /// Checkpoints of the replica's state: restored on start (the newest one that names a stored block), saved every
    /// <see cref="ReplicaSnapshots.IntervalBlocks"/> committed blocks in the background (a failed save is logged; the
    /// block store stays the truth). None by default: a start replays the whole store. Set it before <see cref="Start"/>.
    /// </summary>
    public ReplicaSnapshots? Snapshots { get; init; }

    /// <summary>The height of the last snapshot this host took (saved or being saved), or null.</summary>
    public ulong? LastSnapshotHeight => Interlocked.Read(ref _lastSnapshotHeight) is >= 0 and var h ? (ulong)h : null;

    /// <summary>The height of the snapshot this host restored on start, or null when it replayed from height 0.</summary>
    public ulong? RestoredHeight => Interlocked.Read(ref _restoredHeight) is >= 0 and var h ? (ulong)h : null;

    /// <summary>The replica this host drives (read its status only, e.g. <see cref="IReplica.CommittedHeight"/>: it runs on the host's thread).</summary>
    public IReplica Replica => _replica;

    /// <summary>Replies the replica produced for clients of this node.</summary>
    public ChannelReader<ClientReply> Replies => _replies.Reader;

    /// <summary>Completes when the host stops; faults with the loop's failure if it failed.</summary>
    public Task Completion => Task.WhenAll(_loop, _pump);

    /// <summary>Starts the replica and the loops.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (!_loop.IsCompleted)
        {
            throw new InvalidOperationException("The host is already running.");
        }

        _internal.Writer.TryWrite(new StartInput());
        _loop = Task.Run(() => RunLoopAsync(_stopping.Token));
        _pump = Task.Run(() => PumpTransportAsync(_stopping.Token));
    }

    /// <summary>Hands a client request to the replica.</summary>
    /// <param name="request">The signed request.</param>
    /// <param name="cancellationToken">Cancels waiting for room in the input queue.</param>
    /// <returns>A task that completes when the request is queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public async ValueTask SubmitAsync(ClientRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_loop.IsFaulted)
        {
            await _loop.ConfigureAwait(false);
        }

        await _requests.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands a client request to the replica without waiting: false when the request queue is full or the host stopped.</summary>
    /// <param name="request">The signed request.</param>
    /// <returns>Whether the request was queued.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public bool TrySubmit(ClientRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _requests.Writer.TryWrite(request);
    }

    /// <summary>Stops the loops and the timers. The store and the transport belong to the caller.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _internal.Writer.TryComplete();
        _inputs.Writer.TryComplete();
        _requests.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loop, _pump).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || _loop.IsFaulted)
        {
            // Stopping; a loop failure was already surfaced through Completion and SubmitAsync.
        }

        await _snapshotSave.ConfigureAwait(false); // never faults: a failed save is logged

        lock (_timers)
        {
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }

        _stopping.Dispose();
    }

    private async Task PumpTransportAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PumpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (ChannelClosedException)
        {
            // The loop stopped (and reports why).
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        await foreach (var message in _transport.Inbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ServeRemoteClients && !_validators.Contains(message.From))
            {
                bool decoded = TryDecodeClientRequest(message, out var request);
                message.Release(); // the request is a copy
                if (decoded && !_requests.Writer.TryWrite(request))
                {
                    // Never block the pump on clients: peer messages behind it would wait too. Clients resend.
                    LogClientMessageDropped(_logger, _replica.ChainId, message.From, "the request queue is full");
                }

                continue;
            }

            await _inputs.Writer.WriteAsync(new MessageInput(message), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await NextInputAsync(cancellationToken).ConfigureAwait(false) is { } input)
            {
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                _effects.Clear();
                switch (input)
                {
                    case StartInput:
                        await ReplayAsync(cancellationToken).ConfigureAwait(false);
                        _replica.Start(now, _effects);
                        break;
                    case RequestInput r:
                        _replica.OnClientRequest(r.Request, now, _effects);
                        break;
                    case MessageInput m:
                        _replica.OnMessage(m.Message.From, m.Message.Payload, now, _effects);
                        m.Message.Release(); // replicas copy what they keep (IReplica.OnMessage)
                        break;
                    case TimerInput t:
                        _replica.OnTimer(t.Timer, now, _effects);
                        break;
                    case BlocksLoadedInput b:
                        _replica.OnBlocksLoaded(b.Requester, b.Blocks, now, _effects);
                        break;
                }

                await ExecuteAsync(cancellationToken).ConfigureAwait(false);
                MaybeSaveSnapshot();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogLoopFailed(_logger, _replica.ChainId, e);
            _internal.Writer.TryComplete(e);
            _inputs.Writer.TryComplete(e);
            _requests.Writer.TryComplete(e);
            await _stopping.CancelAsync().ConfigureAwait(false); // stop the transport pump too, so Completion completes
            throw;
        }
    }

    /// <summary>
    /// Re-executes the stored chain up to the replica's tip (its client table and application are its replay), from
    /// the newest snapshot that names a stored block when there is one.
    /// </summary>
    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        if (_replica.CommittedHeight is not { } tip)
        {
            _nextSnapshotHeight = (ulong)(Snapshots?.IntervalBlocks ?? 1) - 1;
            return;
        }

        ulong from = await RestoreSnapshotAsync(tip, cancellationToken).ConfigureAwait(false);
        await foreach (var block in _store.ReadAsync(from, cancellationToken).ConfigureAwait(false))
        {
            if (block.Height > tip)
            {
                break;
            }

            var (committed, execution) = _replica.Replay(block);
            if (_observer is not null)
            {
                await _observer.OnCommittedAsync(committed, execution, replayed: true, cancellationToken).ConfigureAwait(false);
            }
        }

        _nextSnapshotHeight = tip + (ulong)(Snapshots?.IntervalBlocks ?? 0);
    }

    /// <summary>Restores the newest usable snapshot at or below <paramref name="tip"/>: the first height left to replay.</summary>
    private async Task<ulong> RestoreSnapshotAsync(ulong tip, CancellationToken cancellationToken)
    {
        if (Snapshots is null || await Snapshots.Store.LoadLatestAsync(_replica.ChainId, cancellationToken).ConfigureAwait(false) is not { } snapshot)
        {
            return 0;
        }

        var block = snapshot.Height <= tip ? await _store.GetAsync(snapshot.Height, cancellationToken).ConfigureAwait(false) : null;
        if (block is null)
        {
            LogSnapshotUnusable(_logger, _replica.ChainId, snapshot.Height, $"the stored chain ends at {tip}");
            return 0;
        }

        // Published before the restore, so whoever sees the application reach the snapshot's height sees it too.
        Interlocked.Exchange(ref _restoredHeight, (long)snapshot.Height);
        try
        {
            _replica.Restore(snapshot, block);
        }
        catch (Exception e) when (e is ArgumentException or CodecException)
        {
            Interlocked.Exchange(ref _restoredHeight, -1);
            LogSnapshotUnusable(_logger, _replica.ChainId, snapshot.Height, e.Message);
            return 0;
        }

        LogSnapshotRestored(_logger, _replica.ChainId, snapshot.Height, tip);
        return snapshot.Height + 1;
    }

    /// <summary>Every <see cref="ReplicaSnapshots.IntervalBlocks"/> committed (and stored) blocks: takes a snapshot and saves it in the background.</summary>
    private void MaybeSaveSnapshot()
    {
        if (Snapshots is not { } snapshots || _replica.CommittedHeight is not { } height || height < _nextSnapshotHeight || !_snapshotSave.IsCompleted)
        {
            return; // a save still running: the next height past the interval takes the next one
        }

        var snapshot = _replica.TakeSnapshot();
        _nextSnapshotHeight = height + (ulong)snapshots.IntervalBlocks;
        Interlocked.Exchange(ref _lastSnapshotHeight, (long)height);
        _snapshotSave = Task.Run(async () =>
        {
            try
            {
                await snapshots.Store.SaveAsync(snapshot, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSnapshotSaveFailed(_logger, e, _replica.ChainId, snapshot.Height);
            }
        });
    }

    /// <summary>The next input in priority order (internal, peer messages, client requests); null when all queues are closed.</summary>
    private async ValueTask<Input?> NextInputAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_internal.Reader.TryRead(out var input) || _inputs.Reader.TryRead(out input))
            {
                return input;
            }

            if (_requests.Reader.TryRead(out var request))
            {
                return new RequestInput(request);
            }

            // A wait that completed with false means its queue is closed; the three close together (stop or failure).
            _internalWait ??= _internal.Reader.WaitToReadAsync(cancellationToken).AsTask();
            _inputsWait ??= _inputs.Reader.WaitToReadAsync(cancellationToken).AsTask();
            _requestsWait ??= _requests.Reader.WaitToReadAsync(cancellationToken).AsTask();
            await Task.WhenAny(_internalWait, _inputsWait, _requestsWait).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (IsClosed(_internalWait) || IsClosed(_inputsWait) || IsClosed(_requestsWait))
            {
                return null;
            }

            // Only a wait that fired is renewed; a pending one stays registered for the next round.
            _internalWait = _internalWait is { IsCompletedSuccessfully: true, Result: true } ? null : _internalWait;
            _inputsWait = _inputsWait is { IsCompletedSuccessfully: true, Result: true } ? null : _inputsWait;
            _requestsWait = _requestsWait is { IsCompletedSuccessfully: true, Result: true } ? null : _requestsWait;
        }

        static bool IsClosed(Task<bool> wait) => wait.IsCompleted && (!wait.IsCompletedSuccessfully || !wait.Result);
    }

    private async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        foreach (var effect in _effects.Items)
        {
            switch (effect.Kind)
            {
                case EffectKind.Send:
                    await _transport.SendAsync(effect.Node, effect.Message, cancellationToken).ConfigureAwait(false);
                    break;
                case EffectKind.Broadcast:
                    foreach (var peer in _validators.NodeIds)
                    {
                        if (peer != _replica.Id)
                        {
                            await _transport.SendAsync(peer, effect.Message, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    break;
                case EffectKind.SetTimer:
                    Arm(effect.Timer, effect.DelayOrCount);
                    break;
                case EffectKind.CancelTimer:
                    Disarm(effect.Timer);
                    break;
                case EffectKind.Commit:
                    // Store first, observe second: after a crash the store is the truth and the replica replays it.
                    await _store.AppendAsync(effect.Block!.Block, cancellationToken).ConfigureAwait(false);
                    if (_observer is not null)
                    {
                        await _observer.OnCommittedAsync(effect.Block, effect.Execution!, replayed: false, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case EffectKind.LoadBlocks:
                    // Read just the heights asked for (a range read would snapshot the whole tail of the chain).
                    var blocks = new List<Block>();
                    for (ulong height = effect.FromHeight; blocks.Count < effect.DelayOrCount; height++)
                    {
                        var block = await _store.GetAsync(height, cancellationToken).ConfigureAwait(false);
                        if (block is null)
                        {
                            break;
                        }

                        blocks.Add(block);
                    }

                    _internal.Writer.TryWrite(new BlocksLoadedInput(effect.Node, blocks));
                    break;
                case EffectKind.Reply:
                    if (LocalReplies)
                    {
                        _replies.Writer.TryWrite(effect.Reply!);
                    }

                    if (ServeRemoteClients && !_validators.Contains(effect.Reply!.ClientId))
                    {
                        await _transport.SendAsync(effect.Reply.ClientId, Canonical.Encode(effect.Reply), cancellationToken).ConfigureAwait(false);
                    }

                    break;
            }
        }
    }

    private bool TryDecodeClientRequest(InboundMessage message, out ClientRequest request)
    {
        try
        {
            request = Canonical.Decode<ClientRequest>(message.Payload);
        }
        catch (CodecException e)
        {
            LogClientMessageDropped(_logger, _replica.ChainId, message.From, e.Message);
            request = null!;
            return false;
        }

        // The transport authenticated the sender: it must be the request's signer, so no node submits in another's name.
        if (request.ClientId != message.From)
        {
            LogClientMessageDropped(_logger, _replica.ChainId, message.From, "the request is signed by another client");
            return false;
        }

        return true;
    }

    private void Arm(ReplicaTimer timer, long delayMs)
    {
        lock (_timers)
        {
            if (_timers.Remove(timer, out var existing))
            {
                existing.Dispose();
            }

            ITimer? created = null;
            created = _time.CreateTimer(
                _ =>
                {
                    // Only the timer still armed for this value may fire: a re-armed or cancelled one is stale.
                    lock (_timers)
                    {
                        if (!_timers.TryGetValue(timer, out var current) || !ReferenceEquals(current, created))
                        {
                            return;
                        }

                        _timers.Remove(timer);
                    }

                    _internal.Writer.TryWrite(new TimerInput(timer));
                },
                null,
                TimeSpan.FromMilliseconds(Math.Max(0, delayMs)),
                Timeout.InfiniteTimeSpan);
            _timers[timer] = created;
        }
    }

    private void Disarm(ReplicaTimer timer)
    {
        lock (_timers)
        {
            if (_timers.Remove(timer, out var existing))
            {
                existing.Dispose();
            }
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Error, Message = "Replica host of {ChainId} stopped")]
    private static partial void LogLoopFailed(ILogger logger, ChainId chainId, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Replica host of {ChainId} restored its snapshot at height {Height}; replaying up to {Tip}")]
    private static partial void LogSnapshotRestored(ILogger logger, ChainId chainId, ulong height, ulong tip);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Replica host of {ChainId} did not use its snapshot at height {Height} ({Reason}); replaying from height 0")]
    private static partial void LogSnapshotUnusable(ILogger logger, ChainId chainId, ulong height, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Replica host of {ChainId} could not save its snapshot at height {Height}")]
    private static partial void LogSnapshotSaveFailed(ILogger logger, Exception exception, ChainId chainId, ulong height);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Replica host of {ChainId} dropped a client message from {Peer}: {Reason}")]
    private static partial void LogClientMessageDropped(ILogger logger, ChainId chainId, NodeId peer, string reason);

    private abstract record Input;

    private sealed record StartInput : Input;

    private sealed record RequestInput(ClientRequest Request) : Input;

    private sealed record MessageInput(InboundMessage Message) : Input;

    private sealed record TimerInput(ReplicaTimer Timer) : Input;

    private sealed record BlocksLoadedInput(NodeId Requester, IReadOnlyList<Block> Blocks) : Input;

    private enum EffectKind
    {
        Send,
        Broadcast,
        SetTimer,
        CancelTimer,
        Commit,
        LoadBlocks,
        Reply,
    }

    private readonly record struct Effect(
        EffectKind Kind,
        NodeId Node = default,
        ReadOnlyMemory<byte> Message = default,
        ReplicaTimer Timer = default,
        long DelayOrCount = 0,
        ulong FromHeight = 0,
        CommittedBlock? Block = null,
        BlockExecution? Execution = null,
        ClientReply? Reply = null);

    /// <summary>Collects what the replica asks for during one input; the loop carries it out afterwards, in order.</summary>
    private sealed class Effects : IReplicaEffects
    {
        public List<Effect> Items { get; } = [];

        public void Clear() => Items.Clear();

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message) => Items.Add(new Effect(EffectKind.Send, Node: recipient, Message: message));

        public void Broadcast(ReadOnlyMemory<byte> message) => Items.Add(new Effect(EffectKind.Broadcast, Message: message));

        public void SetTimer(ReplicaTimer timer, long delayMs) => Items.Add(new Effect(EffectKind.SetTimer, Timer: timer, DelayOrCount: delayMs));

        public void CancelTimer(ReplicaTimer timer) => Items.Add(new Effect(EffectKind.CancelTimer, Timer: timer));

        public void Commit(CommittedBlock block, BlockExecution execution) => Items.Add(new Effect(EffectKind.Commit, Block: block, Execution: execution));

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount) =>
            Items.Add(new Effect(EffectKind.LoadBlocks, Node: requester, DelayOrCount: maxCount, FromHeight: fromHeight));

        public void Reply(ClientReply reply) => Items.Add(new Effect(EffectKind.Reply, Reply: reply));
    }
}
