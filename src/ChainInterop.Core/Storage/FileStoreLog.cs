using Microsoft.Extensions.Logging;

namespace ChainInterop.Storage;

/// <summary>The durable store's log events (event ids 5100–5199, C5).</summary>
internal static partial class FileStoreLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information,
        Message = "Opened block log {Directory}: {SegmentCount} segments, {BlockCount} blocks in {AreaCount} areas, {LogBytes} bytes, recovered in {DurationMs} ms")]
    public static partial void Opened(this ILogger logger, string directory, int segmentCount, long blockCount, int areaCount, long logBytes, double durationMs);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning,
        Message = "Truncated torn tail of {FilePath} at offset {Offset}: removed {BytesRemoved} bytes ({Reason})")]
    public static partial void TailTruncated(this ILogger logger, string filePath, long offset, long bytesRemoved, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Error,
        Message = "Block log corrupt: {FilePath} at offset {Offset}: {Reason}")]
    public static partial void CorruptionDetected(this ILogger logger, string filePath, long offset, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information,
        Message = "Started segment {FilePath} (previous segment {PreviousBytes} bytes)")]
    public static partial void SegmentCreated(this ILogger logger, string filePath, long previousBytes);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error,
        Message = "Background fsync of block log {Directory} failed; the log refuses further calls until reopened")]
    public static partial void BackgroundFlushFailed(this ILogger logger, string directory, Exception exception);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error,
        Message = "Write to block log {Directory} failed; the log refuses further calls until reopened")]
    public static partial void WriteFailed(this ILogger logger, string directory, Exception exception);
}
