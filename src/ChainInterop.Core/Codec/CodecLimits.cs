namespace ChainInterop.Codec;

/// <summary>
/// Bounds that a decoder enforces before it allocates or slices anything, so that hostile input
/// cannot exhaust memory or the stack. Properties are init-only and must be positive.
/// </summary>
public sealed record CodecLimits
{
    private readonly long _maxMessageSizeBytes = 16L * 1024 * 1024;
    private readonly int _maxStringLengthBytes = 1024 * 1024;
    private readonly int _maxBinaryLengthBytes = 16 * 1024 * 1024;
    private readonly int _maxDepth = 32;
    private readonly int _maxElementCount = 1_000_000;

    /// <summary>The default limits: 16 MiB messages, 1 MiB strings, 16 MiB binaries, depth 32, 1,000,000 elements.</summary>
    public static CodecLimits Default { get; } = new();

    /// <summary>
    /// The limits for a state snapshot the node wrote itself (it can be far larger than any message): no size or element
    /// bound but the input itself; depth as <see cref="Default"/>.
    /// </summary>
    public static CodecLimits Snapshot { get; } = new()
    {
        MaxMessageSizeBytes = long.MaxValue,
        MaxBinaryLengthBytes = int.MaxValue,
        MaxElementCount = int.MaxValue,
    };

    /// <summary>The largest whole input accepted, in bytes (default 16 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long MaxMessageSizeBytes
    {
        get => _maxMessageSizeBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxMessageSizeBytes = value;
        }
    }

    /// <summary>The longest string accepted, in UTF-8 bytes (default 1 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxStringLengthBytes
    {
        get => _maxStringLengthBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxStringLengthBytes = value;
        }
    }

    /// <summary>The longest binary value accepted, in bytes (default 16 MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxBinaryLengthBytes
    {
        get => _maxBinaryLengthBytes;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxBinaryLengthBytes = value;
        }
    }

    /// <summary>
    /// The deepest nesting of arrays and maps accepted (default 32; a top-level array is depth 1),
    /// enforced by <see cref="CanonicalReader.Skip"/> and <see cref="Canonical.Validate"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxDepth
    {
        get => _maxDepth;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxDepth = value;
        }
    }

    /// <summary>The largest element count of one array or map header (pairs for a map; default 1,000,000).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxElementCount
    {
        get => _maxElementCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxElementCount = value;
        }
    }
}
