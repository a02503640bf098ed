using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// A command that moves an amount of one asset from a debit account to a credit account: the common part of
/// <see cref="TransferCommand"/> and <see cref="ReserveCommand"/>.
/// </summary>
/// <remarks>
/// Canonical form: <c>[kind, id, debit, credit, asset, amount, ...]</c>; a derived command appends its own fields.
/// </remarks>
public abstract class TwoAccountCommand : LedgerCommand
{
    /// <summary>Sets the fields shared by the two-account commands.</summary>
    /// <param name="id">The command's id (not zero).</param>
    /// <param name="debit">The account that pays.</param>
    /// <param name="credit">The account that receives.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <exception cref="ArgumentException">An account or the asset is <c>default</c>.</exception>
    private protected TwoAccountCommand(TransferId id, AccountId debit, AccountId credit, AssetCode asset, Amount amount)
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

    /// <summary>The command's id: the transfer's or the reservation's.</summary>
    public TransferId Id { get; }

    /// <summary>The account that pays.</summary>
    public AccountId Debit { get; }

    /// <summary>The account that receives.</summary>
    public AccountId Credit { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount moved or reserved.</summary>
    public Amount Amount { get; }

    /// <summary>Writes the shared fields after the kind; a derived command writes its own fields after them.</summary>
    /// <param name="writer">The writer.</param>
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Id.Encode(ref writer);
        writer.WriteAccountId(Debit);
        writer.WriteAccountId(Credit);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }

    /// <summary>Reads the fields after the kind and creates the command of that kind.</summary>
    /// <param name="kind"><see cref="LedgerCommandKind.Transfer"/> or <see cref="LedgerCommandKind.Reserve"/>.</param>
    /// <param name="reader">The reader, positioned after the kind.</param>
    /// <returns>The command.</returns>
    internal static TwoAccountCommand DecodeFields(LedgerCommandKind kind, ref CanonicalReader reader)
    {
        var id = TransferId.Decode(ref reader);
        var debit = reader.ReadAccountId();
        var credit = reader.ReadAccountId();
        var asset = reader.ReadAssetCode();
        var amount = reader.ReadAmount();
        return kind == LedgerCommandKind.Transfer
            ? new TransferCommand(id, debit, credit, asset, amount)
            : new ReserveCommand(id, debit, credit, asset, amount, reader.ReadInt64());
    }
}
