using System.Net;
using ChainInterop.Crypto;
using ChainInterop.Framing;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// Settings of a <see cref="TcpTransport"/>: who this node is, where it listens, whom it admits and dials, TLS, and
/// every limit (each named with its unit). Call <see cref="Validate"/> (the transport and DI do).
/// </summary>
public sealed class TcpTransportOptions
{
    /// <summary>Default <see cref="MaxPayloadSizeBytes"/>: 16 MiB.</summary>
    public const int DefaultMaxPayloadSizeBytes = 16 * 1024 * 1024;

    /// <summary>Default <see cref="MaxSendQueueFrames"/>: 65,536 messages per peer.</summary>
    public const int DefaultMaxSendQueueFrames = 65_536;

    /// <summary>Default <see cref="MaxSendQueueBytes"/>: 64 MiB per peer.</summary>
    public const long DefaultMaxSendQueueBytes = 64L * 1024 * 1024;

    /// <summary>Default <see cref="MaxInboundQueueMessages"/>: 100,000 messages.</summary>
    public const int DefaultMaxInboundQueueMessages = 100_000;

    /// <summary>Default <see cref="MaxPendingConnections"/>: 64 connections.</summary>
    public const int DefaultMaxPendingConnections = 64;

    /// <summary>The chain this node belongs to; declared in the handshake (required).</summary>
    public ChainId ChainId { get; set; }

    /// <summary>This node's signing key (required): proves its identity in the handshake. The caller owns and disposes it.</summary>
    public PrivateKey? NodeKey { get; set; }

    /// <summary>Where to accept connections (port 0 picks a free port; see <see cref="TcpTransport.ListenEndPoint"/>); null to only dial.</summary>
    public IPEndPoint? ListenEndPoint { get; set; }

    /// <summary>The admission whitelist: the only nodes this transport accepts, and the ones it dials when they have an end point.</summary>
    public IList<TcpPeer> Peers { get; set; } = [];

    /// <summary>TLS settings, or null for plain TCP (the handshake still authenticates both sides).</summary>
    public TcpTlsOptions? Tls { get; set; }

    /// <summary>The largest message payload sent or accepted, in bytes; a longer incoming frame closes the connection before it is read.</summary>
    public int MaxPayloadSizeBytes { get; set; } = DefaultMaxPayloadSizeBytes;

    /// <summary>The most messages waiting to be written to one peer (the name predates frames holding several); further sends are dropped (newest first) and counted.</summary>
    public int MaxSendQueueFrames { get; set; } = DefaultMaxSendQueueFrames;

    /// <summary>The most bytes waiting to be written to one peer; further sends are dropped (newest first) and counted.</summary>
    public long MaxSendQueueBytes { get; set; } = DefaultMaxSendQueueBytes;

    /// <summary>
    /// The most received messages waiting in <see cref="TcpTransport.Inbound"/>; further ones are dropped and counted.
    /// Connections stop reading long before, while more than 256 KiB of payload waits, so a slow consumer slows its
    /// senders through TCP flow control; this bound is the backstop.
    /// </summary>
    public int MaxInboundQueueMessages { get; set; } = DefaultMaxInboundQueueMessages;

    /// <summary>The most accepted connections that have not finished the handshake; a newer one is closed at once (connection floods).</summary>
    public int MaxPendingConnections { get; set; } = DefaultMaxPendingConnections;

    /// <summary>Time allowed for TLS and the handshake, in milliseconds (slowloris defence).</summary>
    public int HandshakeTimeoutMs { get; set; } = 5_000;

    /// <summary>
    /// A connection whose peer showed no sign of life for this long is closed (<see cref="ConnectionCloseReason.IdleTimeout"/>), in
    /// milliseconds. Signs of life: any bytes from the peer, this node not reading it (paused for its consumer, or bytes
    /// waiting unread), or a write that waits on TCP flow control while the peer's kernel answers (Linux). A late
    /// keep-alive tick counts at most two tick periods, so a starved node does not blame its peers. See docs/TRANSPORT.md, "Liveness".
    /// </summary>
    public int IdleTimeoutMs { get; set; } = 15_000;

    /// <summary>A keep-alive frame is sent when nothing was written for this long, in milliseconds (below <see cref="IdleTimeoutMs"/>).</summary>
    public int KeepAliveIntervalMs { get; set; } = 3_000;

    /// <summary>Time allowed for one TCP connect, in milliseconds.</summary>
    public int ConnectTimeoutMs { get; set; } = 5_000;

    /// <summary>First delay before re-dialling a peer, in milliseconds; doubled after each failure up to <see cref="ReconnectMaxDelayMs"/>.</summary>
    public int ReconnectInitialDelayMs { get; set; } = 100;

    /// <summary>Cap of the re-dial delay, in milliseconds.</summary>
    public int ReconnectMaxDelayMs { get; set; } = 10_000;

    /// <summary>On dispose, how long queued frames may still be written before connections are cut, in milliseconds.</summary>
    public int ShutdownDrainTimeoutMs { get; set; } = 2_000;

    /// <summary>Seed of the re-dial jitter; null for a random seed. Set it to make a run's backoff sequence reproducible.</summary>
    public int? JitterSeed { get; set; }

    /// <summary>Throws unless every setting is usable; the message lists every problem.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (ChainId.IsDefault)
        {
            failures.Add("TcpTransportOptions.ChainId is required.");
        }

        if (NodeKey is null)
        {
            failures.Add("TcpTransportOptions.NodeKey is required.");
        }

        Positive(failures, nameof(MaxSendQueueFrames), MaxSendQueueFrames);
        Positive(failures, nameof(MaxSendQueueBytes), MaxSendQueueBytes);
        Positive(failures, nameof(MaxInboundQueueMessages), MaxInboundQueueMessages);
        Positive(failures, nameof(MaxPendingConnections), MaxPendingConnections);
        Positive(failures, nameof(HandshakeTimeoutMs), HandshakeTimeoutMs);
        Positive(failures, nameof(IdleTimeoutMs), IdleTimeoutMs);
        Positive(failures, nameof(KeepAliveIntervalMs), KeepAliveIntervalMs);
        Positive(failures, nameof(ConnectTimeoutMs), ConnectTimeoutMs);
        Positive(failures, nameof(ReconnectInitialDelayMs), ReconnectInitialDelayMs);
        Positive(failures, nameof(ReconnectMaxDelayMs), ReconnectMaxDelayMs);
        Positive(failures, nameof(ShutdownDrainTimeoutMs), ShutdownDrainTimeoutMs);
        const int largest = Frame.MaxPayloadSizeBytes - 1 - WireFrame.RecordHeaderBytes;
        if (MaxPayloadSizeBytes <= 0 || MaxPayloadSizeBytes > largest)
        {
            failures.Add($"TcpTransportOptions.MaxPayloadSizeBytes must be between 1 and {largest} bytes (a payload with its kind byte and length must fit a frame), got {MaxPayloadSizeBytes}.");
        }

        if (KeepAliveIntervalMs >= IdleTimeoutMs)
        {
            failures.Add($"TcpTransportOptions.KeepAliveIntervalMs ({KeepAliveIntervalMs}) must be below IdleTimeoutMs ({IdleTimeoutMs}), or idle peers would be cut.");
        }

        if (ReconnectInitialDelayMs > ReconnectMaxDelayMs)
        {
            failures.Add($"TcpTransportOptions.ReconnectInitialDelayMs ({ReconnectInitialDelayMs}) must not exceed ReconnectMaxDelayMs ({ReconnectMaxDelayMs}).");
        }

        if (Tls is not null && ListenEndPoint is not null && Tls.Certificate is not { HasPrivateKey: true })
        {
            failures.Add("TcpTransportOptions.Tls.Certificate with its private key is required to accept TLS connections.");
        }

        var self = NodeKey is null ? (NodeId?)null : NodeId.FromPublicKey(NodeKey.PublicKey);
        var seen = new HashSet<NodeId>();
        foreach (var peer in Peers ?? [])
        {
            if (peer is null)
            {
                failures.Add("TcpTransportOptions.Peers contains null.");
                continue;
            }

            if (peer.NodeId == self)
            {
                failures.Add($"TcpTransportOptions.Peers contains this node itself ({peer.NodeId.ToShortString()}).");
            }

            if (!seen.Add(peer.NodeId))
            {
                failures.Add($"TcpTransportOptions.Peers lists node {peer.NodeId.ToShortString()} twice.");
            }
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures));
        }
    }

    /// <summary>A copy, so that a running transport is not affected by later changes to the caller's instance.</summary>
    internal TcpTransportOptions Clone()
    {
        var copy = (TcpTransportOptions)MemberwiseClone();
        copy.Peers = [.. Peers];
        return copy;
    }

    private static void Positive(List<string> failures, string name, long value)
    {
        if (value <= 0)
        {
            failures.Add($"TcpTransportOptions.{name} must be positive, got {value}.");
        }
    }
}
