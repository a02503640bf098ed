using ChainInterop.Crypto;

namespace ChainInterop.Codec;

/// <summary>
/// How the Core value types are written in canonical form, in one place: identifiers and asset codes as strings,
/// amounts as integers, node ids as 32-byte binaries, public keys as <c>[algorithm, key bytes]</c>.
/// Readers re-validate every value and report a bad one as <see cref="CodecException"/>, never as another exception.
/// </summary>
public static class CanonicalPrimitives
{
    /// <summary>Writes any identifier as its text.</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is <c>default</c>.</exception>
    public static void WriteIdentifier<T>(this ref CanonicalWriter writer, T value)
        where T : struct, IIdentifier<T>
    {
        if (value.Value is null)
        {
            throw new ArgumentException($"A default {T.Kind} cannot be encoded.", nameof(value));
        }

        writer.WriteString(value.Value);
    }

    /// <summary>Reads any identifier, re-validating its text.</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="reader">The reader.</param>
    /// <returns>The id.</returns>
    /// <exception cref="CodecException">Malformed input or text that is not a valid id.</exception>
    public static T ReadIdentifier<T>(this ref CanonicalReader reader)
        where T : struct, IIdentifier<T>
    {
        long offset = reader.Consumed;
        return T.TryCreate(reader.ReadString(), out var id) ? id : throw Invalid(offset, T.Kind);
    }

    /// <summary>Writes an identifier that may be <c>default</c> (as nil).</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id, or default.</param>
    public static void WriteOptionalIdentifier<T>(this ref CanonicalWriter writer, T value)
        where T : struct, IIdentifier<T>
    {
        if (value.Value is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteString(value.Value);
        }
    }

    /// <summary>Reads an identifier written by <see cref="WriteOptionalIdentifier{T}"/>: default for nil.</summary>
    /// <typeparam name="T">The identifier type.</typeparam>
    /// <param name="reader">The reader.</param>
    /// <returns>The id, or default.</returns>
    /// <exception cref="CodecException">Malformed input or text that is not a valid id.</exception>
    public static T ReadOptionalIdentifier<T>(this ref CanonicalReader reader)
        where T : struct, IIdentifier<T> =>
        reader.TryReadNil() ? default : reader.ReadIdentifier<T>();

    /// <summary>Writes a chain id.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id.</param>
    public static void WriteChainId(this ref CanonicalWriter writer, ChainId value) => writer.WriteIdentifier(value);

    /// <summary>Reads a chain id.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The id.</returns>
    /// <exception cref="CodecException">Malformed input or an invalid id.</exception>
    public static ChainId ReadChainId(this ref CanonicalReader reader) => reader.ReadIdentifier<ChainId>();

    /// <summary>Writes an institution id.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id.</param>
    public static void WriteInstitutionId(this ref CanonicalWriter writer, InstitutionId value) => writer.WriteIdentifier(value);

    /// <summary>Reads an institution id.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The id.</returns>
    /// <exception cref="CodecException">Malformed input or an invalid id.</exception>
    public static InstitutionId ReadInstitutionId(this ref CanonicalReader reader) => reader.ReadIdentifier<InstitutionId>();

    /// <summary>Writes an account id.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id.</param>
    public static void WriteAccountId(this ref CanonicalWriter writer, AccountId value) => writer.WriteIdentifier(value);

    /// <summary>Reads an account id.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The id.</returns>
    /// <exception cref="CodecException">Malformed input or an invalid id.</exception>
    public static AccountId ReadAccountId(this ref CanonicalReader reader) => reader.ReadIdentifier<AccountId>();

    /// <summary>Writes an asset code.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The code.</param>
    public static void WriteAssetCode(this ref CanonicalWriter writer, AssetCode value) => writer.WriteIdentifier(value);

    /// <summary>Reads an asset code.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The code.</returns>
    /// <exception cref="CodecException">Malformed input or an invalid code.</exception>
    public static AssetCode ReadAssetCode(this ref CanonicalReader reader) => reader.ReadIdentifier<AssetCode>();

    /// <summary>Writes an amount as its minor units.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The amount.</param>
    public static void WriteAmount(this ref CanonicalWriter writer, Amount value) => writer.WriteInt64(value.MinorUnits);

    /// <summary>Reads an amount.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The amount.</returns>
    /// <exception cref="CodecException">Malformed input.</exception>
    public static Amount ReadAmount(this ref CanonicalReader reader) => new(reader.ReadInt64());

    /// <summary>Writes a node id as a 32-byte binary.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The id.</param>
    public static void WriteNodeId(this ref CanonicalWriter writer, NodeId value) => writer.WriteHash256(value.Value);

    /// <summary>Reads a node id.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The id.</returns>
    /// <exception cref="CodecException">Malformed input.</exception>
    public static NodeId ReadNodeId(this ref CanonicalReader reader) => new(reader.ReadHash256());

    /// <summary>Writes a public key as <c>[algorithm, key bytes]</c>.</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The key.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    public static void WritePublicKey(this ref CanonicalWriter writer, PublicKey value)
    {
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteArrayHeader(2);
        writer.WriteUInt32((byte)value.Algorithm);
        writer.WriteBinary(value.Bytes);
    }

    /// <summary>Reads a public key written by <see cref="WritePublicKey"/>.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The key.</returns>
    /// <exception cref="CodecException">Malformed input, an unknown algorithm or a key of the wrong length.</exception>
    public static PublicKey ReadPublicKey(this ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(2);
        byte algorithm = reader.ReadByte();
        var bytes = reader.ReadBinaryArray();
        if (!Enum.IsDefined((SignatureAlgorithm)algorithm)
            || bytes.Length != SignatureSchemes.Get((SignatureAlgorithm)algorithm).PublicKeySizeBytes)
        {
            throw Invalid(offset, "public key");
        }

        return PublicKey.Create((SignatureAlgorithm)algorithm, bytes);
    }

    /// <summary>The error for a value that decoded but is not valid for its type.</summary>
    /// <param name="offset">Where the value starts.</param>
    /// <param name="what">What the value should have been.</param>
    /// <returns>The exception to throw.</returns>
    internal static CodecException Invalid(long offset, string what) =>
        new(CodecError.ValueOutOfRange, offset, $"not a valid {what}");
}
