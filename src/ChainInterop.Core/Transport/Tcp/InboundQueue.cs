using System.Threading.Channels;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// <see cref="TcpTransport.Inbound"/>: a bounded queue of received messages for one reader at a time, filled a batch
/// at a time. A connection publishes every message it parsed from one socket read under one lock, and the reader
/// takes everything published under one lock and then reads it without any: per message there is no lock, no
/// interlocked operation and no allocation. Policy when full: the newest messages are dropped (as with the bounded
/// channel it replaces, <see cref="BoundedChannelFullMode.DropWrite"/>), and the caller counts them.
/// Before it is full, it pushes back: while more than <see cref="PauseAboveBytes"/> of payload wait, connections stop
/// reading (<see cref="WaitForRoomAsync"/>), so a consumer that falls behind slows its senders through TCP flow control
/// instead of making the node buffer (and, at the bound, drop) what they send.
/// </summary>
/// <remarks>
/// The bound counts the messages published and not yet taken plus the whole batch the reader is working through
/// (until its last message is read), so it is never exceeded. Slots are cleared as they are read: a queue never
/// keeps a message's bytes alive after the reader has it.
/// </remarks>
internal sealed class InboundQueue : ChannelReader<InboundMessage>
{
    /// <summary>Initial size of the batch arrays (a connection's batch is as long).</summary>
    public const int BatchSlots = 256;

    /// <summary>
    /// Payload bytes waiting (published, or in the batch the reader is working through) above which connections stop
    /// reading until the reader has caught up (256 KiB). Small on purpose: the receive buffers in use then stay few
    /// and in cache, which measured +13–19 % throughput for 256-byte messages on loopback (docs/BENCHMARKS.md, fourth
    /// pass); the socket's own buffer keeps the peer sending meanwhile.
    /// </summary>
    public const long PauseAboveBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate.
    private InboundMessage[] _incoming = new InboundMessage[BatchSlots];
    private int _incomingCount;
    private int _outstanding; // messages of the reader's current batch, until it has read them all
    private bool _completed;
    private TaskCompletionSource<bool>? _waiter;
    private TaskCompletionSource? _room;
    private long _incomingBytes; // payload bytes of the published messages
    private long _outstandingBytes; // payload bytes of the reader's current batch, until it has read them all

    // The reader's own batch (touched by the reader only).
    private InboundMessage[] _reading = new InboundMessage[BatchSlots];
    private int _readIndex;
    private int _readCount;

    public InboundQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <inheritdoc />
    public override Task Completion => _completion.Task;

    /// <inheritdoc />
    public override bool CanCount => true;

    /// <inheritdoc />
    public override int Count
    {
        get
        {
            lock (_gate)
            {
                return _incomingCount + Math.Max(0, _readCount - Volatile.Read(ref _readIndex));
            }
        }
    }

    /// <summary>Queues one message; false when it was dropped (full or completed).</summary>
    public bool TryWrite(in InboundMessage message) => Write(new ReadOnlySpan<InboundMessage>(in message)) == 0;

    /// <summary>Queues <paramref name="messages"/> in order, as many as fit.</summary>
    /// <returns>How many were dropped (the last ones), because the queue is full or completed.</returns>
    public int Write(ReadOnlySpan<InboundMessage> messages)
    {
        if (messages.IsEmpty)
        {
            return 0;
        }

        TaskCompletionSource<bool>? wake;
        int accepted;
        lock (_gate)
        {
            if (_completed)
            {
                return messages.Length;
            }

            accepted = Math.Min(messages.Length, _capacity - _incomingCount - _outstanding);
            if (accepted <= 0)
            {
                return messages.Length;
            }

            if (_incoming.Length - _incomingCount < accepted)
            {
                Array.Resize(ref _incoming, Math.Min(Math.Max(_incoming.Length * 2, _incomingCount + accepted), Math.Max(_capacity, _incomingCount + accepted)));
            }

            messages[..accepted].CopyTo(_incoming.AsSpan(_incomingCount));
            _incomingCount += accepted;
            _incomingBytes += PayloadBytes(messages[..accepted]);
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult(true);
        return messages.Length - accepted;
    }

    /// <summary>
    /// Queues the first <paramref name="count"/> messages of <paramref name="batch"/> in order, as many as fit. When the
    /// queue holds nothing and takes them all, it keeps <paramref name="batch"/> itself and hands back its own empty
    /// array in its place (<paramref name="kept"/>: no copy, and the array handed back is already clear); otherwise it
    /// copies them, and the caller still owns (and should clear) <paramref name="batch"/>.
    /// </summary>
    /// <returns>How many were dropped (the last ones), because the queue is full or completed.</returns>
    public int Write(ref InboundMessage[] batch, int count, out bool kept)
    {
        kept = false;
        if (count == 0)
        {
            return 0;
        }

        TaskCompletionSource<bool>? wake = null;
        lock (_gate)
        {
            if (!_completed && _incomingCount == 0 && count <= _capacity - _outstanding && _incoming.Length == batch.Length)
            {
                // Every slot of an empty incoming array is clear (slots are cleared as they are read). Only arrays of
                // one size trade places, so a queue that grew under a lagging reader hands no connection its big array.
                (_incoming, batch) = (batch, _incoming);
                _incomingCount = count;
                _incomingBytes = PayloadBytes(_incoming.AsSpan(0, count));
                kept = true;
                wake = _waiter;
                _waiter = null;
            }
        }

        if (!kept)
        {
            return Write(batch.AsSpan(0, count));
        }

        wake?.TrySetResult(true);
        return 0;
    }

    /// <summary>No more messages: the reader gets what is queued, then the end (<see cref="Completion"/> completes once it has read everything).</summary>
    public void Complete()
    {
        TaskCompletionSource<bool>? wake;
        TaskCompletionSource? room;
        bool drained;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            drained = _incomingCount == 0 && _outstanding == 0;
            wake = _waiter;
            _waiter = null;
            (room, _room) = (_room, null);
        }

        wake?.TrySetResult(false);
        room?.TrySetResult();
        if (drained)
        {
            _completion.TrySetResult();
        }
    }

    /// <inheritdoc />
    public override bool TryRead(out InboundMessage item)
    {
        if (_readIndex < _readCount || TakeIncoming())
        {
            ref var slot = ref _reading[_readIndex];
            item = slot;
            slot = default;
            if (++_readIndex == _readCount)
            {
                BatchRead();
            }

            return true;
        }

        item = default;
        return false;
    }

    /// <inheritdoc />
    public override bool TryPeek(out InboundMessage item)
    {
        if (_readIndex < _readCount || TakeIncoming())
        {
            item = _reading[_readIndex];
            return true;
        }

        item = default;
        return false;
    }

    /// <inheritdoc />
    public override bool CanPeek => true;

    /// <inheritdoc />
    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        if (_readIndex < _readCount)
        {
            return new ValueTask<bool>(true);
        }

        Task<bool> wait;
        lock (_gate)
        {
            if (_incomingCount > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
        }

        return new ValueTask<bool>(cancellationToken.CanBeCanceled ? wait.WaitAsync(cancellationToken) : wait);
    }

    /// <summary>
    /// Completes when at most <see cref="PauseAboveBytes"/> of payload wait (usually at once, without the lock), or when
    /// the queue is completed: a connection awaits it before each socket read.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when there is room.</returns>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        // Without the lock first (before every socket read): a stale value only sends us to the locked check.
        if (Volatile.Read(ref _incomingBytes) + Volatile.Read(ref _outstandingBytes) <= PauseAboveBytes)
        {
            return ValueTask.CompletedTask;
        }

        Task wait;
        lock (_gate)
        {
            if (_completed || _incomingBytes + _outstandingBytes <= PauseAboveBytes)
            {
                return ValueTask.CompletedTask;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _room.Task;
        }

        return new ValueTask(cancellationToken.CanBeCanceled ? wait.WaitAsync(cancellationToken) : wait);
    }

    /// <summary>Swaps the published messages in as the reader's batch; false when there are none.</summary>
    private bool TakeIncoming()
    {
        lock (_gate)
        {
            if (_incomingCount == 0)
            {
                return false;
            }

            (_reading, _incoming) = (_incoming, _reading);
            _readCount = _incomingCount;
            _readIndex = 0;
            _outstanding = _incomingCount;
            _incomingCount = 0;
            _outstandingBytes = _incomingBytes;
            _incomingBytes = 0;
            return true;
        }
    }

    /// <summary>The reader has read its whole batch: it no longer counts against the bound; completes <see cref="Completion"/> at the end.</summary>
    private void BatchRead()
    {
        bool drained;
        TaskCompletionSource? room = null;
        lock (_gate)
        {
            _outstanding = 0;
            _outstandingBytes = 0;
            _readIndex = _readCount = 0;
            drained = _completed && _incomingCount == 0;
            if (_incomingBytes <= PauseAboveBytes)
            {
                (room, _room) = (_room, null);
            }
        }

        room?.TrySetResult();
        if (drained)
        {
            _completion.TrySetResult();
        }
    }

    private static long PayloadBytes(ReadOnlySpan<InboundMessage> messages)
    {
        long bytes = 0;
        foreach (ref readonly var message in messages)
        {
            bytes += message.Payload.Length;
        }

        return bytes;
    }
}
