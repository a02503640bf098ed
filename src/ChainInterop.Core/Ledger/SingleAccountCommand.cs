using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// A command that moves an amount of one asset into or out of a single account: the common part of
/// <see cref="IssueCommand"/> and <see cref="RedeemCommand"/>.
/// </summary>
/// <remarks>Canonical form: <c>[kind, id, account, asset, amount]</c>.</remarks>
public abstract class SingleAccountCommand : LedgerCommand
{
    internal const int EncodedFieldCount = 5;

    /// <summary>Sets the fields shared by the single-account commands.</summary>
    /// <param name="id">The command's id (not zero).</param>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException"><paramref name="account"/> or <paramref name="asset"/> is <c>default</c>.</exception>
    private protected SingleAccountCommand(TransferId id, AccountId account, AssetCode asset, Amount amount)
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

    /// <summary>Reads the fields after the kind and creates the command of that kind.</summary>
    /// <param name="kind"><see cref="LedgerCommandKind.Issue"/> or <see cref="LedgerCommandKind.Redeem"/>.</param>
    /// <param name="reader">The reader, positioned after the kind.</param>
    /// <returns>The command.</returns>
    internal static SingleAccountCommand DecodeFields(LedgerCommandKind kind, ref CanonicalReader reader)
    {
        var id = TransferId.Decode(ref reader);
        var account = reader.ReadAccountId();
        var asset = reader.ReadAssetCode();
        var amount = reader.ReadAmount();
        return kind == LedgerCommandKind.Issue
            ? new IssueCommand(id, account, asset, amount)
            : new RedeemCommand(id, account, asset, amount);
    }
}
