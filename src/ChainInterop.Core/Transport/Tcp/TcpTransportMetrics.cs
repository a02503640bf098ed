using System.Diagnostics.Metrics;

namespace ChainInterop.Transport.Tcp;

/// <summary>The transport meter ("ChainInterop.Transport") and its instruments.</summary>
internal static class TcpTransportMetrics
{
    public const string MeterName = "ChainInterop.Transport";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Data frames written to sockets.</summary>
    public static readonly Counter<long> FramesSent = Meter.CreateCounter<long>("chaininterop.transport.frames_sent", "{frame}", "Data frames written to peers");

    /// <summary>Bytes written to sockets (frames of every kind, headers included).</summary>
    public static readonly Counter<long> BytesSent = Meter.CreateCounter<long>("chaininterop.transport.bytes_sent", "By", "Bytes written to peers");

    /// <summary>Data frames received from authenticated peers.</summary>
    public static readonly Counter<long> FramesReceived = Meter.CreateCounter<long>("chaininterop.transport.frames_received", "{frame}", "Data frames received from peers");

    /// <summary>Messages dropped, tagged <c>reason</c> = <c>send_queue_full</c>, <c>unknown_peer</c>, <c>inbound_full</c> or <c>connection_lost</c> (a batch whose write did not complete).</summary>
    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("chaininterop.transport.dropped", "{message}", "Messages dropped by the transport");

    /// <summary>Connections closed, tagged <c>reason</c> (a <see cref="ConnectionCloseReason"/> name).</summary>
    public static readonly Counter<long> ConnectionsClosed = Meter.CreateCounter<long>("chaininterop.transport.connections_closed", "{connection}", "Connections closed, by reason");

    /// <summary>Peers authenticated, tagged <c>direction</c> = <c>inbound</c> or <c>outbound</c>.</summary>
    public static readonly Counter<long> Handshakes = Meter.CreateCounter<long>("chaininterop.transport.handshakes", "{connection}", "Connections that completed the handshake");
}
