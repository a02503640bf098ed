using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The transaction retention voucher (交易留存凭证, SPEC V3): the third party's signed record that it retained a fully
/// co-signed transaction voucher after every destination confirmed it (step 307–308). It embeds the voucher and the
/// destinations' signed confirmations, so it is evidence on its own for later disputes.
/// </summary>
/// <remarks>Encoding: <c>[id, body, third-party signature]</c>; body = <c>[2, transaction voucher, confirmations
/// [[stage, voucher id, institution, reason, signature]…] sorted by institution, third party, retained-at ms]</c>;
/// signed over the id under <c>ChainInterop/voucher/retention/v1</c>.</remarks>
public sealed class RetentionVoucher : ICanonicalEncodable<RetentionVoucher>
{
    private readonly VoucherConfirmation[] _confirmations;
    private readonly byte[] _signature;
    private readonly Hash256 _bodyHash;

    private RetentionVoucher(Hash256? claimedId, TransactionVoucher voucher, VoucherConfirmation[] confirmations, InstitutionId thirdParty, long retainedAtMs, byte[] signature)
    {
        if (thirdParty.IsDefault)
        {
            throw new ArgumentException("The third party must be set.");
        }

        for (int i = 1; i < confirmations.Length; i++)
        {
            if (confirmations[i - 1].Institution.CompareTo(confirmations[i].Institution) >= 0)
            {
                throw new ArgumentException("Confirmations are sorted by institution, one each.");
            }
        }

        TransactionVoucher = voucher;
        _confirmations = confirmations;
        ThirdParty = thirdParty;
        RetainedAtMs = retainedAtMs;
        _signature = signature;
        _bodyHash = VoucherCodec.Hash(WriteBody);
        Id = claimedId ?? _bodyHash;
    }

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/retention/v1"u8;

    /// <summary>The retention voucher's id: SHA-256 of its body.</summary>
    public Hash256 Id { get; }

    /// <summary>The retained, fully co-signed transaction voucher.</summary>
    public TransactionVoucher TransactionVoucher { get; }

    /// <summary>The destinations' signed retention confirmations, sorted by institution.</summary>
    public IReadOnlyList<VoucherConfirmation> Confirmations => _confirmations;

    /// <summary>The third-party retention institution.</summary>
    public InstitutionId ThirdParty { get; }

    /// <summary>When the third party retained the voucher, Unix milliseconds.</summary>
    public long RetainedAtMs { get; }

    /// <summary>The third party's signature on <see cref="Id"/>.</summary>
    public ReadOnlyMemory<byte> ThirdPartySignature => _signature;

    /// <summary>Whether <see cref="Id"/> is the hash of the body.</summary>
    public bool IsIdConsistent => Id == _bodyHash;

    /// <summary>Creates and signs the retention voucher.</summary>
    /// <param name="voucher">The co-signed transaction voucher.</param>
    /// <param name="confirmations">One retention confirmation per destination.</param>
    /// <param name="thirdParty">The third party.</param>
    /// <param name="key">Its private key.</param>
    /// <param name="retainedAtMs">The timestamp, Unix milliseconds.</param>
    /// <returns>The signed voucher.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Two confirmations from one institution, or too many.</exception>
    public static RetentionVoucher Create(TransactionVoucher voucher, IEnumerable<VoucherConfirmation> confirmations, InstitutionId thirdParty, PrivateKey key, long retainedAtMs)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        ArgumentNullException.ThrowIfNull(confirmations);
        ArgumentNullException.ThrowIfNull(key);
        var sorted = confirmations.OrderBy(c => c.Institution).ToArray();
        if (sorted.Length > TransactionVoucher.MaxParticipants)
        {
            throw new ArgumentException("Too many confirmations.", nameof(confirmations));
        }

        var unsigned = new RetentionVoucher(null, voucher, sorted, thirdParty, retainedAtMs, new byte[InstitutionSignature.SignatureSizeBytes]);
        return new RetentionVoucher(unsigned.Id, voucher, sorted, thirdParty, retainedAtMs, VoucherInstrumentation.Sign(key, DomainTag, unsigned.Id));
    }

    /// <summary>
    /// Checks the whole voucher: id, the third party is a retention institution and signed it, the embedded
    /// transaction voucher is fully co-signed, and every destination (and nobody else) confirmed it with a valid signature.
    /// </summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck Verify(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!IsIdConsistent)
        {
            return VoucherCheck.Fail(VoucherFailure.IdMismatch, $"retention voucher {Id.ToShortString()} does not hash to its id");
        }

        var check = VerifyThirdParty(directory, ThirdParty, DomainTag, Id, _signature, "retention voucher");
        if (!check.IsValid)
        {
            return check;
        }

        check = TransactionVoucher.VerifyCoSigned(directory);
        if (!check.IsValid)
        {
            return check;
        }

        var destinations = TransactionVoucher.Destinations;
        if (_confirmations.Length != destinations.Count)
        {
            return VoucherCheck.Fail(VoucherFailure.MissingSignature, $"{_confirmations.Length} retention confirmations for {destinations.Count} destinations");
        }

        for (int i = 0; i < _confirmations.Length; i++)
        {
            var c = _confirmations[i];
            if (c.Institution != destinations[i] || c.Stage != ConfirmationStage.Retention || c.VoucherId != TransactionVoucher.Id)
            {
                return VoucherCheck.Fail(VoucherFailure.LinkMismatch, $"confirmation by {c.Institution} is not a destination's retention confirmation of this voucher");
            }

            if (!c.Confirmed)
            {
                return VoucherCheck.Fail(VoucherFailure.ConfirmationRefused, $"{c.Institution} refused: {c.Reason}");
            }

            check = c.Verify(directory);
            if (!check.IsValid)
            {
                return check;
            }
        }

        return VoucherCheck.Valid;
    }

    /// <summary>Checks that <paramref name="thirdParty"/> is a retention institution and that its signature verifies.</summary>
    internal static VoucherCheck VerifyThirdParty(InstitutionDirectory directory, InstitutionId thirdParty, ReadOnlySpan<byte> domainTag, Hash256 id, byte[] signature, string what)
    {
        if (!directory.TryGet(thirdParty, out var entry))
        {
            return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"third party {thirdParty} is not in the directory");
        }

        if (!entry.IsRetentionInstitution)
        {
            return VoucherCheck.Fail(VoucherFailure.NotARetentionInstitution, $"{thirdParty} is not a retention institution");
        }

        return VoucherInstrumentation.Verify(entry.PublicKey, domainTag, id, signature)
            ? VoucherCheck.Valid
            : VoucherCheck.Fail(VoucherFailure.InvalidSignature, $"the third party's signature on the {what} does not verify");
    }

    private void WriteBody(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.WriteUInt32(VoucherCodec.RetentionBodyKind);
        TransactionVoucher.Encode(ref writer);
        writer.WriteArrayHeader(_confirmations.Length);
        foreach (var c in _confirmations)
        {
            writer.WriteArrayHeader(VoucherConfirmation.EncodedFieldCount);
            c.WriteFields(ref writer);
        }

        writer.WriteInstitutionId(ThirdParty);
        writer.WriteInt64(RetainedAtMs);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteHash256(Id);
        WriteBody(ref writer);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static RetentionVoucher Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        var id = reader.ReadHash256();
        long bodyOffset = reader.Consumed;
        reader.ReadArrayHeader(5);
        if (reader.ReadUInt32() != VoucherCodec.RetentionBodyKind)
        {
            throw new CodecException(CodecError.ValueOutOfRange, bodyOffset, "not a retention voucher body");
        }

        var voucher = TransactionVoucher.Decode(ref reader);
        var confirmations = VoucherCodec.ReadList(ref reader, TransactionVoucher.MaxParticipants, "confirmations", static (ref CanonicalReader r) =>
        {
            r.ReadArrayHeader(VoucherConfirmation.EncodedFieldCount);
            return VoucherConfirmation.DecodeFields(ref r);
        });
        var thirdParty = reader.ReadInstitutionId();
        long retainedAt = reader.ReadInt64();
        long offset = reader.Consumed;
        var signature = reader.ReadBinaryArray();
        return signature.Length == InstitutionSignature.SignatureSizeBytes
            ? new RetentionVoucher(id, voucher, confirmations, thirdParty, retainedAt, signature)
            : throw new CodecException(CodecError.UnexpectedLength, offset, "a signature is 64 bytes");
    }

    /// <summary>The id and what it retains, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"RetentionVoucher {Id.ToShortString()} of {TransactionVoucher.Id.ToShortString()} by {ThirdParty}";
}
