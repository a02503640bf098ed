using System.Globalization;
using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// Names one settlement cycle (SPEC S3, seed 000 Alg. 11): the intermediary chain (ICC) that nets it, acting as central
/// counterparty, and the cycle's sequence number on that ICC. Net results, instructions and reports carry it, so a
/// result committed for one cycle can never be taken for another's.
/// </summary>
/// <remarks>Canonical form: <c>[intermediary, sequence]</c>.</remarks>
public readonly record struct CycleId : IComparable<CycleId>, ICanonicalEncodable<CycleId>
{
    private const int FieldCount = 2;

    /// <summary>Creates the id.</summary>
    /// <param name="intermediary">The ICC that runs the cycle and is its central counterparty.</param>
    /// <param name="sequence">The cycle's number on that ICC, counting from any start the ICC chooses.</param>
    /// <exception cref="ArgumentException"><paramref name="intermediary"/> is default.</exception>
    public CycleId(ChainId intermediary, ulong sequence)
    {
        if (intermediary.IsDefault)
        {
            throw new ArgumentException("A settlement cycle needs the id of its intermediary chain.", nameof(intermediary));
        }

        Intermediary = intermediary;
        Sequence = sequence;
    }

    /// <summary>The intermediary chain (ICC) that runs the cycle and is its central counterparty.</summary>
    public ChainId Intermediary { get; }

    /// <summary>The cycle's number on <see cref="Intermediary"/>.</summary>
    public ulong Sequence { get; }

    /// <summary>The id of the following cycle on the same intermediary.</summary>
    /// <returns>The id with <see cref="Sequence"/> + 1.</returns>
    /// <exception cref="OverflowException"><see cref="Sequence"/> is <see cref="ulong.MaxValue"/>.</exception>
    public CycleId Following() => new(Intermediary, checked(Sequence + 1));

    /// <inheritdoc />
    public int CompareTo(CycleId other)
    {
        int byChain = Intermediary.CompareTo(other.Intermediary);
        return byChain != 0 ? byChain : Sequence.CompareTo(other.Sequence);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteChainId(Intermediary);
        writer.WriteUInt64(Sequence);
    }

    /// <inheritdoc />
    public static CycleId Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new CycleId(reader.ReadChainId(), reader.ReadUInt64());
    }

    /// <summary>The id as <c>intermediary#sequence</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Intermediary}#{Sequence}");
}
