using System.Globalization;

namespace ChainInterop.Settlement.Topology;

/// <summary>Alg. 0, 5, 6 and 7: deciding which links to make and through which TBCs.</summary>
public sealed partial class TopologyNetwork
{
    /// <summary>
    /// Alg. 0, build the network from zero: registers the PPCs and ICCs and plans, for each ICC (id order) and each
    /// PPC it should connect (id order), a link (Alg. 7). Every ICC must connect at least two PPCs.
    /// </summary>
    /// <param name="participants">All PPCs.</param>
    /// <param name="intermediaries">All ICCs.</param>
    /// <param name="connections">Which ICC connects which PPCs.</param>
    /// <returns>The link requests to vote on and apply with <see cref="Link"/>; or <see cref="TopologyCode.NetworkNotEmpty"/>,
    /// <see cref="TopologyCode.DuplicateChain"/>, <see cref="TopologyCode.UnknownChain"/> (the connections name a chain not given),
    /// <see cref="TopologyCode.IccNeedsTwoParticipants"/>, <see cref="TopologyCode.LimitReached"/>, with nothing registered.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or holds null.</exception>
    public TopologyPlan Build(IEnumerable<ParticipantChain> participants, IEnumerable<IntermediaryChain> intermediaries, ConnectionInfo connections)
    {
        ArgumentNullException.ThrowIfNull(participants);
        ArgumentNullException.ThrowIfNull(intermediaries);
        ArgumentNullException.ThrowIfNull(connections);
        ParticipantChain[] ppcs = [.. participants];
        IntermediaryChain[] iccs = [.. intermediaries.OrderBy(i => i?.AccountChain)];
        Array.ForEach(ppcs, p => ArgumentNullException.ThrowIfNull(p, nameof(participants)));
        Array.ForEach(iccs, i => ArgumentNullException.ThrowIfNull(i, nameof(intermediaries)));

        if (_chainIds.Count > 0)
        {
            return TopologyPlan.Refused(TopologyCode.NetworkNotEmpty, $"the network already holds {_chainIds.Count} chains");
        }

        var ids = new HashSet<ChainId>();
        if (FirstRepeated(ppcs, iccs, ids) is { } repeated)
        {
            return TopologyPlan.Refused(TopologyCode.DuplicateChain, $"chain {repeated} is given twice");
        }

        var ppcIds = ppcs.Select(p => p.Id).ToHashSet();
        var iccIds = iccs.Select(i => i.AccountChain).ToHashSet();
        foreach (var icc in connections.Intermediaries)
        {
            if (!iccIds.Contains(icc))
            {
                return TopologyPlan.Refused(TopologyCode.UnknownChain, $"the connections name intermediary {icc}, which is not given");
            }

            foreach (var ppc in connections.ParticipantsOf(icc).Where(p => !ppcIds.Contains(p)))
            {
                return TopologyPlan.Refused(TopologyCode.UnknownChain, $"the connections name participant {ppc}, which is not given");
            }
        }

        var links = new List<(ChainId, ChainId)>();
        int newTradingChains = 0;
        foreach (var icc in iccs)
        {
            var linked = connections.ParticipantsOf(icc.AccountChain);
            if (Refuse(icc, linked.Count) is { } refusal)
            {
                return refusal;
            }

            newTradingChains += Math.Max(0, linked.Count - icc.TradingChains.Count);
            links.AddRange(linked.Select(ppc => (icc.AccountChain, ppc)));
        }

        if (ids.Count + newTradingChains > MaxChains)
        {
            return TopologyPlan.Refused(TopologyCode.LimitReached, $"{ids.Count + newTradingChains} chains, at most {MaxChains}");
        }

        Sequence++;
        Array.ForEach(ppcs, p => RegisterParticipant(p));
        Array.ForEach(iccs, RegisterIntermediary);
        return TopologyPlan.Accepted(AllocateLinks(links));
    }

    /// <summary>
    /// Alg. 6, a new ICC joins: registers it and plans a link (Alg. 7) to each PPC it must link (id order). Refused
    /// when fewer than two PPCs are to be linked, since every ICC links two or more.
    /// </summary>
    /// <param name="intermediary">The new ICC.</param>
    /// <param name="participants">The registered PPCs it must link.</param>
    /// <returns>The link requests; or <see cref="TopologyCode.DuplicateChain"/>, <see cref="TopologyCode.IccNeedsTwoParticipants"/>,
    /// <see cref="TopologyCode.UnknownChain"/>, <see cref="TopologyCode.LimitReached"/>, with nothing registered.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="participants"/> holds a default id.</exception>
    public TopologyPlan PlanIntermediaryJoin(IntermediaryChain intermediary, IEnumerable<ChainId> participants)
    {
        ArgumentNullException.ThrowIfNull(intermediary);
        var ppcs = DistinctIds(participants, nameof(participants));
        var newIds = new HashSet<ChainId>();
        if (FirstRepeated([], [intermediary], newIds) is { } repeated)
        {
            return TopologyPlan.Refused(TopologyCode.DuplicateChain, $"chain {repeated} is already in the network");
        }

        if (Refuse(intermediary, ppcs.Count) is { } refusal)
        {
            return refusal;
        }

        if (ppcs.FirstOrDefault(p => !_participants.ContainsKey(p)) is { IsDefault: false } unknown)
        {
            return TopologyPlan.Refused(TopologyCode.UnknownChain, $"participant {unknown} is not registered");
        }

        int newTradingChains = Math.Max(0, ppcs.Count - intermediary.TradingChains.Count);
        if (_chainIds.Count + newIds.Count + newTradingChains > MaxChains)
        {
            return TopologyPlan.Refused(TopologyCode.LimitReached, $"the network would exceed {MaxChains} chains");
        }

        Sequence++;
        RegisterIntermediary(intermediary);
        return TopologyPlan.Accepted(AllocateLinks(ppcs.Select(ppc => (intermediary.AccountChain, ppc))));
    }

    /// <summary>
    /// Alg. 5, a new PPC joins. First the ICCs it generates itself (lines 1–9), each linked to it and to the other
    /// PPCs that ICC must link; then (lines 10–18) a smallest-possible set of existing ICCs that reaches every
    /// trading partner not already reached through those, each linked to the new PPC.
    /// </summary>
    /// <remarks>
    /// <para>Choosing the fewest ICCs that together link every needed partner is the set-cover problem (NP-hard).
    /// This uses the <b>greedy</b> rule: repeatedly take the ICC that links the most partners still uncovered (ties:
    /// the smaller ICC id), which is within a factor ln(n) + 1 of the smallest set for n partners, and optimal in the
    /// common cases (one ICC links them all; each partner reachable through one ICC). Only ICCs with a free TBC or room
    /// for a new one are considered, and only links already made count.</para>
    /// <para>The declared partners are kept (<see cref="DeclaredPartnersOf"/>) and checked by
    /// <see cref="UnreachablePartners"/> until the planned links are made.</para>
    /// </remarks>
    /// <param name="participant">The joining PPC.</param>
    /// <param name="tradingPartners">The registered PPCs it must be able to trade with.</param>
    /// <param name="ownIntermediaries">The ICCs it generates, with the other PPCs each must link (at least one); none by default.</param>
    /// <returns>The link requests (own ICCs first, then the covering ICCs) and <see cref="TopologyPlan.CoveringIntermediaries"/>;
    /// or <see cref="TopologyCode.DuplicateChain"/>, <see cref="TopologyCode.UnknownChain"/>, <see cref="TopologyCode.IccNeedsTwoParticipants"/>,
    /// <see cref="TopologyCode.UnreachablePartner"/>, <see cref="TopologyCode.LimitReached"/>, with nothing registered.</returns>
    /// <exception cref="ArgumentNullException">An argument is null or holds null.</exception>
    /// <exception cref="ArgumentException">A partner is the joining PPC itself, or an id is default.</exception>
    public TopologyPlan PlanParticipantJoin(ParticipantChain participant, IEnumerable<ChainId> tradingPartners, IEnumerable<OwnIntermediary>? ownIntermediaries = null)
    {
        ArgumentNullException.ThrowIfNull(participant);
        var self = participant.Id;
        var partners = DistinctIds(tradingPartners, nameof(tradingPartners));
        if (partners.Contains(self))
        {
            throw new ArgumentException("A participant chain does not trade with itself.", nameof(tradingPartners));
        }

        OwnIntermediary[] own = [.. ownIntermediaries ?? []];
        foreach (var o in own)
        {
            ArgumentNullException.ThrowIfNull(o, nameof(ownIntermediaries));
            ArgumentNullException.ThrowIfNull(o.Intermediary, nameof(ownIntermediaries));
            ArgumentNullException.ThrowIfNull(o.OtherParticipants, nameof(ownIntermediaries));
        }

        var newIds = new HashSet<ChainId>();
        if (FirstRepeated([participant], own.Select(o => o.Intermediary), newIds) is { } repeated)
        {
            return TopologyPlan.Refused(TopologyCode.DuplicateChain, $"chain {repeated} is already in the network or given twice");
        }

        if (partners.FirstOrDefault(p => !_participants.ContainsKey(p)) is { IsDefault: false } unknownPartner)
        {
            return TopologyPlan.Refused(TopologyCode.UnknownChain, $"trading partner {unknownPartner} is not registered");
        }

        // Lines 1-9: the PPC's own ICCs, each linked to the PPC and to the other PPCs it must link.
        var links = new List<(ChainId Icc, ChainId Ppc)>();
        var covered = new SortedSet<ChainId>();
        int newTradingChains = 0;
        foreach (var o in own)
        {
            var others = DistinctIds(o.OtherParticipants, nameof(ownIntermediaries));
            others.Remove(self);
            if (Refuse(o.Intermediary, others.Count + 1) is { } refusal)
            {
                return refusal;
            }

            if (others.FirstOrDefault(p => !_participants.ContainsKey(p)) is { IsDefault: false } unknown)
            {
                return TopologyPlan.Refused(TopologyCode.UnknownChain, $"participant {unknown} of intermediary {o.Intermediary} is not registered");
            }

            newTradingChains += Math.Max(0, others.Count + 1 - o.Intermediary.TradingChains.Count);
            links.Add((o.Intermediary.AccountChain, self));
            links.AddRange(others.Select(p => (o.Intermediary.AccountChain, p)));
            covered.UnionWith(others);
        }

        // Lines 10-15: greedy set cover of the partners still to reach, over the existing ICCs.
        var remaining = new SortedSet<ChainId>(partners);
        remaining.ExceptWith(covered);
        var chosen = new List<ChainId>();
        while (remaining.Count > 0)
        {
            ChainId best = default;
            int bestGain = 0;
            foreach (var (id, icc) in _intermediaries)
            {
                int gain = icc.ByParticipant.Keys.Count(remaining.Contains);
                if (gain > bestGain && HasRoomForLink(icc) && !chosen.Contains(id))
                {
                    (best, bestGain) = (id, gain);
                }
            }

            if (bestGain == 0)
            {
                return TopologyPlan.Refused(TopologyCode.UnreachablePartner,
                    $"no intermediary with room for a link reaches {string.Join(", ", remaining)}");
            }

            var bestIcc = _intermediaries[best];
            chosen.Add(best);
            remaining.ExceptWith(bestIcc.ByParticipant.Keys);
            newTradingChains += bestIcc.FirstFreeTradingChain() is null ? 1 : 0;
        }

        if (_chainIds.Count + newIds.Count + newTradingChains > MaxChains)
        {
            return TopologyPlan.Refused(TopologyCode.LimitReached, $"the network would exceed {MaxChains} chains");
        }

        // Lines 16-18 and the links of lines 3 and 7 are planned; apply the registrations.
        Sequence++;
        RegisterParticipant(participant).Partners.UnionWith(partners);
        Array.ForEach(own, o => RegisterIntermediary(o.Intermediary));
        links.AddRange(chosen.Select(icc => (icc, self)));
        return TopologyPlan.Accepted(AllocateLinks(links), chosen);
    }

    /// <summary>
    /// Alg. 7, link an ICC with a PPC: chooses the TBC (the first free one of the ICC, else a new one named
    /// <c>{icc}:tbc{k}</c>) and returns the request to vote on (Alg. 8). Changes nothing.
    /// </summary>
    /// <param name="intermediary">The ICC.</param>
    /// <param name="participant">The PPC.</param>
    /// <returns>One request; or <see cref="TopologyCode.UnknownChain"/>, <see cref="TopologyCode.AlreadyLinked"/>, <see cref="TopologyCode.LimitReached"/>.</returns>
    public TopologyPlan ProposeLink(ChainId intermediary, ChainId participant)
    {
        if (!_intermediaries.TryGetValue(intermediary, out var icc))
        {
            return TopologyPlan.Refused(TopologyCode.UnknownChain, $"intermediary {intermediary} is not registered");
        }

        if (!_participants.ContainsKey(participant))
        {
            return TopologyPlan.Refused(TopologyCode.UnknownChain, $"participant {participant} is not registered");
        }

        if (icc.ByParticipant.TryGetValue(participant, out var tbc))
        {
            return TopologyPlan.Refused(TopologyCode.AlreadyLinked, $"{participant} is linked to {intermediary} through {tbc}");
        }

        if (!HasRoomForLink(icc) || (icc.FirstFreeTradingChain() is null && _chainIds.Count >= MaxChains))
        {
            return TopologyPlan.Refused(TopologyCode.LimitReached, $"{intermediary} has no free trading chain and no room for a new one");
        }

        return TopologyPlan.Accepted(AllocateLinks([(intermediary, participant)]));
    }

    private static bool HasRoomForLink(Intermediary icc) =>
        icc.FirstFreeTradingChain() is not null || icc.TradingChains.Count < MaxTradingChainsPerIntermediary;

    private static TopologyPlan? Refuse(IntermediaryChain icc, int participantCount) => participantCount switch
    {
        < 2 => TopologyPlan.Refused(TopologyCode.IccNeedsTwoParticipants,
            $"intermediary {icc} would link {participantCount} participant chain(s); every intermediary links two or more"),
        > MaxTradingChainsPerIntermediary => TopologyPlan.Refused(TopologyCode.LimitReached,
            $"intermediary {icc} would link {participantCount} participant chains, at most {MaxTradingChainsPerIntermediary}"),
        _ => null,
    };

    private static SortedSet<ChainId> DistinctIds(IEnumerable<ChainId> ids, string paramName)
    {
        ArgumentNullException.ThrowIfNull(ids, paramName);
        var set = new SortedSet<ChainId>(ids);
        if (set.Any(id => id.IsDefault))
        {
            throw new ArgumentException("A chain id is default.", paramName);
        }

        return set;
    }

    /// <summary>The first id of the given chains (PPCs, ABCs, TBCs) already in the network or repeated; fills <paramref name="ids"/>.</summary>
    private ChainId? FirstRepeated(IEnumerable<ParticipantChain> ppcs, IEnumerable<IntermediaryChain> iccs, HashSet<ChainId> ids)
    {
        IEnumerable<ChainId> all = ppcs.Select(p => p.Id).Concat(iccs.SelectMany(i => i.TradingChains.Prepend(i.AccountChain)));
        foreach (var id in all)
        {
            if (_chainIds.Contains(id) || !ids.Add(id))
            {
                return id;
            }
        }

        return null;
    }

    private Participant RegisterParticipant(ParticipantChain chain)
    {
        var entry = new Participant(chain, Sequence);
        _participants.Add(chain.Id, entry);
        _chainIds.Add(chain.Id);
        return entry;
    }

    private void RegisterIntermediary(IntermediaryChain chain)
    {
        var entry = new Intermediary(chain);
        foreach (var tbc in chain.TradingChains)
        {
            entry.TradingChains.Add(tbc, new TradingChainSlot());
            _chainIds.Add(tbc);
        }

        _intermediaries.Add(chain.AccountChain, entry);
        _chainIds.Add(chain.AccountChain);
    }

    /// <summary>Alg. 7 line 1–2 for each link of a plan: the first free TBC not yet given to an earlier link of the plan, else a new one.</summary>
    private List<LinkRequest> AllocateLinks(IEnumerable<(ChainId Icc, ChainId Ppc)> links)
    {
        var reserved = new HashSet<ChainId>();
        var requests = new List<LinkRequest>();
        foreach (var (iccId, ppc) in links)
        {
            var icc = _intermediaries[iccId];
            if (icc.FirstFreeTradingChain(reserved) is { } free)
            {
                reserved.Add(free);
                requests.Add(new LinkRequest(iccId, free, createsTradingChain: false, icc.TradingChains[free].Generation, ppc));
            }
            else
            {
                var created = NewTradingChainId(iccId, reserved);
                reserved.Add(created);
                requests.Add(new LinkRequest(iccId, created, createsTradingChain: true, 0, ppc));
            }
        }

        return requests;
    }

    /// <summary>
    /// <c>{icc}:tbc{k}</c> for the smallest k ≥ 1 not in use nor reserved. k stays below MaxChains + the plan's links
    /// (at most 4 digits), which is why an ABC id is at most <see cref="IntermediaryChain.MaxIdLengthChars"/> characters.
    /// </summary>
    private ChainId NewTradingChainId(ChainId icc, HashSet<ChainId> reserved)
    {
        for (int k = 1; ; k++)
        {
            var id = new ChainId(string.Create(CultureInfo.InvariantCulture, $"{icc.Value}:tbc{k}"));
            if (!_chainIds.Contains(id) && !reserved.Contains(id))
            {
                return id;
            }
        }
    }
}
