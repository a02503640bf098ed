namespace ChainInterop.Settlement.Channels;

/// <summary>Where a <see cref="ChannelProvider"/> stands. Stable numbers.</summary>
public enum ProviderPhase
{
    /// <summary>Agreed, but the collateral is not confirmed on chain yet: nothing is delivered or accepted.</summary>
    AwaitingCollateral = 0,

    /// <summary>Serving: delivering units and accepting iterative transactions.</summary>
    Active = 1,

    /// <summary>Stopped; <see cref="ChannelProvider.Submission"/> is the last valid transaction to submit (P2, P3).</summary>
    Settling = 2,

    /// <summary>The submission could not execute; <see cref="ChannelProvider.Submission"/> is the collateral claim (P4).</summary>
    Claiming = 3,

    /// <summary>Done; <see cref="ChannelProvider.Outcome"/> says how.</summary>
    Closed = 4,
}
