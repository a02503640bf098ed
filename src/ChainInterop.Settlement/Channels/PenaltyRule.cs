namespace ChainInterop.Settlement.Channels;

/// <summary>
/// What a payer forfeits on top of the amount due when a collateral claim proves it at fault (P4: "may penalise the
/// payer"): a fixed amount plus a share of the claimed amount, rounded down. Paid from the collateral to the terms'
/// penalty recipient.
/// </summary>
/// <param name="Fixed">The fixed part (zero or more).</param>
/// <param name="BasisPoints">The proportional part in basis points of the claimed amount, 0 to <see cref="MaxBasisPoints"/>.</param>
public readonly record struct PenaltyRule(Amount Fixed, int BasisPoints)
{
    /// <summary>The largest proportional part, in basis points (100 %).</summary>
    public const int MaxBasisPoints = 10_000;

    /// <summary>No penalty.</summary>
    public static PenaltyRule None => default;

    /// <summary>Whether the rule is usable: a non-negative fixed part and basis points within 0 to <see cref="MaxBasisPoints"/>.</summary>
    public bool IsValid => !Fixed.IsNegative && BasisPoints is >= 0 and <= MaxBasisPoints;

    /// <summary>The penalty on a claim of <paramref name="claimed"/>: <c>Fixed + floor(claimed × BasisPoints / 10,000)</c>.</summary>
    /// <param name="claimed">The claimed amount (zero or more).</param>
    /// <param name="penalty">The penalty, when it fits in 64 bits.</param>
    /// <returns>Whether the rule is valid, <paramref name="claimed"/> is not negative, and the penalty fits.</returns>
    public bool TryCompute(Amount claimed, out Amount penalty)
    {
        penalty = default;
        if (!IsValid || claimed.IsNegative)
        {
            return false;
        }

        // claimed × 10,000 fits in Int128; the quotient is at most claimed, so only the final addition can overflow.
        var share = new Amount((long)((Int128)claimed.MinorUnits * BasisPoints / MaxBasisPoints));
        return Fixed.TryAdd(share, out penalty);
    }
}
