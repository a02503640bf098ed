using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The bilateral net of one pair of participants in one asset over a cycle: after offsetting everything each owed the
/// other, <see cref="Debtor"/> owes <see cref="Creditor"/> <see cref="Amount"/>. A pair whose obligations cancel
/// exactly has no entry. Seen from either side the bilateral net is antisymmetric: the creditor's net with the debtor
/// is +<see cref="Amount"/>, the debtor's net with the creditor −<see cref="Amount"/>
/// (see <see cref="NetResult.BilateralNetOf"/>).
/// </summary>
/// <param name="Debtor">The participant that pays.</param>
/// <param name="Creditor">The participant that receives.</param>
/// <param name="Amount">The net amount, positive.</param>
/// <remarks>Canonical form: <c>[debtor, creditor, amount]</c>.</remarks>
public readonly record struct BilateralNet(ChainId Debtor, ChainId Creditor, Amount Amount) : ICanonicalEncodable<BilateralNet>
{
    private const int FieldCount = 3;

    /// <summary>The pair's first participant in ordinal order: how entries are sorted.</summary>
    public ChainId First => Debtor.CompareTo(Creditor) < 0 ? Debtor : Creditor;

    /// <summary>The pair's second participant in ordinal order.</summary>
    public ChainId Second => Debtor.CompareTo(Creditor) < 0 ? Creditor : Debtor;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteChainId(Debtor);
        writer.WriteChainId(Creditor);
        writer.WriteAmount(Amount);
    }

    /// <inheritdoc />
    public static BilateralNet Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new BilateralNet(reader.ReadChainId(), reader.ReadChainId(), reader.ReadAmount());
    }
}
