using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>A user's account as its own institution knows it, for the destination's legality check (V2).</summary>
/// <param name="User">The user.</param>
/// <param name="AssetAddress">Its asset address.</param>
/// <param name="Asset">The asset the account holds.</param>
/// <param name="Available">The funds available for payments, in minor units.</param>
/// <param name="MaxAmountPerTransaction">The user's per-transaction limit, in minor units.</param>
public sealed record CustomerAccount(UserId User, AccountId AssetAddress, AssetCode Asset, Amount Available, Amount MaxAmountPerTransaction);

/// <summary>
/// A destination institution (目的机构) of voucher co-signing: checks a voucher the originator signed alone, waits
/// for the auxiliary institutions it names, and co-signs or rejects it (V2, steps 303–305); confirms to the third
/// party what it co-signed (step 307); co-signs the clearing relation when it pays (step 308); verifies the
/// retention notice and makes its clearing voucher (steps 309–311).
/// </summary>
/// <remarks>
/// <para>When it is the user's institution it checks the customer (known, asset address, asset, limit, funds) and
/// holds the amount of a payment it co-signs, so two vouchers cannot spend the same funds; a hold is released when
/// the voucher is rejected before co-signing. Otherwise it checks that it accepts the asset.</para>
/// <para>Every voucher it decided on is remembered for <see cref="VoucherProtocolOptions.MaxVoucherAgeMs"/>; older
/// ones are refused as stale, so a replay is always caught. Sans-IO, deterministic, not thread-safe.</para>
/// </remarks>
public sealed class DestinationInstitution : IVoucherParty
{
    private readonly PrivateKey _key;
    private readonly InstitutionDirectory _directory;
    private readonly AccountLedger _ledger;
    private readonly HashSet<AssetCode> _acceptedAssets;
    private readonly VoucherProtocolOptions _options;
    private readonly Dictionary<UserId, Customer> _customers = [];
    private readonly Dictionary<Hash256, Decided> _decided = [];
    private readonly Dictionary<Hash256, Pending> _pending = [];
    private readonly Dictionary<Hash256, long> _notices = [];

    /// <summary>Creates the destination.</summary>
    /// <param name="id">The institution.</param>
    /// <param name="key">Its private key (the caller keeps ownership).</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="ledger">The account ledger holding its settlement account (asset sources of its clearing vouchers).</param>
    /// <param name="acceptedAssets">The assets it accepts when it is not the user's institution.</param>
    /// <param name="options">Timeouts, limits and the fee schedule; defaults when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The key is not the directory's key for <paramref name="id"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public DestinationInstitution(
        InstitutionId id, PrivateKey key, InstitutionDirectory directory, AccountLedger ledger, IEnumerable<AssetCode> acceptedAssets,
        VoucherProtocolOptions? options = null)
    {
        _options = Parties.Configure(id, key, directory, options, () =>
        {
            ArgumentNullException.ThrowIfNull(ledger);
            ArgumentNullException.ThrowIfNull(acceptedAssets);
        });
        Id = id;
        _key = key;
        _directory = directory;
        _ledger = ledger;
        _acceptedAssets = [.. acceptedAssets];
    }

    /// <inheritdoc />
    public InstitutionId Id { get; }

    /// <summary>Registers (or replaces) a customer account.</summary>
    /// <param name="account">The account.</param>
    /// <exception cref="ArgumentNullException"><paramref name="account"/> is null.</exception>
    public void AddCustomer(CustomerAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        _customers[account.User] = new Customer(account);
    }

    /// <summary>A customer's funds available now (after the holds of co-signed payments).</summary>
    /// <param name="user">The customer.</param>
    /// <returns>The amount, or null for an unknown customer.</returns>
    public Amount? GetAvailable(UserId user) => _customers.TryGetValue(user, out var c) ? c.Available : null;

    /// <summary>Whether this institution co-signed the transaction voucher <paramref name="voucherId"/> (within the replay window).</summary>
    /// <param name="voucherId">The voucher.</param>
    /// <returns>True when it co-signed it.</returns>
    public bool HasCoSigned(Hash256 voucherId) => _decided.TryGetValue(voucherId, out var d) && d.CoSigned;

    /// <inheritdoc />
    public VoucherStep Receive(VoucherMessage message, long nowMs) => Parties.Receive(Id, message, "a destination", step =>
    {
        switch (message)
        {
            case CoSignRequest request:
                OnCoSignRequest(request.Voucher, nowMs, step);
                return true;
            case VoucherConfirmation { Stage: ConfirmationStage.Auxiliary } confirmation:
                OnAuxiliaryConfirmation(confirmation, step);
                return true;
            case RetentionCheckRequest check:
                OnRetentionCheck(check, step);
                return true;
            case RelationCoSignRequest request:
                var known = _decided.TryGetValue(request.Relation.TransactionVoucherId, out var d) && d.CoSigned ? d.Voucher : null;
                PartyChecks.DecideRelation(Id, _key, request, known, _directory, _options.Fees, step);
                return true;
            case RetentionNotice notice:
                OnNotice(notice, nowMs, step);
                return true;
            default:
                return false;
        }
    });

    /// <inheritdoc />
    public VoucherStep Tick(long nowMs)
    {
        var step = new StepBuilder(Id);
        Parties.ForEachDue(_pending, p => p.DeadlineMs, nowMs, (_, pending) => Reject(pending, VoucherCheck.Fail(VoucherFailure.AuxiliaryTimeout,
            $"no confirmation from {string.Join(", ", pending.Awaiting)} in {_options.AuxiliaryTimeoutMs} ms"), step));
        Parties.ForEachDue(_decided, d => d.ForgetAtMs, nowMs, (id, _) => _decided.Remove(id));
        Parties.ForEachDue(_notices, forgetAt => forgetAt, nowMs, (id, _) => _notices.Remove(id));
        return step.Build();
    }

    private void OnCoSignRequest(TransactionVoucher voucher, long nowMs, StepBuilder step)
    {
        var id = voucher.Id;
        var check = voucher.VerifyOriginatorSignature(_directory);
        if (!check.IsValid)
        {
            // Forged or altered: nobody trustworthy to answer, so refuse silently (the originator times out).
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        if (voucher.RoleOf(Id) != ParticipantRole.Destination)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.NotAddressedToUs, $"{Id} is not a destination of voucher {id.ToShortString()}");
            return;
        }

        if (_decided.ContainsKey(id) || _pending.ContainsKey(id))
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.Replayed, $"voucher {id.ToShortString()} was already decided");
            return;
        }

        if (_decided.Count + _pending.Count >= _options.MaxOpenFlows)
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.CapacityExceeded, "too many vouchers remembered");
            return;
        }

        var pending = new Pending(voucher, [.. voucher.Auxiliaries], nowMs + _options.AuxiliaryTimeoutMs);
        check = _options.CheckFresh(voucher.CreatedAtMs, nowMs);
        if (check.IsValid)
        {
            check = CheckLegality(voucher, pending);
        }

        if (!check.IsValid)
        {
            Reject(pending, check, step);
            return;
        }

        if (pending.Awaiting.Count == 0)
        {
            CoSign(pending, step);
            return;
        }

        _pending[id] = pending;
        foreach (var auxiliary in voucher.Auxiliaries)
        {
            step.Send(auxiliary, new AuxiliaryCheckRequest(voucher, Id));
        }
    }

    /// <summary>The legality check (seed 001 [0102]: user, asset type, amount); holds the funds of a passing payment.</summary>
    private VoucherCheck CheckLegality(TransactionVoucher voucher, Pending pending)
    {
        if (voucher.UserInstitution != Id)
        {
            return _acceptedAssets.Contains(voucher.Asset)
                ? VoucherCheck.Valid
                : VoucherCheck.Fail(VoucherFailure.NoAssociatedAsset, $"{Id} does not accept {voucher.Asset}");
        }

        if (!_customers.TryGetValue(voucher.User, out var customer))
        {
            return VoucherCheck.Fail(VoucherFailure.UnknownUser, $"{voucher.User} is not a customer of {Id}");
        }

        var account = customer.Account;
        if (account.AssetAddress != voucher.AssetAddress)
        {
            return VoucherCheck.Fail(VoucherFailure.AssetAddressMismatch, $"{voucher.AssetAddress} is not {voucher.User}'s asset address");
        }

        if (account.Asset != voucher.Asset)
        {
            return VoucherCheck.Fail(VoucherFailure.NoAssociatedAsset, $"{voucher.User}'s account holds {account.Asset}, not {voucher.Asset}");
        }

        if (voucher.Amount > account.MaxAmountPerTransaction)
        {
            return VoucherCheck.Fail(VoucherFailure.AmountOverLimit, $"{voucher.Amount} is above {voucher.User}'s limit {account.MaxAmountPerTransaction}");
        }

        if (ClearingRules.UserInstitutionPays(voucher.Type))
        {
            if (customer.Available < voucher.Amount)
            {
                return VoucherCheck.Fail(VoucherFailure.InsufficientAssets, $"{voucher.User} has {customer.Available} available, needs {voucher.Amount}");
            }

            customer.Available -= voucher.Amount;
            pending.Hold = (customer, voucher.Amount);
        }

        return VoucherCheck.Valid;
    }

    private void OnAuxiliaryConfirmation(VoucherConfirmation confirmation, StepBuilder step)
    {
        var pending = _pending.GetValueOrDefault(confirmation.VoucherId);
        if (!Parties.TakeConfirmation(confirmation, pending, "awaits auxiliary confirmations", ParticipantRole.Auxiliary, _directory, step))
        {
            return;
        }

        if (!confirmation.Confirmed)
        {
            Reject(pending, VoucherCheck.Fail(VoucherFailure.AuxiliaryRefused, $"{confirmation.Institution} refused ({confirmation.Reason})"), step, confirmation.Reason);
            return;
        }

        pending.Awaiting.Remove(confirmation.Institution);
        if (pending.Awaiting.Count == 0)
        {
            CoSign(pending, step);
        }
    }

    private void CoSign(Pending pending, StepBuilder step)
    {
        var voucher = pending.Voucher;
        _pending.Remove(voucher.Id);
        _decided[voucher.Id] = new Decided(voucher, true, voucher.CreatedAtMs + _options.MaxVoucherAgeMs);
        step.Send(voucher.Originator, VoucherFeedback.Accept(FeedbackStage.TransactionVoucher, voucher.Id, voucher.Sign(Id, _key)));
        step.Event(voucher.Id, FlowEventKind.CoSigned, $"{Id} co-signed {voucher}");
    }

    private void Reject(Pending pending, VoucherCheck reason, StepBuilder step, VoucherFailure remote = VoucherFailure.None)
    {
        var voucher = pending.Voucher;
        if (pending.Hold is { } hold)
        {
            hold.Customer.Available += hold.Amount;
        }

        _pending.Remove(voucher.Id);
        _decided[voucher.Id] = new Decided(voucher, false, voucher.CreatedAtMs + _options.MaxVoucherAgeMs);
        step.Send(voucher.Originator, VoucherFeedback.Reject(FeedbackStage.TransactionVoucher, voucher.Id, Id, reason.Failure, _key));
        step.Fail(voucher.Id, FlowEventKind.Rejected, reason, remote);
    }

    private void OnRetentionCheck(RetentionCheckRequest request, StepBuilder step)
    {
        if (!_directory.TryGet(request.ThirdParty, out var thirdParty) || !thirdParty.IsRetentionInstitution)
        {
            step.Fail(request.VoucherId, FlowEventKind.MessageRefused, VoucherFailure.NotARetentionInstitution, $"{request.ThirdParty} is not a retention institution");
            return;
        }

        var reason = HasCoSigned(request.VoucherId) ? VoucherFailure.None : VoucherFailure.NotCoSignedByUs;
        step.Send(request.ThirdParty, VoucherConfirmation.Create(ConfirmationStage.Retention, request.VoucherId, Id, reason, _key));
        step.Fail(request.VoucherId, FlowEventKind.Confirmed, reason, $"{Id} answered {request.ThirdParty}'s retention check: {(reason == VoucherFailure.None ? "confirmed" : reason)}");
    }

    private void OnNotice(RetentionNotice notice, long nowMs, StepBuilder step)
    {
        var id = notice.Retention.TransactionVoucher.Id;
        var relation = notice.Relation;
        if (_notices.ContainsKey(relation.Id))
        {
            step.Fail(id, FlowEventKind.MessageRefused, VoucherFailure.Replayed, $"relation {relation.Id.ToShortString()} was already received");
            return;
        }

        var check = HasCoSigned(id)
            ? PartyChecks.VerifyNotice(notice, Id, _directory, _options.Fees)
            : VoucherCheck.Fail(VoucherFailure.NotCoSignedByUs, $"{Id} did not co-sign voucher {id.ToShortString()} (or it is older than the replay window)");
        if (!check.IsValid)
        {
            step.Fail(id, FlowEventKind.MessageRefused, check);
            return;
        }

        _notices[relation.Id] = notice.Retention.TransactionVoucher.CreatedAtMs + _options.MaxVoucherAgeMs;
        step.Event(id, FlowEventKind.VouchersVerified, $"{Id} verified the retention and clearing-relation vouchers");
        PartyChecks.PrepareClearing(Id, _key, relation, _ledger, _directory, nowMs, step);
    }

    /// <summary>A customer with its available funds. Invariant: Available only falls by co-signed holds and rises by released ones.</summary>
    private sealed class Customer(CustomerAccount account)
    {
        public CustomerAccount Account { get; } = account;

        public Amount Available { get; set; } = account.Available;
    }

    private sealed record Decided(TransactionVoucher Voucher, bool CoSigned, long ForgetAtMs);

    private sealed class Pending(TransactionVoucher voucher, HashSet<InstitutionId> awaiting, long deadlineMs) : IAwaitingFlow
    {
        public TransactionVoucher Voucher { get; } = voucher;

        public HashSet<InstitutionId> Awaiting { get; } = awaiting;

        public long DeadlineMs { get; } = deadlineMs;

        public (Customer Customer, Amount Amount)? Hold { get; set; }
    }
}
