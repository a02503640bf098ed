namespace ChainInterop.Transport.Tcp;

/// <summary>
/// Receive buffers for frames of <see cref="ArenaFrameReader.DirectReadMinBytes"/> up to
/// <see cref="PooledFrame.SizeBytes"/>, reused once every message cut from one has been released
/// (<see cref="InboundMessage.Release"/>). Until consumers are seen to release messages, frames get arrays of their
/// exact size as before, but for one pooled buffer in every <see cref="ProbeEvery"/> (little is pooled that would then be
/// thrown away); once a pooled buffer has come back, every frame gets one.
/// Thread-safe: the read loops rent, consumers release from any thread.
/// </summary>
internal sealed class ReceiveBufferPool
{
    /// <summary>
    /// Buffers kept for reuse: at most 256 × 80 KiB = 20 MiB per transport, kept only after a burst had that many in
    /// use at once. In bulk transfers the consumer runs up to a few hundred frames behind the socket (measured: ~300
    /// at 64 KB messages); with fewer kept, most frames missed the pool.
    /// </summary>
    private const int MaxKept = 256;

    /// <summary>Before consumers are seen to release messages, one frame in this many gets a pooled buffer anyway, to find out.</summary>
    private const int ProbeEvery = 64;

    private readonly Lock _gate = new();
    private readonly Stack<PooledFrame> _free = new();
    private volatile bool _consumersRelease;
    private int _rents;

    /// <summary>Memory for a frame payload of <paramref name="length"/> bytes: a pooled buffer (with its owner), or a fresh exact-size array (owner null).</summary>
    public (byte[] Array, PooledFrame? Owner) Rent(int length)
    {
        if (length <= PooledFrame.SizeBytes && (_consumersRelease || Interlocked.Increment(ref _rents) % ProbeEvery == 0))
        {
            PooledFrame? frame = null;
            lock (_gate)
            {
                _free.TryPop(out frame);
            }

            frame ??= new PooledFrame(this);
            frame.Renew();
            return (frame.Array, frame);
        }

        return (GC.AllocateUninitializedArray<byte>(length), null);
    }

    /// <summary>Takes back a buffer none of whose messages is in use any more.</summary>
    public void Return(PooledFrame frame)
    {
        if (frame.Lent > 0)
        {
            _consumersRelease = true; // every message lent from it was released
        }

        lock (_gate)
        {
            if (_free.Count < MaxKept)
            {
                _free.Push(frame);
            }
        }
    }
}

/// <summary>
/// One pooled receive buffer and the messages lent from it: it goes back to its pool when the last is released.
/// Each message's token names its generation (which use of the buffer) and its index, so a message released twice
/// (or after its buffer was reused) is caught instead of releasing another message's memory.
/// </summary>
internal sealed class PooledFrame : IInboundBuffer
{
    /// <summary>Size of a pooled buffer: a full batch frame or one 64 KiB message with its framing, under the large object heap's threshold.</summary>
    public const int SizeBytes = 80 * 1024;

    /// <summary>Most messages one buffer can hold: empty messages, four bytes of record each.</summary>
    private const int MaxMessages = SizeBytes / WireFrame.RecordHeaderBytes;

    private const int IndexBits = 15; // 2^15 > MaxMessages
    private readonly ReceiveBufferPool _pool;
    private readonly ulong[] _released = new ulong[(MaxMessages + 63) / 64];
    private int _generation;
    private int _lent;
    private int _outstanding;

    public PooledFrame(ReceiveBufferPool pool)
    {
        _pool = pool;
        Array = GC.AllocateUninitializedArray<byte>(SizeBytes);
    }

    /// <summary>The memory.</summary>
    public byte[] Array { get; }

    /// <summary>Messages lent from the buffer in its current use.</summary>
    public int Lent => _lent;

    /// <summary>Readies the buffer for a new frame (rented, nothing lent).</summary>
    public void Renew()
    {
        System.Array.Clear(_released, 0, (_lent + 63) / 64);
        _lent = 0;
        _outstanding = 1; // the reader's own hold, until Seal
        Volatile.Write(ref _generation, (_generation + 1) & 0xFFFF);
    }

    /// <summary>Lends the next message from this buffer: its token.</summary>
    public int Lend()
    {
        _outstanding++; // the reader is the only writer until Seal publishes the messages
        return (_generation << IndexBits) | _lent++;
    }

    /// <summary>The reader has lent every message it will (or none: the frame was bad or a keep-alive): the buffer returns once they are all released.</summary>
    public void Seal()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _pool.Return(this);
        }
    }

    /// <inheritdoc />
    public void Release(int token)
    {
        int index = token & ((1 << IndexBits) - 1);
        if (token >> IndexBits != Volatile.Read(ref _generation) || index >= _lent)
        {
            throw new InvalidOperationException("This message was already released (its receive buffer has been reused).");
        }

        // The released bits only catch a second release; they are set without an atomic operation (one per message
        // is enough: the count below), so two threads releasing neighbours at the same instant may lose a bit, and
        // then a later second release of that message is not caught. Correct releases are never affected.
        ref ulong word = ref _released[index >> 6];
        ulong bit = 1UL << (index & 63);
        if ((word & bit) != 0)
        {
            throw new InvalidOperationException("This message was already released.");
        }

        word |= bit;

        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _pool.Return(this);
        }
    }
}
