using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>One settlement payment at the end of a cycle: <paramref name="Payer"/> pays <paramref name="Payee"/>.</summary>
/// <param name="Payer">The paying chain (a participant, or the intermediary acting as central counterparty).</param>
/// <param name="Payee">The receiving chain.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">The amount, positive.</param>
/// <remarks>Canonical form: <c>[payer, payee, asset, amount]</c>.</remarks>
public readonly record struct SettlementInstruction(ChainId Payer, ChainId Payee, AssetCode Asset, Amount Amount)
    : ICanonicalEncodable<SettlementInstruction>
{
    private const int FieldCount = 4;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteChainId(Payer);
        writer.WriteChainId(Payee);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }

    /// <inheritdoc />
    public static SettlementInstruction Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new SettlementInstruction(reader.ReadChainId(), reader.ReadChainId(), reader.ReadAssetCode(), reader.ReadAmount());
    }

    /// <summary>The instruction as <c>payer -> payee amount asset</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Payer} -> {Payee} {Amount} {Asset}";
}
