using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>Shared pieces of the netting types' canonical decoders.</summary>
internal static class NettingCodec
{
    /// <summary>The error for a value that decoded but breaks its type's rules (order, sign, consistency).</summary>
    public static CodecException Invalid(long offset, string what, Exception? inner = null) =>
        new(CodecError.ValueOutOfRange, offset, $"not a valid {what}{(inner is null ? string.Empty : ": " + inner.Message)}", inner);

    /// <summary>Reads an enum stored as an unsigned integer, rejecting undefined values.</summary>
    public static TEnum ReadEnum<TEnum>(ref CanonicalReader reader, string what)
        where TEnum : struct, Enum
    {
        long offset = reader.Consumed;
        uint raw = reader.ReadUInt32();
        var value = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        return Enum.IsDefined(value) ? value : throw Invalid(offset, what);
    }
}
