using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// An auxiliary institution (辅助机构, e.g. a card scheme or a risk-control service): confirms or refuses, with a
/// signed answer, a voucher a destination asks about before deciding (V2, seed 001 claim 7, step 304). It never signs
/// the voucher itself. Its decision is the integrator's deterministic <c>check</c>. Sans-IO, not thread-safe.
/// </summary>
public sealed class AuxiliaryInstitution : IVoucherParty
{
    private readonly PrivateKey _key;
    private readonly InstitutionDirectory _directory;
    private readonly Func<TransactionVoucher, VoucherFailure> _check;
    private readonly VoucherProtocolOptions _options;

    /// <summary>Creates the auxiliary institution.</summary>
    /// <param name="id">The institution.</param>
    /// <param name="key">Its private key (the caller keeps ownership).</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="check">Its decision on a voucher whose originator signature verified: <see cref="VoucherFailure.None"/> to confirm; must be deterministic.</param>
    /// <param name="options">Timeouts and limits; defaults when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The key is not the directory's key for <paramref name="id"/>.</exception>
    public AuxiliaryInstitution(InstitutionId id, PrivateKey key, InstitutionDirectory directory, Func<TransactionVoucher, VoucherFailure> check, VoucherProtocolOptions? options = null)
    {
        _options = Parties.Configure(id, key, directory, options, () => ArgumentNullException.ThrowIfNull(check));
        Id = id;
        _key = key;
        _directory = directory;
        _check = check;
    }

    /// <inheritdoc />
    public InstitutionId Id { get; }

    /// <inheritdoc />
    public VoucherStep Receive(VoucherMessage message, long nowMs) => Parties.Receive(Id, message, "an auxiliary institution", step =>
    {
        switch (message)
        {
            case AuxiliaryCheckRequest request:
                OnCheck(request, nowMs, step);
                return true;
            case RetentionNotice notice:
                var check = PartyChecks.VerifyNotice(notice, Id, _directory, _options.Fees);
                var id = notice.Retention.TransactionVoucher.Id;
                if (check.IsValid)
                {
                    step.Event(id, FlowEventKind.VouchersVerified, $"{Id} verified the retention and clearing-relation vouchers");
                }
                else
                {
                    step.Fail(id, FlowEventKind.MessageRefused, check);
                }

                return true;
            default:
                return false;
        }
    });

    /// <inheritdoc />
    public VoucherStep Tick(long nowMs) => VoucherStep.Empty;

    private void OnCheck(AuxiliaryCheckRequest request, long nowMs, StepBuilder step)
    {
        var voucher = request.Voucher;
        var check = voucher.VerifyOriginatorSignature(_directory);
        if (check.IsValid && (voucher.RoleOf(Id) != ParticipantRole.Auxiliary || voucher.RoleOf(request.Destination) != ParticipantRole.Destination))
        {
            check = VoucherCheck.Fail(VoucherFailure.NotAddressedToUs, $"{Id} is not an auxiliary of {request.Destination} in voucher {voucher.Id.ToShortString()}");
        }

        if (!check.IsValid)
        {
            step.Fail(voucher.Id, FlowEventKind.MessageRefused, check);
            return;
        }

        // Answering the same question twice gives the same signed answer, so a replayed request needs no memory here.
        var fresh = _options.CheckFresh(voucher.CreatedAtMs, nowMs);
        var reason = fresh.IsValid ? _check(voucher) : fresh.Failure;
        step.Send(request.Destination, VoucherConfirmation.Create(ConfirmationStage.Auxiliary, voucher.Id, Id, reason, _key));
        step.Fail(voucher.Id, FlowEventKind.Confirmed, reason, $"{Id} answered {request.Destination}: {(reason == VoucherFailure.None ? "confirmed" : reason)}");
    }
}
