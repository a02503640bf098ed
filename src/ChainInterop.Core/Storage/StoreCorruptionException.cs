namespace ChainInterop.Storage;

/// <summary>
/// The durable block log holds a record that cannot be explained by an interrupted write: a bad frame followed by
/// good ones, a bad frame in a sealed segment, a checksummed record that does not decode, or blocks out of
/// sequence. The store refuses to open rather than skip data; an operator restores the file from a replica.
/// </summary>
public sealed class StoreCorruptionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The damaged file.</param>
    /// <param name="offset">The byte offset of the damaged record in <paramref name="filePath"/>.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public StoreCorruptionException(string filePath, long offset, string reason, Exception? innerException = null)
        : base($"Block log corrupt: {filePath} at offset {offset}: {reason}", innerException)
    {
        FilePath = filePath;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    public StoreCorruptionException()
        : this(string.Empty, 0, "unspecified")
    {
    }

    /// <summary>Creates the exception with a message only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    public StoreCorruptionException(string message)
        : this(string.Empty, 0, message)
    {
    }

    /// <summary>Creates the exception with a message and cause only (prefer the detailed constructor).</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public StoreCorruptionException(string message, Exception innerException)
        : this(string.Empty, 0, message, innerException)
    {
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the damaged record within <see cref="FilePath"/>.</summary>
    public long Offset { get; }

    /// <summary>What is wrong, in words.</summary>
    public string Reason { get; }
}
