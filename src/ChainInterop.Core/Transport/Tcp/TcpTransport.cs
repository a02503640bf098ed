using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using ChainInterop.Crypto;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// <see cref="ITransport"/> over TCP (optionally TLS) with System.IO.Pipelines: CRC-32C frames (<see cref="Framing.Frame"/>),
/// a signed handshake that admits only whitelisted node keys, bounded per-peer send queues, reconnect with capped
/// exponential backoff, keep-alive and idle timeout, and a draining shutdown. See docs/TRANSPORT.md.
/// </summary>
/// <remarks>
/// <para>Create it with <see cref="Start"/> (or <c>AddTcpTransport</c> in DI). It listens on
/// <see cref="TcpTransportOptions.ListenEndPoint"/> and dials every peer that has an end point; either side may dial.
/// When both nodes dial each other, the connection dialled by the node with the lower <see cref="NodeId"/> is kept on
/// both sides (and of two connections dialled by the same node, the newer one, e.g. after it restarted).</para>
/// <para>Sending never blocks: a message is encoded into the peer's send queue and written by the connection's writer,
/// which awaits <c>FlushAsync</c> (so a slow peer fills its own queue, not the node's memory). A full queue drops the
/// new message; <see cref="WaitForSendSpaceAsync"/> lets a bulk sender wait instead.</para>
/// </remarks>
public sealed partial class TcpTransport : ITransport
{
    /// <summary>Capacity of <see cref="ConnectionEvents"/>, in events; the oldest are dropped beyond it.</summary>
    public const int MaxQueuedConnectionEvents = 1024;

    /// <summary>Size of the pipe buffers per connection, in bytes.</summary>
    internal const int PipeBufferSizeBytes = 256 * 1024;

    private readonly TcpTransportOptions _options;
    private readonly PrivateKey _key;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly InboundQueue _inbound;
    private readonly Channel<ConnectionEvent> _events;
    private readonly ConcurrentDictionary<NodeId, PeerState> _peers = new();
    private readonly ReceiveBufferPool _receiveBuffers = new();
    private volatile PeerState? _lastSendTarget;
    private readonly ConcurrentDictionary<Connection, Task> _connections = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly CancellationTokenSource _dialing = new();
    private readonly Random _jitterSeeds;
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private int _pendingInbound;
    private int _disposing;

    private TcpTransport(TcpTransportOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        _options = options;
        _key = options.NodeKey!;
        LocalNode = NodeId.FromPublicKey(_key.PublicKey);
        _logger = (ILogger?)loggerFactory?.CreateLogger<TcpTransport>() ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _jitterSeeds = options.JitterSeed is { } seed ? new Random(seed) : new Random();
        _inbound = new InboundQueue(options.MaxInboundQueueMessages);
        _events = Channel.CreateBounded<ConnectionEvent>(new BoundedChannelOptions(MaxQueuedConnectionEvents)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
        });

        if (options.ListenEndPoint is { } listen)
        {
            _listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                _listener.Bind(listen);
                _listener.Listen(512);
                ListenEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            }
            catch
            {
                _listener.Dispose();
                throw;
            }
        }
    }

    /// <inheritdoc />
    public NodeId LocalNode { get; }

    /// <summary>The chain this node declares in handshakes.</summary>
    public ChainId ChainId => _options.ChainId;

    /// <summary>Where this transport accepts connections (the actual port when 0 was asked for), or null when it only dials.</summary>
    public IPEndPoint? ListenEndPoint { get; }

    /// <summary>Messages from peers, with their authenticated sender; read it from one reader at a time (like the in-memory network's).</summary>
    public ChannelReader<InboundMessage> Inbound => _inbound;

    /// <inheritdoc />
    public ChannelReader<ConnectionEvent> ConnectionEvents => _events.Reader;

    /// <inheritdoc />
    public int MaxPayloadSizeBytes => _options.MaxPayloadSizeBytes;

    /// <summary>The peers with an authenticated connection right now.</summary>
    public IReadOnlyCollection<NodeId> ConnectedPeers => [.. _peers.Values.Where(p => p.Active is not null).Select(p => p.Id)];

    /// <summary>Open connections right now, authenticated or not (for tests and diagnostics).</summary>
    internal int OpenConnections => _connections.Count;

    /// <summary>Unauthenticated inbound connections right now (for tests and diagnostics).</summary>
    internal int PendingConnections => Volatile.Read(ref _pendingInbound);

    /// <summary>Validates <paramref name="options"/>, binds the listener and starts accepting and dialling.</summary>
    /// <param name="options">The settings (copied; later changes to the instance have no effect).</param>
    /// <param name="loggerFactory">Where connection events and close reasons are logged.</param>
    /// <param name="timeProvider">Timeouts, keep-alive and backoff; the system clock when null.</param>
    /// <returns>The running transport; dispose it to stop.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="SocketException">The listen end point cannot be bound.</exception>
    public static TcpTransport Start(TcpTransportOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var transport = new TcpTransport(options.Clone(), loggerFactory, timeProvider);
        foreach (var peer in transport._options.Peers)
        {
            transport.AddOrUpdatePeer(peer);
        }

        if (transport._listener is not null)
        {
            transport._logger.Listening(transport.LocalNode, transport.ChainId, transport.ListenEndPoint!, options.Tls is not null);
            transport._acceptLoop = Task.Run(() => transport.AcceptLoopAsync(transport._shutdown.Token));
        }

        return transport;
    }

    /// <summary>Whether <paramref name="peer"/> has an authenticated connection right now.</summary>
    /// <param name="peer">The peer.</param>
    /// <returns>True when messages to it are being written.</returns>
    public bool IsConnected(NodeId peer) => _peers.TryGetValue(peer, out var state) && state.Active is not null;

    /// <summary>
    /// Admits a node, or changes where it is dialled (e.g. a bank joining, S1). With an end point the transport
    /// starts dialling it; an existing connection is kept.
    /// </summary>
    /// <param name="peer">The whitelist entry.</param>
    /// <exception cref="ArgumentNullException"><paramref name="peer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="peer"/> is this node.</exception>
    /// <exception cref="ObjectDisposedException">The transport has been disposed.</exception>
    public void AddOrUpdatePeer(TcpPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) != 0, this);
        if (peer.NodeId == LocalNode)
        {
            throw new ArgumentException("A transport cannot list its own node as a peer.", nameof(peer));
        }

        var chain = peer.ChainId.IsDefault ? new TcpPeer(peer.PublicKey, peer.EndPoint, ChainId) : peer;
        while (true)
        {
            if (_peers.TryGetValue(peer.NodeId, out var existing))
            {
                lock (existing.Gate)
                {
                    if (!existing.Removed)
                    {
                        existing.Config = chain;
                        existing.SignalChanged();
                        return;
                    }
                }
            }

            Random jitter;
            lock (_jitterSeeds)
            {
                jitter = new Random(_jitterSeeds.Next());
            }

            var created = new PeerState(chain, new SendQueue(_options.MaxSendQueueFrames, _options.MaxSendQueueBytes),
                new ReconnectBackoff(_options.ReconnectInitialDelayMs, _options.ReconnectMaxDelayMs, jitter));
            if (existing is null ? _peers.TryAdd(peer.NodeId, created) : _peers.TryUpdate(peer.NodeId, created, existing))
            {
                created.DialLoop = Task.Run(() => DialLoopAsync(created, _dialing.Token));
                return;
            }
        }
    }

    /// <summary>Removes a node from the whitelist: its connection is closed (<see cref="ConnectionCloseReason.PeerRemoved"/>) and its queued messages dropped.</summary>
    /// <param name="peer">The node.</param>
    /// <returns>Whether it was on the whitelist.</returns>
    public bool RemovePeer(NodeId peer)
    {
        if (!_peers.TryRemove(peer, out var state))
        {
            return false;
        }

        Connection? active;
        lock (state.Gate)
        {
            state.Removed = true;
            active = state.Active;
            state.SignalChanged();
        }

        active?.Close(ConnectionCloseReason.PeerRemoved, "removed from the whitelist");
        state.Queue.Complete();
        state.Queue.Clear();
        return true;
    }

    /// <inheritdoc />
    public ValueTask SendAsync(NodeId peer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) != 0, this);
        if (payload.Length > _options.MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"A payload is at most {_options.MaxPayloadSizeBytes} bytes, got {payload.Length}.", nameof(payload));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (SendTarget(peer) is { } state)
        {
            if (!state.Queue.TryEnqueue(payload.Span))
            {
                TcpTransportMetrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "send_queue_full"));
            }
        }
        else if (peer == LocalNode)
        {
            Deliver(LocalNode, payload.ToArray()); // never a peer (the options refuse it)
        }
        else
        {
            TcpTransportMetrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "unknown_peer"));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Completes when <paramref name="peer"/>'s send queue is at most half full in messages and holds at most 2 MiB
    /// (or half its byte limit, if lower), so a bulk sender (state transfer, a
    /// benchmark) can wait instead of having messages dropped. Completes at once for unknown peers and after dispose.
    /// </summary>
    /// <remarks>
    /// When the task completes because the peer's writer took the queue, the continuation runs on that writer's
    /// thread before it sends what it took, so that a bulk sender refills the queue without a thread hand-off. Continue
    /// with sending, not with blocking work: until the continuation yields, this peer's writes wait.
    /// </remarks>
    /// <param name="peer">The peer.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when there is room.</returns>
    public Task WaitForSendSpaceAsync(NodeId peer, CancellationToken cancellationToken = default) =>
        SendTarget(peer) is { } state ? state.Queue.WaitForSpaceAsync(cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// The peer that messages to <paramref name="peer"/> go to, or null when it is not on the whitelist. Remembers the
    /// last one asked for, so a stream of sends to one peer skips the dictionary (a removed peer is looked up again).
    /// </summary>
    private PeerState? SendTarget(NodeId peer)
    {
        if (_lastSendTarget is { } last && last.Id == peer && !last.Removed)
        {
            return last;
        }

        if (!_peers.TryGetValue(peer, out var state))
        {
            return null;
        }

        _lastSendTarget = state;
        return state;
    }

    /// <summary>
    /// Stops accepting and dialling, lets every connection write what is queued for up to
    /// <see cref="TcpTransportOptions.ShutdownDrainTimeoutMs"/>, closes every socket, waits for every task, then
    /// completes <see cref="Inbound"/> and <see cref="ConnectionEvents"/>. Idempotent.
    /// </summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            _listener?.Dispose();
            await _dialing.CancelAsync().ConfigureAwait(false);
            foreach (var peer in _peers.Values)
            {
                peer.Queue.Complete();
            }

            // Drain: writers finish their queues and half-close; peers answer with end of stream.
            var everything = Task.WhenAll(_connections.Values.Append(_acceptLoop).Concat(_peers.Values.Select(p => p.DialLoop ?? Task.CompletedTask)));
            try
            {
                await everything.WaitAsync(TimeSpan.FromMilliseconds(_options.ShutdownDrainTimeoutMs), _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Peers that did not finish in time are cut below.
            }
            catch (Exception e)
            {
                // A loop that failed must not stop the shutdown: every connection is still closed below.
                _logger.AcceptFailed($"during shutdown: {e.Message}");
            }

            await _shutdown.CancelAsync().ConfigureAwait(false);
            while (!_connections.IsEmpty)
            {
                foreach (var connection in _connections.Keys)
                {
                    connection.Close(ConnectionCloseReason.LocalShutdown, "transport disposed");
                }

                await Task.WhenAll(_connections.Values).ConfigureAwait(false);
            }

            await Task.WhenAll(_peers.Values.Select(p => p.DialLoop ?? Task.CompletedTask).Append(_acceptLoop)).ConfigureAwait(false);
            foreach (var peer in _peers.Values)
            {
                peer.Queue.Clear();
            }

            _inbound.Complete();
            _events.Writer.TryComplete();
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    /// <summary>The admission whitelist as the handshake sees it: the chain a node is configured for, or null.</summary>
    internal ChainId? AdmittedChainOf(NodeId node) =>
        _peers.TryGetValue(node, out var state) && !state.Removed ? state.Config.ChainId : null;

    private void Deliver(NodeId from, byte[] payload)
    {
        if (!_inbound.TryWrite(new InboundMessage(from, payload)))
        {
            TcpTransportMetrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "inbound_full"));
        }
    }

    /// <summary>Queues the messages of one socket read for <see cref="Inbound"/>, in order; those that do not fit are dropped and counted.</summary>
    private void Deliver(ref InboundMessage[] messages, int count, out bool kept)
    {
        if (_inbound.Write(ref messages, count, out kept) is > 0 and var dropped)
        {
            TcpTransportMetrics.Dropped.Add(dropped, new KeyValuePair<string, object?>("reason", "inbound_full"));
        }
    }

    private void Report(ConnectionEvent e) => _events.Writer.TryWrite(e);

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException || e is ObjectDisposedException || cancellationToken.IsCancellationRequested || Volatile.Read(ref _disposing) != 0)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.AcceptFailed(e.Message);
                continue;
            }

            string remote;
            try
            {
                // A peer may reset the connection between accept and here: that connection fails, the loop goes on.
                remote = socket.RemoteEndPoint?.ToString() ?? "?";
                socket.NoDelay = true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
                _logger.AcceptFailed(e.Message);
                continue;
            }

            if (Interlocked.Increment(ref _pendingInbound) > _options.MaxPendingConnections)
            {
                Interlocked.Decrement(ref _pendingInbound);
                socket.Dispose();
                LogClosed(remote, null, ConnectionCloseReason.TooManyPendingConnections,
                    $"{_options.MaxPendingConnections} connections are already waiting to authenticate");
                continue;
            }

            _ = RunConnection(new Connection(this, socket, isDialer: false, expectedPeer: null, remote));
        }
    }

    private async Task DialLoopAsync(PeerState peer, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                EndPoint? endPoint;
                Task changed;
                bool idle;
                lock (peer.Gate)
                {
                    endPoint = peer.Config.EndPoint;
                    changed = peer.Changed.Task;
                    idle = peer.Active is not null || peer.Removed || endPoint is null;
                }

                if (idle)
                {
                    if (peer.Removed)
                    {
                        return;
                    }

                    await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                string? error = await DialOnceAsync(peer, endPoint!, cancellationToken).ConfigureAwait(false);
                var delay = peer.Backoff.Next();
                if (error is not null)
                {
                    _logger.DialFailed(peer.Id, endPoint!, error, delay.TotalMilliseconds);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposing.
        }
    }

    /// <summary>Connects and runs the connection to its end; returns why connecting failed, or null when it connected.</summary>
    private async Task<string?> DialOnceAsync(PeerState peer, EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs), _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
        {
            try
            {
                await socket.ConnectAsync(endPoint, linked.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
                return timeout.IsCancellationRequested ? "connect timed out" : e.Message;
            }
        }

        var connection = new Connection(this, socket, isDialer: true, expectedPeer: peer.Id, endPoint.ToString() ?? "?");
        await RunConnection(connection).ConfigureAwait(false);
        if (connection.WasAuthenticated)
        {
            peer.Backoff.Reset();
            return null;
        }

        return "closed before authentication: " + connection.CloseReason;
    }

    private Task RunConnection(Connection connection)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _connections[connection] = done.Task;
        _ = Task.Run(async () =>
        {
            try
            {
                await connection.RunAsync(_shutdown.Token).ConfigureAwait(false);
            }
            finally
            {
                _connections.TryRemove(connection, out _);
                done.TrySetResult();
            }
        });
        return done.Task;
    }

    /// <summary>Called by a connection whose handshake succeeded; false when it must close (duplicate, removed, shutting down).</summary>
    private bool OnAuthenticated(Connection connection, out ConnectionCloseReason refusal)
    {
        refusal = ConnectionCloseReason.None;
        if (!_peers.TryGetValue(connection.Peer, out var peer))
        {
            refusal = ConnectionCloseReason.PeerRemoved;
            return false;
        }

        Connection? replaced = null;
        lock (peer.Gate)
        {
            if (peer.Removed || Volatile.Read(ref _disposing) != 0)
            {
                refusal = peer.Removed ? ConnectionCloseReason.PeerRemoved : ConnectionCloseReason.LocalShutdown;
                return false;
            }

            if (peer.Active is { } existing)
            {
                if (!Prefers(connection, existing))
                {
                    refusal = ConnectionCloseReason.DuplicateConnection;
                    return false;
                }

                replaced = existing;
            }

            // Marked authenticated before it is published, so whatever fails from here on, closing it clears Active.
            connection.WasAuthenticated = true;
            connection.PeerState = peer;
            peer.Active = connection;
            peer.SignalChanged();

            // Reported under the gate, so a peer's events are in the order its state changed. A swap is silent unless
            // the replaced connection's writer took messages (they may be lost with it): then it is reported as the
            // end of that connection, so a gap in what a peer receives always follows a Disconnected event here. The
            // writer takes under this gate, so it either took before the swap (and this sees it) or stops.
            if (replaced is { CarriedMessages: true })
            {
                Report(new ConnectionEvent(connection.Peer, ConnectionEventKind.Disconnected, ConnectionCloseReason.DuplicateConnection));
            }

            if (replaced is null or { CarriedMessages: true })
            {
                Report(new ConnectionEvent(connection.Peer, ConnectionEventKind.Connected, ConnectionCloseReason.None));
            }
        }

        TcpTransportMetrics.Handshakes.Add(1, new KeyValuePair<string, object?>("direction", connection.IsDialer ? "outbound" : "inbound"));
        if (replaced is null)
        {
            _logger.Connected(connection.Peer, connection.IsDialer ? "outbound" : "inbound", connection.RemoteEndPoint);
        }
        else
        {
            replaced.Close(ConnectionCloseReason.DuplicateConnection, "replaced by the connection the tie-break keeps");
        }

        return true;
    }

    /// <summary>
    /// The tie-break between two authenticated connections to one peer, the same on both nodes: keep the one dialled
    /// by the lower node id; of two dialled by the same node, keep the newer (its dialler probably restarted).
    /// </summary>
    private bool Prefers(Connection candidate, Connection existing) =>
        Prefers(candidate.IsDialer ? LocalNode : candidate.Peer, existing.IsDialer ? LocalNode : existing.Peer);

    /// <summary>The tie-break on the two connections' diallers (pure, for tests).</summary>
    internal static bool Prefers(NodeId candidateDialer, NodeId existingDialer) =>
        candidateDialer == existingDialer || candidateDialer.CompareTo(existingDialer) < 0;

    /// <summary>Whether the active connection to <paramref name="peer"/> has stopped reading for the consumer; null when there is none (for tests).</summary>
    internal bool? IsReadingPaused(NodeId peer) =>
        _peers.TryGetValue(peer, out var state) && state.Active is { } active ? active.IsReadingPaused : null;

    /// <summary>Whether a write to <paramref name="peer"/>'s active connection is waiting to complete; null when there is none (for tests).</summary>
    internal bool? IsWriting(NodeId peer) =>
        _peers.TryGetValue(peer, out var state) && state.Active is { } active ? active.IsWriting : null;

    /// <summary>Socket reads that returned bytes on the active connection to <paramref name="peer"/> so far; null when there is none (for tests).</summary>
    internal long? Reads(NodeId peer) =>
        _peers.TryGetValue(peer, out var state) && state.Active is { } active ? active.Reads : null;

    /// <summary>Why the active connection to <paramref name="peer"/> is closing (set at once, before it is torn down), <see cref="ConnectionCloseReason.None"/> while it is not; null when there is none (for tests).</summary>
    internal ConnectionCloseReason? ClosingReason(NodeId peer) =>
        _peers.TryGetValue(peer, out var state) && state.Active is { } active ? active.CloseReason : null;

    /// <summary>Whether the active connection to <paramref name="peer"/> was dialled by this node; null when there is none (for tests).</summary>
    internal bool? IsActiveOutbound(NodeId peer) =>
        _peers.TryGetValue(peer, out var state) && state.Active is { } active ? active.IsDialer : null;

    private void OnClosed(Connection connection, ConnectionCloseReason reason)
    {
        // The connection's own peer state, not a lookup: a peer just removed from the whitelist still gets its event.
        if (!connection.WasAuthenticated || connection.PeerState is not { } peer)
        {
            return;
        }

        lock (peer.Gate)
        {
            if (peer.Active == connection)
            {
                peer.Active = null;
                peer.SignalChanged();
                Report(new ConnectionEvent(connection.Peer, ConnectionEventKind.Disconnected, reason));
            }
        }
    }

    private void LogClosed(string remote, NodeId? peer, ConnectionCloseReason reason, string detail)
    {
        var level = reason switch
        {
            ConnectionCloseReason.LocalShutdown or ConnectionCloseReason.RemoteClosed or ConnectionCloseReason.DuplicateConnection or ConnectionCloseReason.PeerRemoved => LogLevel.Information,
            ConnectionCloseReason.NetworkError or ConnectionCloseReason.IdleTimeout => LogLevel.Information,
            _ => LogLevel.Warning,
        };
        _logger.ConnectionClosed(level, remote, peer, reason, detail);
        TcpTransportMetrics.ConnectionsClosed.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
    }

    /// <summary>One whitelisted peer: its configuration, send queue, active connection and dial loop.</summary>
    private sealed class PeerState(TcpPeer config, SendQueue queue, ReconnectBackoff backoff)
    {
        /// <summary>Guards <see cref="Config"/>, <see cref="Active"/>, <see cref="Removed"/> and <see cref="Changed"/>.</summary>
        public Lock Gate { get; } = new();

        public NodeId Id { get; } = config.NodeId;

        public TcpPeer Config { get; set; } = config;

        public SendQueue Queue { get; } = queue;

        public ReconnectBackoff Backoff { get; } = backoff;

        /// <summary>The one authenticated connection messages are written to, or null.</summary>
        public Connection? Active { get; set; }

        public bool Removed { get; set; }

        /// <summary>Completed (and replaced) whenever <see cref="Active"/>, <see cref="Config"/> or <see cref="Removed"/> changes: wakes the dial loop.</summary>
        public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? DialLoop { get; set; }

        public void SignalChanged()
        {
            Debug.Assert(Gate.IsHeldByCurrentThread, "SignalChanged is called under Gate");
            var old = Changed;
            Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }
}
