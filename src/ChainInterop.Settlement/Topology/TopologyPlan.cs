namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The outcome of planning a topology change (Alg. 0, 5, 6, 7): either a refusal (nothing changed), or the chains
/// registered and the link requests that remain to be voted on and applied, in order, with
/// <see cref="TopologyNetwork.Link"/>.
/// </summary>
public sealed class TopologyPlan
{
    private TopologyPlan(TopologyCode code, string detail, IReadOnlyList<LinkRequest> requests, IReadOnlyList<ChainId> coveringIntermediaries)
    {
        Code = code;
        Detail = detail;
        Requests = requests;
        CoveringIntermediaries = coveringIntermediaries;
    }

    /// <summary>The outcome.</summary>
    public TopologyCode Code { get; }

    /// <summary>Whether the plan was accepted.</summary>
    public bool IsOk => Code == TopologyCode.Ok;

    /// <summary>Why it was refused (empty when accepted).</summary>
    public string Detail { get; }

    /// <summary>The links to make, in order (Alg. 7 each); empty when refused.</summary>
    public IReadOnlyList<LinkRequest> Requests { get; }

    /// <summary>For a joining PPC (Alg. 5 lines 12–15): the existing ICCs chosen by greedy set cover; otherwise empty.</summary>
    public IReadOnlyList<ChainId> CoveringIntermediaries { get; }

    /// <summary>"Ok: n links" or "Code: detail".</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsOk ? $"Ok: {Requests.Count} links" : $"{Code}: {Detail}";

    internal static TopologyPlan Accepted(IReadOnlyList<LinkRequest> requests, IReadOnlyList<ChainId>? covering = null) =>
        new(TopologyCode.Ok, string.Empty, requests, covering ?? []);

    internal static TopologyPlan Refused(TopologyCode code, string detail) => new(code, detail, [], []);
}
