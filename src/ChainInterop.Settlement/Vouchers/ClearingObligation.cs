namespace ChainInterop.Settlement.Vouchers;

/// <summary>Why an obligation exists. Stable numbers.</summary>
public enum ObligationKind
{
    /// <summary>The transaction amount itself.</summary>
    Principal = 1,

    /// <summary>A fee debt of the <see cref="FeeSchedule"/>.</summary>
    Fee = 2,
}

/// <summary>
/// One row of a clearing-relation voucher (seed 001 table 2): <paramref name="Payer"/> owes <paramref name="Payee"/>
/// <paramref name="Amount"/> of <paramref name="Asset"/>. In the table's words the payee is the debit institution
/// (借方, defined by the seed as the asset-lending side) and the payer the credit institution (贷方, the borrowing
/// side, which co-signs the relation and later publishes a clearing voucher paying it).
/// </summary>
/// <param name="Payer">The institution that owes (贷方).</param>
/// <param name="Payee">The institution that is owed (借方).</param>
/// <param name="Asset">The asset type (资产借贷发生类型).</param>
/// <param name="Amount">The amount (资产借贷发生数量), positive.</param>
/// <param name="Kind">Principal or fee.</param>
public readonly record struct ClearingObligation(InstitutionId Payer, InstitutionId Payee, AssetCode Asset, Amount Amount, ObligationKind Kind);

/// <summary>
/// The rules that turn a co-signed transaction voucher into its clearing obligations: deterministic, so the third
/// party derives them and every co-signer and verifier re-derives the same ones.
/// </summary>
public static class ClearingRules
{
    /// <summary>
    /// The counterparty of the user's institution: the originator when the user is foreign to it; for the
    /// originator's own user, the single destination.
    /// </summary>
    /// <param name="voucher">The voucher.</param>
    /// <returns>The counterparty, or null when the user is the originator's own and there is not exactly one destination.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="voucher"/> is null.</exception>
    public static InstitutionId? Counterparty(TransactionVoucher voucher)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        if (voucher.UserInstitution != voucher.Originator)
        {
            return voucher.Originator;
        }

        return voucher.Destinations.Count == 1 ? voucher.Destinations[0] : null;
    }

    /// <summary>Whether the user's institution pays the principal (value leaves the user's account) rather than receives it.</summary>
    /// <param name="type">The transaction type.</param>
    /// <returns>True for purchases, withdrawals and securities transfers; false for deposits.</returns>
    public static bool UserInstitutionPays(TransactionType type) => type != TransactionType.Deposit;

    /// <summary>
    /// Derives the obligations: the principal between the user's institution and its counterparty (direction by
    /// transaction type), then each matching fee rule in schedule order (only when the user's institution is not the
    /// originator, and only non-zero fees).
    /// </summary>
    /// <param name="voucher">The co-signed transaction voucher.</param>
    /// <param name="fees">The shared fee schedule.</param>
    /// <param name="obligations">The obligations when derivable.</param>
    /// <returns>Valid, <see cref="VoucherFailure.InvalidRequest"/> (no counterparty) or <see cref="VoucherFailure.AmountOverflow"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="voucher"/> or <paramref name="fees"/> is null.</exception>
    public static VoucherCheck Derive(TransactionVoucher voucher, FeeSchedule fees, out IReadOnlyList<ClearingObligation> obligations)
    {
        ArgumentNullException.ThrowIfNull(voucher);
        ArgumentNullException.ThrowIfNull(fees);
        obligations = [];
        if (Counterparty(voucher) is not { } counterparty)
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidRequest, "the originator's own user needs exactly one destination as counterparty");
        }

        var user = voucher.UserInstitution;
        var list = new List<ClearingObligation>
        {
            UserInstitutionPays(voucher.Type)
                ? new(user, counterparty, voucher.Asset, voucher.Amount, ObligationKind.Principal)
                : new(counterparty, user, voucher.Asset, voucher.Amount, ObligationKind.Principal),
        };

        if (user != voucher.Originator)
        {
            foreach (var rule in fees.Rules)
            {
                if (rule.Type != voucher.Type)
                {
                    continue;
                }

                // floor(amount × bp / 10,000) ≤ amount, so only adding the fixed part can overflow.
                var proportional = new Amount((long)((Int128)voucher.Amount.MinorUnits * rule.BasisPoints / FeeSchedule.MaxBasisPoints));
                if (!proportional.TryAdd(rule.Fixed, out var fee))
                {
                    return VoucherCheck.Fail(VoucherFailure.AmountOverflow, $"fee {rule} overflows");
                }

                if (fee.IsPositive)
                {
                    list.Add(rule.Payer == FeePayer.UserInstitution
                        ? new(user, voucher.Originator, voucher.Asset, fee, ObligationKind.Fee)
                        : new(voucher.Originator, user, voucher.Asset, fee, ObligationKind.Fee));
                }
            }
        }

        obligations = list;
        return VoucherCheck.Valid;
    }
}
