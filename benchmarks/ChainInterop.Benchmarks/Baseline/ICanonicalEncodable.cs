// The pre-MessagePack canonical codec (src/ChainInterop.Core/Codec at commit ecff5a6), kept here only so the
// benchmarks can measure the codec built on MessagePack-CSharp against it in the same process (issue 14).
// Benchmark-only and internal: nothing in src/ uses it; do not extend it.

using ChainInterop.Codec;

namespace ChainInterop.Benchmarks.Baseline;

/// <summary>
/// A type with exactly one canonical byte form (requirement C2). Records encode as fixed-length
/// arrays in a fixed field order and decode with <see cref="CanonicalReader.ReadArrayHeader(int)"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
internal interface ICanonicalEncodable<TSelf>
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
