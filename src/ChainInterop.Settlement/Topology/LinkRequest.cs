using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// A proposal to link participant chain <see cref="Participant"/> to intermediary <see cref="Intermediary"/> through
/// trading chain <see cref="TradingChain"/> (Alg. 7): the TBC chosen by the network, either a free one the ICC
/// already runs or a new one (<see cref="CreatesTradingChain"/>). The PPC and the ICC vote on its
/// <see cref="Digest"/> (Alg. 8).
/// </summary>
/// <remarks>
/// <para><see cref="Generation"/> is the number of times the TBC has been linked before. It binds the request (and so
/// every vote on it) to one state of the TBC: once the TBC is linked, freed and linked again, an old request and its
/// votes are <see cref="TopologyCode.StaleRequest"/>, never a replay.</para>
/// <para>Canonical form: <c>[intermediary, tradingChain, createsTradingChain, generation, participant]</c>.</para>
/// </remarks>
public sealed class LinkRequest : ICanonicalEncodable<LinkRequest>
{
    private Hash256? _digest;

    /// <summary>Creates a request (normally <see cref="TopologyNetwork"/> does, when it plans a link).</summary>
    /// <param name="intermediary">The ICC (its account chain).</param>
    /// <param name="tradingChain">The TBC that will link the PPC.</param>
    /// <param name="createsTradingChain">Whether the TBC is new (Alg. 7 line 2) rather than a free one reused.</param>
    /// <param name="generation">How many times the TBC was linked before (0 for a new TBC).</param>
    /// <param name="participant">The PPC.</param>
    /// <exception cref="ArgumentException">An id is default, two ids are equal, or a new TBC has a generation other than 0.</exception>
    public LinkRequest(ChainId intermediary, ChainId tradingChain, bool createsTradingChain, ulong generation, ChainId participant)
    {
        if (intermediary.IsDefault || tradingChain.IsDefault || participant.IsDefault
            || intermediary == tradingChain || intermediary == participant || tradingChain == participant)
        {
            throw new ArgumentException("A link request names three different chains: the ICC, its TBC and the PPC.");
        }

        if (createsTradingChain && generation != 0)
        {
            throw new ArgumentException("A new trading chain has never been linked: its generation is 0.", nameof(generation));
        }

        Intermediary = intermediary;
        TradingChain = tradingChain;
        CreatesTradingChain = createsTradingChain;
        Generation = generation;
        Participant = participant;
    }

    /// <summary>The ICC (its account chain).</summary>
    public ChainId Intermediary { get; }

    /// <summary>The TBC that will link the PPC.</summary>
    public ChainId TradingChain { get; }

    /// <summary>Whether linking creates the TBC (Alg. 7 line 2) rather than reusing a free one (Alg. 7 line 1).</summary>
    public bool CreatesTradingChain { get; }

    /// <summary>How many times the TBC was linked before.</summary>
    public ulong Generation { get; }

    /// <summary>The PPC.</summary>
    public ChainId Participant { get; }

    /// <summary>SHA-256 of the canonical request: the subject of the votes and of the verification information.</summary>
    public Hash256 Digest => _digest ??= TopologyDigest.Of(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.WriteChainId(Intermediary);
        writer.WriteChainId(TradingChain);
        writer.WriteBoolean(CreatesTradingChain);
        writer.WriteUInt64(Generation);
        writer.WriteChainId(Participant);
    }

    /// <inheritdoc />
    public static LinkRequest Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(5);
        return new LinkRequest(reader.ReadChainId(), reader.ReadChainId(), reader.ReadBoolean(), reader.ReadUInt64(), reader.ReadChainId());
    }

    /// <summary>"ppc → icc via tbc (new | generation g)".</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"{Participant} -> {Intermediary} via {TradingChain} ({(CreatesTradingChain ? "new" : $"generation {Generation}")})";
}
