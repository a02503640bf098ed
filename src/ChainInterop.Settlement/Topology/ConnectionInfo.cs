namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The connection information of Alg. 0: which ICC should connect which pairs of PPCs. The seed states it per
/// triple (ICC, PPC1, PPC2) and notes (Alg. 0 lines 8–11) that every PPC linked to an ICC reaches every other one
/// through it, so the relation is kept as the set of PPCs each ICC links.
/// </summary>
/// <remarks>Mutable while it is being filled; <see cref="TopologyNetwork.Build"/> reads it once.</remarks>
public sealed class ConnectionInfo
{
    private readonly SortedDictionary<ChainId, SortedSet<ChainId>> _links = [];

    /// <summary>Says that <paramref name="icc"/> should connect <paramref name="ppc1"/> and <paramref name="ppc2"/> (Alg. 0 line 3).</summary>
    /// <param name="icc">The intermediary (its account chain).</param>
    /// <param name="ppc1">One participant chain.</param>
    /// <param name="ppc2">Another participant chain.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">An id is default, or the two PPCs are the same.</exception>
    public ConnectionInfo Connect(ChainId icc, ChainId ppc1, ChainId ppc2)
    {
        if (icc.IsDefault || ppc1.IsDefault || ppc2.IsDefault || ppc1 == ppc2)
        {
            throw new ArgumentException("A connection names an ICC and two different PPCs.");
        }

        if (!_links.TryGetValue(icc, out var set))
        {
            set = [];
            _links.Add(icc, set);
        }

        set.Add(ppc1);
        set.Add(ppc2);
        return this;
    }

    /// <summary>The ICCs that appear in the relation, in id order.</summary>
    public IReadOnlyList<ChainId> Intermediaries => [.. _links.Keys];

    /// <summary>The PPCs <paramref name="icc"/> should link, in id order.</summary>
    /// <param name="icc">The intermediary.</param>
    /// <returns>The PPCs (empty when the ICC connects nothing).</returns>
    public IReadOnlyList<ChainId> ParticipantsOf(ChainId icc) => _links.TryGetValue(icc, out var set) ? [.. set] : [];
}
