using ChainInterop.Codec;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// One institution's signature on a voucher id (one part of a joint signature, 联合签名). Encoded as
/// <c>[signer, signature]</c>.
/// </summary>
public sealed class InstitutionSignature : ICanonicalEncodable<InstitutionSignature>
{
    /// <summary>The size of a signature, in bytes (Ed25519 and P-256 both sign in 64 bytes).</summary>
    public const int SignatureSizeBytes = 64;

    private readonly byte[] _signature;

    /// <summary>Creates the signature record. The bytes are copied.</summary>
    /// <param name="signer">The signing institution.</param>
    /// <param name="signature">The <see cref="SignatureSizeBytes"/>-byte signature.</param>
    /// <exception cref="ArgumentException"><paramref name="signer"/> is default or <paramref name="signature"/> has the wrong size.</exception>
    public InstitutionSignature(InstitutionId signer, ReadOnlySpan<byte> signature)
    {
        if (signer.IsDefault)
        {
            throw new ArgumentException("The signer must be set.", nameof(signer));
        }

        if (signature.Length != SignatureSizeBytes)
        {
            throw new ArgumentException($"A signature is {SignatureSizeBytes} bytes, got {signature.Length}.", nameof(signature));
        }

        Signer = signer;
        _signature = signature.ToArray();
    }

    /// <summary>The signing institution.</summary>
    public InstitutionId Signer { get; }

    /// <summary>The signature bytes.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteInstitutionId(Signer);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static InstitutionSignature Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        var signer = reader.ReadInstitutionId();
        long offset = reader.Consumed;
        var signature = reader.ReadBinaryArray();
        return signature.Length == SignatureSizeBytes
            ? new InstitutionSignature(signer, signature)
            : throw new CodecException(CodecError.UnexpectedLength, offset, $"a signature is {SignatureSizeBytes} bytes, found {signature.Length}");
    }

    /// <summary>The signer and the first bytes of the signature.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Signer}:{Convert.ToHexStringLower(_signature.AsSpan(0, 6))}…";
}
