using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>What a <see cref="VoucherFeedback"/> answers. Stable numbers.</summary>
public enum FeedbackStage
{
    /// <summary>A destination's decision on a transaction voucher (交易反馈结果, V2, step 305).</summary>
    TransactionVoucher = 1,

    /// <summary>A paying institution's decision on a clearing relation (V3, step 308).</summary>
    ClearingRelation = 2,

    /// <summary>The third party's refusal to retain (V3): it tells the originator at once instead of letting it time out.</summary>
    Retention = 3,
}

/// <summary>
/// An institution's decision on a voucher. An acceptance carries the institution's co-signature of the voucher id
/// itself (under the voucher's own domain tag), so the receiver verifies it against the voucher and attaches it to
/// the joint signature. A rejection carries a typed reason, signed over SHA-256(<c>[stage, subject, from, reason]</c>)
/// under <c>ChainInterop/voucher/feedback/v1</c>, so nobody can forge a refusal either.
/// </summary>
public sealed class VoucherFeedback : VoucherMessage
{
    /// <summary>The number of fields after the message kind.</summary>
    internal const int EncodedFieldCount = 5;

    private readonly byte[] _signature;

    private VoucherFeedback(FeedbackStage stage, Hash256 subjectId, InstitutionId from, VoucherFailure reason, byte[] signature)
    {
        if (!Enum.IsDefined(stage) || !Enum.IsDefined(reason) || from.IsDefault)
        {
            throw new ArgumentException("Feedback needs a known stage, a known reason and a sender.");
        }

        if (stage == FeedbackStage.Retention && reason == VoucherFailure.None)
        {
            throw new ArgumentException("Retention feedback is only ever a refusal (the retention notice is the acceptance).");
        }

        SignedAnswer.RequireSignatureSize(signature);
        Stage = stage;
        SubjectId = subjectId;
        From = from;
        Reason = reason;
        _signature = signature;
    }

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/feedback/v1"u8;

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.Feedback;

    /// <summary>What this answers.</summary>
    public FeedbackStage Stage { get; }

    /// <summary>The voucher decided on: a transaction voucher id or a clearing relation id (the transaction voucher id for <see cref="FeedbackStage.Retention"/>).</summary>
    public Hash256 SubjectId { get; }

    /// <summary>The deciding institution.</summary>
    public InstitutionId From { get; }

    /// <summary>Why it refused; <see cref="VoucherFailure.None"/> when it accepts.</summary>
    public VoucherFailure Reason { get; }

    /// <summary>Whether it accepts (and so carries a co-signature).</summary>
    public bool Accepted => Reason == VoucherFailure.None;

    /// <summary>The co-signature when accepted, otherwise the signature of the rejection.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>The co-signature to attach when accepted; null for a rejection.</summary>
    public InstitutionSignature? CoSignature => Accepted ? new InstitutionSignature(From, _signature) : null;

    private protected override int FieldCount => EncodedFieldCount;

    /// <summary>An acceptance carrying <paramref name="coSignature"/>.</summary>
    /// <param name="stage"><see cref="FeedbackStage.TransactionVoucher"/> or <see cref="FeedbackStage.ClearingRelation"/>.</param>
    /// <param name="subjectId">The voucher co-signed.</param>
    /// <param name="coSignature">The co-signature (from <see cref="TransactionVoucher.Sign"/> or <see cref="ClearingRelationVoucher.Sign"/>).</param>
    /// <returns>The feedback.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="coSignature"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stage"/> is <see cref="FeedbackStage.Retention"/> or unknown.</exception>
    public static VoucherFeedback Accept(FeedbackStage stage, Hash256 subjectId, InstitutionSignature coSignature)
    {
        ArgumentNullException.ThrowIfNull(coSignature);
        return new VoucherFeedback(stage, subjectId, coSignature.Signer, VoucherFailure.None, coSignature.Signature.ToArray());
    }

    /// <summary>A signed rejection.</summary>
    /// <param name="stage">What is rejected.</param>
    /// <param name="subjectId">The voucher rejected.</param>
    /// <param name="from">The rejecting institution.</param>
    /// <param name="reason">Why; not <see cref="VoucherFailure.None"/>.</param>
    /// <param name="key">The institution's private key.</param>
    /// <returns>The feedback.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is None, or a value is unknown.</exception>
    public static VoucherFeedback Reject(FeedbackStage stage, Hash256 subjectId, InstitutionId from, VoucherFailure reason, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (reason == VoucherFailure.None)
        {
            throw new ArgumentException("A rejection needs a reason.", nameof(reason));
        }

        return new VoucherFeedback(stage, subjectId, from, reason, SignedAnswer.Sign(key, DomainTag, (uint)stage, subjectId, from, reason));
    }

    /// <summary>Checks a rejection's signature under the sender's registered key (an acceptance is checked against its voucher instead).</summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    /// <exception cref="InvalidOperationException">This is an acceptance.</exception>
    public VoucherCheck VerifyRejection(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (Accepted)
        {
            throw new InvalidOperationException("An acceptance is verified against the voucher it co-signs.");
        }

        return SignedAnswer.Verify(_signature, directory, DomainTag, (uint)Stage, SubjectId, From, Reason, "rejection");
    }

    private protected override void EncodeFields(ref CanonicalWriter writer) => SignedAnswer.Write(ref writer, (uint)Stage, SubjectId, From, Reason, _signature);

    /// <summary>Reads the five fields.</summary>
    internal static VoucherFeedback DecodeFields(ref CanonicalReader reader)
    {
        var stage = VoucherCodec.ReadEnum<FeedbackStage>(ref reader, "feedback stage");
        var signature = SignedAnswer.ReadAfterStage(ref reader, out var subject, out var from, out var reason);
        return new VoucherFeedback(stage, subject, from, reason, signature);
    }
}
