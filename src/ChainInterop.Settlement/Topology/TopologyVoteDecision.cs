namespace ChainInterop.Settlement.Topology;

/// <summary>What a chain's validators decided in a topology vote. Values are stable codes (they are signed).</summary>
public enum TopologyVoteDecision
{
    /// <summary>The chain refuses.</summary>
    Reject = 0,

    /// <summary>The chain agrees.</summary>
    Approve = 1,
}
