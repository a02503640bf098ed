using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using ChainInterop.Crypto;
using MessagePack;

namespace ChainInterop.Codec;

/// <summary>
/// Reads MessagePack and accepts only the canonical subset described on <see cref="Canonical"/>
/// (requirement C2). Every failure on bad input is a <see cref="CodecException"/> carrying the byte
/// offset of the offending element; lengths and counts are checked against <see cref="CodecLimits"/>
/// and against the bytes left before anything is allocated or sliced.
/// </summary>
/// <remarks>
/// Contiguous input (one segment: every byte[] and <see cref="ReadOnlyMemory{T}"/>) is read by index into one span
/// with our own header parser, which checks each header's form as it decodes it. Input split over segments is read
/// through MessagePack-CSharp's <see cref="MessagePackReader"/>: this layer peeks the format byte before each read
/// (the type rules), checks after it that the form was the shortest for the value read, then the limits; when
/// MessagePackReader cannot read a value (truncated, or a 32-bit length it takes as negative) the header is parsed
/// here to report the precise error. Both give identical results and offsets. Why contiguous input is not read
/// through MessagePackReader too: docs/CODEC.md (it measured 2x slower). After a <see cref="CodecException"/> the
/// reader's position is unspecified. The typed reads (<see cref="ReadArrayHeader()"/>, <see cref="ReadMapHeader"/>)
/// do not track nesting depth or map-key order; <see cref="Skip"/> and <see cref="Canonical.Validate"/> do.
/// </remarks>
public ref struct CanonicalReader
{
    private const int MaxHeaderSize = 9;

    private readonly CodecLimits _limits;
    private readonly ReadOnlySequence<byte> _input;
    private readonly long _length;

    // One of two cursors: _span and _pos when the input is one segment (_single), else _reader.
    private readonly ReadOnlySpan<byte> _span;
    private readonly bool _single;
    private int _pos;
    private MessagePackReader _reader;

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

        _input = input;
        _length = input.Length;
        _single = input.IsSingleSegment;
        _span = _single ? input.FirstSpan : default;
        _reader = _single ? default : new MessagePackReader(input);
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
    public readonly long Consumed => _single ? _pos : _reader.Consumed;

    /// <summary>Whether every byte of the input has been consumed.</summary>
    public readonly bool End => _single ? _pos >= _span.Length : _reader.End;

    /// <summary>The limits this reader enforces.</summary>
    public readonly CodecLimits Limits => _limits;

    private readonly long Remaining => _length - Consumed;

    /// <summary>The type family of the next value, without consuming it.</summary>
    /// <returns>The type.</returns>
    /// <exception cref="CodecException"><see cref="CodecError.Truncated"/> at the end of input; <see cref="CodecError.UnsupportedType"/> for the never-used byte 0xc1.</exception>
    public CanonicalType PeekType()
    {
        byte code = PeekCode();
        return code == MessagePackCode.NeverUsed ? throw Unsupported(code, Consumed) : TypeOf(code);
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

        if (_single)
        {
            _pos++;
            return true;
        }

        return _reader.TryReadNil();
    }

    /// <summary>Reads a nil.</summary>
    /// <exception cref="CodecException">The next value is not nil, or the input ended.</exception>
    public void ReadNil()
    {
        if (!TryReadNil())
        {
            throw WrongType(Consumed, "nil");
        }
    }

    /// <summary>Reads a boolean.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">The next value is not a boolean, or the input ended.</exception>
    public bool ReadBoolean()
    {
        byte code = PeekCode();
        if (code is not (MessagePackCode.True or MessagePackCode.False))
        {
            throw WrongType(Consumed, "boolean");
        }

        return _single ? _span[_pos++] == MessagePackCode.True : _reader.ReadBoolean();
    }

    /// <summary>Reads a non-negative integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or negative (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadUInt64() => TryReadPositiveFixInt(out byte b) ? b : ReadUnsigned(ulong.MaxValue, "UInt64");

    /// <summary>Reads a non-negative integer that fits 32 bits.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadUInt32() => TryReadPositiveFixInt(out byte b) ? b : (uint)ReadUnsigned(uint.MaxValue, "UInt32");

    /// <summary>Reads a non-negative integer that fits 8 bits.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    public byte ReadByte() => (byte)ReadUnsigned(byte.MaxValue, "Byte");

    /// <summary>Reads a signed 64-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or above <see cref="long.MaxValue"/> (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ReadInt64() => TryReadFixInt(out sbyte b) ? b : ReadSigned(long.MinValue, long.MaxValue, "Int64");

    /// <summary>Reads a signed 32-bit integer.</summary>
    /// <returns>The value.</returns>
    /// <exception cref="CodecException">Not a canonical integer, or out of range (<see cref="CodecError.ValueOutOfRange"/>).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadInt32() => TryReadFixInt(out sbyte b) ? b : (int)ReadSigned(int.MinValue, int.MaxValue, "Int32");

    /// <summary>Reads a string.</summary>
    /// <returns>The string.</returns>
    /// <exception cref="CodecException">Not a canonical string, over the limit, or invalid UTF-8.</exception>
    public string ReadString()
    {
        long start = Consumed;
        if (_single)
        {
            // Fast path: a fixstr or a str8 of 32-255 bytes, present and within the limit.
            int left = _span.Length - _pos;
            int header = 0;
            int length = -1;
            if (left > 0)
            {
                int b = _span[_pos];
                if ((uint)(b - MessagePackCode.MinFixStr) <= MessagePackRange.MaxFixStringLength)
                {
                    (header, length) = (1, b - MessagePackCode.MinFixStr);
                }
                else if (b == MessagePackCode.Str8 && left > 1 && _span[_pos + 1] > MessagePackRange.MaxFixStringLength)
                {
                    (header, length) = (2, _span[_pos + 1]);
                }
            }

            int at;
            if (length >= 0 && length <= left - header && length <= _limits.MaxStringLengthBytes)
            {
                at = _pos + header;
                _pos = at + length;
            }
            else
            {
                at = ReadSpanPayload(CanonicalType.String, start, -1, out length);
            }

            return length == 0 ? string.Empty : DecodeUtf8(_span.Slice(at, length), start);
        }

        ReadOnlySequence<byte> utf8 = ReadPayload(CanonicalType.String, start);
        return utf8.IsEmpty ? string.Empty : DecodeUtf8(utf8, start);
    }

    /// <summary>Reads a string's UTF-8 bytes without allocating: a validated slice of the input.</summary>
    /// <returns>The UTF-8 bytes.</returns>
    /// <exception cref="CodecException">Not a canonical string, over the limit, or invalid UTF-8.</exception>
    public ReadOnlySequence<byte> ReadStringUtf8()
    {
        long start = Consumed;
        ReadOnlySequence<byte> utf8 = ReadPayload(CanonicalType.String, start);
        ValidateUtf8(utf8, start);
        return utf8;
    }

    /// <summary>Reads a byte string without allocating: a slice of the input.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="CodecException">Not a canonical binary, or over the limit.</exception>
    public ReadOnlySequence<byte> ReadBinary() => ReadPayload(CanonicalType.Binary, Consumed);

    /// <summary>Reads a byte string into a new array.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="CodecException">Not a canonical binary, or over the limit.</exception>
    public byte[] ReadBinaryArray()
    {
        if (_single)
        {
            // Fast path: a bin8 present in full and within the limit.
            if (_span.Length - _pos > 1 && _span[_pos] == MessagePackCode.Bin8)
            {
                int n = _span[_pos + 1];
                if (n <= _span.Length - _pos - 2 && n <= _limits.MaxBinaryLengthBytes)
                {
                    _pos += 2 + n;
                    return _span.Slice(_pos - n, n).ToArray();
                }
            }

            int at = ReadSpanPayload(CanonicalType.Binary, Consumed, -1, out int length);
            return _span.Slice(at, length).ToArray();
        }

        return ReadBinary().ToArray();
    }

    /// <summary>Reads a byte string of exactly <paramref name="destination"/>'s length into it.</summary>
    /// <param name="destination">Where the bytes go.</param>
    /// <exception cref="CodecException"><see cref="CodecError.UnexpectedLength"/> if the lengths differ, or not a canonical binary.</exception>
    public void ReadBinary(scoped Span<byte> destination)
    {
        if (_single)
        {
            int at = ReadSpanPayload(CanonicalType.Binary, Consumed, destination.Length, out int length);
            _span.Slice(at, length).CopyTo(destination);
            return;
        }

        ReadPayload(CanonicalType.Binary, Consumed, destination.Length).CopyTo(destination);
    }

    /// <summary>Reads a SHA-256 digest encoded as bin8 of 32 bytes.</summary>
    /// <returns>The digest.</returns>
    /// <exception cref="CodecException"><see cref="CodecError.UnexpectedLength"/> unless it is exactly 32 bytes, or not a canonical binary.</exception>
    public Hash256 ReadHash256()
    {
        if (_single)
        {
            int at = ReadSpanPayload(CanonicalType.Binary, Consumed, Hash256.SizeBytes, out _);
            return new Hash256(_span.Slice(at, Hash256.SizeBytes));
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
        // Fast path: a fixarray in contiguous input whose elements can fit in the bytes left.
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            int count = _span[_pos] - MessagePackCode.MinFixArray;
            if ((uint)count <= MessagePackRange.MaxFixArrayCount && count < _span.Length - _pos && count <= _limits.MaxElementCount)
            {
                _pos++;
                return count;
            }
        }

        long start = Consumed;
        return CheckCount(CanonicalType.Array, ReadCollectionHeader(CanonicalType.Array, start), start);
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
    public int ReadMapHeader()
    {
        long start = Consumed;
        return CheckCount(CanonicalType.Map, ReadCollectionHeader(CanonicalType.Map, start), start);
    }

    /// <summary>
    /// Validates and skips one whole value of any shape: canonical headers, UTF-8 strings, the depth limit,
    /// and strictly increasing map keys. Iterative, so hostile nesting cannot overflow the stack.
    /// </summary>
    /// <exception cref="CodecException">The value is not canonical, exceeds a limit, or is truncated.</exception>
    public void Skip()
    {
        CanonicalType first = PeekType();
        if (first is not (CanonicalType.Array or CanonicalType.Map))
        {
            SkipScalar(first, Consumed);
            return;
        }

        const int InlineFrames = 16;
        Span<Frame> frames = stackalloc Frame[InlineFrames];
        Frame[]? rented = null;
        int depth = 0;
        try
        {
            while (true)
            {
                long start = Consumed;
                CanonicalType type = PeekType();
                switch (type)
                {
                    case CanonicalType.Array or CanonicalType.Map:
                        // Form first, then depth, then the count against the limit and the bytes left.
                        ulong declared = ReadCollectionHeader(type, start);
                        if (depth >= _limits.MaxDepth)
                        {
                            throw Error(CodecError.LimitExceeded, start, $"nesting deeper than {_limits.MaxDepth}");
                        }

                        int count = CheckCount(type, declared, start);
                        if (count == 0)
                        {
                            break;
                        }

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

                        bool isMap = type == CanonicalType.Map;
                        frames[depth++] = new Frame { Remaining = isMap ? 2L * count : count, Start = start, IsMap = isMap, PreviousKeyStart = -1 };
                        continue;
                    default:
                        SkipScalar(type, start);
                        break;
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

    /// <summary>Checks and skips one value that is not an array or map.</summary>
    private void SkipScalar(CanonicalType type, long start)
    {
        switch (type)
        {
            case CanonicalType.String when _single:
                int at = ReadSpanPayload(CanonicalType.String, start, -1, out int length);
                if (!Utf8.IsValid(_span.Slice(at, length)))
                {
                    throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
                }

                break;
            case CanonicalType.String:
                ReadStringUtf8();
                break;
            case CanonicalType.Binary when _single:
                ReadSpanPayload(CanonicalType.Binary, start, -1, out _);
                break;
            case CanonicalType.Binary:
                ReadBinary();
                break;
            case CanonicalType.Integer:
                ReadInteger(out _);
                break;
            case CanonicalType.Nil:
                ReadNil();
                break;
            case CanonicalType.Boolean:
                ReadBoolean();
                break;
            default:
                throw Unsupported(PeekCode(), start);
        }
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

    // ---- the cursor and the canonical layer ---------------------------------------------------------

    private byte PeekCode()
    {
        if (_single)
        {
            if ((uint)_pos < (uint)_span.Length)
            {
                return _span[_pos];
            }
        }
        else if (!_reader.End)
        {
            return _reader.NextCode;
        }

        throw Error(CodecError.Truncated, Consumed, "the input ended where a value was expected");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadPositiveFixInt(out byte value)
    {
        if (_single && (uint)_pos < (uint)_span.Length && _span[_pos] <= MessagePackCode.MaxFixInt)
        {
            value = _span[_pos++];
            return true;
        }

        value = 0;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadFixInt(out sbyte value)
    {
        if (_single && (uint)_pos < (uint)_span.Length)
        {
            byte b = _span[_pos];
            if (b <= MessagePackCode.MaxFixInt || b >= MessagePackCode.MinNegativeFixInt)
            {
                _pos++;
                value = (sbyte)b;
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>Reads an integer of any canonical form: its two's-complement bits, and whether it is negative.</summary>
    private ulong ReadInteger(out bool negative)
    {
        long start = Consumed;
        if (_single)
        {
            Header h = ParseHeader(_span[_pos..], start);
            if (h.Type != CanonicalType.Integer)
            {
                throw UnexpectedType(h, "integer", start);
            }

            _pos += h.Size;
            negative = IsSigned(h.Code);
            return h.Value;
        }

        // MessagePackReader: the format byte decides the family (its ReadInt64 would refuse a uint64 above
        // long.MaxValue, its ReadUInt64 a negative value), then the value read must be the shortest for it.
        byte code = PeekCode();
        if (TypeOf(code) != CanonicalType.Integer)
        {
            throw WrongType(start, "integer");
        }

        if (Remaining < HeaderSize(code))
        {
            throw Diagnose(start);
        }

        negative = IsSigned(code);
        ulong value = negative ? (ulong)_reader.ReadInt64() : _reader.ReadUInt64();
        return NotShortest(code, value) is { } why ? throw NonCanonical(start, why) : value;
    }

    private ulong ReadUnsigned(ulong max, string typeName)
    {
        long start = Consumed;
        ulong value = ReadInteger(out bool negative);
        return negative || value > max ? throw OutOfRange(start, negative, value, typeName) : value;
    }

    private long ReadSigned(long min, long max, string typeName)
    {
        long start = Consumed;
        ulong value = ReadInteger(out bool negative);
        return (negative ? (long)value >= min : value <= (ulong)max) ? (long)value : throw OutOfRange(start, negative, value, typeName);
    }

    /// <summary>Contiguous input: reads a str or bin header, checks it and consumes the payload; returns the payload's index.</summary>
    private int ReadSpanPayload(CanonicalType type, long start, int expectedLength, out int length)
    {
        Header h = ParseHeader(_span[_pos..], start);
        if (h.Type != type)
        {
            throw UnexpectedType(h, type == CanonicalType.String ? "string" : "binary", start);
        }

        CheckPayload(h, start, expectedLength, _span.Length - _pos - h.Size);
        int at = _pos + h.Size;
        length = (int)h.Value;
        _pos = at + length;
        return at;
    }

    /// <summary>Reads a str or bin value and checks its form, <paramref name="expectedLength"/> (if not -1) and limit.</summary>
    private ReadOnlySequence<byte> ReadPayload(CanonicalType type, long start, int expectedLength = -1)
    {
        if (_single)
        {
            int at = ReadSpanPayload(type, start, expectedLength, out int size);
            return _input.Slice(at, size);
        }

        byte code = PeekCode();
        if (TypeOf(code) != type)
        {
            throw WrongType(start, type == CanonicalType.String ? "string" : "binary");
        }

        ReadOnlySequence<byte> payload;
        try
        {
            payload = (type == CanonicalType.String ? _reader.ReadStringSequence() : _reader.ReadBytes()).GetValueOrDefault();
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentOutOfRangeException)
        {
            // Truncated, or a length of 2^31 or more (MessagePackReader reads it as a negative int).
            throw Diagnose(start, expectedLength);
        }

        ulong length = (ulong)payload.Length;
        if (NotShortest(code, length) is { } why)
        {
            throw NonCanonical(start, why);
        }

        CheckPayload(new Header(type, code, 0, length), start, expectedLength, long.MaxValue);
        return payload;
    }

    /// <summary>Reads an array or map header and checks its form; <see cref="CheckCount"/> checks the count.</summary>
    private ulong ReadCollectionHeader(CanonicalType type, long start)
    {
        string name = type == CanonicalType.Array ? "array" : "map";
        if (_single)
        {
            Header h = ParseHeader(_span[_pos..], start);
            if (h.Type != type)
            {
                throw UnexpectedType(h, name, start);
            }

            _pos += h.Size;
            return h.Value;
        }

        byte code = PeekCode();
        if (TypeOf(code) != type)
        {
            throw WrongType(start, name);
        }

        int count;
        if (!(type == CanonicalType.Array ? _reader.TryReadArrayHeader(out count) : _reader.TryReadMapHeader(out count)))
        {
            throw Diagnose(start);
        }

        // MessagePackReader returns an array32/map32 count of 2^31 or more as a negative int.
        ulong value = (uint)count;
        return NotShortest(code, value) is { } why ? throw NonCanonical(start, why) : value;
    }

    /// <summary>Checks an array/map count against the limit, then the bytes left after its header (each element needs at least one byte).</summary>
    private int CheckCount(CanonicalType type, ulong count, long start)
    {
        if (count > (ulong)_limits.MaxElementCount)
        {
            throw Error(CodecError.LimitExceeded, start, $"{type} of {count} elements exceeds the limit of {_limits.MaxElementCount}");
        }

        long needed = type == CanonicalType.Map ? 2L * (long)count : (long)count;
        long left = Remaining;
        return needed > left ? throw Error(CodecError.Truncated, start, $"{type} declares {count} elements, {left} bytes left") : (int)count;
    }

    /// <summary>Checks a str/bin header whose form is checked: the expected length, then the limit, then the bytes left.</summary>
    private readonly void CheckPayload(Header h, long start, int expectedLength, long left)
    {
        if (expectedLength >= 0 && h.Value != (ulong)expectedLength)
        {
            throw Error(CodecError.UnexpectedLength, start, $"expected {expectedLength} bytes of binary, found {h.Value}");
        }

        int limit = h.Type == CanonicalType.String ? _limits.MaxStringLengthBytes : _limits.MaxBinaryLengthBytes;
        if (h.Value > (ulong)limit)
        {
            throw Error(CodecError.LimitExceeded, start, $"{h.Type} of {h.Value} bytes exceeds the limit of {limit}");
        }

        if ((long)h.Value > left)
        {
            throw Error(CodecError.Truncated, start, $"{h.Type} declares {h.Value} bytes, {left} left");
        }
    }

    // ---- headers: our parser, for contiguous input and to say why MessagePackReader could not read a value ----

    /// <summary>The error for the value at <paramref name="start"/> when a read of the expected type is impossible.</summary>
    private readonly CodecException WrongType(long start, string expected) => UnexpectedType(HeaderAt(start), expected, start);

    /// <summary>The error for a value at <paramref name="start"/> whose header or payload MessagePackReader could not read.</summary>
    private readonly CodecException Diagnose(long start, int expectedLength = -1)
    {
        Header h = HeaderAt(start);
        CheckPayload(h, start, expectedLength, _length - start - h.Size);
        return Error(CodecError.Truncated, start, "the input ended inside the value");
    }

    /// <summary>Parses the header at <paramref name="start"/> (any input).</summary>
    private readonly Header HeaderAt(long start)
    {
        ReadOnlySequence<byte> rest = _input.Slice(start);
        Span<byte> s = stackalloc byte[MaxHeaderSize];
        s = s[..(int)Math.Min(MaxHeaderSize, rest.Length)];
        rest.Slice(0, s.Length).CopyTo(s);
        return ParseHeader(s, start);
    }

    /// <summary>Parses the header at the start of <paramref name="s"/> and checks its format and form (not limits).</summary>
    private static Header ParseHeader(ReadOnlySpan<byte> s, long start)
    {
        if (s.IsEmpty)
        {
            throw Error(CodecError.Truncated, start, "the input ended where a value was expected");
        }

        byte b = s[0];
        switch (b)
        {
            case <= MessagePackCode.MaxFixInt:
                return new Header(CanonicalType.Integer, b, 1, b);
            case >= MessagePackCode.MinNegativeFixInt:
                return new Header(CanonicalType.Integer, b, 1, (ulong)(sbyte)b);
            case <= MessagePackCode.MaxFixMap:
                return new Header(CanonicalType.Map, b, 1, b & 0x0fu);
            case <= MessagePackCode.MaxFixArray:
                return new Header(CanonicalType.Array, b, 1, b & 0x0fu);
            case <= MessagePackCode.MaxFixStr:
                return new Header(CanonicalType.String, b, 1, b & 0x1fu);
        }

        CanonicalType type = b == MessagePackCode.NeverUsed ? throw Unsupported(b, start) : TypeOf(b);
        if (type is CanonicalType.Float or CanonicalType.Extension)
        {
            throw Unsupported(b, start);
        }

        int size = HeaderSize(b);
        if (s.Length < size)
        {
            throw Error(CodecError.Truncated, start, $"the header 0x{b:x2} needs {size} bytes, {s.Length} left");
        }

        ulong v = size switch
        {
            1 => 0, // nil, false, true
            2 => b == MessagePackCode.Int8 ? (ulong)(sbyte)s[1] : s[1],
            3 => b == MessagePackCode.Int16 ? (ulong)BinaryPrimitives.ReadInt16BigEndian(s[1..]) : BinaryPrimitives.ReadUInt16BigEndian(s[1..]),
            5 => b == MessagePackCode.Int32 ? (ulong)BinaryPrimitives.ReadInt32BigEndian(s[1..]) : BinaryPrimitives.ReadUInt32BigEndian(s[1..]),
            _ => BinaryPrimitives.ReadUInt64BigEndian(s[1..]),
        };
        return NotShortest(b, v) is { } why ? throw NonCanonical(start, why) : new Header(type, b, size, v);
    }

    private static CodecException UnexpectedType(Header h, string expected, long start) =>
        Error(CodecError.UnexpectedType, start, $"expected {expected}, found {h.Type} (0x{h.Code:x2})");

    /// <summary>The family of a format byte (0xc1 maps to <see cref="CanonicalType.Extension"/>; callers reject it first).</summary>
    private static CanonicalType TypeOf(byte b) => b switch
    {
        <= MessagePackCode.MaxFixInt => CanonicalType.Integer,
        <= MessagePackCode.MaxFixMap => CanonicalType.Map,
        <= MessagePackCode.MaxFixArray => CanonicalType.Array,
        <= MessagePackCode.MaxFixStr => CanonicalType.String,
        MessagePackCode.Nil => CanonicalType.Nil,
        MessagePackCode.False or MessagePackCode.True => CanonicalType.Boolean,
        >= MessagePackCode.Bin8 and <= MessagePackCode.Bin32 => CanonicalType.Binary,
        MessagePackCode.Float32 or MessagePackCode.Float64 => CanonicalType.Float,
        >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => CanonicalType.Integer,
        >= MessagePackCode.Str8 and <= MessagePackCode.Str32 => CanonicalType.String,
        MessagePackCode.Array16 or MessagePackCode.Array32 => CanonicalType.Array,
        MessagePackCode.Map16 or MessagePackCode.Map32 => CanonicalType.Map,
        >= MessagePackCode.MinNegativeFixInt => CanonicalType.Integer,
        _ => CanonicalType.Extension, // ext 0xc7-0xc9, fixext 0xd4-0xd8 (and 0xc1)
    };

    /// <summary>Whether an integer format byte is of the signed family (negative fixint, int8-int64): negative values only.</summary>
    private static bool IsSigned(byte code) => code >= MessagePackCode.MinNegativeFixInt || code is >= MessagePackCode.Int8 and <= MessagePackCode.Int64;

    /// <summary>The header size of a format byte: 1, or 1 plus its length/value field.</summary>
    private static int HeaderSize(byte b) => b switch
    {
        MessagePackCode.Bin8 or MessagePackCode.UInt8 or MessagePackCode.Int8 or MessagePackCode.Str8 => 2,
        MessagePackCode.Bin16 or MessagePackCode.UInt16 or MessagePackCode.Int16 or MessagePackCode.Str16
            or MessagePackCode.Array16 or MessagePackCode.Map16 => 3,
        MessagePackCode.Bin32 or MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Str32
            or MessagePackCode.Array32 or MessagePackCode.Map32 => 5,
        MessagePackCode.UInt64 or MessagePackCode.Int64 => 9,
        _ => 1,
    };

    /// <summary>
    /// The canonical-form rule (C2): why <paramref name="v"/> (two's-complement bits for integers) is not in its shortest
    /// form under <paramref name="code"/>, or null if it is. Signed formats are only for negative values.
    /// </summary>
    private static string? NotShortest(byte code, ulong v) => code switch
    {
        MessagePackCode.UInt8 when v <= MessagePackCode.MaxFixInt => $"uint8 0x{v:x2} fits a positive fixint",
        MessagePackCode.UInt16 when v <= byte.MaxValue => $"uint16 {v} fits uint8",
        MessagePackCode.UInt32 when v <= ushort.MaxValue => $"uint32 {v} fits uint16",
        MessagePackCode.UInt64 when v <= uint.MaxValue => $"uint64 {v} fits uint32",
        MessagePackCode.Int8 when (long)v >= -32 => (long)v >= 0 ? $"int8 {(long)v} is non-negative: use the uint family" : $"int8 {(long)v} fits a negative fixint",
        MessagePackCode.Int16 when (long)v >= sbyte.MinValue => (long)v >= 0 ? $"int16 {(long)v} is non-negative: use the uint family" : $"int16 {(long)v} fits int8",
        MessagePackCode.Int32 when (long)v >= short.MinValue => (long)v >= 0 ? $"int32 {(long)v} is non-negative: use the uint family" : $"int32 {(long)v} fits int16",
        MessagePackCode.Int64 when (long)v >= int.MinValue => (long)v >= 0 ? $"int64 {(long)v} is non-negative: use the uint family" : $"int64 {(long)v} fits int32",
        MessagePackCode.Str8 when v <= MessagePackRange.MaxFixStringLength => $"str8 of length {v} fits a fixstr",
        MessagePackCode.Str16 when v <= byte.MaxValue => $"str16 of length {v} fits str8",
        MessagePackCode.Str32 when v <= ushort.MaxValue => $"str32 of length {v} fits str16",
        MessagePackCode.Bin16 when v <= byte.MaxValue => $"bin16 of length {v} fits bin8",
        MessagePackCode.Bin32 when v <= ushort.MaxValue => $"bin32 of length {v} fits bin16",
        MessagePackCode.Array16 when v <= MessagePackRange.MaxFixArrayCount => $"array16 of {v} elements fits a fixarray",
        MessagePackCode.Array32 when v <= ushort.MaxValue => $"array32 of {v} elements fits array16",
        MessagePackCode.Map16 when v <= MessagePackRange.MaxFixMapCount => $"map16 of {v} pairs fits a fixmap",
        MessagePackCode.Map32 when v <= ushort.MaxValue => $"map32 of {v} pairs fits map16",
        _ => null,
    };

    // ---- UTF-8 and map keys -----------------------------------------------------------------------

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static string DecodeUtf8(ReadOnlySequence<byte> utf8, long start)
    {
        if (utf8.IsSingleSegment)
        {
            return DecodeUtf8(utf8.FirstSpan, start);
        }

        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
        }
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> utf8, long start)
    {
        // One pass: the strict decoder transcodes and rejects ill-formed UTF-8 (overlong forms, surrogates, code
        // points above U+10FFFF, truncated sequences) exactly as Utf8.IsValid would, without a second scan.
        // MessagePackReader.ReadString would replace them with U+FFFD instead.
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw Error(CodecError.InvalidUtf8, start, "the string is not well-formed UTF-8");
        }
    }

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

    /// <summary>Compares the encoded bytes [aStart, aEnd) and [bStart, bEnd) lexicographically, shorter prefix first.</summary>
    private readonly int CompareKeys(long aStart, long aEnd, long bStart, long bEnd)
    {
        if (_single)
        {
            return _span[(int)aStart..(int)aEnd].SequenceCompareTo(_span[(int)bStart..(int)bEnd]);
        }

        ReadOnlySequence<byte> input = _input;
        var ra = new SequenceReader<byte>(input.Slice(aStart, aEnd - aStart));
        var rb = new SequenceReader<byte>(input.Slice(bStart, bEnd - bStart));
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

    private static CodecException Unsupported(byte b, long start) => Error(CodecError.UnsupportedType, start, b switch
    {
        MessagePackCode.NeverUsed => "0xc1 is never used in MessagePack",
        MessagePackCode.Float32 or MessagePackCode.Float64 => $"float 0x{b:x2}: no floats in signed objects",
        _ => $"extension 0x{b:x2}: no extension types in signed objects",
    });

    private static CodecException OutOfRange(long start, bool negative, ulong value, string typeName) =>
        Error(CodecError.ValueOutOfRange, start, $"{(negative ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture))} does not fit {typeName}");

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

    /// <summary>A parsed header. For integers <see cref="Value"/> holds the two's-complement bits.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct Header(CanonicalType type, byte code, int size, ulong value)
    {
        public readonly CanonicalType Type = type;
        public readonly byte Code = code;
        public readonly int Size = size;
        public readonly ulong Value = value;
    }
}
