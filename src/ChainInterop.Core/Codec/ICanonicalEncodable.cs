namespace ChainInterop.Codec;

/// <summary>
/// A type with exactly one canonical byte form (requirement C2). Records encode as fixed-length
/// arrays in a fixed field order and decode with <see cref="CanonicalReader.ReadArrayHeader(int)"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface ICanonicalEncodable<TSelf>
    where TSelf : ICanonicalEncodable<TSelf>
{
    /// <summary>Writes this value's canonical encoding.</summary>
    /// <param name="writer">The writer.</param>
    void Encode(ref CanonicalWriter writer);

    /// <summary>Reads one value; throws only <see cref="CodecException"/> on bad input.</summary>
    /// <param name="reader">The reader, positioned at the value.</param>
    /// <returns>The value.</returns>
    static abstract TSelf Decode(ref CanonicalReader reader);
}
