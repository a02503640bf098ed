namespace ChainInterop.Settlement.Topology;

/// <summary>A bank (PPC) leaving the network.</summary>
public sealed partial class TopologyNetwork
{
    /// <summary>The request for <paramref name="participant"/>'s validators to vote on before it leaves. Changes nothing.</summary>
    /// <param name="participant">The PPC.</param>
    /// <returns>The request, or <see cref="TopologyCode.UnknownChain"/>.</returns>
    public LeaveProposal ProposeLeave(ChainId participant) =>
        _participants.TryGetValue(participant, out var p)
            ? new LeaveProposal(TopologyCode.Ok, new LeaveRequest(participant, p.MemberSince))
            : new LeaveProposal(TopologyCode.UnknownChain, null);

    /// <summary>
    /// A PPC leaves cleanly: its vote must approve the leave, and it must have no pending cross-chain leg. Then each
    /// of its TBCs is freed (kept by its ICC, reusable by the next link), it is removed from the network and from the
    /// partners other PPCs declared, and the ICCs left with fewer than two PPCs are reported.
    /// </summary>
    /// <remarks>
    /// Decision: an ICC left with one PPC (or none) is <b>not</b> removed. The remaining PPC may still hold balances on
    /// its ABC, and the ICC becomes useful again as soon as another PPC links to it (Alg. 7, or a joining PPC's cover,
    /// Alg. 5). It is listed in <see cref="LeaveOutcome.UnderlinkedIntermediaries"/> and
    /// <see cref="UnderlinkedIntermediaries"/> so the operator can relink it or wind it down; no transfer can route
    /// through it meanwhile, since a transfer needs two PPCs on one ICC.
    /// </remarks>
    /// <param name="record">The leave request and the PPC's vote approving it.</param>
    /// <param name="pendingLegs">The pending legs, from the cross-chain transaction protocol.</param>
    /// <returns>The outcome: <see cref="TopologyCode.Ok"/>, or <see cref="TopologyCode.UnknownChain"/>, <see cref="TopologyCode.StaleRequest"/>
    /// (the PPC left and joined again since the request), <see cref="TopologyCode.PpcVoteRejected"/>, <see cref="TopologyCode.PendingLegs"/>,
    /// with nothing changed.</returns>
    /// <exception cref="ArgumentNullException">An argument or a part of <paramref name="record"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="pendingLegs"/> returned a negative count.</exception>
    public LeaveOutcome Leave(LeaveRecord record, IPendingLegs pendingLegs)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Request);
        ArgumentNullException.ThrowIfNull(record.ParticipantVote);
        ArgumentNullException.ThrowIfNull(pendingLegs);
        var id = record.Request.Participant;
        if (!_participants.TryGetValue(id, out var ppc))
        {
            return LeaveOutcome.Refused(TopologyCode.UnknownChain, $"participant {id} is not registered");
        }

        if (record.Request.MemberSince != ppc.MemberSince)
        {
            return LeaveOutcome.Refused(TopologyCode.StaleRequest,
                $"{id} is a member since {ppc.MemberSince}; the request is for its membership since {record.Request.MemberSince}");
        }

        var vote = record.ParticipantVote.Verify(record.Request.Digest, id, ppc.Chain.Validators);
        if (!vote.IsValid)
        {
            return LeaveOutcome.Refused(TopologyCode.PpcVoteRejected, vote.Detail, vote.Failure);
        }

        int pending = pendingLegs.CountPending(id);
        if (pending < 0)
        {
            throw new InvalidOperationException($"{nameof(IPendingLegs)} returned {pending} pending legs for {id}.");
        }

        if (pending > 0)
        {
            return LeaveOutcome.Refused(TopologyCode.PendingLegs, $"{id} has {pending} pending legs", pendingLegs: pending);
        }

        var freed = new List<FreedTradingChain>();
        var underlinked = new List<ChainId>();
        foreach (var iccId in ppc.Intermediaries)
        {
            var icc = _intermediaries[iccId];
            var tbc = icc.ByParticipant[id];
            icc.ByParticipant.Remove(id);
            icc.TradingChains[tbc].Participant = default;
            freed.Add(new FreedTradingChain(iccId, tbc));
            if (icc.ByParticipant.Count < 2)
            {
                underlinked.Add(iccId);
            }
        }

        _participants.Remove(id);
        _chainIds.Remove(id);
        foreach (var other in _participants.Values)
        {
            other.Partners.Remove(id);
        }

        Sequence++;
        return LeaveOutcome.Left(freed, underlinked);
    }
}
