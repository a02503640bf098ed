namespace ChainInterop.Settlement.Channels;

/// <summary>Where a channel registered on chain stands. Stable numbers (part of the contract's state hash).</summary>
public enum ChannelState
{
    /// <summary>Registered with its collateral; no transaction of the channel settled yet.</summary>
    Open = 1,

    /// <summary>The provider's submitted iterative transaction was executed (P2).</summary>
    Settled = 2,

    /// <summary>The provider was paid from the collateral (P4).</summary>
    Claimed = 3,
}
