using System.Globalization;

namespace ChainInterop.Codec;

/// <summary>
/// The only exception that canonical decoding throws on bad input (requirement C2): it names the
/// <see cref="CodecError"/> and the byte offset where the offending element starts.
/// </summary>
public sealed class CodecException : Exception
{
    /// <summary>Creates an exception for <paramref name="error"/> at <paramref name="offset"/>.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="offset">The byte offset in the input where the offending element starts (or where data ran out).</param>
    /// <param name="detail">A human-readable explanation, appended to the message.</param>
    public CodecException(CodecError error, long offset, string detail)
        : this(error, offset, detail, null)
    {
    }

    /// <summary>Creates an exception for <paramref name="error"/> at <paramref name="offset"/> with a cause.</summary>
    /// <param name="error">What went wrong.</param>
    /// <param name="offset">The byte offset in the input where the offending element starts (or where data ran out).</param>
    /// <param name="detail">A human-readable explanation, appended to the message.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public CodecException(CodecError error, long offset, string detail, Exception? innerException)
        : base(string.Create(CultureInfo.InvariantCulture, $"{error} at byte {offset}: {detail}"), innerException)
    {
        Error = error;
        Offset = offset;
    }

    /// <summary>Creates an exception with a message only; <see cref="Error"/> is <see cref="CodecError.NonCanonical"/>.</summary>
    public CodecException()
        : this(CodecError.NonCanonical, 0, "invalid canonical encoding")
    {
    }

    /// <summary>Creates an exception with a message only; <see cref="Error"/> is <see cref="CodecError.NonCanonical"/>.</summary>
    /// <param name="message">The message.</param>
    public CodecException(string message)
        : base(message)
    {
        Error = CodecError.NonCanonical;
    }

    /// <summary>Creates an exception with a message and cause; <see cref="Error"/> is <see cref="CodecError.NonCanonical"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CodecException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = CodecError.NonCanonical;
    }

    /// <summary>What went wrong.</summary>
    public CodecError Error { get; }

    /// <summary>The byte offset in the input where the offending element starts (or where data ran out).</summary>
    public long Offset { get; }
}
