// The pre-MessagePack canonical codec (src/ChainInterop.Core/Codec at commit ecff5a6), kept here only so the
// benchmarks can measure the codec built on MessagePack-CSharp against it in the same process (issue 14).
// Benchmark-only and internal: nothing in src/ uses it; do not extend it.

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Benchmarks.Baseline;

/// <summary>
/// Writes MessagePack in the canonical subset described on <see cref="Canonical"/> (requirement C2):
/// every value gets its single shortest encoding. Writes go straight into
/// <see cref="IBufferWriter{T}.GetSpan(int)"/>; the writer itself never allocates.
/// </summary>
/// <remarks>
/// The writer cannot order map entries for you: write map keys in strictly increasing order of their
/// encoded bytes (typed records should be fixed-length arrays instead of maps).
/// </remarks>
internal ref struct CanonicalWriter
{
    private readonly IBufferWriter<byte> _output;
    private long _bytesWritten;

    /// <summary>Creates a writer that appends to <paramref name="output"/>.</summary>
    /// <param name="output">The destination buffer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public CanonicalWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _bytesWritten = 0;
    }

    /// <summary>The number of bytes this writer has written so far.</summary>
    public readonly long BytesWritten => _bytesWritten;

    /// <summary>Writes nil (0xc0).</summary>
    public void WriteNil() => WriteByte(MessagePackCode.Nil);

    /// <summary>Writes true (0xc3) or false (0xc2).</summary>
    /// <param name="value">The value.</param>
    public void WriteBoolean(bool value) => WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    /// <summary>Writes an unsigned integer in the shortest of positive fixint, uint8, uint16, uint32, uint64.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt64(ulong value)
    {
        if (value <= MessagePackCode.MaxPositiveFixInt)
        {
            WriteByte((byte)value);
        }
        else
        {
            WriteUInt64Slow(value);
        }
    }

    /// <summary>Writes an unsigned integer in the shortest of positive fixint, uint8, uint16, uint32.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteUInt32(uint value) => WriteUInt64(value);

    /// <summary>
    /// Writes a signed integer: non-negative values as <see cref="WriteUInt64(ulong)"/> does, negative ones in the
    /// shortest of negative fixint, int8, int16, int32, int64.
    /// </summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
        }
        else if (value >= -32)
        {
            WriteByte((byte)(sbyte)value);
        }
        else
        {
            WriteNegativeSlow(value);
        }
    }

    /// <summary>Writes a signed integer as <see cref="WriteInt64(long)"/> does.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt32(int value) => WriteInt64(value);

    /// <summary>Writes a string as UTF-8 with the shortest str header.</summary>
    /// <param name="value">The string.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> has a lone surrogate, so it has no UTF-8 form.</exception>
    public void WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteString(value.AsSpan());
    }

    /// <summary>Writes UTF-16 text as UTF-8 with the shortest str header.</summary>
    /// <param name="value">The text.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> has a lone surrogate, so it has no UTF-8 form.</exception>
    public void WriteString(ReadOnlySpan<char> value)
    {
        // Up to 85 chars the UTF-8 form is at most 255 bytes: one GetSpan, transcode after a 2-byte
        // header slot, then slide left by one byte if the result turns out to fit a fixstr.
        if (value.Length <= 85)
        {
            int max = value.Length * 3;
            Span<byte> span = _output.GetSpan(2 + max);
            OperationStatus status = Utf8.FromUtf16(value, span.Slice(2, max), out _, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                ThrowLoneSurrogate(nameof(value));
            }

            int total;
            if (written <= MessagePackCode.MaxFixStrLength)
            {
                span.Slice(2, written).CopyTo(span[1..]);
                span[0] = (byte)(MessagePackCode.MinFixStr | written);
                total = 1 + written;
            }
            else
            {
                span[0] = MessagePackCode.Str8;
                span[1] = (byte)written;
                total = 2 + written;
            }

            Advance(total);
            return;
        }

        WriteLongString(value);
    }

    /// <summary>Writes already-encoded UTF-8 text with the shortest str header, after validating it.</summary>
    /// <param name="utf8">The UTF-8 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="utf8"/> is not well-formed UTF-8.</exception>
    public void WriteStringUtf8(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            throw new ArgumentException("The bytes are not well-formed UTF-8.", nameof(utf8));
        }

        int header = StringHeaderSize(utf8.Length);
        Span<byte> span = _output.GetSpan(header + utf8.Length);
        WriteStringHeader(span, utf8.Length);
        utf8.CopyTo(span[header..]);
        Advance(header + utf8.Length);
    }

    /// <summary>Writes a byte string with the shortest of bin8, bin16, bin32.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        int length = value.Length;
        int header;
        Span<byte> span;
        if (length <= byte.MaxValue)
        {
            header = 2;
            span = _output.GetSpan(header + length);
            span[0] = MessagePackCode.Bin8;
            span[1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            header = 3;
            span = _output.GetSpan(header + length);
            span[0] = MessagePackCode.Bin16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        }
        else
        {
            header = 5;
            span = _output.GetSpan(header + length);
            span[0] = MessagePackCode.Bin32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        }

        value.CopyTo(span[header..]);
        Advance(header + length);
    }

    /// <summary>Writes a SHA-256 digest as bin8 of 32 bytes (c4 20 followed by the digest).</summary>
    /// <param name="value">The digest.</param>
    public void WriteHash256(Hash256 value)
    {
        Span<byte> span = _output.GetSpan(2 + Hash256.SizeBytes);
        span[0] = MessagePackCode.Bin8;
        span[1] = Hash256.SizeBytes;
        value.WriteTo(span.Slice(2, Hash256.SizeBytes));
        Advance(2 + Hash256.SizeBytes);
    }

    /// <summary>Writes an array header with the shortest of fixarray, array16, array32; the elements follow.</summary>
    /// <param name="count">The number of elements.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteArrayHeader(int count)
    {
        if ((uint)count <= MessagePackCode.MaxFixCollectionCount)
        {
            WriteByte((byte)(MessagePackCode.MinFixArray | count));
        }
        else
        {
            WriteCollectionHeaderSlow(count, MessagePackCode.Array16);
        }
    }

    /// <summary>
    /// Writes a map header with the shortest of fixmap, map16, map32; <paramref name="count"/> key/value pairs
    /// follow, keys in strictly increasing order of their encoded bytes.
    /// </summary>
    /// <param name="count">The number of key/value pairs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteMapHeader(int count)
    {
        if ((uint)count <= MessagePackCode.MaxFixCollectionCount)
        {
            WriteByte((byte)(MessagePackCode.MinFixMap | count));
        }
        else
        {
            WriteCollectionHeaderSlow(count, MessagePackCode.Map16);
        }
    }

    /// <summary>
    /// Copies bytes that already are a canonical encoding (for example a signed inner object) verbatim.
    /// The bytes are not checked; use <see cref="Canonical.Validate"/> on untrusted input first.
    /// </summary>
    /// <param name="alreadyCanonical">The encoded value(s).</param>
    public void WriteRaw(ReadOnlySpan<byte> alreadyCanonical)
    {
        if (alreadyCanonical.IsEmpty)
        {
            return;
        }

        Span<byte> span = _output.GetSpan(alreadyCanonical.Length);
        alreadyCanonical.CopyTo(span);
        Advance(alreadyCanonical.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
        _bytesWritten++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Advance(int count)
    {
        _output.Advance(count);
        _bytesWritten += count;
    }

    private void WriteUInt64Slow(ulong value)
    {
        Span<byte> span = _output.GetSpan(9);
        int size;
        if (value <= byte.MaxValue)
        {
            span[0] = MessagePackCode.UInt8;
            span[1] = (byte)value;
            size = 2;
        }
        else if (value <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            size = 3;
        }
        else if (value <= uint.MaxValue)
        {
            span[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            size = 5;
        }
        else
        {
            span[0] = MessagePackCode.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            size = 9;
        }

        Advance(size);
    }

    private void WriteNegativeSlow(long value)
    {
        Span<byte> span = _output.GetSpan(9);
        int size;
        if (value >= sbyte.MinValue)
        {
            span[0] = MessagePackCode.Int8;
            span[1] = (byte)(sbyte)value;
            size = 2;
        }
        else if (value >= short.MinValue)
        {
            span[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            size = 3;
        }
        else if (value >= int.MinValue)
        {
            span[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            size = 5;
        }
        else
        {
            span[0] = MessagePackCode.Int64;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            size = 9;
        }

        Advance(size);
    }

    private void WriteCollectionHeaderSlow(int count, byte code16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Span<byte> span = _output.GetSpan(5);
        if (count <= ushort.MaxValue)
        {
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            Advance(3);
        }
        else
        {
            span[0] = (byte)(code16 + 1);
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            Advance(5);
        }
    }

    private void WriteLongString(ReadOnlySpan<char> value)
    {
        // GetByteCount counts a lone surrogate as the 3-byte replacement character; FromUtf16 below
        // refuses it before anything is committed with Advance.
        int length = Encoding.UTF8.GetByteCount(value);
        int header = StringHeaderSize(length);
        Span<byte> span = _output.GetSpan(header + length);
        OperationStatus status = Utf8.FromUtf16(value, span.Slice(header, length), out _, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done || written != length)
        {
            ThrowLoneSurrogate(nameof(value));
        }

        WriteStringHeader(span, length);
        Advance(header + length);
    }

    private static int StringHeaderSize(int length) =>
        length <= MessagePackCode.MaxFixStrLength ? 1 : length <= byte.MaxValue ? 2 : length <= ushort.MaxValue ? 3 : 5;

    private static void WriteStringHeader(Span<byte> span, int length)
    {
        if (length <= MessagePackCode.MaxFixStrLength)
        {
            span[0] = (byte)(MessagePackCode.MinFixStr | length);
        }
        else if (length <= byte.MaxValue)
        {
            span[0] = MessagePackCode.Str8;
            span[1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.Str16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        }
        else
        {
            span[0] = MessagePackCode.Str32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        }
    }

    private static void ThrowLoneSurrogate(string paramName) =>
        throw new ArgumentException("The text has a lone surrogate, so it has no UTF-8 form.", paramName);
}
