using System.Buffers;
using System.Buffers.Binary;

namespace ChainInterop.Framing;

/// <summary>
/// The one framing of ChainInterop's byte streams, on disk (the durable block log) and on the wire (transports):
/// <c>version (1 byte) ‖ reserved (1 byte, 0) ‖ payload length (4 bytes, little-endian) ‖ CRC-32C (4 bytes,
/// little-endian) ‖ payload</c>. The CRC covers the first six header bytes and the payload, so a flipped length or
/// version is caught as surely as a flipped payload byte.
/// </summary>
/// <remarks>
/// <see cref="TryRead"/> is pure: it looks at a <see cref="ReadOnlySequence{T}"/>, never allocates, checks the
/// declared length against the limit before touching the payload, and says exactly why it stopped.
/// </remarks>
public static class Frame
{
    /// <summary>The frame format this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Size of the header in bytes.</summary>
    public const int HeaderSizeBytes = 10;

    /// <summary>The largest payload any frame may declare (1 GiB), whatever a reader's own limit.</summary>
    public const int MaxPayloadSizeBytes = 1 << 30;

    /// <summary>Writes one frame holding <paramref name="payload"/>.</summary>
    /// <param name="output">Where the frame goes.</param>
    /// <param name="payload">The payload.</param>
    /// <returns>The number of bytes written (header + payload).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is larger than <see cref="MaxPayloadSizeBytes"/>.</exception>
    public static int Write(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.Length > MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"A frame payload is at most {MaxPayloadSizeBytes} bytes, got {payload.Length}.", nameof(payload));
        }

        int total = HeaderSizeBytes + payload.Length;
        var span = output.GetSpan(total);
        WriteHeader(span, payload);
        payload.CopyTo(span[HeaderSizeBytes..]);
        output.Advance(total);
        return total;
    }

    /// <summary>Writes the header for <paramref name="payload"/> into <paramref name="destination"/> (at least <see cref="HeaderSizeBytes"/>), e.g. to send header and payload as two buffers.</summary>
    /// <param name="destination">The header bytes.</param>
    /// <param name="payload">The payload the header describes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short or <paramref name="payload"/> too long.</exception>
    public static void WriteHeader(Span<byte> destination, ReadOnlySpan<byte> payload)
    {
        if (destination.Length < HeaderSizeBytes)
        {
            throw new ArgumentException($"Need {HeaderSizeBytes} bytes.", nameof(destination));
        }

        if (payload.Length > MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"A frame payload is at most {MaxPayloadSizeBytes} bytes.", nameof(payload));
        }

        destination[0] = CurrentVersion;
        destination[1] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[2..], payload.Length);
        uint crc = Crc32C.Append(Crc32C.Compute(destination[..6]), payload);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[6..], crc);
    }

    /// <summary>
    /// The header checks every frame reader makes before reading a payload, in this order: version and reserved byte,
    /// then the declared length against <see cref="MaxPayloadSizeBytes"/> and the reader's own limit (so an oversized
    /// frame is refused from its header alone, before any allocation).
    /// </summary>
    /// <param name="header">The <see cref="HeaderSizeBytes"/> header bytes.</param>
    /// <param name="maxPayloadBytes">The reader's limit.</param>
    /// <param name="length">The declared payload length, when the header passes.</param>
    /// <returns><see cref="FrameStatus.Complete"/> for a sound header, else <see cref="FrameStatus.UnsupportedVersion"/> or <see cref="FrameStatus.TooLarge"/>.</returns>
    public static FrameStatus CheckHeader(ReadOnlySpan<byte> header, int maxPayloadBytes, out int length)
    {
        length = 0;
        if (header[0] != CurrentVersion || header[1] != 0)
        {
            return FrameStatus.UnsupportedVersion;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(header[2..]);
        return length < 0 || length > MaxPayloadSizeBytes || length > maxPayloadBytes ? FrameStatus.TooLarge : FrameStatus.Complete;
    }

    /// <summary>
    /// Tries to read one frame from the start of <paramref name="buffer"/>. On <see cref="FrameStatus.Complete"/>,
    /// <paramref name="payload"/> is the payload and <paramref name="buffer"/> is advanced past the frame; on every
    /// other status <paramref name="buffer"/> is unchanged.
    /// </summary>
    /// <param name="buffer">The unread bytes.</param>
    /// <param name="maxPayloadBytes">The reader's limit; a larger declared length is <see cref="FrameStatus.TooLarge"/> before any payload is read.</param>
    /// <param name="payload">The payload of a complete frame.</param>
    /// <returns>What was found.</returns>
    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxPayloadBytes, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSizeBytes)
        {
            return FrameStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[HeaderSizeBytes];
        buffer.Slice(0, HeaderSizeBytes).CopyTo(header);
        if (CheckHeader(header, maxPayloadBytes, out int length) is not FrameStatus.Complete and var refused)
        {
            return refused;
        }

        if (buffer.Length - HeaderSizeBytes < length)
        {
            return FrameStatus.NeedMoreData;
        }

        var body = buffer.Slice(HeaderSizeBytes, length);
        uint crc = Crc32C.Compute(header[..6]);
        foreach (var segment in body)
        {
            crc = Crc32C.Append(crc, segment.Span);
        }

        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(header[6..]))
        {
            return FrameStatus.ChecksumMismatch;
        }

        payload = body;
        buffer = buffer.Slice(body.End);
        return FrameStatus.Complete;
    }
}
