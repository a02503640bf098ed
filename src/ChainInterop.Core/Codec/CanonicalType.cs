using System.Diagnostics.CodeAnalysis;

namespace ChainInterop.Codec;

/// <summary>The MessagePack type family of the next value, as seen by <see cref="CanonicalReader.PeekType"/>.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are the MessagePack type families.")]
public enum CanonicalType
{
    /// <summary>nil (0xc0).</summary>
    Nil,

    /// <summary>true or false (0xc2, 0xc3).</summary>
    Boolean,

    /// <summary>Any integer format (fixint, uint8-64, int8-64).</summary>
    Integer,

    /// <summary>A UTF-8 string (fixstr, str8/16/32).</summary>
    String,

    /// <summary>A byte string (bin8/16/32).</summary>
    Binary,

    /// <summary>An array header (fixarray, array16/32).</summary>
    Array,

    /// <summary>A map header (fixmap, map16/32).</summary>
    Map,

    /// <summary>float32 or float64: never canonical, reported so callers can give a precise error.</summary>
    Float,

    /// <summary>ext or fixext: never canonical, reported so callers can give a precise error.</summary>
    Extension,
}
