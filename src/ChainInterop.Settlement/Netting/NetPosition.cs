using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// One participant's multilateral position in one asset over a cycle (seed 000 Alg. 11 step 8): what it paid, what it
/// received, and the difference. A positive <see cref="Net"/> makes it a net creditor (the central counterparty pays
/// it), a negative one a net debtor (it pays the central counterparty).
/// </summary>
/// <param name="Participant">The participant chain.</param>
/// <param name="Paid">The gross amount it owes over the cycle (Σ of the obligations it pays).</param>
/// <param name="Received">The gross amount owed to it over the cycle (Σ of the obligations it receives).</param>
/// <remarks>Canonical form: <c>[participant, paid, received]</c>; the net is derived, never stored.</remarks>
public readonly record struct NetPosition(ChainId Participant, Amount Paid, Amount Received) : ICanonicalEncodable<NetPosition>
{
    private const int FieldCount = 3;

    /// <summary><see cref="Received"/> − <see cref="Paid"/>: positive for a net creditor, negative for a net debtor.</summary>
    /// <exception cref="OverflowException">The difference leaves the 64-bit range (only for values no engine produces).</exception>
    public Amount Net => Received - Paid;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteChainId(Participant);
        writer.WriteAmount(Paid);
        writer.WriteAmount(Received);
    }

    /// <inheritdoc />
    public static NetPosition Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new NetPosition(reader.ReadChainId(), reader.ReadAmount(), reader.ReadAmount());
    }
}
