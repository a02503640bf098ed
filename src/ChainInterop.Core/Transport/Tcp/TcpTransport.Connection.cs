using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

public sealed partial class TcpTransport
{
    /// <summary>
    /// One TCP connection: TLS (optional), the handshake under its deadline, then a read loop and a write loop until
    /// either ends; the first reason to close wins and is logged. Never throws out of <see cref="RunAsync"/>.
    /// </summary>
    private sealed class Connection : IDisposable, IFrameSink
    {
        private readonly TcpTransport _owner;
        private readonly Socket _socket;
        private readonly NodeId? _expectedPeer;
        private readonly CancellationTokenSource _closing = new();
        private Stream? _stream;
        private PipeReader? _input;
        private PipeWriter? _output;
        private string _closeDetail = string.Empty;
        private int _closeReason;
        // Activity is noted with a flag on the hot paths and turned into time by the keep-alive tick, so reading and
        // writing never reads the clock. Idle and keep-alive decisions are late by at most one tick. Liveness
        // (OnKeepAliveTick): any bytes received, the read loop paused for the consumer, bytes waiting unread in the
        // socket, or a write waiting on a peer whose kernel answers (TCP flow control).
        private IdleWatch _idle;
        private long _lastTick;
        private long _lastSent;
        private long _reads; // socket reads that returned bytes, and resumptions after a pause (by the read loop only)
        private long _readsAtLastTick; // (by the tick only)
        private volatile bool _sentSinceTick;
        private volatile bool _paused; // not reading until the consumer catches up (IFrameSink.WaitForRoomAsync)
        private volatile bool _writing; // a write to the socket has not completed yet
        private long _writes; // writes started (by the writer only)
        private long _writeAtLastTick = -1; // the write that was waiting at the previous tick, or -1 (by the tick only)
        private int _ticking; // 1 while a keep-alive tick runs (a late tick overlapping the previous one is skipped)
        private bool _carriedMessages; // the writer took messages for this connection; guarded by the peer's Gate
        private bool _pendingSlotHeld;
        // Messages parsed from the current socket read, handed to Inbound together (IFrameSink.Flush).
        private InboundMessage[] _received = new InboundMessage[InboundQueue.BatchSlots];
        private int _receivedCount;

        public Connection(TcpTransport owner, Socket socket, bool isDialer, NodeId? expectedPeer, string remoteEndPoint)
        {
            _owner = owner;
            _socket = socket;
            IsDialer = isDialer;
            _expectedPeer = expectedPeer;
            RemoteEndPoint = remoteEndPoint;
            _pendingSlotHeld = !isDialer;
        }

        public bool IsDialer { get; }

        public string RemoteEndPoint { get; }

        /// <summary>The authenticated peer (valid once <see cref="WasAuthenticated"/>).</summary>
        public NodeId Peer { get; private set; }

        public bool WasAuthenticated { get; set; }

        /// <summary>The peer this connection serves; set when it becomes the active one.</summary>
        public PeerState? PeerState { get; set; }

        /// <summary>The peer's send queue this connection writes from.</summary>
        private SendQueue? Queue => PeerState?.Queue;

        /// <summary>
        /// Whether this connection's writer took messages from the queue: if it is replaced, they may be lost with it.
        /// Read and written under the peer's <see cref="PeerState.Gate"/>, where the writer takes and a replacement
        /// swaps <see cref="PeerState.Active"/>.
        /// </summary>
        public bool CarriedMessages => _carriedMessages;

        /// <summary>Whether the read loop waits for the consumer (for tests and diagnostics).</summary>
        public bool IsReadingPaused => _paused;

        /// <summary>Whether a write to the socket is waiting to complete (for tests and diagnostics).</summary>
        public bool IsWriting => _writing;

        /// <summary>Socket reads that returned bytes so far, and resumptions after a pause (for tests and diagnostics).</summary>
        public long Reads => Volatile.Read(ref _reads);

        public ConnectionCloseReason CloseReason => (ConnectionCloseReason)Volatile.Read(ref _closeReason);

        private TcpTransportOptions Options => _owner._options;

        /// <summary>Closes the connection for <paramref name="reason"/> unless it is already closing for another.</summary>
        public void Close(ConnectionCloseReason reason, string detail)
        {
            if (TrySetReason(reason, detail))
            {
                try
                {
                    _closing.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Already finished.
                }
            }
        }

        public async Task RunAsync(CancellationToken shutdown)
        {
            using var registration = shutdown.Register(() => Close(ConnectionCloseReason.LocalShutdown, "transport disposed"));
            ITimer? keepAlive = null;
            try
            {
                if (await AuthenticateAsync().ConfigureAwait(false))
                {
                    // The clock starts before the connection is published, so whoever sees it active sees it watched.
                    _lastTick = _lastSent = _owner._time.GetTimestamp();
                    var period = TimeSpan.FromMilliseconds(Math.Max(1, Options.KeepAliveIntervalMs / 2));
                    _idle = new IdleWatch(TimeSpan.FromMilliseconds(Options.IdleTimeoutMs), period);
                    keepAlive = _owner._time.CreateTimer(static state => ((Connection)state!).OnKeepAliveTick(), this, period, period);
                    if (!_owner.OnAuthenticated(this, out var refusal))
                    {
                        Close(refusal, "refused after the handshake");
                    }
                    else
                    {
                        await ExchangeAsync().ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e)
            {
                Close(ConnectionCloseReason.NetworkError, e.GetType().Name + ": " + e.Message);
            }
            finally
            {
                ReleasePendingSlot();
                if (keepAlive is not null)
                {
                    await keepAlive.DisposeAsync().ConfigureAwait(false);
                }

                Close(ConnectionCloseReason.NetworkError, "connection ended");
                await TearDownAsync().ConfigureAwait(false);
                _owner.OnClosed(this, CloseReason);
                _owner.LogClosed(RemoteEndPoint, WasAuthenticated ? Peer : null, CloseReason, _closeDetail);
                Dispose();
            }
        }

        public void Dispose() => _closing.Dispose();

        private bool TrySetReason(ConnectionCloseReason reason, string detail)
        {
            if (Interlocked.CompareExchange(ref _closeReason, (int)reason, (int)ConnectionCloseReason.None) != (int)ConnectionCloseReason.None)
            {
                return false;
            }

            _closeDetail = detail;
            return true;
        }

        /// <summary>TLS and the signed handshake under the handshake deadline; false when the connection must close (reason set).</summary>
        private async Task<bool> AuthenticateAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(Options.HandshakeTimeoutMs), _owner._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _closing.Token);
            try
            {
                Stream stream = new NetworkStream(_socket, ownsSocket: false);
                _stream = stream;
                byte[] channelBinding = [];
                if (Options.Tls is { } tls)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    _stream = ssl;
                    if (IsDialer)
                    {
                        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                        {
                            TargetHost = "chaininterop-node",
                            EnabledSslProtocols = tls.EnabledProtocols,

                            // Identity is proved by the signed transcript, which is bound to this certificate's hash;
                            // so any certificate that TLS itself accepts as well-formed will do (self-signed is fine).
                            RemoteCertificateValidationCallback = static (_, certificate, _, errors) => certificate is not null &&
                                (errors & ~(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch)) == SslPolicyErrors.None,
                        }, linked.Token).ConfigureAwait(false);
                        channelBinding = SHA256.HashData(ssl.RemoteCertificate!.GetRawCertData());
                    }
                    else
                    {
                        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                        {
                            ServerCertificate = tls.Certificate,
                            ClientCertificateRequired = false,
                            EnabledSslProtocols = tls.EnabledProtocols,
                        }, linked.Token).ConfigureAwait(false);
                        channelBinding = SHA256.HashData(tls.Certificate!.RawData);
                    }
                }

                _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: PipeBufferSizeBytes, minimumReadSize: 16 * 1024, leaveOpen: true));
                _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: PipeBufferSizeBytes, leaveOpen: true));
                return await HandshakeAsync(channelBinding, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                Close(ConnectionCloseReason.HandshakeTimeout, $"not authenticated within {Options.HandshakeTimeoutMs} ms");
                return false;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (Exception e) when (e is AuthenticationException or IOException or SocketException)
            {
                Close(ConnectionCloseReason.NetworkError, (e is AuthenticationException ? "TLS: " : string.Empty) + e.Message);
                return false;
            }
            finally
            {
                ReleasePendingSlot();
            }
        }

        private async Task<bool> HandshakeAsync(byte[] channelBinding, CancellationToken cancellationToken)
        {
            Span<byte> nonce = stackalloc byte[Handshake.NonceSizeBytes];
            RandomNumberGenerator.Fill(nonce);
            var handshake = new Handshake(_owner._key, _owner.ChainId, IsDialer, _expectedPeer, _owner.AdmittedChainOf, nonce, channelBinding);
            await WriteHandshakeFrameAsync(handshake.CreateHello(), cancellationToken).ConfigureAwait(false);
            while (true)
            {
                HandshakeStep step = default;
                var decision = await FrameReader.ReadFramesAsync(_input!, Handshake.MaxMessageSizeBytes, payload =>
                {
                    step = handshake.OnMessage(payload);
                    return step.Failure != ConnectionCloseReason.None
                        ? FrameDecision.Close(step.Failure, step.Detail ?? string.Empty)
                        : FrameDecision.Pause;
                }, cancellationToken).ConfigureAwait(false);
                if (decision.Reason != ConnectionCloseReason.None)
                {
                    Close(decision.Reason, "during the handshake: " + decision.Detail);
                    return false;
                }

                if (step.Reply is not null)
                {
                    await WriteHandshakeFrameAsync(step.Reply, cancellationToken).ConfigureAwait(false);
                }

                if (step.IsComplete)
                {
                    Peer = handshake.Peer;
                    return true;
                }
            }
        }

        private async ValueTask WriteHandshakeFrameAsync(byte[] message, CancellationToken cancellationToken)
        {
            Frame.Write(_output!, message);
            await _output!.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The authenticated life: read and write until one side ends.</summary>
        private async Task ExchangeAsync()
        {
            var token = _closing.Token;
            var read = ReadLoopAsync(token);
            var write = WriteLoopAsync(token);
            if (await Task.WhenAny(read, write).ConfigureAwait(false) == write && write.Result)
            {
                // Drained for shutdown: half-close so the peer reads everything, then wait for its end of stream
                // (the transport cuts us at the drain deadline otherwise).
                TrySetReason(ConnectionCloseReason.LocalShutdown, "transport disposed");
                try
                {
                    await _output!.CompleteAsync().ConfigureAwait(false);
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    // The peer is gone already; the read loop below still ends (and is awaited) before tear-down.
                    Close(ConnectionCloseReason.NetworkError, e.Message);
                }
            }

            await read.ConfigureAwait(false);
            Close(ConnectionCloseReason.NetworkError, "read loop ended");
            await write.ConfigureAwait(false);
        }

        private async Task ReadLoopAsync(CancellationToken cancellationToken)
        {
            try
            {
                // Whatever the handshake's pipe read beyond the handshake comes first; from here on the socket is read
                // straight into arenas that become the messages.
                byte[] buffered = [];
                if (_input!.TryRead(out var rest))
                {
                    buffered = rest.Buffer.ToArray();
                    _input.AdvanceTo(rest.Buffer.End);
                }

                var decision = await ArenaFrameReader.ReadFramesAsync(_stream!, buffered, WireFrame.MaxFramePayloadBytes(Options.MaxPayloadSizeBytes), this, cancellationToken,
                    Options.Tls is null ? _socket : null, _owner._receiveBuffers).ConfigureAwait(false);
                Close(decision.Reason, decision.Detail ?? string.Empty);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Closing for a reason already set.
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Close(ConnectionCloseReason.NetworkError, e.Message);
            }
        }

        FrameDecision IFrameSink.OnFrame(ReadOnlyMemory<byte> payload, PooledFrame? owner)
        {
            if (payload.IsEmpty)
            {
                return FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, "empty frame");
            }

            switch (payload.Span[0])
            {
                case WireFrame.Messages:
                    var records = payload[1..];
                    if (WireFrame.CheckRecords(records.Span, Options.MaxPayloadSizeBytes) is { } malformed)
                    {
                        return FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, malformed);
                    }

                    // Both readers hand on array slices; the records are cut from the array by offset (no Memory.Span per record).
                    if (!MemoryMarshal.TryGetArray(records, out var body))
                    {
                        body = new ArraySegment<byte>(records.ToArray());
                    }

                    var bytes = body.Array!;
                    for (int offset = body.Offset, end = body.Offset + body.Count; offset < end;)
                    {
                        if (_receivedCount == _received.Length)
                        {
                            ((IFrameSink)this).Flush();
                        }

                        // An arena is never reused: the message owns its slice. A pooled buffer is lent to the message
                        // until it is released.
                        var message = WireFrame.TakeRecord(bytes, ref offset);
                        _received[_receivedCount++] = owner is null ? new InboundMessage(Peer, message) : new InboundMessage(Peer, message, owner, owner.Lend());
                    }

                    return FrameDecision.Continue;
                case WireFrame.Ping:
                    return payload.Length == 1 ? FrameDecision.Continue : FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, "keep-alive with a body");
                default:
                    return FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, $"unknown frame kind {payload.Span[0]}");
            }
        }

        ValueTask IFrameSink.WaitForRoomAsync(CancellationToken cancellationToken)
        {
            var room = _owner._inbound.WaitForRoomAsync(cancellationToken);
            return room.IsCompleted ? room : PausedAsync(room);
        }

        /// <summary>Waits for the consumer; meanwhile the connection counts as alive (it is this node, not the peer, that is not reading).</summary>
        private async ValueTask PausedAsync(ValueTask room)
        {
            _paused = true;
            try
            {
                await room.ConfigureAwait(false);
            }
            finally
            {
                _paused = false;
                Volatile.Write(ref _reads, _reads + 1);
            }
        }

        void IFrameSink.OnBytesReceived() => Volatile.Write(ref _reads, _reads + 1);

        void IFrameSink.Flush()
        {
            int count = _receivedCount;
            if (count == 0)
            {
                return;
            }

            _owner.Deliver(ref _received, count, out bool kept);
            TcpTransportMetrics.FramesReceived.Add(count);
            if (!kept)
            {
                Array.Clear(_received, 0, count); // the slots must not keep the arenas alive (a kept batch came back clear)
            }

            _receivedCount = 0;
        }

        /// <summary>Writes queued frames batch by batch, awaiting each write's flush; true when the queue was completed and drained (shutdown).</summary>
        private async Task<bool> WriteLoopAsync(CancellationToken cancellationToken)
        {
            var queue = Queue!;

            // The handshake's pipe writer has nothing buffered (every handshake frame was flushed): blocks go to the
            // stream directly, without a copy into the pipe.
            var output = _stream!;
            var gather = Options.Tls is null ? new List<ArraySegment<byte>>() : null;
            try
            {
                while (await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (TakeBatch(queue) is not { } batch)
                    {
                        return false; // replaced: the connection that replaced this one writes from here on
                    }

                    long bytes = 0;
                    bool written = false;
                    Volatile.Write(ref _writes, _writes + 1);
                    _writing = true;
                    try
                    {
                        // Backpressure: a write completes only when the socket took the bytes, so a peer that does not
                        // read stops this loop and only its own queue fills.
                        if (gather is not null && batch.Blocks.Count > 1)
                        {
                            // Plain TCP: every block in one gathering write.
                            gather.Clear();
                            foreach (var block in batch.Blocks)
                            {
                                gather.Add(new ArraySegment<byte>(block.Buffer, 0, block.Used));
                                bytes += block.Used;
                            }

                            await _socket.SendAsync(gather, SocketFlags.None).WaitAsync(cancellationToken).ConfigureAwait(false);
                        }
                        else
                        {
                            foreach (var block in batch.Blocks)
                            {
                                await output.WriteAsync(block.Frames, cancellationToken).ConfigureAwait(false);
                                bytes += block.Used;
                            }
                        }

                        written = true;
                    }
                    finally
                    {
                        _writing = false;
                        if (written)
                        {
                            // Only blocks the socket is done with are reused (an abandoned gathering write may still read them).
                            queue.Recycle(batch);
                        }
                        else if (batch.DataFrames > 0)
                        {
                            // Lost with the connection (its Disconnected event says so); those already written may be too.
                            TcpTransportMetrics.Dropped.Add(batch.DataFrames, new KeyValuePair<string, object?>("reason", "connection_lost"));
                        }
                    }

                    _sentSinceTick = true;
                    TcpTransportMetrics.FramesSent.Add(batch.DataFrames);
                    TcpTransportMetrics.BytesSent.Add(bytes);
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Close(ConnectionCloseReason.NetworkError, e.Message);
                return false;
            }
        }

        /// <summary>
        /// Takes everything queued, unless this connection is no longer the peer's active one. Taken under the peer's
        /// gate, so that a replacement either stops this writer or sees that it carried messages (and reports it); the
        /// waiting bulk sender is woken and the frames sealed outside it.
        /// </summary>
        private SendBatch? TakeBatch(SendQueue queue)
        {
            var peer = PeerState!;
            SendBatch batch;
            TaskCompletionSource? space;
            lock (peer.Gate)
            {
                if (peer.Active != this)
                {
                    return null;
                }

                batch = queue.Take(out space);
                _carriedMessages |= batch.DataFrames > 0;
            }

            SendQueue.Finish(batch, space);
            return batch;
        }

        private void OnKeepAliveTick()
        {
            // A starved thread pool can run two ticks at once; the later has nothing to add.
            if (Interlocked.Exchange(ref _ticking, 1) != 0)
            {
                return;
            }

            try
            {
                long now = _owner._time.GetTimestamp();
                var sinceTick = _owner._time.GetElapsedTime(_lastTick, now);
                _lastTick = now;

                // The peer is alive if bytes came from it; if this node is not reading (paused for its consumer, or its
                // read loop has not run: bytes wait in the socket), the peer cannot be blamed; and a write that has
                // waited since the previous tick while the peer's kernel answers waits for TCP flow control (the peer's
                // application is not reading), not for a dead peer. The socket is asked only when nothing else showed life.
                bool writing = _writing;
                long writes = Volatile.Read(ref _writes);
                bool writeWaited = writing && writes == _writeAtLastTick;
                _writeAtLastTick = writing ? writes : -1;
                long reads = Volatile.Read(ref _reads);
                bool received = reads != _readsAtLastTick;
                _readsAtLastTick = reads;
                bool alive = received || _paused
                    || TcpKernelState.HasUnreadBytes(_socket) || (writeWaited && TcpKernelState.PeerKernelAnswers(_socket));
                if (_idle.Observe(sinceTick, alive))
                {
                    Close(ConnectionCloseReason.IdleTimeout, $"nothing received for {Options.IdleTimeoutMs} ms");
                    return;
                }

                if (_sentSinceTick)
                {
                    _sentSinceTick = false;
                    _lastSent = now;
                }
                else if (_owner._time.GetElapsedTime(_lastSent, now).TotalMilliseconds >= Options.KeepAliveIntervalMs)
                {
                    Queue?.EnqueuePing();
                }
            }
            finally
            {
                Volatile.Write(ref _ticking, 0);
            }
        }

        private void ReleasePendingSlot()
        {
            if (_pendingSlotHeld)
            {
                _pendingSlotHeld = false;
                Interlocked.Decrement(ref _owner._pendingInbound);
            }
        }

        private async Task TearDownAsync()
        {
            // The socket goes first: it aborts any write stuck on a peer that stopped reading, so completing the
            // pipes below cannot hang.
            _socket.Dispose();
            if (_output is not null)
            {
                try
                {
                    await _output.CompleteAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    // The socket is closed; unwritten bytes are lost, as the close reason says.
                }
            }

            if (_input is not null)
            {
                await _input.CompleteAsync().ConfigureAwait(false);
            }

            if (_stream is not null)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
