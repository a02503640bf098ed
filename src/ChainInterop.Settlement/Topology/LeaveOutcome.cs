namespace ChainInterop.Settlement.Topology;

/// <summary>The outcome of <see cref="TopologyNetwork.Leave"/>.</summary>
public sealed class LeaveOutcome
{
    private LeaveOutcome(
        TopologyCode code, EvidenceFailure evidence, string detail, int pendingLegs,
        IReadOnlyList<FreedTradingChain> freedTradingChains, IReadOnlyList<ChainId> underlinkedIntermediaries)
    {
        Code = code;
        Evidence = evidence;
        Detail = detail;
        PendingLegs = pendingLegs;
        FreedTradingChains = freedTradingChains;
        UnderlinkedIntermediaries = underlinkedIntermediaries;
    }

    /// <summary><see cref="TopologyCode.Ok"/> when the PPC left; otherwise why not (nothing changed).</summary>
    public TopologyCode Code { get; }

    /// <summary>Whether the PPC left.</summary>
    public bool IsOk => Code == TopologyCode.Ok;

    /// <summary>For <see cref="TopologyCode.PpcVoteRejected"/>: what was wrong with the vote.</summary>
    public EvidenceFailure Evidence { get; }

    /// <summary>A readable explanation (empty when the PPC left).</summary>
    public string Detail { get; }

    /// <summary>For <see cref="TopologyCode.PendingLegs"/>: how many legs are still pending.</summary>
    public int PendingLegs { get; }

    /// <summary>The TBCs the PPC used, now free and reusable, in ICC order.</summary>
    public IReadOnlyList<FreedTradingChain> FreedTradingChains { get; }

    /// <summary>
    /// The ICCs the PPC was linked to that now link fewer than two PPCs, in id order. They stay in the network with
    /// their remaining link (that PPC's balances on the ABC stay reachable) and are reported by
    /// <see cref="TopologyNetwork.UnderlinkedIntermediaries"/> until another PPC links to them (Alg. 7, or Alg. 5
    /// which considers them when covering a joining PPC's partners).
    /// </summary>
    public IReadOnlyList<ChainId> UnderlinkedIntermediaries { get; }

    /// <summary>"Ok: freed n TBCs, m ICCs underlinked" or "Code: detail".</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        IsOk ? $"Ok: freed {FreedTradingChains.Count} TBCs, {UnderlinkedIntermediaries.Count} ICCs underlinked" : $"{Code}: {Detail}";

    internal static LeaveOutcome Left(IReadOnlyList<FreedTradingChain> freed, IReadOnlyList<ChainId> underlinked) =>
        new(TopologyCode.Ok, EvidenceFailure.None, string.Empty, 0, freed, underlinked);

    internal static LeaveOutcome Refused(TopologyCode code, string detail, EvidenceFailure evidence = EvidenceFailure.None, int pendingLegs = 0) =>
        new(code, evidence, detail, pendingLegs, [], []);
}
