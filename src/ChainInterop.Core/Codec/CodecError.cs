namespace ChainInterop.Codec;

/// <summary>Why a canonical decoding failed (requirement C2).</summary>
public enum CodecError
{
    /// <summary>The input ended inside a value, or a declared length or count exceeds the bytes left.</summary>
    Truncated = 1,

    /// <summary>The value is valid MessagePack but not in its single canonical form (e.g. not the shortest header).</summary>
    NonCanonical,

    /// <summary>A declared size, element count, nesting depth or the message size exceeds <see cref="CodecLimits"/>.</summary>
    LimitExceeded,

    /// <summary>A string is not well-formed UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The next value is not of the type the caller asked for.</summary>
    UnexpectedType,

    /// <summary>A binary value, array or map does not have the length the caller requires.</summary>
    UnexpectedLength,

    /// <summary>Bytes are left after the single value the input must hold.</summary>
    TrailingBytes,

    /// <summary>Map keys are not strictly increasing by their encoded bytes (out of order or duplicated).</summary>
    UnorderedMapKeys,

    /// <summary>A MessagePack type outside the canonical subset: float, extension, or the never-used byte 0xc1.</summary>
    UnsupportedType,

    /// <summary>An integer does not fit the requested .NET type, or a decoded value is rejected by its type.</summary>
    ValueOutOfRange,
}
