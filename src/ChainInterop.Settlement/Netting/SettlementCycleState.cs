namespace ChainInterop.Settlement.Netting;

/// <summary>Where a settlement cycle is (seed 000 Alg. 11). Values are stable codes.</summary>
public enum SettlementCycleState
{
    /// <summary>Admitting transactions.</summary>
    Open = 0,

    /// <summary>Closed to new transactions; waiting for the in-flight ones to finish (Alg. 11 steps 2–3).</summary>
    Closing = 1,

    /// <summary>Every transaction finished; the gross obligations are final and ready to net (steps 4–10).</summary>
    Netting = 2,

    /// <summary>Netted and balanced: the net result, instructions and report may be committed to the participant chains (step 12).</summary>
    Settled = 3,

    /// <summary>Netting failed its checks twice: flagged for manual review with the evidence (step 14).</summary>
    UnderReview = 4,
}
