namespace ChainInterop.Transport;

/// <summary>An authenticated peer became reachable or unreachable.</summary>
/// <param name="Peer">The peer.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Reason">For <see cref="ConnectionEventKind.Disconnected"/>, why; <see cref="ConnectionCloseReason.None"/> for <see cref="ConnectionEventKind.Connected"/>.</param>
public readonly record struct ConnectionEvent(NodeId Peer, ConnectionEventKind Kind, ConnectionCloseReason Reason);

/// <summary>What a <see cref="ConnectionEvent"/> reports. Values are stable codes.</summary>
public enum ConnectionEventKind
{
    /// <summary>The peer is authenticated and messages flow.</summary>
    Connected = 1,

    /// <summary>
    /// The peer's connection ended; messages sent now are queued or dropped until it comes back. Messages the ended
    /// connection had taken may be lost (at most once): a gap in what a peer receives always follows this event at the sender.
    /// </summary>
    Disconnected = 2,
}

/// <summary>Why a connection was closed. Values are stable codes (logged and tagged on metrics).</summary>
public enum ConnectionCloseReason
{
    /// <summary>Not closed (the reason of a <see cref="ConnectionEventKind.Connected"/> event).</summary>
    None = 0,

    /// <summary>This node is shutting down (its transport was disposed).</summary>
    LocalShutdown = 1,

    /// <summary>The peer closed the connection cleanly (end of stream on a frame boundary), or its transport was disposed.</summary>
    RemoteClosed = 2,

    /// <summary>The peer showed no sign of life (bytes, or a kernel answering a write that waits on flow control) within the idle timeout.</summary>
    IdleTimeout = 3,

    /// <summary>The handshake (TLS included) did not finish within the handshake timeout, e.g. bytes trickled in (slowloris).</summary>
    HandshakeTimeout = 4,

    /// <summary>The handshake failed: bad signature (e.g. a replayed handshake), wrong protocol version or chain id, or not the peer that was dialed.</summary>
    HandshakeFailed = 5,

    /// <summary>The remote key is not on the admission whitelist (the configured peers).</summary>
    UnknownPeer = 6,

    /// <summary>A frame header had an unknown version or a non-zero reserved byte.</summary>
    UnsupportedFrameVersion = 7,

    /// <summary>A frame header declared a length over the limit (refused before any payload was read or allocated).</summary>
    FrameTooLarge = 8,

    /// <summary>A frame's CRC-32C did not match.</summary>
    ChecksumMismatch = 9,

    /// <summary>A well-framed but meaningless message: unknown frame kind, malformed handshake message, or the stream ended inside a frame.</summary>
    ProtocolViolation = 10,

    /// <summary>
    /// The tie-break closed this connection for another to the same peer (both nodes dialled, or the same node dialled
    /// again). Reported in a <see cref="ConnectionEventKind.Disconnected"/> event only when the closed connection had
    /// carried messages (they may be lost with it); a swap before any was written raises no event.
    /// </summary>
    DuplicateConnection = 11,

    /// <summary>Too many connections were waiting to authenticate (a connection flood); the newest was refused.</summary>
    TooManyPendingConnections = 12,

    /// <summary>A socket or TLS error (reset, broken pipe, refused certificate…).</summary>
    NetworkError = 13,

    /// <summary>The peer was removed from the whitelist.</summary>
    PeerRemoved = 14,
}
