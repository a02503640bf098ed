using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.SingleAuthority;

/// <summary>The single-authority engine's log events (event ids 6100–6199, K1).</summary>
internal static partial class SingleAuthorityLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Debug, Message = "Chain {ChainId}: committed block {Height} with {RequestCount} requests")]
    public static partial void Committed(this ILogger logger, ChainId chainId, ulong height, int requestCount);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Chain {ChainId}: dropped {What} from {Peer}: {Reason}")]
    public static partial void Dropped(this ILogger logger, ChainId chainId, string what, NodeId peer, string reason);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning,
        Message = "Chain {ChainId}: the authority sent block {Height} that does not verify or does not extend our tip: {Reason}")]
    public static partial void RejectedBlock(this ILogger logger, ChainId chainId, ulong height, ChainInterop.Blocks.VerificationResult reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Chain {ChainId}: replayed {ClientCount} client records up to height {Height}")]
    public static partial void Recovered(this ILogger logger, ChainId chainId, int clientCount, ulong? height);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning, Message = "Chain {ChainId}: pending request queue full ({Limit}); dropped a request from client {ClientId}")]
    public static partial void QueueFull(this ILogger logger, ChainId chainId, int limit, NodeId clientId);
}
