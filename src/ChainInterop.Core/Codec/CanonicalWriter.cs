using System.Buffers;
using System.Text;
using System.Text.Unicode;
using ChainInterop.Crypto;
using MessagePack;

namespace ChainInterop.Codec;

/// <summary>
/// Writes MessagePack in the canonical subset described on <see cref="Canonical"/> (requirement C2): every value
/// gets its single shortest encoding. A thin layer over MessagePack-CSharp's <see cref="MessagePackWriter"/>, which
/// already picks the shortest form of every integer and str/bin/array/map header; every write is flushed, so the
/// bytes are in the <see cref="IBufferWriter{T}"/> when the call returns. The writer itself never allocates.
/// </summary>
/// <remarks>
/// The writer cannot order map entries for you: write map keys in strictly increasing order of their
/// encoded bytes (typed records should be fixed-length arrays instead of maps).
/// </remarks>
public ref struct CanonicalWriter
{
    private readonly bool _writeThrough;
    private MessagePackWriter _writer;
    private long _bytesWritten;

    /// <summary>Creates a writer that appends to <paramref name="output"/>; each value is in it when its write returns.</summary>
    /// <param name="output">The destination buffer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public CanonicalWriter(IBufferWriter<byte> output)
        : this(output, writeThrough: true)
    {
    }

    /// <summary>
    /// Creates a writer; without <paramref name="writeThrough"/> the bytes stay in MessagePackWriter's span until
    /// <see cref="Flush"/> (one <see cref="IBufferWriter{T}.Advance"/> per message instead of one per value).
    /// </summary>
    internal CanonicalWriter(IBufferWriter<byte> output, bool writeThrough)
    {
        ArgumentNullException.ThrowIfNull(output);
        _writer = new MessagePackWriter(output);
        _writeThrough = writeThrough;
        _bytesWritten = 0;
    }

    /// <summary>The number of bytes this writer has written so far.</summary>
    public readonly long BytesWritten => _bytesWritten;

    /// <summary>Writes nil (0xc0).</summary>
    public void WriteNil()
    {
        _writer.WriteNil();
        Commit(1);
    }

    /// <summary>Writes true (0xc3) or false (0xc2).</summary>
    /// <param name="value">The value.</param>
    public void WriteBoolean(bool value)
    {
        _writer.Write(value);
        Commit(1);
    }

    /// <summary>Writes an unsigned integer in the shortest of positive fixint, uint8, uint16, uint32, uint64.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt64(ulong value)
    {
        _writer.Write(value);
        Commit(MessagePackWriter.GetEncodedLength(value));
    }

    /// <summary>Writes an unsigned integer in the shortest of positive fixint, uint8, uint16, uint32.</summary>
    /// <param name="value">The value.</param>
    public void WriteUInt32(uint value) => WriteUInt64(value);

    /// <summary>
    /// Writes a signed integer: non-negative values as <see cref="WriteUInt64(ulong)"/> does, negative ones in the
    /// shortest of negative fixint, int8, int16, int32, int64.
    /// </summary>
    /// <param name="value">The value.</param>
    public void WriteInt64(long value)
    {
        _writer.Write(value);
        Commit(MessagePackWriter.GetEncodedLength(value));
    }

    /// <summary>Writes a signed integer as <see cref="WriteInt64(long)"/> does.</summary>
    /// <param name="value">The value.</param>
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
        // Ours, not MessagePackWriter.Write(string): that one transcodes with a replacing encoder, so a lone
        // surrogate would be signed as U+FFFD. Up to 85 chars the UTF-8 form fits a str8: transcode once after a
        // 2-byte header slot and slide left by one byte if it fits a fixstr; longer text is counted first.
        int length;
        int header;
        Span<byte> span;
        if (value.Length <= 85)
        {
            span = _writer.GetSpan(2 + (value.Length * 3));
            length = Transcode(value, span[2..]);
            header = length <= MessagePackCode.MaxFixStrLength ? 1 : 2;
            if (header == 1)
            {
                span.Slice(2, length).CopyTo(span[1..]);
            }
        }
        else
        {
            length = Encoding.UTF8.GetByteCount(value);
            header = length <= byte.MaxValue ? 2 : length <= ushort.MaxValue ? 3 : 5;
            span = _writer.GetSpan(header + length);
            if (Transcode(value, span.Slice(header, length)) != length)
            {
                ThrowLoneSurrogate(nameof(value));
            }
        }

        // MessagePack-CSharp writes the header into its own span; ours is the same bytes, written in place.
        switch (header)
        {
            case 1:
                span[0] = (byte)(MessagePackCode.MinFixStr | length);
                break;
            case 2:
                span[0] = MessagePackCode.Str8;
                span[1] = (byte)length;
                break;
            case 3:
                span[0] = MessagePackCode.Str16;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
                break;
            default:
                span[0] = MessagePackCode.Str32;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
                break;
        }

        _writer.Advance(header + length);
        Commit(header + length);
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

        _writer.WriteString(utf8);
        Commit(HeaderSize(utf8.Length, MessagePackCode.MaxFixStrLength) + utf8.Length);
    }

    /// <summary>Writes a byte string with the shortest of bin8, bin16, bin32.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        _writer.Write(value);
        Commit(HeaderSize(value.Length, -1) + value.Length);
    }

    /// <summary>Writes a SHA-256 digest as bin8 of 32 bytes (c4 20 followed by the digest).</summary>
    /// <param name="value">The digest.</param>
    public void WriteHash256(Hash256 value)
    {
        _writer.WriteBinHeader(Hash256.SizeBytes);
        value.WriteTo(_writer.GetSpan(Hash256.SizeBytes));
        _writer.Advance(Hash256.SizeBytes);
        Commit(2 + Hash256.SizeBytes);
    }

    /// <summary>Writes an array header with the shortest of fixarray, array16, array32; the elements follow.</summary>
    /// <param name="count">The number of elements.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void WriteArrayHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _writer.WriteArrayHeader(count);
        Commit(HeaderSize(count, MessagePackCode.MaxFixCollectionCount));
    }

    /// <summary>
    /// Writes a map header with the shortest of fixmap, map16, map32; <paramref name="count"/> key/value pairs
    /// follow, keys in strictly increasing order of their encoded bytes.
    /// </summary>
    /// <param name="count">The number of key/value pairs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public void WriteMapHeader(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _writer.WriteMapHeader(count);
        Commit(HeaderSize(count, MessagePackCode.MaxFixCollectionCount));
    }

    /// <summary>
    /// Copies bytes that already are a canonical encoding (for example a signed inner object) verbatim.
    /// The bytes are not checked; use <see cref="Canonical.Validate"/> on untrusted input first.
    /// </summary>
    /// <param name="alreadyCanonical">The encoded value(s).</param>
    public void WriteRaw(ReadOnlySpan<byte> alreadyCanonical)
    {
        if (!alreadyCanonical.IsEmpty)
        {
            _writer.WriteRaw(alreadyCanonical);
            Commit(alreadyCanonical.Length);
        }
    }

    /// <summary>Hands everything written so far to the output.</summary>
    internal void Flush() => _writer.Flush();

    /// <summary>Counts a value just written and, when writing through, hands it to the output.</summary>
    private void Commit(int count)
    {
        if (_writeThrough)
        {
            _writer.Flush();
        }

        _bytesWritten += count;
    }

    /// <summary>The size of the shortest str (fix limit 31), bin (no fix form: -1) or array/map (15) header.</summary>
    private static int HeaderSize(int length, int maxFix) =>
        length <= maxFix ? 1 : length <= byte.MaxValue && maxFix != MessagePackCode.MaxFixCollectionCount ? 2 : length <= ushort.MaxValue ? 3 : 5;

    private static int Transcode(ReadOnlySpan<char> value, Span<byte> destination)
    {
        if (Utf8.FromUtf16(value, destination, out _, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            ThrowLoneSurrogate(nameof(value));
        }

        return written;
    }

    private static void ThrowLoneSurrogate(string paramName) =>
        throw new ArgumentException("The text has a lone surrogate, so it has no UTF-8 form.", paramName);
}
