// The pre-MessagePack canonical codec (src/ChainInterop.Core/Codec at commit ecff5a6), kept here only so the
// benchmarks can measure the codec built on MessagePack-CSharp against it in the same process (issue 14).
// Benchmark-only and internal: nothing in src/ uses it; do not extend it.

using System.Buffers;
using ChainInterop.Codec;

namespace ChainInterop.Benchmarks.Baseline;

/// <summary>
/// Entry points of the canonical binary codec, which gives every signed object exactly one byte form
/// (requirement C2). The format is a strict subset of MessagePack, so any MessagePack library can read it.
/// </summary>
/// <remarks>
/// <para>The canonical subset (see docs/CODEC.md):</para>
/// <list type="bullet">
/// <item><description>Integers: non-negative values only as positive fixint, uint8, uint16, uint32 or uint64; negative values only as
/// negative fixint, int8, int16, int32 or int64; always the shortest that holds the value. So <c>cc 05</c>, <c>d0 05</c>,
/// <c>d0 e0</c> and <c>cd 00 ff</c> are rejected as <see cref="CodecError.NonCanonical"/>.</description></item>
/// <item><description>Strings: well-formed UTF-8 with the shortest header (fixstr up to 31 bytes, then str8, str16, str32).
/// Binaries: the shortest of bin8, bin16, bin32. Arrays and maps: fixarray/fixmap up to 15, then the 16-bit, then the 32-bit form.</description></item>
/// <item><description>Map keys strictly increasing by their encoded bytes (lexicographic, a proper prefix first), which also rules out
/// duplicates; typed records are fixed-length arrays in a fixed field order, not maps.</description></item>
/// <item><description>No floats (0xca, 0xcb), no extension types (0xc7-0xc9, 0xd4-0xd8) and never 0xc1:
/// <see cref="CodecError.UnsupportedType"/>.</description></item>
/// <item><description>Lengths and counts are checked against <see cref="CodecLimits"/> and the bytes left before anything is
/// allocated; nesting is limited by <see cref="CodecLimits.MaxDepth"/>.</description></item>
/// </list>
/// <para>Decoding throws only <see cref="CodecException"/> on bad input.</para>
/// </remarks>
internal static class Canonical
{
    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    /// <summary>Encodes <paramref name="value"/> into a new array.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="value">The value.</param>
    /// <returns>The canonical bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static byte[] Encode<T>(T value)
        where T : ICanonicalEncodable<T>
    {
        ArgumentNullException.ThrowIfNull(value);

        // Reuse a per-thread buffer; take it out while in use so that a nested Encode gets its own.
        PooledBufferWriter buffer = t_buffer ?? new PooledBufferWriter();
        t_buffer = null;
        try
        {
            var writer = new CanonicalWriter(buffer);
            value.Encode(ref writer);
            return buffer.ToArray();
        }
        finally
        {
            buffer.Reset();
            if (buffer.Capacity > 1024 * 1024)
            {
                buffer.Dispose();
            }
            else
            {
                t_buffer = buffer;
            }
        }
    }

    /// <summary>Encodes <paramref name="value"/> into <paramref name="output"/>.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="output">The destination.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> or <paramref name="output"/> is null.</exception>
    public static void Encode<T>(T value, IBufferWriter<byte> output)
        where T : ICanonicalEncodable<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        var writer = new CanonicalWriter(output);
        value.Encode(ref writer);
    }

    /// <summary>
    /// Decodes exactly one <typeparamref name="T"/> from <paramref name="input"/>: the size limit is checked first,
    /// and bytes left after the value are <see cref="CodecError.TrailingBytes"/>.
    /// </summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="input">The encoded bytes.</param>
    /// <param name="limits">The limits; <see cref="CodecLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">The input is not exactly one canonical <typeparamref name="T"/>. An
    /// <see cref="ArgumentException"/>, <see cref="FormatException"/> or <see cref="OverflowException"/> thrown by
    /// <typeparamref name="T"/>'s own validation is wrapped as <see cref="CodecError.ValueOutOfRange"/>.</exception>
    public static T Decode<T>(ReadOnlySequence<byte> input, CodecLimits? limits = null)
        where T : ICanonicalEncodable<T>
    {
        var reader = new CanonicalReader(input, limits);
        long start = 0;
        try
        {
            T value = T.Decode(ref reader);
            reader.EnsureEnd();
            return value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            start = reader.Consumed;
            throw new CodecException(CodecError.ValueOutOfRange, start, $"{typeof(T).Name} rejected a decoded value: {e.Message}", e);
        }
    }

    /// <summary>
    /// Decodes exactly one <typeparamref name="T"/> from <paramref name="input"/>; see
    /// <see cref="Decode{T}(ReadOnlySequence{byte}, CodecLimits?)"/>.
    /// </summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="input">The encoded bytes.</param>
    /// <param name="limits">The limits; <see cref="CodecLimits.Default"/> when null.</param>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">The input is not exactly one canonical <typeparamref name="T"/>.</exception>
    public static T Decode<T>(ReadOnlyMemory<byte> input, CodecLimits? limits = null)
        where T : ICanonicalEncodable<T> =>
        Decode<T>(new ReadOnlySequence<byte>(input), limits);

    /// <summary>
    /// Checks that <paramref name="input"/> is exactly one canonical value of any shape (headers, UTF-8, limits,
    /// depth, map-key order) with nothing after it.
    /// </summary>
    /// <param name="input">The encoded bytes.</param>
    /// <param name="limits">The limits; <see cref="CodecLimits.Default"/> when null.</param>
    /// <exception cref="CodecException">The input is not exactly one canonical value.</exception>
    public static void Validate(ReadOnlySequence<byte> input, CodecLimits? limits = null)
    {
        var reader = new CanonicalReader(input, limits);
        reader.Skip();
        reader.EnsureEnd();
    }
}
