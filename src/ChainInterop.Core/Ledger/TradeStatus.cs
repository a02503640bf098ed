namespace ChainInterop.Ledger;

/// <summary>Where a cross-chain transaction stands on a trading chain (seed 000 S2). Values are stable codes.</summary>
public enum TradeStatus
{
    /// <summary>The leg through this TBC is reserved on the ABC and awaits the outcome.</summary>
    Pending = 1,

    /// <summary>The transaction executed: the ABC posting was committed.</summary>
    Committed = 2,

    /// <summary>The transaction was cancelled (e.g. the Time1 timeout): the ABC reservation was released.</summary>
    Cancelled = 3,
}
