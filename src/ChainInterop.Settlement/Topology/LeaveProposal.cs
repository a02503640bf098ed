namespace ChainInterop.Settlement.Topology;

/// <summary>The outcome of <see cref="TopologyNetwork.ProposeLeave"/>.</summary>
/// <param name="Code"><see cref="TopologyCode.Ok"/>, or <see cref="TopologyCode.UnknownChain"/>.</param>
/// <param name="Request">The request for the PPC to vote on; null when refused.</param>
public readonly record struct LeaveProposal(TopologyCode Code, LeaveRequest? Request)
{
    /// <summary>Whether a request was made.</summary>
    public bool IsOk => Code == TopologyCode.Ok;
}
