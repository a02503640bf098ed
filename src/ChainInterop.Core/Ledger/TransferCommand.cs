using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>A single-phase transfer: debits one account and credits another at once.</summary>
/// <remarks>Canonical form: <c>[4, id, debit, credit, asset, amount]</c>.</remarks>
public sealed class TransferCommand : LedgerCommand
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
    {
        if (debit.IsDefault || credit.IsDefault || asset.IsDefault)
        {
            throw new ArgumentException("The accounts and the asset must be set.", nameof(debit));
        }

        Id = id;
        Debit = debit;
        Credit = credit;
        Asset = asset;
        Amount = amount;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Transfer;

    /// <summary>The transfer's id.</summary>
    public TransferId Id { get; }

    /// <summary>The account that pays.</summary>
    public AccountId Debit { get; }

    /// <summary>The account that receives.</summary>
    public AccountId Credit { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Id.Encode(ref writer);
        writer.WriteAccountId(Debit);
        writer.WriteAccountId(Credit);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }
}
