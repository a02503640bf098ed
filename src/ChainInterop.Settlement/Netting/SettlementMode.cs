namespace ChainInterop.Settlement.Netting;

/// <summary>How a cycle's nets are settled. Values are stable codes (they are part of the canonical instruction set).</summary>
public enum SettlementMode
{
    /// <summary>Multilateral: every net debtor pays the intermediary chain (central counterparty), which pays every net creditor.</summary>
    CentralCounterparty = 1,

    /// <summary>Bilateral: for every pair, the bilateral debtor pays the bilateral creditor directly.</summary>
    Bilateral = 2,
}
