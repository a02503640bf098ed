using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// Credits new funds to an account: the intermediary took in backing money (e.g. a participant bank's deposit). With <see cref="RedeemCommand"/>, the only command that changes the total of an asset on the ledger.
/// </summary>
/// <remarks>Canonical form: <c>[2, id, account, asset, amount]</c>.</remarks>
public sealed class IssueCommand : LedgerCommand
{
    internal const int EncodedFieldCount = 5;

    /// <summary>Creates the command.</summary>
    /// <param name="id">The command's id (not zero).</param>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException"><paramref name="account"/> or <paramref name="asset"/> is <c>default</c>.</exception>
    public IssueCommand(TransferId id, AccountId account, AssetCode asset, Amount amount)
    {
        if (account.IsDefault || asset.IsDefault)
        {
            throw new ArgumentException("The account and the asset must be set.", nameof(account));
        }

        Id = id;
        Account = account;
        Asset = asset;
        Amount = amount;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Issue;

    /// <summary>The command's id.</summary>
    public TransferId Id { get; }

    /// <summary>The account.</summary>
    public AccountId Account { get; }

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
        writer.WriteAccountId(Account);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }
}
