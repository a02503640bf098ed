using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>The kinds of <see cref="VoucherMessage"/>. Stable numbers (they are the first field on the wire).</summary>
public enum VoucherMessageKind
{
    /// <summary><see cref="CoSignRequest"/>: originator → destination (seed 001 step 303).</summary>
    CoSignRequest = 1,

    /// <summary><see cref="AuxiliaryCheckRequest"/>: destination → auxiliary (step 304).</summary>
    AuxiliaryCheckRequest = 2,

    /// <summary><see cref="VoucherConfirmation"/>: auxiliary → destination (step 304), destination → third party (step 307).</summary>
    Confirmation = 3,

    /// <summary><see cref="VoucherFeedback"/>: destination → originator (step 305), payer → third party, third party → originator.</summary>
    Feedback = 4,

    /// <summary><see cref="RetentionRequest"/>: originator → third party (step 306).</summary>
    RetentionRequest = 5,

    /// <summary><see cref="RetentionCheckRequest"/>: third party → destination (step 307).</summary>
    RetentionCheckRequest = 6,

    /// <summary><see cref="RelationCoSignRequest"/>: third party → each paying institution (step 308).</summary>
    RelationCoSignRequest = 7,

    /// <summary><see cref="RetentionNotice"/>: third party → every institution involved (step 309).</summary>
    RetentionNotice = 8,
}

/// <summary>
/// A message between voucher parties. On the wire: <c>[kind, fields…]</c> in canonical form
/// (<see cref="Canonical.Encode{T}(T)"/> / <see cref="Canonical.Decode{T}(ReadOnlyMemory{byte}, CodecLimits?)"/>);
/// a transport only moves these bytes. Messages that carry authority are signed (vouchers, confirmations, feedback);
/// the requests that only carry signed vouchers need no signature of their own.
/// </summary>
public abstract class VoucherMessage : ICanonicalEncodable<VoucherMessage>
{
    private protected VoucherMessage()
    {
    }

    /// <summary>What this message is.</summary>
    public abstract VoucherMessageKind Kind { get; }

    /// <summary>The number of fields after the kind.</summary>
    private protected abstract int FieldCount { get; }

    /// <summary>Writes the fields after the kind.</summary>
    private protected abstract void EncodeFields(ref CanonicalWriter writer);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(1 + FieldCount);
        writer.WriteUInt32((uint)Kind);
        EncodeFields(ref writer);
    }

    /// <inheritdoc />
    public static VoucherMessage Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        var kind = VoucherCodec.ReadEnum<VoucherMessageKind>(ref reader, "voucher message kind");
        int expected = 1 + kind switch
        {
            VoucherMessageKind.CoSignRequest or VoucherMessageKind.RetentionRequest => 1,
            VoucherMessageKind.AuxiliaryCheckRequest or VoucherMessageKind.RetentionCheckRequest
                or VoucherMessageKind.RelationCoSignRequest or VoucherMessageKind.RetentionNotice => 2,
            VoucherMessageKind.Confirmation => VoucherConfirmation.EncodedFieldCount,
            _ => VoucherFeedback.EncodedFieldCount,
        };
        if (count != expected)
        {
            throw new CodecException(CodecError.UnexpectedLength, offset, $"a {kind} message has {expected} fields, found {count}");
        }

        return kind switch
        {
            VoucherMessageKind.CoSignRequest => new CoSignRequest(TransactionVoucher.Decode(ref reader)),
            VoucherMessageKind.AuxiliaryCheckRequest => new AuxiliaryCheckRequest(TransactionVoucher.Decode(ref reader), reader.ReadInstitutionId()),
            VoucherMessageKind.Confirmation => VoucherConfirmation.DecodeFields(ref reader),
            VoucherMessageKind.Feedback => VoucherFeedback.DecodeFields(ref reader),
            VoucherMessageKind.RetentionRequest => new RetentionRequest(TransactionVoucher.Decode(ref reader)),
            VoucherMessageKind.RetentionCheckRequest => new RetentionCheckRequest(reader.ReadHash256(), reader.ReadInstitutionId()),
            VoucherMessageKind.RelationCoSignRequest => new RelationCoSignRequest(ClearingRelationVoucher.Decode(ref reader), TransactionVoucher.Decode(ref reader)),
            _ => new RetentionNotice(RetentionVoucher.Decode(ref reader), ClearingRelationVoucher.Decode(ref reader)),
        };
    }
}

/// <summary>The originator asks a destination to check and co-sign a voucher it signed alone (step 303).</summary>
/// <param name="voucher">The originator-signed voucher.</param>
public sealed class CoSignRequest(TransactionVoucher voucher) : VoucherMessage
{
    /// <summary>The voucher.</summary>
    public TransactionVoucher Voucher { get; } = voucher ?? throw new ArgumentNullException(nameof(voucher));

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.CoSignRequest;

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => Voucher.Encode(ref writer);
}

/// <summary>A destination asks an auxiliary institution to confirm a voucher before it decides (step 304).</summary>
/// <param name="voucher">The originator-signed voucher.</param>
/// <param name="destination">The asking destination, to which the confirmation goes.</param>
public sealed class AuxiliaryCheckRequest(TransactionVoucher voucher, InstitutionId destination) : VoucherMessage
{
    /// <summary>The voucher.</summary>
    public TransactionVoucher Voucher { get; } = voucher ?? throw new ArgumentNullException(nameof(voucher));

    /// <summary>The asking destination.</summary>
    public InstitutionId Destination { get; } = destination;

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.AuxiliaryCheckRequest;

    private protected override int FieldCount => 2;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Voucher.Encode(ref writer);
        writer.WriteInstitutionId(Destination);
    }
}

/// <summary>The originator asks the third party to retain a fully co-signed voucher (step 306).</summary>
/// <param name="voucher">The co-signed voucher.</param>
public sealed class RetentionRequest(TransactionVoucher voucher) : VoucherMessage
{
    /// <summary>The co-signed voucher.</summary>
    public TransactionVoucher Voucher { get; } = voucher ?? throw new ArgumentNullException(nameof(voucher));

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.RetentionRequest;

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => Voucher.Encode(ref writer);
}

/// <summary>
/// The third party asks a destination to confirm that it co-signed a voucher (step 307). Unsigned: it asks for a
/// signed answer and carries no authority itself.
/// </summary>
/// <param name="voucherId">The transaction voucher.</param>
/// <param name="thirdParty">The asking third party, to which the confirmation goes.</param>
public sealed class RetentionCheckRequest(Hash256 voucherId, InstitutionId thirdParty) : VoucherMessage
{
    /// <summary>The transaction voucher.</summary>
    public Hash256 VoucherId { get; } = voucherId;

    /// <summary>The asking third party.</summary>
    public InstitutionId ThirdParty { get; } = thirdParty;

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.RetentionCheckRequest;

    private protected override int FieldCount => 2;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteHash256(VoucherId);
        writer.WriteInstitutionId(ThirdParty);
    }
}

/// <summary>
/// The third party asks a paying institution to co-sign the clearing relation it signed (step 308), with the
/// transaction voucher so the payer can re-derive the obligations.
/// </summary>
/// <param name="relation">The third-party-signed clearing relation.</param>
/// <param name="voucher">The co-signed transaction voucher it derives from.</param>
public sealed class RelationCoSignRequest(ClearingRelationVoucher relation, TransactionVoucher voucher) : VoucherMessage
{
    /// <summary>The clearing relation.</summary>
    public ClearingRelationVoucher Relation { get; } = relation ?? throw new ArgumentNullException(nameof(relation));

    /// <summary>The transaction voucher.</summary>
    public TransactionVoucher Voucher { get; } = voucher ?? throw new ArgumentNullException(nameof(voucher));

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.RelationCoSignRequest;

    private protected override int FieldCount => 2;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Relation.Encode(ref writer);
        Voucher.Encode(ref writer);
    }
}

/// <summary>The third party sends both finished vouchers to every institution involved (step 309).</summary>
/// <param name="retention">The retention voucher.</param>
/// <param name="relation">The fully co-signed clearing relation.</param>
public sealed class RetentionNotice(RetentionVoucher retention, ClearingRelationVoucher relation) : VoucherMessage
{
    /// <summary>The retention voucher.</summary>
    public RetentionVoucher Retention { get; } = retention ?? throw new ArgumentNullException(nameof(retention));

    /// <summary>The clearing relation.</summary>
    public ClearingRelationVoucher Relation { get; } = relation ?? throw new ArgumentNullException(nameof(relation));

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.RetentionNotice;

    private protected override int FieldCount => 2;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Retention.Encode(ref writer);
        Relation.Encode(ref writer);
    }
}
