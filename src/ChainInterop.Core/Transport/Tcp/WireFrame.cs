using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// After the handshake every frame payload starts with one kind byte: <see cref="Data"/> (a message for
/// <see cref="ITransport.Inbound"/>) or <see cref="Ping"/> (keep-alive, nothing else). Any other kind closes the
/// connection with <see cref="ConnectionCloseReason.ProtocolViolation"/>.
/// </summary>
internal static class WireFrame
{
    /// <summary>A message: the rest of the payload.</summary>
    public const byte Data = 0;

    /// <summary>Keep-alive; no body.</summary>
    public const byte Ping = 1;

    /// <summary>Bytes a message gains on the wire: the frame header and the kind byte.</summary>
    public const int OverheadBytes = Frame.HeaderSizeBytes + 1;

    /// <summary>The whole keep-alive frame.</summary>
    public static readonly byte[] PingFrame = CreatePing();

    /// <summary>Writes the data frame of <paramref name="message"/> into <paramref name="destination"/> (at least <see cref="OverheadBytes"/> + its length).</summary>
    /// <param name="destination">Where the frame goes.</param>
    /// <param name="message">The message.</param>
    /// <returns>The frame length in bytes.</returns>
    public static int WriteData(Span<byte> destination, ReadOnlySpan<byte> message)
    {
        int length = OverheadBytes + message.Length;
        destination[Frame.HeaderSizeBytes] = Data;
        message.CopyTo(destination[OverheadBytes..]);
        Frame.WriteHeader(destination, destination.Slice(Frame.HeaderSizeBytes, 1 + message.Length));
        return length;
    }

    private static byte[] CreatePing()
    {
        var frame = new byte[OverheadBytes];
        frame[Frame.HeaderSizeBytes] = Ping;
        Frame.WriteHeader(frame, frame.AsSpan(Frame.HeaderSizeBytes, 1));
        return frame;
    }
}
