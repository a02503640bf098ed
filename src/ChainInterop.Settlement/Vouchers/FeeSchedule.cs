namespace ChainInterop.Settlement.Vouchers;

/// <summary>Which side of a transaction owes a fee. Stable numbers.</summary>
public enum FeePayer
{
    /// <summary>
    /// The user's institution pays the originator, e.g. the originator's service fee that the destination pays on the
    /// user's behalf (seed 001 [0115]: "a debt of the destination institution to the originating institution").
    /// </summary>
    UserInstitution = 1,

    /// <summary>The originator pays the user's institution, e.g. an interchange fee of the acquirer to the card issuer.</summary>
    Originator = 2,
}

/// <summary>One fee of a <see cref="FeeSchedule"/>: <c>floor(amount × basis points / 10,000) + fixed</c>, owed by <paramref name="Payer"/>.</summary>
/// <param name="Type">The transaction type it applies to.</param>
/// <param name="Payer">Who owes the fee; the other side of the transaction is paid.</param>
/// <param name="BasisPoints">The proportional part, 0 to 10,000 basis points of the amount.</param>
/// <param name="Fixed">The fixed part, in minor units of the voucher's asset; not negative.</param>
public sealed record FeeRule(TransactionType Type, FeePayer Payer, int BasisPoints, Amount Fixed);

/// <summary>
/// The fee debts every clearing relation includes (SPEC V3: "amounts — fee debts included —"). The schedule is shared
/// by the third party that derives a relation and every institution that co-signs or verifies one, so all of them
/// derive the same obligations from the same transaction voucher. Fees apply only between two different institutions.
/// Immutable.
/// </summary>
public sealed class FeeSchedule
{
    /// <summary>The most rules one schedule holds, in rules.</summary>
    public const int MaxRules = 64;

    /// <summary>The largest proportional fee, in basis points (100 %).</summary>
    public const int MaxBasisPoints = 10_000;

    private readonly FeeRule[] _rules;

    /// <summary>Creates the schedule.</summary>
    /// <param name="rules">The rules, at most <see cref="MaxRules"/>; applied in this order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or a rule is null.</exception>
    /// <exception cref="ArgumentException">A rule is out of range, or there are too many.</exception>
    public FeeSchedule(IEnumerable<FeeRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        if (_rules.Length > MaxRules)
        {
            throw new ArgumentException($"A fee schedule holds at most {MaxRules} rules.", nameof(rules));
        }

        foreach (var rule in _rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            if (!Enum.IsDefined(rule.Type) || !Enum.IsDefined(rule.Payer) || rule.BasisPoints is < 0 or > MaxBasisPoints || rule.Fixed.IsNegative)
            {
                throw new ArgumentException($"Invalid fee rule {rule}.", nameof(rules));
            }
        }
    }

    /// <summary>No fees.</summary>
    public static FeeSchedule None { get; } = new([]);

    /// <summary>The rules, in order.</summary>
    public IReadOnlyList<FeeRule> Rules => _rules;
}
