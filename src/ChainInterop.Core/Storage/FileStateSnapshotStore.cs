using System.Buffers;
using System.Globalization;
using ChainInterop.Codec;
using ChainInterop.Framing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Storage;

/// <summary>
/// Snapshots as files: <c>&lt;directory&gt;/&lt;chainId&gt;/snapshot-&lt;height&gt;.snap</c>, each one <see cref="Frame"/>
/// holding the canonical <see cref="StateSnapshot"/>. A save writes a temporary file, flushes it to disk and renames
/// it into place, so a crash leaves either the old set or the new one. A damaged newest snapshot is skipped (with a
/// warning) in favour of an older one: the block log, not the snapshot, is the source of truth.
/// </summary>
public sealed partial class FileStateSnapshotStore : IStateSnapshotStore
{
    /// <summary>The largest snapshot file this store reads, in bytes.</summary>
    public const int MaxSnapshotSizeBytes = Frame.MaxPayloadSizeBytes;

    private const string Extension = ".snap";
    private readonly string _directory;
    private readonly int _keep;
    private readonly ILogger _logger;

    /// <summary>Creates a store in <paramref name="directory"/> (created if missing).</summary>
    /// <param name="directory">The root directory.</param>
    /// <param name="snapshotsKeptPerChain">How many newest snapshots to keep per chain (at least 1).</param>
    /// <param name="logger">Where skipped or damaged snapshots are reported.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="snapshotsKeptPerChain"/> is below 1.</exception>
    public FileStateSnapshotStore(string directory, int snapshotsKeptPerChain = 3, ILogger<FileStateSnapshotStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshotsKeptPerChain, 1);
        _directory = Path.GetFullPath(directory);
        _keep = snapshotsKeptPerChain;
        _logger = logger ?? NullLogger<FileStateSnapshotStore>.Instance;
    }

    /// <inheritdoc />
    public async ValueTask SaveAsync(StateSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        string chainDirectory = Path.Combine(_directory, snapshot.ChainId.Value);
        Directory.CreateDirectory(chainDirectory);
        string final = Path.Combine(chainDirectory, FileName(snapshot.Height));
        string temporary = final + ".tmp";

        var buffer = new ArrayBufferWriter<byte>();
        Frame.Write(buffer, Canonical.Encode(snapshot));
        var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, final, overwrite: true);
        Prune(chainDirectory);
    }

    /// <inheritdoc />
    public async ValueTask<StateSnapshot?> LoadLatestAsync(ChainId chainId, CancellationToken cancellationToken = default)
    {
        string chainDirectory = Path.Combine(_directory, chainId.Value);
        foreach (var (height, path) in Snapshots(chainDirectory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var snapshot = await TryReadAsync(path, cancellationToken).ConfigureAwait(false);
            if (snapshot is not null && snapshot.ChainId == chainId && snapshot.Height == height)
            {
                return snapshot;
            }

            LogSkippedSnapshot(_logger, path);
        }

        return null;
    }

    private static async Task<StateSnapshot?> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length > MaxSnapshotSizeBytes + Frame.HeaderSizeBytes)
        {
            return null;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        var sequence = new ReadOnlySequence<byte>(bytes);
        if (Frame.TryRead(ref sequence, MaxSnapshotSizeBytes, out var payload) != FrameStatus.Complete || !sequence.IsEmpty)
        {
            return null;
        }

        try
        {
            return Canonical.Decode<StateSnapshot>(payload);
        }
        catch (CodecException)
        {
            return null;
        }
    }

    private void Prune(string chainDirectory)
    {
        foreach (var (_, path) in Snapshots(chainDirectory).Skip(_keep))
        {
            File.Delete(path);
        }
    }

    /// <summary>The chain's snapshot files, newest height first.</summary>
    private static (ulong Height, string Path)[] Snapshots(string chainDirectory)
    {
        if (!Directory.Exists(chainDirectory))
        {
            return [];
        }

        return Directory.EnumerateFiles(chainDirectory, "snapshot-*" + Extension)
            .Select(path => (Ok: ulong.TryParse(Path.GetFileNameWithoutExtension(path).AsSpan("snapshot-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out ulong h), Height: h, Path: path))
            .Where(s => s.Ok)
            .OrderByDescending(s => s.Height)
            .Select(s => (s.Height, s.Path))
            .ToArray();
    }

    private static string FileName(ulong height) => $"snapshot-{height.ToString("D20", CultureInfo.InvariantCulture)}{Extension}";

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Skipping damaged or mismatched snapshot {Path}; recovery will replay from an older snapshot or genesis")]
    private static partial void LogSkippedSnapshot(ILogger logger, string path);
}
