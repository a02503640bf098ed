namespace ChainInterop.Settlement.Topology;

/// <summary>Alg. 8 and 9: checking a link's evidence and linking the TBC.</summary>
public sealed partial class TopologyNetwork
{
    /// <summary>
    /// Alg. 8, link a PPC with the TBC of an ICC, given the evidence: (line 1) the PPC's internal vote approving the
    /// request, checked against the PPC's registered validators; (lines 3–4, Alg. 9) the PPC's signed verification
    /// information, which the ICC's ABC checks against the same validators; (line 6) the ICC's vote, checked against
    /// the ICC's validators; only then (line 8) the TBC is linked — created first if the request says so.
    /// </summary>
    /// <remarks>
    /// The request must still match the network: the PPC not yet linked to the ICC, and the TBC either free at the
    /// request's generation or, for a new one, not existing yet. Otherwise the votes were cast on another state and
    /// the link is <see cref="TopologyCode.StaleRequest"/>; replaying a record that was already applied is refused the
    /// same way (<see cref="TopologyCode.AlreadyLinked"/> or <see cref="TopologyCode.StaleRequest"/>) and never links twice.
    /// </remarks>
    /// <param name="record">The request and its evidence.</param>
    /// <returns>The outcome; any refusal changes nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> or one of its parts is null.</exception>
    public LinkOutcome Link(LinkRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Request);
        ArgumentNullException.ThrowIfNull(record.ParticipantVote);
        ArgumentNullException.ThrowIfNull(record.VerificationInfo);
        ArgumentNullException.ThrowIfNull(record.IntermediaryVote);
        var request = record.Request;

        if (!_intermediaries.TryGetValue(request.Intermediary, out var icc))
        {
            return LinkOutcome.Refused(TopologyCode.UnknownChain, $"intermediary {request.Intermediary} is not registered");
        }

        if (!_participants.TryGetValue(request.Participant, out var ppc))
        {
            return LinkOutcome.Refused(TopologyCode.UnknownChain, $"participant {request.Participant} is not registered");
        }

        if (icc.ByParticipant.TryGetValue(request.Participant, out var linkedThrough))
        {
            return LinkOutcome.Refused(TopologyCode.AlreadyLinked, $"{request.Participant} is linked to {request.Intermediary} through {linkedThrough}");
        }

        if (CheckTradingChain(icc, request) is { } stale)
        {
            return stale;
        }

        // Line 1: the PPC's own consensus decided to link.
        var participantVote = record.ParticipantVote.Verify(request.Digest, request.Participant, ppc.Chain.Validators);
        if (!participantVote.IsValid)
        {
            return LinkOutcome.Refused(TopologyCode.PpcVoteRejected, participantVote);
        }

        // Lines 3-5 and Alg. 9: the TBC hands the PPC's signed information to the ABC, which verifies it.
        var verification = record.VerificationInfo.Verify(request, record.ParticipantVote, ppc.Chain.Validators);
        if (!verification.IsValid)
        {
            return LinkOutcome.Refused(TopologyCode.VerificationFailed, verification);
        }

        // Line 6: the ICC's consensus decided to link.
        var intermediaryVote = record.IntermediaryVote.Verify(request.Digest, request.Intermediary, icc.Chain.Validators);
        if (!intermediaryVote.IsValid)
        {
            return LinkOutcome.Refused(TopologyCode.IccVoteRejected, intermediaryVote);
        }

        // Line 8: connect the TBC with the PPC.
        if (!icc.TradingChains.TryGetValue(request.TradingChain, out var slot))
        {
            slot = new TradingChainSlot();
            icc.TradingChains.Add(request.TradingChain, slot);
            _chainIds.Add(request.TradingChain);
        }

        slot.Participant = request.Participant;
        slot.Generation++;
        icc.ByParticipant.Add(request.Participant, request.TradingChain);
        ppc.Intermediaries.Add(request.Intermediary);
        Sequence++;
        return new LinkOutcome(TopologyCode.Ok, EvidenceFailure.None, string.Empty, request.CreatesTradingChain);
    }

    private LinkOutcome? CheckTradingChain(Intermediary icc, LinkRequest request)
    {
        if (request.CreatesTradingChain)
        {
            if (_chainIds.Contains(request.TradingChain))
            {
                return LinkOutcome.Refused(TopologyCode.StaleRequest, $"chain {request.TradingChain} already exists; the request was to create it");
            }

            return icc.TradingChains.Count >= MaxTradingChainsPerIntermediary || _chainIds.Count >= MaxChains
                ? LinkOutcome.Refused(TopologyCode.LimitReached, $"no room for trading chain {request.TradingChain}")
                : null;
        }

        if (!icc.TradingChains.TryGetValue(request.TradingChain, out var slot))
        {
            return LinkOutcome.Refused(TopologyCode.StaleRequest, $"{request.TradingChain} is not a trading chain of {request.Intermediary}");
        }

        if (!slot.IsFree || slot.Generation != request.Generation)
        {
            return LinkOutcome.Refused(TopologyCode.StaleRequest,
                $"{request.TradingChain} is at generation {slot.Generation}{(slot.IsFree ? string.Empty : $", linked to {slot.Participant}")}; the request is for a free TBC at generation {request.Generation}");
        }

        return null;
    }
}
