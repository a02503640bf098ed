namespace ChainInterop.Settlement.Channels;

/// <summary>How a provider's channel ended. Stable numbers.</summary>
public enum ChannelOutcome
{
    /// <summary>Not ended yet.</summary>
    None = 0,

    /// <summary>The last valid iterative transaction executed on chain (P2).</summary>
    Settled = 1,

    /// <summary>The contract paid the last valid iterative transaction from the collateral (P4).</summary>
    Claimed = 2,

    /// <summary>The channel ended before any transaction was accepted: nothing to submit.</summary>
    NothingToSettle = 3,

    /// <summary>The chain refused both the submission and the claim; <see cref="ChannelProvider.FinalCode"/> says why.</summary>
    Failed = 4,
}
