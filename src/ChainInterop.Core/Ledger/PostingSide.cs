namespace ChainInterop.Ledger;

/// <summary>Which side of a movement an account was on. Stable numbers.</summary>
public enum PostingSide
{
    /// <summary>The account paid (its pending amount is <see cref="Balance.PendingDebits"/>).</summary>
    Debit = 0,

    /// <summary>The account received (its pending amount is <see cref="Balance.PendingCredits"/>).</summary>
    Credit = 1,
}
