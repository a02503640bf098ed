namespace ChainInterop.Ledger;

/// <summary>
/// Debits funds from an account and removes them from the ledger: the intermediary paid backing money out. With <see cref="IssueCommand"/>, the only command that changes the total of an asset on the ledger. Needs the amount to be available.
/// </summary>
/// <remarks>Canonical form: <c>[3, id, account, asset, amount]</c>.</remarks>
public sealed class RedeemCommand : SingleAccountCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="id">The command's id (not zero).</param>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException"><paramref name="account"/> or <paramref name="asset"/> is <c>default</c>.</exception>
    public RedeemCommand(TransferId id, AccountId account, AssetCode asset, Amount amount)
        : base(id, account, asset, amount)
    {
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Redeem;
}
