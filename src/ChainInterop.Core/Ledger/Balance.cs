namespace ChainInterop.Ledger;

/// <summary>The balance of one asset in one account.</summary>
/// <param name="Posted">Committed funds; below zero only down to <c>-CreditLimit</c>.</param>
/// <param name="PendingDebits">Reserved to leave the account (live reservations that debit it).</param>
/// <param name="PendingCredits">Reserved to arrive in the account (live reservations that credit it).</param>
/// <param name="CreditLimit">How far below zero <c>Posted - PendingDebits</c> may go.</param>
public readonly record struct Balance(Amount Posted, Amount PendingDebits, Amount PendingCredits, Amount CreditLimit)
{
    /// <summary>What a new debit may take: <c>Posted - PendingDebits + CreditLimit</c> (never negative).</summary>
    public Amount Available => new(Posted.MinorUnits - PendingDebits.MinorUnits + CreditLimit.MinorUnits);
}
