using System.Buffers;
using System.Threading.Channels;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// The frames waiting to be written to one peer, bounded in frames and in bytes. Policy when full: the new frame is
/// dropped (drop newest) and counted; protocols retransmit, and refusing at the door keeps the frames already queued
/// in order. Frames are encoded (header, CRC, kind byte) when queued, into buffers rented from the shared pool.
/// </summary>
/// <remarks>The queue outlives connections: frames sent while a peer is unreachable wait here for the next one.</remarks>
internal sealed class SendQueue
{
    private readonly Channel<OutboundFrame> _channel = Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions
    {
        SingleReader = false,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private readonly object _spaceGate = new();

    // Invariant: _frames and _bytes count the data frames in _channel (pings are not counted).
    private int _frames;
    private long _bytes;
    private int _pingQueued;
    private TaskCompletionSource? _space;

    public SendQueue(int maxFrames, long maxBytes)
    {
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
    }

    public ChannelReader<OutboundFrame> Reader => _channel.Reader;

    public int Frames => Volatile.Read(ref _frames);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Encodes and queues <paramref name="message"/>; false when the queue is full or completed (the message is dropped).</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> message)
    {
        int size = WireFrame.OverheadBytes + message.Length;
        if (Interlocked.Increment(ref _frames) > _maxFrames)
        {
            Interlocked.Decrement(ref _frames);
            return false;
        }

        if (Interlocked.Add(ref _bytes, size) > _maxBytes)
        {
            Interlocked.Add(ref _bytes, -size);
            Interlocked.Decrement(ref _frames);
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        WireFrame.WriteData(buffer, message);
        var frame = new OutboundFrame(buffer, size);
        if (!_channel.Writer.TryWrite(frame))
        {
            Release(frame);
            return false;
        }

        return true;
    }

    /// <summary>Queues one keep-alive unless one is already waiting.</summary>
    public void EnqueuePing()
    {
        if (Interlocked.Exchange(ref _pingQueued, 1) == 0 && !_channel.Writer.TryWrite(default))
        {
            Volatile.Write(ref _pingQueued, 0);
        }
    }

    /// <summary>Gives back what a dequeued frame held (after it was written or dropped).</summary>
    public void Release(OutboundFrame frame)
    {
        if (frame.Buffer is null)
        {
            Volatile.Write(ref _pingQueued, 0);
            return;
        }

        ArrayPool<byte>.Shared.Return(frame.Buffer);
        int frames = Interlocked.Decrement(ref _frames);
        long bytes = Interlocked.Add(ref _bytes, -frame.Length);
        if (Volatile.Read(ref _space) is not null && HasSpace(frames, bytes))
        {
            lock (_spaceGate)
            {
                _space?.TrySetResult();
                _space = null;
            }
        }
    }

    /// <summary>Completes when the queue is at most half full (frames and bytes), for senders that prefer waiting to dropping.</summary>
    public Task WaitForSpaceAsync(CancellationToken cancellationToken)
    {
        if (HasSpace(Frames, Bytes))
        {
            return Task.CompletedTask;
        }

        lock (_spaceGate)
        {
            _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var wait = _space.Task;

            // Re-check under the gate: a release between the first check and publishing _space would not see it.
            if (HasSpace(Frames, Bytes) || _channel.Reader.Completion.IsCompleted)
            {
                _space.TrySetResult();
                _space = null;
            }

            return wait.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Refuses further frames; a writer drains what is queued, then sees the end.</summary>
    public void Complete()
    {
        _channel.Writer.TryComplete();
        lock (_spaceGate)
        {
            _space?.TrySetResult();
            _space = null;
        }
    }

    /// <summary>Drops every queued frame (after <see cref="Complete"/>, on shutdown).</summary>
    public void Clear()
    {
        while (_channel.Reader.TryRead(out var frame))
        {
            Release(frame);
        }
    }

    private bool HasSpace(int frames, long bytes) => frames <= _maxFrames / 2 && bytes <= _maxBytes / 2;
}

/// <summary>One encoded frame in a <see cref="SendQueue"/>; a null <see cref="Buffer"/> is a keep-alive.</summary>
/// <param name="Buffer">A pooled buffer holding the frame.</param>
/// <param name="Length">The frame's length in bytes.</param>
internal readonly record struct OutboundFrame(byte[]? Buffer, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer is null ? WireFrame.PingFrame : Buffer.AsSpan(0, Length);

    public int WireLength => Buffer is null ? WireFrame.PingFrame.Length : Length;
}
