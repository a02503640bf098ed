using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Ledger;

/// <summary>
/// Names one command on the account chain (ABC) that moves or reserves money: a 128-bit number, like TigerBeetle's
/// transfer ids. Cross-chain transfers derive theirs from the cross-chain transaction hash with <see cref="FromHash"/>,
/// so every replica and every chain computes the same id. Zero (<c>default</c>) is not a valid id: the ledger answers
/// <see cref="LedgerResultCode.InvalidCommand"/> to a command that uses it.
/// </summary>
/// <remarks>Canonical form: a 16-byte binary, big-endian, so byte order and numeric order agree.</remarks>
public readonly record struct TransferId : IComparable<TransferId>, ICanonicalEncodable<TransferId>
{
    /// <summary>The size of the encoded id, in bytes.</summary>
    public const int SizeBytes = 16;

    /// <summary>Creates an id from its number.</summary>
    /// <param name="value">The 128-bit number; zero is the invalid id.</param>
    public TransferId(UInt128 value) => Value = value;

    /// <summary>The 128-bit number.</summary>
    public UInt128 Value { get; }

    /// <summary>Whether this is the invalid id zero.</summary>
    public bool IsZero => Value == UInt128.Zero;

    /// <summary>The invalid id zero.</summary>
    public static TransferId Zero => default;

    /// <summary>The id made of the first 16 bytes of <paramref name="hash"/>, read big-endian.</summary>
    /// <param name="hash">A cross-chain transaction hash (or any other SHA-256 digest).</param>
    /// <returns>The id; zero only when those 16 bytes are all zero.</returns>
    public static TransferId FromHash(Hash256 hash)
    {
        Span<byte> bytes = stackalloc byte[Hash256.SizeBytes];
        hash.WriteTo(bytes);
        return new TransferId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>Creates an id from a 64-bit number (convenient for tests and sequential ids).</summary>
    /// <param name="value">The number.</param>
    /// <returns>The id.</returns>
    public static TransferId FromUInt64(ulong value) => new(value);

    /// <summary>Writes the id as 16 big-endian bytes.</summary>
    /// <param name="destination">At least <see cref="SizeBytes"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    /// <inheritdoc />
    public int CompareTo(TransferId other) => Value.CompareTo(other.Value);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        // Big-endian bytes of the value, viewed in place (no stackalloc: WriteBinary's span is not scoped).
        UInt128 bigEndian = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(Value) : Value;
        writer.WriteBinary(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref bigEndian, 1)));
    }

    /// <inheritdoc />
    public static TransferId Decode(ref CanonicalReader reader)
    {
        Span<byte> bytes = stackalloc byte[SizeBytes];
        reader.ReadBinary(bytes);
        return new TransferId(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>The id as 32 lower-case hex digits.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Value.ToString("x32", CultureInfo.InvariantCulture);
}
