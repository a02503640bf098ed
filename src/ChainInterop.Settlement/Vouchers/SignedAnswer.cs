using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The signed answer <see cref="VoucherConfirmation"/> and <see cref="VoucherFeedback"/> share: the fields
/// <c>[stage, subject, institution, reason, signature]</c>, the signature over
/// SHA-256(<c>[stage, subject, institution, reason]</c>) under each message's own domain tag.
/// </summary>
internal static class SignedAnswer
{
    /// <summary>Throws unless <paramref name="signature"/> has the size of a signature.</summary>
    internal static void RequireSignatureSize(byte[] signature)
    {
        if (signature.Length != InstitutionSignature.SignatureSizeBytes)
        {
            throw new ArgumentException($"A signature is {InstitutionSignature.SignatureSizeBytes} bytes.");
        }
    }

    /// <summary>Signs the answer's digest with <paramref name="key"/>.</summary>
    internal static byte[] Sign(PrivateKey key, ReadOnlySpan<byte> domainTag, uint stage, Hash256 subject, InstitutionId institution, VoucherFailure reason) =>
        VoucherInstrumentation.Sign(key, domainTag, Digest(stage, subject, institution, reason));

    /// <summary>Checks <paramref name="signature"/> under <paramref name="institution"/>'s registered key.</summary>
    internal static VoucherCheck Verify(
        byte[] signature, InstitutionDirectory directory, ReadOnlySpan<byte> domainTag, uint stage, Hash256 subject, InstitutionId institution,
        VoucherFailure reason, string what) =>
        VoucherCodec.VerifyOne(new InstitutionSignature(institution, signature), directory, domainTag, Digest(stage, subject, institution, reason), what);

    /// <summary>Writes the five fields.</summary>
    internal static void Write(ref CanonicalWriter writer, uint stage, Hash256 subject, InstitutionId institution, VoucherFailure reason, byte[] signature)
    {
        writer.WriteUInt32(stage);
        writer.WriteHash256(subject);
        writer.WriteInstitutionId(institution);
        writer.WriteUInt32((uint)reason);
        writer.WriteBinary(signature);
    }

    /// <summary>Reads the four fields after the stage (which the caller reads as its own enum).</summary>
    /// <returns>The signature, of the size of a signature.</returns>
    internal static byte[] ReadAfterStage(ref CanonicalReader reader, out Hash256 subject, out InstitutionId institution, out VoucherFailure reason)
    {
        subject = reader.ReadHash256();
        institution = reader.ReadInstitutionId();
        reason = VoucherCodec.ReadEnum<VoucherFailure>(ref reader, "voucher failure code");
        long offset = reader.Consumed;
        var signature = reader.ReadBinaryArray();
        return signature.Length == InstitutionSignature.SignatureSizeBytes
            ? signature
            : throw new CodecException(CodecError.UnexpectedLength, offset, "a signature is 64 bytes");
    }

    private static Hash256 Digest(uint stage, Hash256 subject, InstitutionId institution, VoucherFailure reason) =>
        VoucherCodec.Hash((ref CanonicalWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.WriteUInt32(stage);
            w.WriteHash256(subject);
            w.WriteInstitutionId(institution);
            w.WriteUInt32((uint)reason);
        });
}
