using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>What an originating institution's own user may do (V1, seed 001 step 203).</summary>
/// <param name="User">The user.</param>
/// <param name="AssetAddress">The user's asset address at the originator.</param>
/// <param name="Services">The transaction types the user is entitled to.</param>
/// <param name="MaxAmountPerTransaction">The largest amount of one transaction, in minor units.</param>
public sealed record UserEntitlement(UserId User, AccountId AssetAddress, IReadOnlyList<TransactionType> Services, Amount MaxAmountPerTransaction);

/// <summary>
/// The originator's audit of a payment-settlement request (SPEC V1, seed 001 steps 201–207): its own user is checked
/// for entitlement; for a foreign user, the account ledger is queried for the settlement accounts of every institution
/// involved, which must hold the asset, and the paying institution must have the amount available. Deterministic and
/// side-effect free; failure ends the request with a typed reason.
/// </summary>
public static class PaymentAudit
{
    /// <summary>Audits <paramref name="request"/>.</summary>
    /// <param name="originator">The originating institution (which received the request).</param>
    /// <param name="request">The request.</param>
    /// <param name="ownUsers">The originator's own users.</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="ledger">The account ledger queried for foreign users.</param>
    /// <returns>Valid, or <see cref="VoucherFailure.InvalidRequest"/>, <see cref="VoucherFailure.UnknownInstitution"/>,
    /// <see cref="VoucherFailure.UnknownUser"/>, <see cref="VoucherFailure.AssetAddressMismatch"/>,
    /// <see cref="VoucherFailure.NotEntitled"/>, <see cref="VoucherFailure.AmountOverLimit"/>,
    /// <see cref="VoucherFailure.NoSettlementAccount"/>, <see cref="VoucherFailure.NoAssociatedAsset"/> or
    /// <see cref="VoucherFailure.InsufficientAssets"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static VoucherCheck Audit(
        InstitutionId originator, PaymentRequest request, IReadOnlyDictionary<UserId, UserEntitlement> ownUsers,
        InstitutionDirectory directory, AccountLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ownUsers);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(ledger);
        var check = CheckShape(originator, request, directory);
        if (!check.IsValid)
        {
            return check;
        }

        return request.UserInstitution == originator
            ? CheckEntitlement(request, ownUsers)
            : CheckAccounts(originator, request, directory, ledger);
    }

    private static VoucherCheck CheckShape(InstitutionId originator, PaymentRequest request, InstitutionDirectory directory)
    {
        if (!request.Amount.IsPositive || !Enum.IsDefined(request.Type))
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidRequest, "the amount must be positive and the transaction type known");
        }

        if (request.Destinations.Count == 0 || 1 + request.Destinations.Count + request.Auxiliaries.Count > TransactionVoucher.MaxParticipants)
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidRequest, $"a request names 1 destination or more and at most {TransactionVoucher.MaxParticipants} institutions");
        }

        if (TransactionVoucher.BuildParticipants(originator, request.Destinations, request.Auxiliaries) is null)
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidRequest, "an institution is named twice, or the originator is also a destination or an auxiliary");
        }

        if (request.UserInstitution != originator && !request.Destinations.Contains(request.UserInstitution))
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidRequest, "a foreign user's institution must be a destination (it vouches for the user)");
        }

        foreach (var institution in (IEnumerable<InstitutionId>)[originator, .. request.Destinations, .. request.Auxiliaries])
        {
            if (!directory.Contains(institution))
            {
                return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"institution {institution} is not in the directory");
            }
        }

        return VoucherCheck.Valid;
    }

    private static VoucherCheck CheckEntitlement(PaymentRequest request, IReadOnlyDictionary<UserId, UserEntitlement> ownUsers)
    {
        if (!ownUsers.TryGetValue(request.User, out var entitlement))
        {
            return VoucherCheck.Fail(VoucherFailure.UnknownUser, $"{request.User} is not a user of this institution");
        }

        if (entitlement.AssetAddress != request.AssetAddress)
        {
            return VoucherCheck.Fail(VoucherFailure.AssetAddressMismatch, $"{request.AssetAddress} is not {request.User}'s asset address");
        }

        if (!entitlement.Services.Contains(request.Type))
        {
            return VoucherCheck.Fail(VoucherFailure.NotEntitled, $"{request.User} is not entitled to {request.Type}");
        }

        if (request.Amount > entitlement.MaxAmountPerTransaction)
        {
            return VoucherCheck.Fail(VoucherFailure.AmountOverLimit, $"{request.Amount} is above {request.User}'s limit {entitlement.MaxAmountPerTransaction}");
        }

        return request.Destinations.Count == 1
            ? VoucherCheck.Valid
            : VoucherCheck.Fail(VoucherFailure.InvalidRequest, "an own user's payment names exactly one destination, its counterparty");
    }

    private static VoucherCheck CheckAccounts(InstitutionId originator, PaymentRequest request, InstitutionDirectory directory, AccountLedger ledger)
    {
        // The institutions that clear: the originator and every destination.
        foreach (var institution in (IEnumerable<InstitutionId>)[originator, .. request.Destinations])
        {
            var account = directory.TryGet(institution, out var entry) ? entry.SettlementAccount : default;
            if (!ledger.TryGetAccount(account, out var info) || info.Owner != institution)
            {
                return VoucherCheck.Fail(VoucherFailure.NoSettlementAccount, $"{institution} has no settlement account on the ledger");
            }

            if (!ledger.TryGetBalance(account, request.Asset, out var balance))
            {
                return VoucherCheck.Fail(VoucherFailure.NoAssociatedAsset, $"{institution}'s account {account} does not hold {request.Asset}");
            }

            var payer = ClearingRules.UserInstitutionPays(request.Type) ? request.UserInstitution : originator;
            if (institution == payer && balance.Available < request.Amount)
            {
                return VoucherCheck.Fail(VoucherFailure.InsufficientAssets, $"{institution} has {balance.Available} {request.Asset} available, the request needs {request.Amount}");
            }
        }

        return VoucherCheck.Valid;
    }
}
