namespace ChainInterop.Transport.Tcp;

/// <summary>
/// The frames waiting to be written to one peer, bounded in frames and in bytes. Policy when full: the new frame is
/// dropped (drop newest) and counted; protocols retransmit, and refusing at the door keeps the frames already queued
/// in order.
/// </summary>
/// <remarks>
/// <para>
/// Frames are encoded (header, CRC, kind byte) straight into 256 KiB blocks that are reused, so a send costs one lock,
/// one checksum and one copy, and the writer takes every queued block at once and hands each to the socket whole:
/// no per-frame allocation, queue node or atomic counter. A block only ever holds whole frames, so whatever the
/// writer takes ends on a frame boundary, and the next connection starts on one too.
/// </para>
/// <para>The queue outlives connections: frames sent while a peer is unreachable wait here for the next one. The
/// limits count what is queued; a batch the writer has taken (at most one queue's worth) is not counted.</para>
/// </remarks>
internal sealed class SendQueue
{
    /// <summary>
    /// A waiting bulk sender resumes once at most this many bytes are queued (or half the limit, if lower): enough to
    /// keep a socket busy, small enough that the blocks in flight are reused instead of allocated.
    /// </summary>
    public const long LowWatermarkBytes = 1024 * 1024;

    /// <summary>Size of a queue block, in bytes; a larger frame gets a block of its own (not reused).</summary>
    public const int BlockSizeBytes = 256 * 1024;

    /// <summary>Blocks kept for reuse per peer (2 MiB).</summary>
    private const int MaxFreeBlocks = 8;

    private readonly object _gate = new();
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private readonly Stack<byte[]> _free = new();

    // Guarded by _gate. Invariant: every block in _blocks holds whole frames; _frames and _bytes count the data
    // frames in _blocks (keep-alives are not counted).
    private List<QueueBlock> _blocks = [];
    private List<QueueBlock>? _spare;
    private int _frames;
    private long _bytes;
    private bool _completed;
    private TaskCompletionSource? _readable;
    private TaskCompletionSource? _space;

    public SendQueue(int maxFrames, long maxBytes)
    {
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
    }

    public int Frames
    {
        get
        {
            lock (_gate)
            {
                return _frames;
            }
        }
    }

    /// <summary>Encodes and queues <paramref name="message"/>; false when the queue is full or completed (the message is dropped).</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> message)
    {
        int size = WireFrame.OverheadBytes + message.Length;
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completed || _frames >= _maxFrames || _bytes + size > _maxBytes)
            {
                return false;
            }

            WireFrame.WriteData(Reserve(size), message);
            _frames++;
            _bytes += size;
            wake = _readable;
            _readable = null;
        }

        wake?.TrySetResult();
        return true;
    }

    /// <summary>Queues one keep-alive, unless frames are already waiting (they keep the connection alive anyway).</summary>
    public void EnqueuePing()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            if (_completed || _blocks.Count > 0)
            {
                return;
            }

            WireFrame.PingFrame.CopyTo(Reserve(WireFrame.PingFrame.Length));
            wake = _readable;
            _readable = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>Waits until something is queued (true) or the queue is completed and empty (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_blocks.Count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _readable.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes every queued block (whole frames, in order); give them back with <see cref="Recycle"/> once written.</summary>
    public SendBatch TakeAll()
    {
        TaskCompletionSource? space;
        SendBatch batch;
        lock (_gate)
        {
            batch = new SendBatch(_blocks, _frames);
            _blocks = _spare ?? [];
            _spare = null;
            _frames = 0;
            _bytes = 0;
            space = _space;
            _space = null;
        }

        space?.TrySetResult();
        return batch;
    }

    /// <summary>Keeps the written blocks of <paramref name="batch"/> for reuse.</summary>
    public void Recycle(SendBatch batch)
    {
        lock (_gate)
        {
            foreach (var block in batch.Blocks)
            {
                if (block.Buffer.Length == BlockSizeBytes && _free.Count < MaxFreeBlocks)
                {
                    _free.Push(block.Buffer);
                }
            }

            batch.Blocks.Clear();
            _spare ??= batch.Blocks;
        }
    }

    /// <summary>Completes when the queue is at most half full in frames and holds at most <see cref="LowWatermarkBytes"/> (or half its byte limit), for senders that prefer waiting to dropping.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        // Fast path without the lock (a bulk sender asks before every message): both counts only fall outside the
        // lock's view when the writer takes everything, and a stale high value just sends us to the locked check.
        if (Volatile.Read(ref _frames) <= _maxFrames / 2 && Volatile.Read(ref _bytes) <= Math.Min(_maxBytes / 2, LowWatermarkBytes))
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_completed || (_frames <= _maxFrames / 2 && _bytes <= Math.Min(_maxBytes / 2, LowWatermarkBytes)))
            {
                return Task.CompletedTask;
            }

            _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _space.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses further frames; a writer drains what is queued, then sees the end.</summary>
    public void Complete()
    {
        TaskCompletionSource? readable, space;
        lock (_gate)
        {
            _completed = true;
            (readable, _readable) = (_readable, null);
            (space, _space) = (_space, null);
        }

        readable?.TrySetResult();
        space?.TrySetResult();
    }

    /// <summary>Drops every queued frame (after <see cref="Complete"/>, on shutdown or removal).</summary>
    public void Clear() => Recycle(TakeAll());

    /// <summary>Room for <paramref name="size"/> bytes at the end of the last block, or in a new one. Called under the gate.</summary>
    private Span<byte> Reserve(int size)
    {
        if (_blocks.Count > 0 && _blocks[^1] is var tail && tail.Buffer.Length - tail.Used >= size)
        {
            var span = tail.Buffer.AsSpan(tail.Used, size);
            tail.Used += size;
            return span;
        }

        var buffer = size > BlockSizeBytes ? GC.AllocateUninitializedArray<byte>(size)
            : _free.Count > 0 ? _free.Pop() : GC.AllocateUninitializedArray<byte>(BlockSizeBytes);
        _blocks.Add(new QueueBlock(buffer) { Used = size });
        return buffer.AsSpan(0, size);
    }
}

/// <summary>A block of whole encoded frames.</summary>
/// <param name="Buffer">The bytes; the first <see cref="Used"/> are frames.</param>
internal sealed record QueueBlock(byte[] Buffer)
{
    public int Used { get; set; }

    public ReadOnlyMemory<byte> Frames => Buffer.AsMemory(0, Used);
}

/// <summary>What <see cref="SendQueue.TakeAll"/> took: blocks in order, and how many data frames they hold.</summary>
/// <param name="Blocks">The blocks.</param>
/// <param name="DataFrames">Data frames among them (keep-alives excluded).</param>
internal readonly record struct SendBatch(List<QueueBlock> Blocks, int DataFrames);
