using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace ChainInterop.Storage;

/// <summary>
/// An append-only log of block records in segment files of one directory (C5). Each record is one
/// <see cref="Frame"/> whose payload is the canonical array <c>[area chain id (string), canonical block (binary)]</c>.
/// Areas (chains) share the log; each area's records form a chain that follows <see cref="BlockSequence"/>.
/// </summary>
/// <remarks>
/// <para>Writes are serialised by one async gate (one writer at a time across all areas); each frame goes to disk in
/// a single write call (a batch's frames are coalesced into one call per segment). Reads take a record's location
/// under a short lock and read it with <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>, so readers never wait
/// for fsync.</para>
/// <para>Invariant: only the last segment can end in a torn record, because a segment is fsynced before the next one
/// is created. Recovery therefore truncates a torn tail of the last segment and treats any other bad frame as
/// corruption.</para>
/// </remarks>
internal sealed class FileLog : IAsyncDisposable
{
    internal const string SegmentPrefix = "segment-";
    internal const string SegmentSuffix = ".log";
    internal const string LockFileName = "LOCK";
    private const int ReadChunkBytes = 4 * 1024 * 1024;

    /// <summary>Generous decoding limits for records that already passed their checksum (a lowered MaxBlockSizeBytes must not orphan old records).</summary>
    private static readonly CodecLimits RecordLimits = new()
    {
        MaxMessageSizeBytes = Frame.MaxPayloadSizeBytes,
        MaxBinaryLengthBytes = Frame.MaxPayloadSizeBytes,
    };

    private readonly string _directory;
    private readonly FileStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _indexGate = new();
    private readonly List<Segment> _segments;
    private readonly Dictionary<ChainId, Area> _areas;
    private readonly FileStream _lockFile;
    private readonly PooledBufferWriter _batch = new(64 * 1024);
    private readonly PooledBufferWriter _payload = new(64 * 1024);
    private readonly PooledBufferWriter _block = new(64 * 1024);
    private ITimer? _timer;
    private Segment _active;
    private long _activeLength;
    private volatile bool _dirty;
    private volatile Exception? _failure;
    private volatile bool _disposed;

    private FileLog(string directory, FileStoreOptions options, ILogger logger, FileStream lockFile, List<Segment> segments, Dictionary<ChainId, Area> areas, long activeLength)
    {
        _directory = directory;
        _options = options;
        _logger = logger;
        _lockFile = lockFile;
        _segments = segments;
        _areas = areas;
        _active = segments[^1];
        _activeLength = activeLength;
    }

    /// <summary>The log's directory.</summary>
    public string DirectoryPath => _directory;

    /// <summary>The number of segment files.</summary>
    public int SegmentCount
    {
        get
        {
            lock (_indexGate)
            {
                return _segments.Count;
            }
        }
    }

    /// <summary>The chains that have (or were given) an area.</summary>
    public IReadOnlyList<ChainId> Chains
    {
        get
        {
            lock (_indexGate)
            {
                return [.. _areas.Keys.Order()];
            }
        }
    }

    /// <summary>Opens the log in <paramref name="directory"/>, creating it if needed, and recovers it.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="options">Validated options (copied).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="timeProvider">The clock of the <see cref="FileStoreDurability.Interval"/> timer.</param>
    /// <returns>The open log.</returns>
    /// <exception cref="StoreCorruptionException">A record is damaged in a way an interrupted write cannot explain.</exception>
    /// <exception cref="IOException">The directory is locked by another open log, or the OS failed.</exception>
    public static FileLog Open(string directory, FileStoreOptions options, ILogger logger, TimeProvider timeProvider)
    {
        var started = Stopwatch.GetTimestamp();
        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory));
            if (parent is not null)
            {
                DirectorySync.Flush(parent);
            }
        }

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The block log in {directory} is already open (by this or another process).", e);
        }

        var segments = new List<Segment>();
        try
        {
            var areas = new Dictionary<ChainId, Area>();
            var numbers = ListSegmentNumbers(directory);
            for (int i = 0; i < numbers.Count; i++)
            {
                if (numbers[i] != i)
                {
                    var missing = SegmentPath(directory, i);
                    throw Corrupt(logger, missing, 0, $"segment {i} is missing (found segment {numbers[i]} after it)");
                }
            }

            if (numbers.Count == 0)
            {
                segments.Add(CreateSegment(directory, 0));
                DirectorySync.Flush(directory);
            }
            else
            {
                for (int i = 0; i < numbers.Count; i++)
                {
                    bool last = i == numbers.Count - 1;
                    var path = SegmentPath(directory, i);
                    var handle = File.OpenHandle(path, FileMode.Open, last ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    segments.Add(new Segment(i, path, handle));
                }
            }

            long total = 0;
            long activeLength = 0;
            using (var scanner = new SegmentScanner(logger, areas))
            {
                for (int i = 0; i < segments.Count; i++)
                {
                    long length = scanner.Scan(segments[i], last: i == segments.Count - 1);
                    total += length;
                    activeLength = length;
                }
            }

            var log = new FileLog(directory, options, logger, lockFile, segments, areas, activeLength);
            if (options.Durability == FileStoreDurability.Interval)
            {
                var period = TimeSpan.FromMilliseconds(options.FlushIntervalMs);
                log._timer = timeProvider.CreateTimer(static state => ((FileLog)state!).OnTimer(), log, period, period);
            }

            long blockCount = areas.Values.Sum(a => (long)a.Records.Count);
            double durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            logger.Opened(directory, segments.Count, blockCount, areas.Count, total, durationMs);
            return log;
        }
        catch
        {
            foreach (var segment in segments)
            {
                segment.Handle.Dispose();
            }

            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>The area of <paramref name="chainId"/>, created empty when the log has none.</summary>
    public Area GetArea(ChainId chainId)
    {
        lock (_indexGate)
        {
            if (!_areas.TryGetValue(chainId, out var area))
            {
                area = new Area(chainId);
                _areas.Add(chainId, area);
            }

            return area;
        }
    }

    /// <summary>The area's tip header.</summary>
    public BlockHeader? TipOf(Area area)
    {
        lock (_indexGate)
        {
            return area.Tip;
        }
    }

    /// <summary>Appends <paramref name="blocks"/> to <paramref name="area"/> under the durability policy.</summary>
    public async ValueTask AppendAsync(Area area, IReadOnlyList<Block> blocks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnusable();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            BlockSequence.RequireNext(area.ChainId, area.Tip, blocks);
            if (blocks.Count == 0)
            {
                return;
            }

            int[] frameLengths = EncodeFrames(area.ChainId, blocks);
            var locations = new RecordLocation[blocks.Count];
            try
            {
                WriteFrames(frameLengths, locations);
            }
            catch (Exception e)
            {
                _failure = e;
                _logger.WriteFailed(_directory, e);
                throw;
            }

            lock (_indexGate)
            {
                for (int i = 0; i < blocks.Count; i++)
                {
                    area.Add(locations[i], blocks[i].Header);
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Fsyncs everything written so far.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            try
            {
                RandomAccess.FlushToDisk(_active.Handle);
                _dirty = false;
            }
            catch (Exception e)
            {
                _failure = e;
                _logger.WriteFailed(_directory, e);
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The number of blocks in <paramref name="area"/>.</summary>
    public ulong CountOf(Area area)
    {
        lock (_indexGate)
        {
            return (ulong)area.Records.Count;
        }
    }

    /// <summary>The block at <paramref name="height"/> of <paramref name="area"/>, read from disk, or null above the tip.</summary>
    public Block? Read(Area area, ulong height)
    {
        ThrowIfUnusable();
        RecordLocation location;
        lock (_indexGate)
        {
            if (height >= (ulong)area.Records.Count)
            {
                return null;
            }

            location = area.Records[(int)height];
        }

        return ReadRecord(location);
    }

    /// <summary>The block of <paramref name="area"/> whose hash is <paramref name="hash"/>, or null.</summary>
    public Block? Read(Area area, Hash256 hash)
    {
        ThrowIfUnusable();
        RecordLocation location;
        lock (_indexGate)
        {
            if (!area.HeightByHash.TryGetValue(hash, out int height))
            {
                return null;
            }

            location = area.Records[height];
        }

        return ReadRecord(location);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_failure is null && _dirty)
            {
                RandomAccess.FlushToDisk(_active.Handle);
            }
        }
        finally
        {
            lock (_indexGate)
            {
                foreach (var segment in _segments)
                {
                    segment.Handle.Dispose();
                }
            }

            await _lockFile.DisposeAsync().ConfigureAwait(false);
            _batch.Dispose();
            _payload.Dispose();
            _block.Dispose();
            _writeGate.Release();
        }
    }

    private static string SegmentPath(string directory, int number) =>
        Path.Combine(directory, SegmentPrefix + number.ToString("D12", CultureInfo.InvariantCulture) + SegmentSuffix);

    private static List<int> ListSegmentNumbers(string directory)
    {
        var numbers = new List<int>();
        foreach (var file in Directory.EnumerateFiles(directory, SegmentPrefix + "*" + SegmentSuffix))
        {
            var name = Path.GetFileName(file);
            var digits = name.AsSpan(SegmentPrefix.Length, name.Length - SegmentPrefix.Length - SegmentSuffix.Length);
            if (digits.Length == 12 && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                numbers.Add(number);
            }
        }

        numbers.Sort();
        return numbers;
    }

    private static Segment CreateSegment(string directory, int number)
    {
        var path = SegmentPath(directory, number);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new Segment(number, path, handle);
    }

    private static StoreCorruptionException Corrupt(ILogger logger, string path, long offset, string reason, Exception? inner = null)
    {
        logger.CorruptionDetected(path, offset, reason);
        return new StoreCorruptionException(path, offset, reason, inner);
    }

    private static string Describe(FrameStatus status) => status switch
    {
        FrameStatus.NeedMoreData => "record ends past the end of the file",
        FrameStatus.UnsupportedVersion => "bad frame version or reserved byte",
        FrameStatus.TooLarge => "bad frame length",
        FrameStatus.ChecksumMismatch => "CRC-32C mismatch",
        _ => status.ToString(),
    };

    private static Block DecodeRecord(ReadOnlySequence<byte> payload, out ChainId chainId)
    {
        var reader = new CanonicalReader(payload, RecordLimits);
        reader.ReadArrayHeader(2);
        chainId = new ChainId(reader.ReadString());
        var blockBytes = reader.ReadBinary();
        reader.EnsureEnd();
        return Canonical.Decode<Block>(blockBytes, RecordLimits);
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (!destination.IsEmpty)
        {
            int read = RandomAccess.Read(handle, destination, offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The block log ended inside a record.");
            }

            destination = destination[read..];
            offset += read;
        }
    }

    private Block ReadRecord(RecordLocation location)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(location.LengthBytes);
        try
        {
            ReadExactly(location.Segment.Handle, buffer.AsSpan(0, location.LengthBytes), location.Offset);
            var sequence = new ReadOnlySequence<byte>(buffer, 0, location.LengthBytes);
            var status = Frame.TryRead(ref sequence, Frame.MaxPayloadSizeBytes, out var payload);
            if (status != FrameStatus.Complete)
            {
                throw Corrupt(_logger, location.Segment.Path, location.Offset, $"{Describe(status)} when reading an indexed record");
            }

            return DecodeRecord(payload, out _);
        }
        catch (CodecException e)
        {
            throw Corrupt(_logger, location.Segment.Path, location.Offset, "indexed record does not decode: " + e.Message, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private int[] EncodeFrames(ChainId chainId, IReadOnlyList<Block> blocks)
    {
        _batch.Reset();
        var lengths = new int[blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            _block.Reset();
            Canonical.Encode(blocks[i], _block);
            if (_block.WrittenCount > _options.MaxBlockSizeBytes)
            {
                throw new ArgumentException(
                    $"Block {blocks[i].Height} of {chainId} is {_block.WrittenCount} bytes; the store's MaxBlockSizeBytes is {_options.MaxBlockSizeBytes}.",
                    nameof(blocks));
            }

            _payload.Reset();
            var writer = new CanonicalWriter(_payload);
            writer.WriteArrayHeader(2);
            writer.WriteString(chainId.Value);
            writer.WriteBinary(_block.WrittenSpan);
            lengths[i] = Frame.Write(_batch, _payload.WrittenSpan);
        }

        return lengths;
    }

    private void WriteFrames(int[] frameLengths, RecordLocation[] locations)
    {
        var bytes = _batch.WrittenSpan;
        bool perBlock = _options.Durability == FileStoreDurability.EveryBlock;
        int i = 0;
        int position = 0;
        while (i < frameLengths.Length)
        {
            int j = i;
            int chunk = 0;
            while (j < frameLengths.Length
                && (_activeLength + chunk == 0 || _activeLength + chunk + frameLengths[j] <= _options.MaxSegmentSizeBytes)
                && !(perBlock && j > i))
            {
                locations[j] = new RecordLocation(_active, _activeLength + chunk, frameLengths[j]);
                chunk += frameLengths[j];
                j++;
            }

            if (j == i)
            {
                RollSegment();
                continue;
            }

            RandomAccess.Write(_active.Handle, bytes.Slice(position, chunk), _activeLength);
            _activeLength += chunk;
            position += chunk;
            i = j;
            if (perBlock)
            {
                RandomAccess.FlushToDisk(_active.Handle);
            }
        }

        switch (_options.Durability)
        {
            case FileStoreDurability.EveryBatch:
                RandomAccess.FlushToDisk(_active.Handle);
                break;
            case FileStoreDurability.Interval:
                _dirty = true;
                break;
        }
    }

    private void RollSegment()
    {
        // The finished segment is made durable before its successor exists, so only the last segment can be torn.
        RandomAccess.FlushToDisk(_active.Handle);
        var next = CreateSegment(_directory, _active.Number + 1);
        try
        {
            DirectorySync.Flush(_directory);
        }
        catch
        {
            next.Handle.Dispose();
            throw;
        }

        lock (_indexGate)
        {
            _segments.Add(next);
        }

        _logger.SegmentCreated(next.Path, _activeLength);
        _active = next;
        _activeLength = 0;
    }

    private void OnTimer()
    {
        if (_dirty && !_disposed && _failure is null)
        {
            _ = BackgroundFlushAsync();
        }
    }

    private async Task BackgroundFlushAsync()
    {
        try
        {
            await _writeGate.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            if (_disposed || _failure is not null || !_dirty)
            {
                return;
            }

            _dirty = false;
            RandomAccess.FlushToDisk(_active.Handle);
        }
        catch (Exception e)
        {
            // Captured, logged and rethrown (wrapped) by the next call: never swallowed.
            _failure = e;
            _logger.BackgroundFlushFailed(_directory, e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is { } failure)
        {
            throw new IOException($"The block log in {_directory} failed earlier and refuses further calls until it is reopened: {failure.Message}", failure);
        }
    }

    /// <summary>One segment file and its open handle (read-write for the active one).</summary>
    internal sealed record Segment(int Number, string Path, SafeFileHandle Handle);

    /// <summary>Where one record lies.</summary>
    internal readonly record struct RecordLocation(Segment Segment, long Offset, int LengthBytes);

    /// <summary>One chain's index: height → record location, hash → height, and the tip.</summary>
    internal sealed class Area(ChainId chainId)
    {
        public ChainId ChainId { get; } = chainId;

        public List<RecordLocation> Records { get; } = [];

        public Dictionary<Hash256, int> HeightByHash { get; } = [];

        public BlockHeader? Tip { get; private set; }

        public void Add(RecordLocation location, BlockHeader header)
        {
            HeightByHash.Add(header.Hash, Records.Count);
            Records.Add(location);
            Tip = header;
        }
    }

    /// <summary>Recovery: reads a segment's frames in large chunks, indexes them and repairs or rejects a bad tail.</summary>
    private sealed class SegmentScanner(ILogger logger, Dictionary<ChainId, Area> areas) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(ReadChunkBytes);

        /// <summary>Indexes <paramref name="segment"/> and returns its good length (after any truncation).</summary>
        public long Scan(Segment segment, bool last)
        {
            var handle = segment.Handle;
            long length = RandomAccess.GetLength(handle);
            long position = 0; // file offset of _buffer[start]
            int start = 0;
            int end = 0;
            while (position < length)
            {
                var sequence = new ReadOnlySequence<byte>(_buffer, start, end - start);
                var status = Frame.TryRead(ref sequence, Frame.MaxPayloadSizeBytes, out var payload);
                if (status == FrameStatus.Complete)
                {
                    int frameLength = Frame.HeaderSizeBytes + (int)payload.Length;
                    Index(segment, position, frameLength, payload);
                    position += frameLength;
                    start += frameLength;
                    continue;
                }

                if (status == FrameStatus.NeedMoreData)
                {
                    int available = end - start;
                    long needed = available < Frame.HeaderSizeBytes
                        ? Frame.HeaderSizeBytes
                        : Frame.HeaderSizeBytes + (long)BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(start + 2));
                    if (position + needed <= length)
                    {
                        Refill(handle, ref start, ref end, position, length, (int)needed);
                        continue;
                    }
                }

                return Reject(segment, last, position, length, status);
            }

            return length;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

        private void Refill(SafeFileHandle handle, ref int start, ref int end, long position, long length, int needed)
        {
            int available = end - start;
            if (_buffer.Length < needed)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(needed);
                _buffer.AsSpan(start, available).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(start, available).CopyTo(_buffer);
            }

            start = 0;
            end = available;
            int toRead = (int)Math.Min(_buffer.Length - available, length - position - available);
            ReadExactly(handle, _buffer.AsSpan(end, toRead), position + available);
            end += toRead;
        }

        private void Index(Segment segment, long offset, int frameLength, ReadOnlySequence<byte> payload)
        {
            Block block;
            ChainId chainId;
            try
            {
                block = DecodeRecord(payload, out chainId);
            }
            catch (Exception e) when (e is CodecException or ArgumentException)
            {
                throw Corrupt(logger, segment.Path, offset, "checksummed record does not decode: " + e.Message, e);
            }

            if (!areas.TryGetValue(chainId, out var area))
            {
                area = new Area(chainId);
                areas.Add(chainId, area);
            }

            try
            {
                BlockSequence.RequireNext(chainId, area.Tip, block);
            }
            catch (ArgumentException e)
            {
                throw Corrupt(logger, segment.Path, offset, "block out of sequence: " + e.Message, e);
            }

            area.Add(new RecordLocation(segment, offset, frameLength), block.Header);
        }

        private long Reject(Segment segment, bool last, long offset, long length, FrameStatus status)
        {
            var reason = Describe(status);
            if (!last)
            {
                throw Corrupt(logger, segment.Path, offset, reason + " in a sealed segment");
            }

            long? next = FindValidFrameAfter(segment.Handle, offset, length);
            if (next is long found)
            {
                throw Corrupt(logger, segment.Path, offset, $"{reason}, yet a valid record follows at offset {found}");
            }

            RandomAccess.SetLength(segment.Handle, offset);
            RandomAccess.FlushToDisk(segment.Handle);
            logger.TailTruncated(segment.Path, offset, length - offset, reason);
            return offset;
        }

        private static long? FindValidFrameAfter(SafeFileHandle handle, long offset, long length)
        {
            long tailLength = length - offset - 1;
            if (tailLength < Frame.HeaderSizeBytes)
            {
                return null;
            }

            var tail = new byte[tailLength];
            ReadExactly(handle, tail, offset + 1);
            for (int i = 0; i + Frame.HeaderSizeBytes <= tail.Length; i++)
            {
                if (tail[i] != Frame.CurrentVersion || tail[i + 1] != 0)
                {
                    continue;
                }

                var sequence = new ReadOnlySequence<byte>(tail, i, tail.Length - i);
                if (Frame.TryRead(ref sequence, Frame.MaxPayloadSizeBytes, out _) == FrameStatus.Complete)
                {
                    return offset + 1 + i;
                }
            }

            return null;
        }
    }
}
