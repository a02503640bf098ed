using Microsoft.Extensions.Logging;

namespace ChainInterop.Transport.Tcp;

/// <summary>The TCP transport's log events (7100–7199).</summary>
internal static partial class TcpTransportLog
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Transport of node {LocalNode} ({ChainId}) listening on {EndPoint}, TLS {Tls}")]
    public static partial void Listening(this ILogger logger, NodeId localNode, ChainId chainId, System.Net.EndPoint endPoint, bool tls);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Connected to {Peer} ({Direction}, {RemoteEndPoint})")]
    public static partial void Connected(this ILogger logger, NodeId peer, string direction, string remoteEndPoint);

    /// <summary>Every closed connection, authenticated or not, with its typed reason.</summary>
    [LoggerMessage(EventId = 7102, Message = "Closed connection with {RemoteEndPoint} (peer {Peer}): {Reason}, {Detail}")]
    public static partial void ConnectionClosed(this ILogger logger, LogLevel level, string remoteEndPoint, NodeId? peer, ConnectionCloseReason reason, string detail);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Debug, Message = "Dialling {Peer} at {EndPoint} failed ({Error}); next attempt in {DelayMs} ms")]
    public static partial void DialFailed(this ILogger logger, NodeId peer, System.Net.EndPoint endPoint, string error, double delayMs);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Warning, Message = "Accepting a connection failed: {Error}")]
    public static partial void AcceptFailed(this ILogger logger, string error);
}
