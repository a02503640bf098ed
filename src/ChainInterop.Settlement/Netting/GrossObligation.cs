using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// One committed gross obligation of a settlement cycle: a cross-chain transaction that reached the tentative state
/// in netting mode (seed 000 [0053]) and so must be settled at the cycle's end. <paramref name="Payer"/> owes
/// <paramref name="Payee"/> <paramref name="Amount"/> of <paramref name="Asset"/>; participants are the participant
/// chains (PPCs).
/// </summary>
/// <param name="TransactionId">The cross-chain transaction hash (the id its TBC records carry).</param>
/// <param name="Payer">The paying participant chain.</param>
/// <param name="Payee">The receiving participant chain.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">The amount, positive.</param>
/// <remarks>Canonical form: <c>[transactionId, payer, payee, asset, amount]</c>.</remarks>
public readonly record struct GrossObligation(
    Hash256 TransactionId,
    ChainId Payer,
    ChainId Payee,
    AssetCode Asset,
    Amount Amount) : ICanonicalEncodable<GrossObligation>
{
    private const int FieldCount = 5;

    /// <summary>Checks the fields on their own (not against a book's limits or duplicates).</summary>
    /// <returns><see cref="ObligationCode.Ok"/>, <see cref="ObligationCode.MissingField"/>,
    /// <see cref="ObligationCode.SameParticipant"/> or <see cref="ObligationCode.InvalidAmount"/>.</returns>
    public ObligationCode Validate()
    {
        if (TransactionId.IsZero || Payer.IsDefault || Payee.IsDefault || Asset.IsDefault)
        {
            return ObligationCode.MissingField;
        }

        if (Payer == Payee)
        {
            return ObligationCode.SameParticipant;
        }

        return Amount.IsPositive ? ObligationCode.Ok : ObligationCode.InvalidAmount;
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteHash256(TransactionId);
        writer.WriteChainId(Payer);
        writer.WriteChainId(Payee);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }

    /// <inheritdoc />
    public static GrossObligation Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new GrossObligation(
            reader.ReadHash256(),
            reader.ReadChainId(),
            reader.ReadChainId(),
            reader.ReadAssetCode(),
            reader.ReadAmount());
    }

    /// <summary>The obligation as <c>payer -> payee amount asset (transaction)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Payer} -> {Payee} {Amount} {Asset} ({TransactionId.ToShortString()})";
}
