namespace ChainInterop.Ledger;

/// <summary>A single-phase transfer: debits one account and credits another at once.</summary>
/// <remarks>Canonical form: <c>[4, id, debit, credit, asset, amount]</c>.</remarks>
public sealed class TransferCommand : TwoAccountCommand
{
    internal const int EncodedFieldCount = 6;

    /// <summary>Creates the command.</summary>
    /// <param name="id">The transfer's id (not zero).</param>
    /// <param name="debit">The account that pays.</param>
    /// <param name="credit">The account that receives.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException">An account or the asset is <c>default</c>.</exception>
    public TransferCommand(TransferId id, AccountId debit, AccountId credit, AssetCode asset, Amount amount)
        : base(id, debit, credit, asset, amount)
    {
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Transfer;

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;
}
