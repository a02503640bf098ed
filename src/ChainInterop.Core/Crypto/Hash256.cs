using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>
/// A 32-byte SHA-256 digest. Equality and ordering are those of the bytes (lexicographic, unsigned),
/// and the text form is 64 lower-case hex digits.
/// </summary>
/// <remarks>
/// Stored as four big-endian 64-bit words so that equality and ordering compare four integers
/// instead of 32 bytes; <see cref="CompareTo"/> agrees with a byte-wise comparison.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Hash256 : IEquatable<Hash256>, IComparable<Hash256>, ISpanFormattable, ISpanParsable<Hash256>
{
    /// <summary>The length of a digest in bytes.</summary>
    public const int SizeBytes = 32;

    // One reusable SHA-256 context per thread (see HashInto); never shared, so no locking.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    /// <summary>The length of the hex text form in characters.</summary>
    public const int HexLength = 64;

    // Invariant: _w0.._w3 are the digest bytes 0-7, 8-15, 16-23, 24-31 read big-endian.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    /// <summary>The all-zero digest, used as the previous hash of a genesis block.</summary>
    public static Hash256 Zero => default;

    /// <summary>Creates a digest from exactly 32 bytes.</summary>
    /// <param name="bytes">The digest bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public Hash256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != SizeBytes)
        {
            throw new ArgumentException($"A SHA-256 digest is {SizeBytes} bytes, got {bytes.Length}.", nameof(bytes));
        }

        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>Whether every byte is zero.</summary>
    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>Computes the SHA-256 digest of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes to hash.</param>
    /// <returns>The digest.</returns>
    public static Hash256 Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[SizeBytes];
        HashInto(data, digest);
        return new Hash256(digest);
    }

    /// <summary>
    /// SHA-256 of <paramref name="data"/> into <paramref name="digest"/> through this thread's reusable hash context.
    /// The one-shot <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> sets up and frees a native digest
    /// context on every call, which costs more than hashing the small inputs (keys, Merkle nodes, message digests)
    /// the protocols hash by the million.
    /// </summary>
    /// <param name="data">The bytes to hash.</param>
    /// <param name="digest">Where the 32-byte digest goes.</param>
    internal static void HashInto(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var hash = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(data);
        hash.GetHashAndReset(digest);
    }

    /// <summary>Computes the SHA-256 digest of the concatenation <paramref name="first"/> ‖ <paramref name="second"/>.</summary>
    /// <param name="first">The first part.</param>
    /// <param name="second">The second part.</param>
    /// <returns>The digest.</returns>
    public static Hash256 Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        // One-shot hashing of a concatenated copy beats an IncrementalHash (which allocates) for the small inputs
        // this is used for (Merkle leaves, domain-tagged digests); large inputs go through a pooled buffer.
        int length = first.Length + second.Length;
        byte[]? rented = length > MaxStackConcatBytes ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented is null ? stackalloc byte[MaxStackConcatBytes] : rented;
        try
        {
            first.CopyTo(buffer);
            second.CopyTo(buffer[first.Length..]);
            return Compute(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private const int MaxStackConcatBytes = 512;

    /// <summary>Writes the 32 digest bytes to <paramref name="destination"/>.</summary>
    /// <param name="destination">At least 32 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < SizeBytes)
        {
            throw new ArgumentException($"Need {SizeBytes} bytes, got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    /// <summary>Returns the digest as a new 32-byte array.</summary>
    /// <returns>The digest bytes.</returns>
    public byte[] ToArray()
    {
        var bytes = new byte[SizeBytes];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <param name="hex">The text.</param>
    /// <returns>The digest.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 hex digits.</exception>
    public static Hash256 Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out var result) ? result : throw new FormatException("A Hash256 is exactly 64 hex digits.");

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <param name="hex">The text.</param>
    /// <returns>The digest.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 hex digits.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="hex"/> is null.</exception>
    public static Hash256 Parse(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return Parse(hex.AsSpan());
    }

    /// <summary>Tries to parse 64 hex digits (either case).</summary>
    /// <param name="hex">The text.</param>
    /// <param name="result">The digest when the text is valid; otherwise <see cref="Zero"/>.</param>
    /// <returns>Whether the text was 64 hex digits.</returns>
    public static bool TryParse(ReadOnlySpan<char> hex, out Hash256 result)
    {
        result = default;
        if (hex.Length != HexLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[SizeBytes];
        if (Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != SizeBytes)
        {
            return false;
        }

        result = new Hash256(bytes);
        return true;
    }

    /// <summary>Tries to parse 64 hex digits (either case).</summary>
    /// <param name="hex">The text, or null.</param>
    /// <param name="result">The digest when the text is valid; otherwise <see cref="Zero"/>.</param>
    /// <returns>Whether the text was 64 hex digits.</returns>
    public static bool TryParse([NotNullWhen(true)] string? hex, out Hash256 result)
    {
        if (hex is null)
        {
            result = default;
            return false;
        }

        return TryParse(hex.AsSpan(), out result);
    }

    static Hash256 IParsable<Hash256>.Parse(string s, IFormatProvider? provider) => Parse(s);

    static bool IParsable<Hash256>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Hash256 result) =>
        TryParse(s, out result);

    static Hash256 ISpanParsable<Hash256>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    static bool ISpanParsable<Hash256>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Hash256 result) =>
        TryParse(s, out result);

    /// <summary>Formats the digest as 64 lower-case hex digits.</summary>
    /// <param name="destination">The characters to write.</param>
    /// <param name="charsWritten">64 on success, 0 otherwise.</param>
    /// <returns>Whether <paramref name="destination"/> had room for 64 characters.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        Span<byte> bytes = stackalloc byte[SizeBytes];
        WriteTo(bytes);
        return Convert.TryToHexStringLower(bytes, destination, out charsWritten);
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>The 64 lower-case hex digits of the digest.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString() => string.Create(HexLength, this, static (chars, hash) => hash.TryFormat(chars, out _));

    /// <summary>The first <paramref name="hexDigits"/> hex digits, for logs and diagnostics.</summary>
    /// <param name="hexDigits">How many digits, 1 to 64.</param>
    /// <returns>A prefix of <see cref="ToString()"/>.</returns>
    public string ToShortString(int hexDigits = 12)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hexDigits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hexDigits, HexLength);
        return ToString()[..hexDigits];
    }

    /// <inheritdoc />
    public bool Equals(Hash256 other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>Compares byte-wise, most significant (first) byte first.</summary>
    /// <param name="other">The digest to compare with.</param>
    /// <returns>Negative, zero or positive as this digest sorts before, equal to or after <paramref name="other"/>.</returns>
    public int CompareTo(Hash256 other)
    {
        int c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    /// <summary>Equality of the digest bytes.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether the bytes are equal.</returns>
    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    /// <summary>Inequality of the digest bytes.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether the bytes differ.</returns>
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    /// <summary>Byte-wise ordering.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether <paramref name="left"/> sorts first.</returns>
    public static bool operator <(Hash256 left, Hash256 right) => left.CompareTo(right) < 0;

    /// <summary>Byte-wise ordering.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether <paramref name="left"/> sorts first or is equal.</returns>
    public static bool operator <=(Hash256 left, Hash256 right) => left.CompareTo(right) <= 0;

    /// <summary>Byte-wise ordering.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether <paramref name="left"/> sorts last.</returns>
    public static bool operator >(Hash256 left, Hash256 right) => left.CompareTo(right) > 0;

    /// <summary>Byte-wise ordering.</summary>
    /// <param name="left">The first digest.</param>
    /// <param name="right">The second digest.</param>
    /// <returns>Whether <paramref name="left"/> sorts last or is equal.</returns>
    public static bool operator >=(Hash256 left, Hash256 right) => left.CompareTo(right) >= 0;
}
