// The pre-MessagePack canonical codec (src/ChainInterop.Core/Codec at commit ecff5a6), kept here only so the
// benchmarks can measure the codec built on MessagePack-CSharp against it in the same process (issue 14).
// Benchmark-only and internal: nothing in src/ uses it; do not extend it.

using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Benchmarks.Baseline;

/// <summary>
/// Reads MessagePack and accepts only the canonical subset described on <see cref="Canonical"/>
/// (requirement C2). Every failure on bad input is a <see cref="CodecException"/> carrying the byte
/// offset of the offending element; lengths and counts are checked against <see cref="CodecLimits"/>
/// and against the bytes left before anything is allocated or sliced.
/// </summary>
/// <remarks>
/// A single-segment input is read through an index into one span (the fast path); a multi-segment input
/// through a <see cref="SequenceReader{T}"/>. Both give identical results and offsets. After a
/// <see cref="CodecException"/> the reader's position is unspecified. The typed reads
/// (<see cref="ReadArrayHeader()"/>, <see cref="ReadMapHeader"/>) do not track nesting depth or map-key
/// order; <see cref="Skip"/> and <see cref="Canonical.Validate"/> do.
/// </remarks>
internal ref struct CanonicalReader
{
    private const int MaxHeaderSize = 9;

    private readonly ReadOnlySequence<byte> _sequence;
    private readonly ReadOnlySpan<byte> _span;
    private readonly CodecLimits _limits;
    private readonly bool _single;
    private int _pos;
    private SequenceReader<byte> _seq;

    /// <summary>Creates a reader over <paramref name="input"/>.</summary>
    /// <param name="input">The encoded bytes.</param>
    /// <param name="limits">The limits to enforce; <see cref="CodecLimits.Default"/> when null.</param>
    /// <exception cref="CodecException"><see cref="CodecError.LimitExceeded"/>: the input is longer than <see cref="CodecLimits.MaxMessageSizeBytes"/>.</exception>
    public CanonicalReader(ReadOnlySequence<byte> input, CodecLimits? limits = null)
    {
        _limits = limits ?? CodecLimits.Default;
        if (input.Length > _limits.MaxMessageSizeBytes)
        {
            throw new CodecException(CodecError.LimitExceeded, 0, $"the message is {input.Length} bytes, the limit is {_limits.MaxMessageSizeBytes}");
        }

        _sequence = input;
        _single = input.IsSingleSegment;
        _pos = 0;
        if (_single)
        {
            _span = input.FirstSpan;
            _seq = default;
        }
        else
        {
            _span = default;
            _seq = new SequenceReader<byte>(input);
        }
    }

    /// <summary>Creates a reader over <paramref name="input"/>.</summary>
    /// <param name="input">The encoded bytes.</param>
    /// <param name="limits">The limits to enforce; <see cref="CodecLimits.Default"/> when null.</param>
    /// <exception cref="CodecException"><see cref="CodecError.LimitExceeded"/>: the input is longer than <see cref="CodecLimits.MaxMessageSizeBytes"/>.</exception>
    public CanonicalReader(ReadOnlyMemory<byte> input, CodecLimits? limits = null)
        : this(new ReadOnlySequence<byte>(input), limits)
    {
    }

    /// <summary>The number of bytes consumed: the byte offset of the next value from the start of the input.</summary>
    public readonly long Consumed => _single ? _pos : _seq.Consumed;

    /// <summary>Whether every byte of the input has been consumed.</summary>
    public readonly bool End => _single ? _pos >= _span.Length : _seq.End;

    /// <summary>The limits this reader enforces.</summary>
    public readonly CodecLimits Limits => _limits;

    private readonly long Remaining => _single ? _span.Length - _pos : _seq.Remaining;

    /// <summary>The type family of the next value, without consuming it.</summary>
    /// <returns>The type.</returns>
    /// <exception cref="CodecException"><see cref="CodecError.Truncated"/> at the end of input; <see cref="CodecError.UnsupportedType"/> for the never-used byte 0xc1.</exception>
    public readonly CanonicalType PeekType()
    {
        byte b = PeekCode();
        return b switch
        {
            <= MessagePackCode.MaxPositiveFixInt => CanonicalType.Integer,
            <= MessagePackCode.MaxFixMap => CanonicalType.Map,
            <= MessagePackCode.MaxFixArray => CanonicalType.Array,
            <= MessagePackCode.MaxFixStr => CanonicalType.String,
            MessagePackCode.Nil => CanonicalType.Nil,
            MessagePackCode.NeverUsed => throw Error(CodecError.UnsupportedType, Consumed, "0xc1 is never used in MessagePack"),
            MessagePackCode.False or MessagePackCode.True => CanonicalType.Boolean,
            >= MessagePackCode.Bin8 and <= MessagePackCode.Bin32 => CanonicalType.Binary,
            >= MessagePackCode.Ext8 and <= MessagePackCode.Ext32 => CanonicalType.Extension,
            MessagePackCode.Float32 or MessagePackCode.Float64 => CanonicalType.Float,
            >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => CanonicalType.Integer,
            >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => CanonicalType.Extension,
            >= MessagePackCode.Str8 and <= MessagePackCode.Str32 => CanonicalType.String,
            MessagePackCode.Array16 or MessagePackCode.Array32 => CanonicalType.Array,
            MessagePackCode.Map16 or MessagePackCode.Map32 => CanonicalType.Map,
            _ => CanonicalType.Integer,
        };
    }

    /// <summary>Consumes the next value and returns true if it is nil; otherwise consumes nothing and returns false.</summary>
    /// <returns>Whether a nil was consumed.</returns>
    /// <exception cref="CodecException"><see cref="CodecError.Truncated"/> at the end of input.</exception>
    public bool TryReadNil()
    {
        if (PeekCode() != MessagePackCode.Nil)
        {
            return false;
        }

        AdvanceBytes(1);
        return true;
    }

    /// <summary>Reads a nil.</summary>
    /// <exception cref="CodecException">The next value is not nil, or the input ended.</exception>
    public void ReadNil()
    {
        if (!TryReadNil())
        {
            throw UnexpectedType(PeekHeader(), "nil");
        }
    }

    /// <summary>Reads a boolean.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">The next value is not a boolean, or the input ended.</exception>
    public bool ReadBoolean()
    {
        byte b = PeekCode();
        if (b == MessagePackCode.True || b == MessagePackCode.False)
        {
            AdvanceBytes(1);
            return b == MessagePackCode.True;
        }

        throw UnexpectedType(PeekHeader(), "boolean");
    }

    /// <summary>Reads a non-negative integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or negative (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64()
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            byte b = _span[_pos];
            if (b <= MessagePackCode.MaxPositiveFixInt)
            {
                _pos++;
                return b;
            }
        }

        return ReadUnsigned(ulong.MaxValue, "UInt64");
    }

    /// <summary>Reads a non-negative integer that fits 32 bits.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt32()
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            byte b = _span[_pos];
            if (b <= MessagePackCode.MaxPositiveFixInt)
            {
                _pos++;
                return b;
            }
        }

        return (uint)ReadUnsigned(uint.MaxValue, "UInt32");
    }

    /// <summary>Reads a non-negative integer that fits 8 bits.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    public byte ReadByte() => (byte)ReadUnsigned(byte.MaxValue, "Byte");

    /// <summary>Reads a signed 64-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or above <see cref="long.MaxValue"/> (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64()
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            byte b = _span[_pos];
            if (b <= MessagePackCode.MaxPositiveFixInt || b >= MessagePackCode.MinNegativeFixInt)
            {
                _pos++;
                return (sbyte)b >= 0 ? b : (sbyte)b;
            }
        }

        return ReadSigned(long.MinValue, long.MaxValue, "Int64");
    }

    /// <summary>Reads a signed 32-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32()
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            byte b = _span[_pos];
            if (b <= MessagePackCode.MaxPositiveFixInt || b >= MessagePackCode.MinNegativeFixInt)
            {
                _pos++;
                return (sbyte)b >= 0 ? b : (sbyte)b;
            }
        }

        return (int)ReadSigned(int.MinValue, int.MaxValue, "Int32");
    }

    /// <summary>Reads a string.</summary>
    /// <returns>The string.</returns>
    /// <exception cref="CodecException">Not a canonical string, over the limit, or invalid UTF-8.</exception>
    public string ReadString()
    {
        if (_single && TryGetShortStringPayload(out int headerSize, out int payloadLength))
        {
            string value = payloadLength == 0 ? string.Empty : DecodeUtf8(_span.Slice(_pos + headerSize, payloadLength), _pos);
            _pos += headerSize + payloadLength;
            return value;
        }

        return ReadStringGeneral();
    }

    /// <summary>
    /// The fast path of <see cref="ReadString"/> for contiguous input: a canonical fixstr or str8 header whose payload
    /// is present and within the limit. Anything else (errors included) is left to the general path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly bool TryGetShortStringPayload(out int headerSize, out int payloadLength)
    {
        int remaining = _span.Length - _pos;
        if (remaining > 0)
        {
            int b = _span[_pos];
            if ((uint)(b - MessagePackCode.MinFixStr) <= MessagePackCode.MaxFixStrLength)
            {
                headerSize = 1;
                payloadLength = b - MessagePackCode.MinFixStr;
                return payloadLength < remaining && payloadLength <= _limits.MaxStringLengthBytes;
            }

            if (b == MessagePackCode.Str8 && remaining > 1)
            {
                headerSize = 2;
                payloadLength = _span[_pos + 1];
                return payloadLength > MessagePackCode.MaxFixStrLength && payloadLength <= remaining - 2
                    && payloadLength <= _limits.MaxStringLengthBytes;
            }
        }

        headerSize = 0;
        payloadLength = 0;
        return false;
    }

    private string ReadStringGeneral()
    {
        long start = Consumed;
        Header h = ReadStringHeader(start);
        int length = (int)h.Value;
        if (length == 0)
        {
            return string.Empty;
        }

        if (_single)
        {
            ReadOnlySpan<byte> payload = _span.Slice(_pos, length);
            string result = DecodeUtf8(payload, start);
            _pos += length;
            return result;
        }

        ReadOnlySpan<byte> unread = _seq.UnreadSpan;
        if (unread.Length >= length)
        {
            string result = DecodeUtf8(unread[..length], start);
            _seq.Advance(length);
            return result;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> copy = rented.AsSpan(0, length);
            _seq.TryCopyTo(copy);
            string result = DecodeUtf8(copy, start);
            _seq.Advance(length);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads a string's UTF-8 bytes without allocating: a validated slice of the input.</summary>
    /// <returns>The UTF-8 bytes.</returns>
    /// <exception cref="CodecException">Not a canonical string, over the limit, or invalid UTF-8.</exception>
    public ReadOnlySequence<byte> ReadStringUtf8()
    {
        long start = Consumed;
        Header h = ReadStringHeader(start);
        int length = (int)h.Value;
        ReadOnlySequence<byte> slice = SlicePayload(length);
        ValidateUtf8(slice, start);
        AdvanceBytes(length);
        return slice;
    }

    /// <summary>Reads a byte string without allocating: a slice of the input.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="CodecException">Not a canonical binary, or over the limit.</exception>
    public ReadOnlySequence<byte> ReadBinary()
    {
        int length = ReadBinaryHeader(Consumed);
        ReadOnlySequence<byte> slice = SlicePayload(length);
        AdvanceBytes(length);
        return slice;
    }

    /// <summary>Reads a byte string into a new array.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="CodecException">Not a canonical binary, or over the limit.</exception>
    public byte[] ReadBinaryArray()
    {
        // Fast path: a bin8 of 1-255 bytes, present in contiguous input and within the limit.
        if (_single && _span.Length - _pos > 1 && _span[_pos] == MessagePackCode.Bin8)
        {
            int n = _span[_pos + 1];
            if (n > 0 && n <= _span.Length - _pos - 2 && n <= _limits.MaxBinaryLengthBytes)
            {
                byte[] bytes = _span.Slice(_pos + 2, n).ToArray();
                _pos += 2 + n;
                return bytes;
            }
        }

        int length = ReadBinaryHeader(Consumed);
        if (length == 0)
        {
            return [];
        }

        byte[] result = new byte[length];
        CopyPayload(result);
        return result;
    }

    /// <summary>Reads a byte string of exactly <paramref name="destination"/>'s length into it.</summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <exception cref="CodecException"><see cref="CodecError.UnexpectedLength"/> if the lengths differ, or not a canonical binary.</exception>
    public void ReadBinary(scoped Span<byte> destination)
    {
        long start = Consumed;
        Header h = PeekHeader();
        if (h.Type != CanonicalType.Binary)
        {
            throw UnexpectedType(h, "binary");
        }

        if (h.Value != (ulong)destination.Length)
        {
            throw Error(CodecError.UnexpectedLength, start, $"expected {destination.Length} bytes of binary, found {h.Value}");
        }

        int length = ReadBinaryHeader(start);
        CopyPayload(destination[..length]);
    }

    /// <summary>Reads a SHA-256 digest encoded as bin8 of 32 bytes.</summary>
    /// <returns>The digest.</returns>
    /// <exception cref="CodecException"><see cref="CodecError.UnexpectedLength"/> unless it is exactly 32 bytes, or not a canonical binary.</exception>
    public Hash256 ReadHash256()
    {
        if (_single && _span.Length - _pos >= 2 + Hash256.SizeBytes
            && _span[_pos] == MessagePackCode.Bin8 && _span[_pos + 1] == Hash256.SizeBytes)
        {
            var hash = new Hash256(_span.Slice(_pos + 2, Hash256.SizeBytes));
            _pos += 2 + Hash256.SizeBytes;
            return hash;
        }

        Span<byte> bytes = stackalloc byte[Hash256.SizeBytes];
        ReadBinary(bytes);
        return new Hash256(bytes);
    }

    /// <summary>Reads an array header.</summary>
    /// <returns>The number of elements that follow.</returns>
    /// <exception cref="CodecException">Not a canonical array header, or the count exceeds the limit or the bytes left.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadArrayHeader()
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            int b = _span[_pos];
            int count = b - MessagePackCode.MinFixArray;
            if ((uint)count <= MessagePackCode.MaxFixCollectionCount && count < _span.Length - _pos && count <= _limits.MaxElementCount)
            {
                _pos++;
                return count;
            }
        }

        return ReadCollectionHeader(CanonicalType.Array);
    }

    /// <summary>Reads the header of an array that must have exactly <paramref name="expectedCount"/> elements (a fixed-field record).</summary>
    /// <param name="expectedCount">The required number of elements.</param>
    /// <exception cref="CodecException"><see cref="CodecError.UnexpectedLength"/> if the count differs, or not a canonical array header.</exception>
    public void ReadArrayHeader(int expectedCount)
    {
        long start = Consumed;
        int count = ReadArrayHeader();
        if (count != expectedCount)
        {
            throw Error(CodecError.UnexpectedLength, start, $"expected an array of {expectedCount} elements, found {count}");
        }
    }

    /// <summary>Reads a map header. Key order is not checked here; <see cref="Skip"/> and <see cref="Canonical.Validate"/> check it.</summary>
    /// <returns>The number of key/value pairs that follow.</returns>
    /// <exception cref="CodecException">Not a canonical map header, or the count exceeds the limit or the bytes left.</exception>
    public int ReadMapHeader() => ReadCollectionHeader(CanonicalType.Map);

    /// <summary>
    /// Validates and skips one whole value of any shape: canonical headers, UTF-8 strings, the depth limit,
    /// and strictly increasing map keys. Iterative, so hostile nesting cannot overflow the stack.
    /// </summary>
    /// <exception cref="CodecException">The value is not canonical, exceeds a limit, or is truncated.</exception>
    public void Skip()
    {
        long start = Consumed;
        Header h = PeekHeader();
        if (h.Type is not (CanonicalType.Array or CanonicalType.Map))
        {
            SkipScalar(h, start);
            return;
        }

        SkipNested();
    }

    /// <summary>Checks that the whole input has been consumed.</summary>
    /// <exception cref="CodecException"><see cref="CodecError.TrailingBytes"/> if bytes are left.</exception>
    public readonly void EnsureEnd()
    {
        if (!End)
        {
            throw Error(CodecError.TrailingBytes, Consumed, $"{Remaining} bytes left after the value");
        }
    }

    // ---- header parsing -------------------------------------------------------------------------

    private readonly byte PeekCode()
    {
        if (_single)
        {
            if ((uint)_pos < (uint)_span.Length)
            {
                return _span[_pos];
            }
        }
        else if (_seq.TryPeek(out byte b))
        {
            return b;
        }

        throw Error(CodecError.Truncated, Consumed, "the input ended where a value was expected");
    }

    /// <summary>Parses and checks the header of the next value without consuming it.</summary>
    private readonly Header PeekHeader()
    {
        if (_single)
        {
            return ParseHeader(_span[_pos..], _pos);
        }

        ReadOnlySpan<byte> unread = _seq.UnreadSpan;
        if (unread.Length >= MaxHeaderSize)
        {
            return ParseHeader(unread, _seq.Consumed);
        }

        return PeekHeaderAcrossSegments();
    }

    private readonly Header PeekHeaderAcrossSegments()
    {
        Span<byte> scratch = stackalloc byte[MaxHeaderSize];
        int n = (int)Math.Min(MaxHeaderSize, _seq.Remaining);
        scratch = scratch[..n];
        _seq.TryCopyTo(scratch);
        return ParseHeader(scratch, _seq.Consumed);
    }

    private static Header ParseHeader(ReadOnlySpan<byte> s, long offset)
    {
        if (s.IsEmpty)
        {
            throw Error(CodecError.Truncated, offset, "the input ended where a value was expected");
        }

        byte b = s[0];
        if (b <= MessagePackCode.MaxPositiveFixInt)
        {
            return new Header(CanonicalType.Integer, b, 1, b);
        }

        if (b >= MessagePackCode.MinNegativeFixInt)
        {
            return new Header(CanonicalType.Integer, b, 1, (ulong)(long)(sbyte)b);
        }

        if (b <= MessagePackCode.MaxFixMap)
        {
            return new Header(CanonicalType.Map, b, 1, (ulong)(b & 0x0f));
        }

        if (b <= MessagePackCode.MaxFixArray)
        {
            return new Header(CanonicalType.Array, b, 1, (ulong)(b & 0x0f));
        }

        if (b <= MessagePackCode.MaxFixStr)
        {
            return new Header(CanonicalType.String, b, 1, (ulong)(b & 0x1f));
        }

        return ParseLongHeader(s, offset, b);
    }

    private static Header ParseLongHeader(ReadOnlySpan<byte> s, long offset, byte b)
    {
        switch (b)
        {
            case MessagePackCode.Nil:
                return new Header(CanonicalType.Nil, b, 1, 0);
            case MessagePackCode.False:
                return new Header(CanonicalType.Boolean, b, 1, 0);
            case MessagePackCode.True:
                return new Header(CanonicalType.Boolean, b, 1, 1);
            case MessagePackCode.NeverUsed:
                throw Error(CodecError.UnsupportedType, offset, "0xc1 is never used in MessagePack");
            case MessagePackCode.Float32:
            case MessagePackCode.Float64:
                throw Error(CodecError.UnsupportedType, offset, $"float 0x{b:x2}: no floats in signed objects");
            case >= MessagePackCode.Ext8 and <= MessagePackCode.Ext32:
            case >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16:
                throw Error(CodecError.UnsupportedType, offset, $"extension 0x{b:x2}: no extension types in signed objects");
        }

        int size = b switch
        {
            MessagePackCode.Bin8 or MessagePackCode.UInt8 or MessagePackCode.Int8 or MessagePackCode.Str8 => 2,
            MessagePackCode.Bin16 or MessagePackCode.UInt16 or MessagePackCode.Int16 or MessagePackCode.Str16
                or MessagePackCode.Array16 or MessagePackCode.Map16 => 3,
            MessagePackCode.Bin32 or MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Str32
                or MessagePackCode.Array32 or MessagePackCode.Map32 => 5,
            _ => 9, // uint64, int64
        };

        if (s.Length < size)
        {
            throw Error(CodecError.Truncated, offset, $"the header 0x{b:x2} needs {size} bytes, {s.Length} left");
        }

        ulong v = size switch
        {
            2 => s[1],
            3 => BinaryPrimitives.ReadUInt16BigEndian(s[1..]),
            5 => BinaryPrimitives.ReadUInt32BigEndian(s[1..]),
            _ => BinaryPrimitives.ReadUInt64BigEndian(s[1..]),
        };

        switch (b)
        {
            case MessagePackCode.Bin8:
                return new Header(CanonicalType.Binary, b, size, v);
            case MessagePackCode.Bin16:
                return v <= byte.MaxValue ? throw NonCanonical(offset, $"bin16 of length {v} fits bin8") : new Header(CanonicalType.Binary, b, size, v);
            case MessagePackCode.Bin32:
                return v <= ushort.MaxValue ? throw NonCanonical(offset, $"bin32 of length {v} fits bin16") : new Header(CanonicalType.Binary, b, size, v);
            case MessagePackCode.UInt8:
                return v <= MessagePackCode.MaxPositiveFixInt ? throw NonCanonical(offset, $"uint8 0x{v:x2} fits a positive fixint") : new Header(CanonicalType.Integer, b, size, v);
            case MessagePackCode.UInt16:
                return v <= byte.MaxValue ? throw NonCanonical(offset, $"uint16 {v} fits uint8") : new Header(CanonicalType.Integer, b, size, v);
            case MessagePackCode.UInt32:
                return v <= ushort.MaxValue ? throw NonCanonical(offset, $"uint32 {v} fits uint16") : new Header(CanonicalType.Integer, b, size, v);
            case MessagePackCode.UInt64:
                return v <= uint.MaxValue ? throw NonCanonical(offset, $"uint64 {v} fits uint32") : new Header(CanonicalType.Integer, b, size, v);
            case MessagePackCode.Int8:
            {
                long x = (sbyte)(byte)v;
                return x >= -32 ? throw NonCanonical(offset, x >= 0 ? $"int8 {x} is non-negative: use the uint family" : $"int8 {x} fits a negative fixint") : new Header(CanonicalType.Integer, b, size, (ulong)x);
            }

            case MessagePackCode.Int16:
            {
                long x = (short)(ushort)v;
                return x >= sbyte.MinValue ? throw NonCanonical(offset, x >= 0 ? $"int16 {x} is non-negative: use the uint family" : $"int16 {x} fits int8") : new Header(CanonicalType.Integer, b, size, (ulong)x);
            }

            case MessagePackCode.Int32:
            {
                long x = (int)(uint)v;
                return x >= short.MinValue ? throw NonCanonical(offset, x >= 0 ? $"int32 {x} is non-negative: use the uint family" : $"int32 {x} fits int16") : new Header(CanonicalType.Integer, b, size, (ulong)x);
            }

            case MessagePackCode.Int64:
            {
                long x = (long)v;
                return x >= int.MinValue ? throw NonCanonical(offset, x >= 0 ? $"int64 {x} is non-negative: use the uint family" : $"int64 {x} fits int32") : new Header(CanonicalType.Integer, b, size, v);
            }

            case MessagePackCode.Str8:
                return v <= MessagePackCode.MaxFixStrLength ? throw NonCanonical(offset, $"str8 of length {v} fits a fixstr") : new Header(CanonicalType.String, b, size, v);
            case MessagePackCode.Str16:
                return v <= byte.MaxValue ? throw NonCanonical(offset, $"str16 of length {v} fits str8") : new Header(CanonicalType.String, b, size, v);
            case MessagePackCode.Str32:
                return v <= ushort.MaxValue ? throw NonCanonical(offset, $"str32 of length {v} fits str16") : new Header(CanonicalType.String, b, size, v);
            case MessagePackCode.Array16:
                return v <= MessagePackCode.MaxFixCollectionCount ? throw NonCanonical(offset, $"array16 of {v} elements fits a fixarray") : new Header(CanonicalType.Array, b, size, v);
            case MessagePackCode.Array32:
                return v <= ushort.MaxValue ? throw NonCanonical(offset, $"array32 of {v} elements fits array16") : new Header(CanonicalType.Array, b, size, v);
            case MessagePackCode.Map16:
                return v <= MessagePackCode.MaxFixCollectionCount ? throw NonCanonical(offset, $"map16 of {v} pairs fits a fixmap") : new Header(CanonicalType.Map, b, size, v);
            default: // Map32
                return v <= ushort.MaxValue ? throw NonCanonical(offset, $"map32 of {v} pairs fits map16") : new Header(CanonicalType.Map, b, size, v);
        }
    }

    // ---- typed helpers --------------------------------------------------------------------------

    private ulong ReadUnsigned(ulong max, string typeName)
    {
        Header h = PeekHeader();
        if (h.Type != CanonicalType.Integer)
        {
            throw UnexpectedType(h, "integer");
        }

        if (h.IsNegative || h.Value > max)
        {
            throw Error(CodecError.ValueOutOfRange, Consumed, $"{h.FormatInteger()} does not fit {typeName}");
        }

        AdvanceBytes(h.Size);
        return h.Value;
    }

    private long ReadSigned(long min, long max, string typeName)
    {
        Header h = PeekHeader();
        if (h.Type != CanonicalType.Integer)
        {
            throw UnexpectedType(h, "integer");
        }

        bool fits = h.IsNegative ? (long)h.Value >= min : h.Value <= (ulong)max;
        if (!fits)
        {
            throw Error(CodecError.ValueOutOfRange, Consumed, $"{h.FormatInteger()} does not fit {typeName}");
        }

        AdvanceBytes(h.Size);
        return (long)h.Value;
    }

    private Header ReadStringHeader(long start)
    {
        Header h = PeekHeader();
        if (h.Type != CanonicalType.String)
        {
            throw UnexpectedType(h, "string");
        }

        CheckPayload(h, _limits.MaxStringLengthBytes, start);
        AdvanceBytes(h.Size);
        return h;
    }

    private int ReadBinaryHeader(long start)
    {
        Header h = PeekHeader();
        if (h.Type != CanonicalType.Binary)
        {
            throw UnexpectedType(h, "binary");
        }

        CheckPayload(h, _limits.MaxBinaryLengthBytes, start);
        AdvanceBytes(h.Size);
        return (int)h.Value;
    }

    private int ReadCollectionHeader(CanonicalType type)
    {
        long start = Consumed;
        Header h = PeekHeader();
        if (h.Type != type)
        {
            throw UnexpectedType(h, type == CanonicalType.Array ? "array" : "map");
        }

        CheckCount(h, start);
        AdvanceBytes(h.Size);
        return (int)h.Value;
    }

    /// <summary>Checks a str/bin length against the limit and the bytes left, before anything is sliced.</summary>
    private readonly void CheckPayload(Header h, int limit, long start)
    {
        if (h.Value > (ulong)limit)
        {
            throw Error(CodecError.LimitExceeded, start, $"{h.Type} of {h.Value} bytes exceeds the limit of {limit}");
        }

        long left = Remaining - h.Size;
        if ((long)h.Value > left)
        {
            throw Error(CodecError.Truncated, start, $"{h.Type} declares {h.Value} bytes, {left} left");
        }
    }

    /// <summary>Checks an array/map count against the limit and the bytes left (each element needs at least one byte).</summary>
    private readonly void CheckCount(Header h, long start)
    {
        if (h.Value > (ulong)_limits.MaxElementCount)
        {
            throw Error(CodecError.LimitExceeded, start, $"{h.Type} of {h.Value} elements exceeds the limit of {_limits.MaxElementCount}");
        }

        ulong needed = h.Type == CanonicalType.Map ? h.Value * 2 : h.Value;
        long left = Remaining - h.Size;
        if ((long)needed > left)
        {
            throw Error(CodecError.Truncated, start, $"{h.Type} declares {h.Value} elements, {left} bytes left");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AdvanceBytes(int count)
    {
        if (_single)
        {
            _pos += count;
        }
        else
        {
            _seq.Advance(count);
        }
    }

    private readonly ReadOnlySequence<byte> SlicePayload(int length) =>
        _single ? _sequence.Slice(_pos, length) : _sequence.Slice(_seq.Position, length);

    private void CopyPayload(scoped Span<byte> destination)
    {
        if (_single)
        {
            _span.Slice(_pos, destination.Length).CopyTo(destination);
            _pos += destination.Length;
        }
        else
        {
            _seq.TryCopyTo(destination);
            _seq.Advance(destination.Length);
        }
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> utf8, long start)
    {
        // One pass: the strict decoder transcodes and rejects ill-formed UTF-8 (overlong forms, surrogates, code
        // points above U+10FFFF, truncated sequences) exactly as Utf8.IsValid would, without a second scan.
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void ValidateUtf8(ReadOnlySequence<byte> utf8, long start)
    {
        bool valid;
        if (utf8.IsSingleSegment)
        {
            valid = Utf8.IsValid(utf8.FirstSpan);
        }
        else
        {
            int length = (int)utf8.Length;
            byte[] rented = ArrayPool<byte>.Shared.Rent(length);
            utf8.CopyTo(rented);
            valid = Utf8.IsValid(rented.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(rented);
        }

        if (!valid)
        {
            throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
        }
    }

    // ---- skipping -------------------------------------------------------------------------------

    private void SkipScalar(Header h, long start)
    {
        switch (h.Type)
        {
            case CanonicalType.String:
            {
                Header s = ReadStringHeader(start);
                int length = (int)s.Value;
                if (_single)
                {
                    if (!Utf8.IsValid(_span.Slice(_pos, length)))
                    {
                        throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
                    }

                    _pos += length;
                }
                else
                {
                    ValidateUtf8(SlicePayload(length), start);
                    _seq.Advance(length);
                }

                break;
            }

            case CanonicalType.Binary:
                AdvanceBytes(ReadBinaryHeader(start));
                break;
            default:
                AdvanceBytes(h.Size);
                break;
        }
    }

    private void SkipNested()
    {
        const int InlineFrames = 16;
        Span<Frame> inline = stackalloc Frame[InlineFrames];
        Frame[]? rented = null;
        Span<Frame> frames = inline;
        int depth = 0;
        try
        {
            while (true)
            {
                long start = Consumed;
                Header h = PeekHeader();
                if (h.Type is CanonicalType.Array or CanonicalType.Map)
                {
                    if (depth >= _limits.MaxDepth)
                    {
                        throw Error(CodecError.LimitExceeded, start, $"nesting deeper than {_limits.MaxDepth}");
                    }

                    CheckCount(h, start);
                    AdvanceBytes(h.Size);
                    if (h.Value != 0)
                    {
                        if (depth == frames.Length)
                        {
                            Frame[] bigger = ArrayPool<Frame>.Shared.Rent(frames.Length * 2);
                            frames.CopyTo(bigger);
                            if (rented is not null)
                            {
                                ArrayPool<Frame>.Shared.Return(rented);
                            }

                            rented = bigger;
                            frames = bigger;
                        }

                        bool isMap = h.Type == CanonicalType.Map;
                        frames[depth++] = new Frame
                        {
                            Remaining = isMap ? (long)h.Value * 2 : (long)h.Value,
                            Start = start,
                            IsMap = isMap,
                            PreviousKeyStart = -1,
                        };
                        continue;
                    }
                }
                else
                {
                    SkipScalar(h, start);
                }

                // A whole value [start, Consumed) is done: account for it in its parents.
                while (true)
                {
                    if (depth == 0)
                    {
                        return;
                    }

                    ref Frame top = ref frames[depth - 1];
                    if (top.IsMap && (top.Remaining & 1) == 0)
                    {
                        long end = Consumed;
                        if (top.PreviousKeyStart >= 0 && CompareKeys(top.PreviousKeyStart, top.PreviousKeyEnd, start, end) >= 0)
                        {
                            throw Error(CodecError.UnorderedMapKeys, start, "map keys must be strictly increasing by their encoded bytes");
                        }

                        top.PreviousKeyStart = start;
                        top.PreviousKeyEnd = end;
                    }

                    if (--top.Remaining > 0)
                    {
                        break;
                    }

                    start = top.Start;
                    depth--;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<Frame>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Compares the encoded bytes [aStart, aEnd) and [bStart, bEnd) lexicographically, shorter prefix first.</summary>
    private readonly int CompareKeys(long aStart, long aEnd, long bStart, long bEnd)
    {
        if (_single)
        {
            return _span[(int)aStart..(int)aEnd].SequenceCompareTo(_span[(int)bStart..(int)bEnd]);
        }

        return CompareSequences(_sequence.Slice(aStart, aEnd - aStart), _sequence.Slice(bStart, bEnd - bStart));
    }

    private static int CompareSequences(ReadOnlySequence<byte> a, ReadOnlySequence<byte> b)
    {
        var ra = new SequenceReader<byte>(a);
        var rb = new SequenceReader<byte>(b);
        while (!ra.End && !rb.End)
        {
            ReadOnlySpan<byte> sa = ra.UnreadSpan;
            ReadOnlySpan<byte> sb = rb.UnreadSpan;
            int n = Math.Min(sa.Length, sb.Length);
            int c = sa[..n].SequenceCompareTo(sb[..n]);
            if (c != 0)
            {
                return c;
            }

            ra.Advance(n);
            rb.Advance(n);
        }

        return ra.End ? (rb.End ? 0 : -1) : 1;
    }

    // ---- errors ---------------------------------------------------------------------------------

    private readonly CodecException UnexpectedType(Header h, string expected) =>
        Error(CodecError.UnexpectedType, Consumed, $"expected {expected}, found {h.Type} (0x{h.Code:x2})");

    private static CodecException NonCanonical(long offset, string detail) => new(CodecError.NonCanonical, offset, detail);

    private static CodecException Error(CodecError error, long offset, string detail) => new(error, offset, detail);

    [StructLayout(LayoutKind.Auto)]
    private struct Frame
    {
        public long Remaining;
        public long Start;
        public long PreviousKeyStart;
        public long PreviousKeyEnd;
        public bool IsMap;
    }

    /// <summary>A parsed, canonical-checked header. For integers <see cref="Value"/> holds the two's-complement bits.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct Header(CanonicalType type, byte code, int size, ulong value)
    {
        public readonly CanonicalType Type = type;
        public readonly byte Code = code;
        public readonly int Size = size;
        public readonly ulong Value = value;

        public bool IsNegative => Code >= MessagePackCode.MinNegativeFixInt || (Code >= MessagePackCode.Int8 && Code <= MessagePackCode.Int64);

        public string FormatInteger() =>
            IsNegative ? ((long)Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
