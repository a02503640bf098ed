using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.Pbft;

/// <summary>Source-generated log messages of <see cref="PbftReplica"/>.</summary>
internal static partial class PbftLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Committed {ChainId} height {Height} (view {View}, sequence {Sequence}) with {EntryCount} entries")]
    public static partial void Committed(ILogger logger, ChainId chainId, ulong view, ulong sequence, ulong height, int entryCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Starting view change on {ChainId} to view {View} at sequence {Sequence} (height {Height})")]
    public static partial void ViewChangeStarted(ILogger logger, ChainId chainId, ulong view, ulong sequence, ulong height);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Entered view {View} on {ChainId} at sequence {Sequence} (height {Height})")]
    public static partial void NewViewEntered(ILogger logger, ChainId chainId, ulong view, ulong sequence, ulong height);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Dropped a {Kind} message on {ChainId} from {Sender}: {Reason}")]
    public static partial void Dropped(ILogger logger, ChainId chainId, Messages.PbftMessageKind kind, NodeId sender, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "Dropped an undecodable message on {ChainId} from {Sender}: {Reason}")]
    public static partial void Undecodable(ILogger logger, ChainId chainId, NodeId sender, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "State transfer on {ChainId}: committed up to height {Height} (view {View}, sequence {Sequence})")]
    public static partial void StateTransferred(ILogger logger, ChainId chainId, ulong view, ulong sequence, ulong height);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "State transfer block at height {Height} on {ChainId} rejected: {Reason}")]
    public static partial void StateTransferRejected(ILogger logger, ChainId chainId, ulong height, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Stable checkpoint on {ChainId} at height {Height} (view {View}, sequence {Sequence})")]
    public static partial void CheckpointStable(ILogger logger, ChainId chainId, ulong view, ulong sequence, ulong height);
}
