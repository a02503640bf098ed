namespace ChainInterop.Settlement.Netting;

/// <summary>Why a settlement cycle stopped admitting transactions. Values are stable codes.</summary>
public enum CycleCloseReason
{
    /// <summary>Still open.</summary>
    None = 0,

    /// <summary>The committed clock reached the cycle's due time.</summary>
    DueTime = 1,

    /// <summary>The cycle admitted <see cref="SettlementCyclePolicy.MaxTransactionsPerCycle"/> transactions.</summary>
    TransactionCount = 2,

    /// <summary>The caller closed it (e.g. an operator, or a participant leaving the network).</summary>
    Requested = 3,
}
