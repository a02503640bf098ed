using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// The messages waiting to be written to one peer, bounded in messages and in bytes. Policy when full: the new message
/// is dropped (drop newest) and counted; protocols retransmit, and refusing at the door keeps the messages already
/// queued in order.
/// </summary>
/// <remarks>
/// <para>
/// Messages are copied as records straight into 256 KiB blocks that are reused, packed into
/// <see cref="WireFrame.Messages"/> frames of up to <see cref="WireFrame.BatchPayloadBytes"/>: a send costs one
/// spin-lock acquisition and one copy. The writer takes every queued block at once, seals each frame (length and
/// CRC-32C, one pass over the frame, outside the lock) and writes the blocks whole: no per-message allocation, queue
/// node, atomic counter or checksum. A block only ever holds whole frames, so whatever the writer takes ends on a
/// frame boundary, and the next connection starts on one too.
/// </para>
/// <para>The queue outlives connections: messages sent while a peer is unreachable wait here for the next one. The
/// limits count what is queued; a batch the writer has taken (at most one queue's worth) is not counted.</para>
/// </remarks>
internal sealed class SendQueue
{
    /// <summary>
    /// A waiting bulk sender resumes once at most this many bytes are queued (or half the limit, if lower): enough to
    /// keep a socket busy, small enough that the blocks in flight are reused instead of allocated.
    /// </summary>
    public const long LowWatermarkBytes = 2 * 1024 * 1024;

    /// <summary>Size of a queue block, in bytes; a larger frame gets a block of its own (not reused).</summary>
    public const int BlockSizeBytes = 256 * 1024;

    /// <summary>Blocks kept for reuse per peer (4 MiB): the low watermark's worth in the socket and as much again being filled.</summary>
    private const int MaxFreeBlocks = 16;

    // A spin lock released by a plain store: every send takes it, and a lock whose release is an atomic operation
    // waits there for the message copy's stores to drain, which measured as the largest cost per small message. No
    // critical section below blocks; the longest copies one message.
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private readonly Stack<byte[]> _free = new();

    // Guarded by _gate. Invariant: every block in _blocks holds whole frames, the last message frame possibly still
    // open (_openFrame >= 0: its start in the last block) and unsealed; _frames and _bytes count the messages and
    // their bytes on the wire in _blocks (keep-alives are not counted).
    private List<QueueBlock> _blocks = [];
    private List<QueueBlock>? _spare;
    private int _openFrame = -1;
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

    /// <summary>Messages queued.</summary>
    public int Frames
    {
        get
        {
            using (Hold())
            {
                return _frames;
            }
        }
    }

    /// <summary>Queues <paramref name="message"/> (copied); false when the queue is full or completed (the message is dropped).</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> message)
    {
        int record = WireFrame.RecordHeaderBytes + message.Length;
        TaskCompletionSource? wake;
        using (Hold())
        {
            if (_completed || _frames >= _maxFrames || _bytes + WireFrame.FrameOverheadBytes + record > _maxBytes)
            {
                return false;
            }

            QueueBlock block;
            int size = record;
            if (_openFrame >= 0 && (block = _blocks[^1]).Used - _openFrame - Frame.HeaderSizeBytes + record <= WireFrame.BatchPayloadBytes
                && block.Buffer.Length - block.Used >= record)
            {
                // Into the open frame.
                WireFrame.WriteRecord(block.Buffer.AsSpan(block.Used, record), message);
                block.Used += record;
            }
            else
            {
                // A new frame: the open one is full (or there is none).
                size += WireFrame.FrameOverheadBytes;
                var frame = Reserve(size, out block);
                WireFrame.BeginMessages(frame);
                WireFrame.WriteRecord(frame[WireFrame.FrameOverheadBytes..], message);
                _openFrame = block.Used - size;
                block.OpenFrames++;
            }

            WireFrame.SetLength(block.Buffer.AsSpan(_openFrame), block.Used - _openFrame - Frame.HeaderSizeBytes);

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
        using (Hold())
        {
            if (_completed || _blocks.Count > 0)
            {
                return;
            }

            WireFrame.PingFrame.CopyTo(Reserve(WireFrame.PingFrame.Length, out _));
            _openFrame = -1;
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
            using (Hold())
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

    /// <summary>
    /// Takes every queued block (whole frames, in order) and seals their message frames (outside the lock); give them
    /// back with <see cref="Recycle"/> once written.
    /// </summary>
    public SendBatch TakeAll()
    {
        var batch = Take(out var space);
        Finish(batch, space);
        return batch;
    }

    /// <summary>
    /// <see cref="TakeAll"/> in two steps, for a caller that takes under a lock of its own: this takes the blocks (one
    /// spin-lock acquisition); <see cref="Finish"/>, called outside that lock, wakes the bulk sender waiting for space
    /// (which may run on the calling thread) and seals the frames.
    /// </summary>
    public SendBatch Take(out TaskCompletionSource? space)
    {
        using (Hold())
        {
            var batch = new SendBatch(_blocks, _frames);
            _blocks = _spare ?? [];
            _spare = null;
            _openFrame = -1;
            _frames = 0;
            _bytes = 0;
            space = _space;
            _space = null;
            return batch;
        }
    }

    /// <summary>Wakes the sender <see cref="Take"/> returned (first, so that it refills the queue before the batch is sent) and seals the batch's frames.</summary>
    public static void Finish(SendBatch batch, TaskCompletionSource? space)
    {
        space?.TrySetResult();
        foreach (var block in batch.Blocks)
        {
            block.Seal();
        }
    }

    /// <summary>Keeps the written blocks of <paramref name="batch"/> for reuse.</summary>
    public void Recycle(SendBatch batch)
    {
        using (Hold())
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

    /// <summary>Completes when the queue is at most half full in messages and holds at most <see cref="LowWatermarkBytes"/> (or half its byte limit), for senders that prefer waiting to dropping.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        // Fast path without the lock (a bulk sender asks before every message): both counts only fall outside the
        // lock's view when the writer takes everything, and a stale high value just sends us to the locked check.
        if (Volatile.Read(ref _frames) <= _maxFrames / 2 && Volatile.Read(ref _bytes) <= Math.Min(_maxBytes / 2, LowWatermarkBytes))
        {
            return Task.CompletedTask;
        }

        using (Hold())
        {
            if (_completed || (_frames <= _maxFrames / 2 && _bytes <= Math.Min(_maxBytes / 2, LowWatermarkBytes)))
            {
                return Task.CompletedTask;
            }

            // Completed by the writer right after it takes the queue, and on purpose without
            // RunContinuationsAsynchronously: the waiting bulk sender refills the queue on the writer's thread, before
            // the writer sends what it took, instead of being handed to another thread at every watermark (measured:
            // +15–25 % throughput on loopback, where those hand-offs were most of the transport's overhead).
            _space ??= new TaskCompletionSource(TaskCreationOptions.None);
            return _space.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses further messages; a writer drains what is queued, then sees the end.</summary>
    public void Complete()
    {
        TaskCompletionSource? readable, space;
        using (Hold())
        {
            _completed = true;
            (readable, _readable) = (_readable, null);
            (space, _space) = (_space, null);
        }

        readable?.TrySetResult();
        space?.TrySetResult();
    }

    /// <summary>Drops every queued message (after <see cref="Complete"/>, on shutdown or removal).</summary>
    public void Clear() => Recycle(TakeAll());

    /// <summary>Releases the gate (by <see cref="GateScope"/>).</summary>
    internal void ReleaseGate() => _gate.Exit(useMemoryBarrier: false);

    /// <summary>Takes the gate until the returned scope is disposed.</summary>
    private GateScope Hold()
    {
        bool taken = false;
        _gate.Enter(ref taken);
        return new GateScope(this);
    }

    /// <summary>Room for <paramref name="size"/> bytes at the end of the last block, or in a new one (which closes the open frame). Called under the gate.</summary>
    private Span<byte> Reserve(int size, out QueueBlock block)
    {
        if (_blocks.Count > 0 && _blocks[^1] is var tail && tail.Buffer.Length - tail.Used >= size)
        {
            var span = tail.Buffer.AsSpan(tail.Used, size);
            tail.Used += size;
            block = tail;
            return span;
        }

        var buffer = size > BlockSizeBytes ? GC.AllocateUninitializedArray<byte>(size)
            : _free.Count > 0 ? _free.Pop() : GC.AllocateUninitializedArray<byte>(BlockSizeBytes);
        block = new QueueBlock(buffer) { Used = size };
        _blocks.Add(block);
        return buffer.AsSpan(0, size);
    }
}

/// <summary>Holds a <see cref="SendQueue"/>'s gate; releases it when disposed.</summary>
internal readonly ref struct GateScope
{
    private readonly SendQueue _queue;

    public GateScope(SendQueue queue) => _queue = queue;

    public void Dispose() => _queue.ReleaseGate();
}

/// <summary>A block of whole frames, written back to back.</summary>
/// <param name="Buffer">The bytes; the first <see cref="Used"/> are frames.</param>
internal sealed record QueueBlock(byte[] Buffer)
{
    /// <summary>Bytes of <see cref="Buffer"/> in use.</summary>
    public int Used { get; set; }

    /// <summary><see cref="WireFrame.Messages"/> frames begun in this block and not yet sealed.</summary>
    public int OpenFrames { get; set; }

    /// <summary>The frames.</summary>
    public ReadOnlyMemory<byte> Frames => Buffer.AsMemory(0, Used);

    /// <summary>Writes the length and CRC of each message frame; the block must no longer grow.</summary>
    public void Seal()
    {
        if (OpenFrames > 0)
        {
            WireFrame.Seal(Buffer.AsSpan(0, Used));
            OpenFrames = 0;
        }
    }
}

/// <summary>What <see cref="SendQueue.TakeAll"/> took: blocks in order, and how many messages they hold.</summary>
/// <param name="Blocks">The blocks.</param>
/// <param name="DataFrames">Messages among them (keep-alives excluded).</param>
internal readonly record struct SendBatch(List<QueueBlock> Blocks, int DataFrames);
