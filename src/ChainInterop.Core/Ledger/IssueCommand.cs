namespace ChainInterop.Ledger;

/// <summary>
/// Credits new funds to an account: the intermediary took in backing money (e.g. a participant bank's deposit). With <see cref="RedeemCommand"/>, the only command that changes the total of an asset on the ledger.
/// </summary>
/// <remarks>Canonical form: <c>[2, id, account, asset, amount]</c>.</remarks>
public sealed class IssueCommand : SingleAccountCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="id">The command's id (not zero).</param>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException"><paramref name="account"/> or <paramref name="asset"/> is <c>default</c>.</exception>
    public IssueCommand(TransferId id, AccountId account, AssetCode asset, Amount amount)
        : base(id, account, asset, amount)
    {
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Issue;
}
