using System.Buffers.Binary;
using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>Receives the payloads <see cref="ArenaFrameReader"/> parses.</summary>
internal interface IFrameSink
{
    /// <summary>
    /// One frame's payload (CRC checked). Without <paramref name="owner"/> the memory is never reused: the sink may
    /// keep it, e.g. as a message. With it, the memory is pooled: the sink lends it to messages with
    /// <see cref="PooledFrame.Lend"/> (the reader seals the frame after the call) and must not keep it otherwise.
    /// </summary>
    FrameDecision OnFrame(ReadOnlyMemory<byte> payload, PooledFrame? owner);

    /// <summary>Called before the reader waits for bytes and when it stops: hand on whatever was gathered.</summary>
    void Flush();

    /// <summary>Called after every socket read that returned bytes, whole frames or not: the peer is alive (a large frame on a slow link is not silence).</summary>
    void OnBytesReceived();

    /// <summary>Awaited before every socket read (after a <see cref="Flush"/> when it does not complete at once): completes when the consumer has room for more.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when the reader may read on.</returns>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The read loop of an authenticated connection. It reads the socket straight into <b>arenas</b>, arrays of
/// <see cref="ArenaSizeBytes"/> that are never reused, and hands each payload on as a slice of its arena: the kernel's
/// copy out of the socket is the only copy, and messages need no allocation of their own. A frame whose payload is
/// at least <see cref="DirectReadMinBytes"/> gets an array of exactly its size, and the rest of it is read straight
/// into that array. The checks are those of <see cref="Frame.TryRead"/>, in the same order: version and reserved
/// byte, then the declared length against the limit (from the header alone, before any payload is read or
/// allocated), then the CRC-32C; a stream that ends inside a frame is a protocol violation.
/// </summary>
/// <remarks>
/// A message's slice keeps its whole arena alive (at most <see cref="ArenaSizeBytes"/>) until it is collected:
/// consumers that keep messages for long should decode or copy them (every engine decodes them at once).
/// </remarks>
internal static class ArenaFrameReader
{
    /// <summary>Size of an arena, in bytes: under the large object heap's threshold, so arenas die young and cheap.</summary>
    public const int ArenaSizeBytes = 64 * 1024;

    /// <summary>A payload at least this long is read into an array of its own rather than an arena.</summary>
    public const int DirectReadMinBytes = 16 * 1024;

    /// <summary>After a large frame, the next read asks for at most this much (mostly the next header), so a stream of large frames is not copied out of arenas.</summary>
    private const int SmallReadBytes = 4 * 1024;

    /// <summary>With less room than this left in an arena, the next read goes into a new one.</summary>
    private const int MinReadBytes = 2 * 1024;

    /// <summary>
    /// Payload bytes handed to the sink after which it is flushed even though more bytes are waiting. Below that, the
    /// sink is flushed only when a read has to wait for bytes: while they keep arriving the messages are handed on in
    /// batches, and none is held while the socket is idle.
    /// </summary>
    private const int MaxHeldBytes = 1024 * 1024;

    /// <summary>Reads frames from <paramref name="stream"/> until the sink says stop, a frame is bad, or the stream ends.</summary>
    /// <param name="stream">The connection.</param>
    /// <param name="buffered">Bytes already read from the connection (after the handshake), parsed first.</param>
    /// <param name="maxPayloadBytes">The largest payload accepted, in bytes.</param>
    /// <param name="sink">Takes each payload.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <param name="socket">
    /// The socket under a plain (not TLS) <paramref name="stream"/>, or null. With it, the rest of a large payload and
    /// the start of what follows are read in one scatter read (two buffers, one system call).
    /// </param>
    /// <param name="pool">Where payloads read into arrays of their own get their memory, or null for fresh arrays.</param>
    /// <returns>Why reading stopped.</returns>
    public static async ValueTask<FrameDecision> ReadFramesAsync(Stream stream, ReadOnlyMemory<byte> buffered, int maxPayloadBytes,
        IFrameSink sink, CancellationToken cancellationToken, System.Net.Sockets.Socket? socket = null, ReceiveBufferPool? pool = null)
    {
        long held = 0; // payload bytes given to the sink since it was last flushed
        var arena = GC.AllocateUninitializedArray<byte>(Math.Max(ArenaSizeBytes, buffered.Length));
        buffered.Span.CopyTo(arena);
        int start = 0, end = buffered.Length; // arena[start..end) is read and not yet parsed; nothing below start is ever written again
        bool smallReads = false;
        ArraySegment<byte>[]? scatter = null;
        try
        {
            while (true)
            {
                // Every whole frame in the arena.
                int needed = Frame.HeaderSizeBytes; // bytes the frame at start needs, once its header is known
                bool parsed = false;
                while (end - start >= Frame.HeaderSizeBytes)
                {
                    var header = arena.AsSpan(start, Frame.HeaderSizeBytes);
                    if (CheckHeader(header, maxPayloadBytes, out int length) is { Stop: true } refused)
                    {
                        return refused;
                    }

                    needed = Frame.HeaderSizeBytes + length;
                    if (end - start < needed)
                    {
                        break;
                    }

                    uint crc = Crc32C.Append(Crc32C.Compute(header[..6]), arena.AsSpan(start + Frame.HeaderSizeBytes, length));
                    if (crc != BinaryPrimitives.ReadUInt32LittleEndian(header[6..]))
                    {
                        return ChecksumMismatch;
                    }

                    var decision = sink.OnFrame(arena.AsMemory(start + Frame.HeaderSizeBytes, length), null);
                    held += length;
                    start += needed;
                    needed = Frame.HeaderSizeBytes;
                    parsed = true;
                    if (decision.Stop)
                    {
                        return decision;
                    }
                }

                if (parsed)
                {
                    smallReads = false;
                }

                if (held >= MaxHeldBytes)
                {
                    Flush();
                }

                if (needed - Frame.HeaderSizeBytes >= DirectReadMinBytes)
                {
                    // A large frame: its payload goes into an array of its own, the part already here copied, the rest
                    // read straight into it (with a plain socket, together with the start of what follows).
                    uint headerCrc = Crc32C.Compute(arena.AsSpan(start, 6));
                    uint expected = BinaryPrimitives.ReadUInt32LittleEndian(arena.AsSpan(start + 6, 4));
                    int length = needed - Frame.HeaderSizeBytes;
                    var (array, owner) = pool?.Rent(length) ?? (GC.AllocateUninitializedArray<byte>(length), null); // every byte is overwritten
                    var payload = array.AsMemory(0, length);
                    try
                    {
                        int have = end - start - Frame.HeaderSizeBytes;
                        arena.AsSpan(start + Frame.HeaderSizeBytes, have).CopyTo(payload.Span);
                        start = end;
                        if (socket is not null && arena.Length - end < MinReadBytes)
                        {
                            arena = GC.AllocateUninitializedArray<byte>(ArenaSizeBytes);
                            start = end = 0;
                        }

                        while (have < payload.Length)
                        {
                            await WaitForRoomAsync().ConfigureAwait(false);
                            int read;
                            if (socket is null)
                            {
                                read = await ReadAsync(stream.ReadAsync(payload[have..], cancellationToken)).ConfigureAwait(false);
                            }
                            else
                            {
                                scatter ??= new ArraySegment<byte>[2];
                                scatter[0] = new ArraySegment<byte>(array, have, payload.Length - have);
                                scatter[1] = new ArraySegment<byte>(arena, end, Math.Min(SmallReadBytes, arena.Length - end));
                                var receive = socket.ReceiveAsync(scatter, System.Net.Sockets.SocketFlags.None);
                                if (!receive.IsCompleted)
                                {
                                    Flush();
                                    receive = receive.WaitAsync(cancellationToken);
                                }

                                try
                                {
                                    read = await receive.ConfigureAwait(false);
                                }
                                catch
                                {
                                    // An abandoned scatter read (no cancellation of its own) may still write into
                                    // the buffer until the socket is closed: it must never be reused.
                                    owner = null;
                                    throw;
                                }

                                end += Math.Max(0, read - (payload.Length - have)); // what followed the payload
                                read = Math.Min(read, payload.Length - have);
                            }

                            if (read == 0)
                            {
                                return EndedInsideFrame(Frame.HeaderSizeBytes + have);
                            }

                            sink.OnBytesReceived();
                            have += read;
                        }

                        if (Crc32C.Append(headerCrc, payload.Span) != expected)
                        {
                            return ChecksumMismatch;
                        }

                        var decision = sink.OnFrame(payload, owner);
                        if (decision.Stop)
                        {
                            return decision;
                        }

                        held += payload.Length;
                        smallReads = true;
                        continue;
                    }
                    finally
                    {
                        owner?.Seal(); // whatever the sink lent stays lent; the buffer returns when those are released
                    }
                }

                if (arena.Length - start < needed || arena.Length - end < MinReadBytes)
                {
                    // No room: a new arena, with the start of the next frame. The old one now belongs to the messages
                    // cut from it.
                    var fresh = GC.AllocateUninitializedArray<byte>(Math.Max(ArenaSizeBytes, needed));
                    arena.AsSpan(start, end - start).CopyTo(fresh);
                    end -= start;
                    start = 0;
                    arena = fresh;
                }

                await WaitForRoomAsync().ConfigureAwait(false);
                int want = smallReads ? Math.Min(SmallReadBytes, arena.Length - end) : arena.Length - end;
                int n = await ReadAsync(stream.ReadAsync(arena.AsMemory(end, want), cancellationToken)).ConfigureAwait(false);
                if (n == 0)
                {
                    return start == end
                        ? FrameDecision.Close(ConnectionCloseReason.RemoteClosed, "end of stream")
                        : EndedInsideFrame(end - start);
                }

                sink.OnBytesReceived();
                end += n;
            }
        }
        finally
        {
            sink.Flush();
        }

        void Flush()
        {
            if (held > 0)
            {
                sink.Flush();
                held = 0;
            }
        }

        // The consumer is behind: hand on what was gathered, then stop reading until it has caught up (the peer's
        // bytes wait in the socket, and TCP flow control slows the peer).
        ValueTask WaitForRoomAsync()
        {
            var room = sink.WaitForRoomAsync(cancellationToken);
            if (!room.IsCompleted)
            {
                Flush();
            }

            return room;
        }

        // A read that must wait for bytes hands on what was gathered first.
        ValueTask<int> ReadAsync(ValueTask<int> read)
        {
            if (!read.IsCompleted)
            {
                Flush();
            }

            return read;
        }
    }

    private static FrameDecision ChecksumMismatch => FrameDecision.Close(ConnectionCloseReason.ChecksumMismatch, "frame CRC-32C mismatch");

    private static FrameDecision EndedInsideFrame(long left) =>
        FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, $"stream ended inside a frame ({left} bytes left)");

    /// <summary>The header checks of every frame reader (<see cref="Frame.CheckHeader"/>), as the reader's decision.</summary>
    private static FrameDecision CheckHeader(ReadOnlySpan<byte> header, int maxPayloadBytes, out int length) =>
        Frame.CheckHeader(header, maxPayloadBytes, out length) switch
        {
            FrameStatus.UnsupportedVersion => FrameDecision.Close(ConnectionCloseReason.UnsupportedFrameVersion, "unknown frame version or reserved byte"),
            FrameStatus.TooLarge => FrameDecision.Close(ConnectionCloseReason.FrameTooLarge, $"declared length over the {maxPayloadBytes}-byte limit"),
            _ => FrameDecision.Continue,
        };
}
