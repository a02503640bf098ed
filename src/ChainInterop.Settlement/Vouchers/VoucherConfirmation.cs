using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>Which check a <see cref="VoucherConfirmation"/> answers. Stable numbers.</summary>
public enum ConfirmationStage
{
    /// <summary>An auxiliary institution's confirmation of the request, for a destination (V2, step 304).</summary>
    Auxiliary = 1,

    /// <summary>A destination's confirmation to the third party that it co-signed the voucher (V3, step 307).</summary>
    Retention = 2,
}

/// <summary>
/// A signed confirmation (or refusal) of a transaction voucher by one institution. Signed over
/// SHA-256(<c>[stage, voucher id, institution, reason]</c>) under <c>ChainInterop/voucher/confirmation/v1</c>; the
/// third party embeds the destinations' retention confirmations in the retention voucher as evidence.
/// </summary>
public sealed class VoucherConfirmation : VoucherMessage
{
    /// <summary>The number of fields after the message kind.</summary>
    internal const int EncodedFieldCount = 5;

    private readonly byte[] _signature;

    private VoucherConfirmation(ConfirmationStage stage, Hash256 voucherId, InstitutionId institution, VoucherFailure reason, byte[] signature)
    {
        if (!Enum.IsDefined(stage) || !Enum.IsDefined(reason) || institution.IsDefault)
        {
            throw new ArgumentException("A confirmation needs a known stage, a known reason and an institution.");
        }

        SignedAnswer.RequireSignatureSize(signature);
        Stage = stage;
        VoucherId = voucherId;
        Institution = institution;
        Reason = reason;
        _signature = signature;
    }

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/confirmation/v1"u8;

    /// <inheritdoc />
    public override VoucherMessageKind Kind => VoucherMessageKind.Confirmation;

    /// <summary>Which check this answers.</summary>
    public ConfirmationStage Stage { get; }

    /// <summary>The transaction voucher confirmed.</summary>
    public Hash256 VoucherId { get; }

    /// <summary>The confirming institution.</summary>
    public InstitutionId Institution { get; }

    /// <summary>Why it refused; <see cref="VoucherFailure.None"/> when it confirms.</summary>
    public VoucherFailure Reason { get; }

    /// <summary>Whether it confirms.</summary>
    public bool Confirmed => Reason == VoucherFailure.None;

    /// <summary>The institution's signature.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    private protected override int FieldCount => EncodedFieldCount;

    /// <summary>Creates and signs a confirmation (<paramref name="reason"/> = <see cref="VoucherFailure.None"/>) or refusal.</summary>
    /// <param name="stage">Which check this answers.</param>
    /// <param name="voucherId">The transaction voucher.</param>
    /// <param name="institution">The confirming institution.</param>
    /// <param name="reason">None to confirm, otherwise why not.</param>
    /// <param name="key">The institution's private key.</param>
    /// <returns>The signed confirmation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The stage or reason is unknown, or the institution is default.</exception>
    public static VoucherConfirmation Create(ConfirmationStage stage, Hash256 voucherId, InstitutionId institution, VoucherFailure reason, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new VoucherConfirmation(stage, voucherId, institution, reason, SignedAnswer.Sign(key, DomainTag, (uint)stage, voucherId, institution, reason));
    }

    /// <summary>Checks the signature under the institution's registered key.</summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, <see cref="VoucherFailure.UnknownInstitution"/> or <see cref="VoucherFailure.InvalidSignature"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck Verify(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return SignedAnswer.Verify(_signature, directory, DomainTag, (uint)Stage, VoucherId, Institution, Reason, "confirmation");
    }

    /// <summary>Writes the fields (also used to embed confirmations in a retention voucher).</summary>
    private protected override void EncodeFields(ref CanonicalWriter writer) => WriteFields(ref writer);

    /// <summary>Writes the five fields.</summary>
    internal void WriteFields(ref CanonicalWriter writer) => SignedAnswer.Write(ref writer, (uint)Stage, VoucherId, Institution, Reason, _signature);

    /// <summary>Reads the five fields.</summary>
    internal static VoucherConfirmation DecodeFields(ref CanonicalReader reader)
    {
        var stage = VoucherCodec.ReadEnum<ConfirmationStage>(ref reader, "confirmation stage");
        var signature = SignedAnswer.ReadAfterStage(ref reader, out var voucherId, out var institution, out var reason);
        return new VoucherConfirmation(stage, voucherId, institution, reason, signature);
    }
}
