using System.Buffers.Binary;
using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// After the handshake every frame payload starts with one kind byte: <see cref="Messages"/> (one or more messages
/// for <see cref="ITransport.Inbound"/>) or <see cref="Ping"/> (keep-alive, nothing else). Any other kind closes the
/// connection with <see cref="ConnectionCloseReason.ProtocolViolation"/>.
/// </summary>
/// <remarks>
/// A <see cref="Messages"/> frame carries its messages as records, <c>length (4 bytes, little-endian) ‖ bytes</c>,
/// back to back to the end of the frame. The sender packs whatever is queued for a peer into frames of up to
/// <see cref="BatchPayloadBytes"/> (a larger message gets a frame of its own), so small messages share one header
/// and one CRC-32C: batching never waits for more messages, it only takes what is already queued.
/// </remarks>
internal static class WireFrame
{
    /// <summary>Keep-alive; no body.</summary>
    public const byte Ping = 1;

    /// <summary>Messages: length-prefixed records to the end of the frame.</summary>
    public const byte Messages = 2;

    /// <summary>Bytes of a record's length prefix.</summary>
    public const int RecordHeaderBytes = 4;

    /// <summary>Bytes in front of a <see cref="Messages"/> frame's first record: the frame header and the kind byte.</summary>
    public const int FrameOverheadBytes = Frame.HeaderSizeBytes + 1;

    /// <summary>The sender adds messages to a frame while its payload stays within this size (64 KiB).</summary>
    public const int BatchPayloadBytes = 64 * 1024;

    /// <summary>The whole keep-alive frame.</summary>
    public static readonly byte[] PingFrame = CreatePing();

    /// <summary>The largest frame payload a receiver whose messages are at most <paramref name="maxMessageBytes"/> accepts: a full batch, or one message alone.</summary>
    /// <param name="maxMessageBytes">The receiver's message limit.</param>
    /// <returns>The frame payload limit, in bytes.</returns>
    public static int MaxFramePayloadBytes(int maxMessageBytes) => Math.Max(BatchPayloadBytes, 1 + RecordHeaderBytes + maxMessageBytes);

    /// <summary>Writes the start of a <see cref="Messages"/> frame (header without its length and CRC, kind byte) into the first <see cref="FrameOverheadBytes"/> of <paramref name="frame"/>.</summary>
    /// <param name="frame">Where the frame starts.</param>
    public static void BeginMessages(Span<byte> frame)
    {
        frame[0] = Frame.CurrentVersion;
        frame[1] = 0;
        frame[Frame.HeaderSizeBytes] = Messages;
    }

    /// <summary>Writes one record (length prefix and bytes) at the start of <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="RecordHeaderBytes"/> + the message's length.</param>
    /// <param name="message">The message.</param>
    public static void WriteRecord(Span<byte> destination, ReadOnlySpan<byte> message)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, message.Length);
        message.CopyTo(destination[RecordHeaderBytes..]);
    }

    /// <summary>
    /// Seals every <see cref="Messages"/> frame in <paramref name="frames"/>, a run of whole frames back to back whose
    /// headers already hold their lengths: writes each one's CRC-32C. Frames of other kinds are written whole already.
    /// </summary>
    /// <param name="frames">The frames.</param>
    public static void Seal(Span<byte> frames)
    {
        int offset = 0;
        while (offset < frames.Length)
        {
            var frame = frames[offset..];
            int length = BinaryPrimitives.ReadInt32LittleEndian(frame[2..]);
            if (frame[Frame.HeaderSizeBytes] == Messages)
            {
                Frame.WriteHeader(frame, frame.Slice(Frame.HeaderSizeBytes, length));
            }

            offset += Frame.HeaderSizeBytes + length;
        }
    }

    /// <summary>Sets the payload length in the header of the <see cref="Messages"/> frame that starts <paramref name="frame"/> (before it is sealed).</summary>
    /// <param name="frame">The frame.</param>
    /// <param name="payloadLength">Its payload length so far: kind byte and records.</param>
    public static void SetLength(Span<byte> frame, int payloadLength) => BinaryPrimitives.WriteInt32LittleEndian(frame[2..], payloadLength);

    /// <summary>
    /// Checks the records of a <see cref="Messages"/> frame's body (its payload after the kind byte): at least one,
    /// each length within <paramref name="maxMessageBytes"/> and within the frame, nothing left over.
    /// </summary>
    /// <param name="body">The records.</param>
    /// <param name="maxMessageBytes">The receiver's message limit.</param>
    /// <returns>Null when sound, else what is wrong.</returns>
    public static string? CheckRecords(ReadOnlySpan<byte> body, int maxMessageBytes)
    {
        if (body.IsEmpty)
        {
            return "a message frame without a message";
        }

        while (!body.IsEmpty)
        {
            if (body.Length < RecordHeaderBytes)
            {
                return "a truncated record length";
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(body);
            if (length < 0 || length > maxMessageBytes)
            {
                return $"a message of {length} bytes, over the {maxMessageBytes}-byte limit";
            }

            if (length > body.Length - RecordHeaderBytes)
            {
                return "a record longer than its frame";
            }

            body = body[(RecordHeaderBytes + length)..];
        }

        return null;
    }

    /// <summary>Takes the record at <paramref name="offset"/> of <paramref name="bytes"/> (checked with <see cref="CheckRecords"/>) and advances past it.</summary>
    /// <param name="bytes">The array holding the records.</param>
    /// <param name="offset">Where the record starts; on return, where the next one does.</param>
    /// <returns>The message: a slice of <paramref name="bytes"/>.</returns>
    public static ReadOnlyMemory<byte> TakeRecord(byte[] bytes, ref int offset)
    {
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset, RecordHeaderBytes));
        var message = new ReadOnlyMemory<byte>(bytes, offset + RecordHeaderBytes, length);
        offset += RecordHeaderBytes + length;
        return message;
    }

    private static byte[] CreatePing()
    {
        var frame = new byte[FrameOverheadBytes];
        frame[Frame.HeaderSizeBytes] = Ping;
        Frame.WriteHeader(frame, frame.AsSpan(Frame.HeaderSizeBytes, 1));
        return frame;
    }
}
