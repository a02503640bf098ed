using ChainInterop.Framing;

namespace ChainInterop.Storage;

/// <summary>Settings of the durable file block store (C5). Call <see cref="Validate"/> (the factories do).</summary>
public sealed class FileStoreOptions
{
    /// <summary>The smallest allowed <see cref="MaxSegmentSizeBytes"/>: 1 MiB.</summary>
    public const long MinSegmentSizeBytes = 1024 * 1024;

    /// <summary>The default <see cref="MaxSegmentSizeBytes"/>: 64 MiB.</summary>
    public const long DefaultMaxSegmentSizeBytes = 64L * 1024 * 1024;

    /// <summary>The default <see cref="MaxBlockSizeBytes"/>: 8 MiB.</summary>
    public const int DefaultMaxBlockSizeBytes = 8 * 1024 * 1024;

    /// <summary>The default <see cref="FlushIntervalMs"/>: 100 ms.</summary>
    public const int DefaultFlushIntervalMs = 100;

    /// <summary>
    /// Bytes a record adds around a block's canonical bytes: the frame header, the record array, the area's chain
    /// id (at most <see cref="Identifier.MaxLength"/> ASCII bytes) and the binary header, rounded up.
    /// </summary>
    public const int RecordOverheadBytes = 128;

    /// <summary>The directory of the log (required). Physical stores use <c>Path/&lt;chainId&gt;/</c>, a logical store <c>Path/</c>.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// How a <see cref="FileBlockStoreProvider"/> lays out several chains: <see cref="StorageIsolation.Physical"/>
    /// (default) gives each chain its own log in <c>Path/&lt;chainId&gt;/</c>; <see cref="StorageIsolation.Logical"/>
    /// keeps all chains in one log in <c>Path/</c>, each in its own area.
    /// </summary>
    public StorageIsolation Isolation { get; set; } = StorageIsolation.Physical;

    /// <summary>
    /// A segment file is closed and the next one started before a record would take it past this size, in bytes (at
    /// least 1 MiB). A single record larger than this gets a segment of its own.
    /// </summary>
    public long MaxSegmentSizeBytes { get; set; } = DefaultMaxSegmentSizeBytes;

    /// <summary>The largest canonical block accepted by an append, in bytes (default 8 MiB). Recovery reads larger records written under an earlier, larger limit.</summary>
    public int MaxBlockSizeBytes { get; set; } = DefaultMaxBlockSizeBytes;

    /// <summary>When appends are fsynced.</summary>
    public FileStoreDurability Durability { get; set; } = FileStoreDurability.EveryBatch;

    /// <summary>The period of the background fsync under <see cref="FileStoreDurability.Interval"/>, in milliseconds (positive).</summary>
    public int FlushIntervalMs { get; set; } = DefaultFlushIntervalMs;

    /// <summary>Throws unless every setting is usable; the message lists every problem.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            failures.Add("FileStoreOptions.Path is required.");
        }

        if (MaxSegmentSizeBytes < MinSegmentSizeBytes)
        {
            failures.Add($"FileStoreOptions.MaxSegmentSizeBytes must be at least {MinSegmentSizeBytes} bytes, got {MaxSegmentSizeBytes}.");
        }

        const int maxBlock = Frame.MaxPayloadSizeBytes - RecordOverheadBytes;
        if (MaxBlockSizeBytes <= 0 || MaxBlockSizeBytes > maxBlock)
        {
            failures.Add($"FileStoreOptions.MaxBlockSizeBytes must be between 1 and {maxBlock} bytes (a record must fit a frame), got {MaxBlockSizeBytes}.");
        }

        if (FlushIntervalMs <= 0)
        {
            failures.Add($"FileStoreOptions.FlushIntervalMs must be positive, got {FlushIntervalMs}.");
        }

        if (!Enum.IsDefined(Isolation))
        {
            failures.Add($"FileStoreOptions.Isolation {(int)Isolation} is not a known mode.");
        }

        if (!Enum.IsDefined(Durability))
        {
            failures.Add($"FileStoreOptions.Durability {(int)Durability} is not a known policy.");
        }

        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures));
        }
    }

    /// <summary>A copy, so that a running store is not affected by later changes to the caller's instance.</summary>
    internal FileStoreOptions Clone() => (FileStoreOptions)MemberwiseClone();
}
