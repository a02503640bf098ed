namespace ChainInterop.Settlement.Topology;

/// <summary>The outcome of <see cref="TopologyNetwork.Link"/> (Alg. 8, 9).</summary>
/// <param name="Code"><see cref="TopologyCode.Ok"/> when the TBC now links the PPC; otherwise why not (nothing changed).</param>
/// <param name="Evidence">For <see cref="TopologyCode.PpcVoteRejected"/>, <see cref="TopologyCode.VerificationFailed"/> and
/// <see cref="TopologyCode.IccVoteRejected"/>: what was wrong with the evidence; otherwise <see cref="EvidenceFailure.None"/>.</param>
/// <param name="Detail">A readable explanation (empty when linked).</param>
/// <param name="CreatedTradingChain">Whether the link created its TBC (Alg. 7 line 2).</param>
public readonly record struct LinkOutcome(TopologyCode Code, EvidenceFailure Evidence, string Detail, bool CreatedTradingChain)
{
    /// <summary>Whether the PPC is now linked.</summary>
    public bool IsOk => Code == TopologyCode.Ok;

    /// <summary>"Ok" or "Code (evidence): detail".</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        IsOk ? "Ok" : Evidence == EvidenceFailure.None ? $"{Code}: {Detail}" : $"{Code} ({Evidence}): {Detail}";

    internal static LinkOutcome Refused(TopologyCode code, string detail) => new(code, EvidenceFailure.None, detail, false);

    internal static LinkOutcome Refused(TopologyCode code, EvidenceCheck check) => new(code, check.Failure, check.Detail, false);
}
