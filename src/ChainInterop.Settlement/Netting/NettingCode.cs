namespace ChainInterop.Settlement.Netting;

/// <summary>The outcome of netting a cycle. The numbers are stable codes: never renumber or reuse one.</summary>
public enum NettingCode
{
    /// <summary>The first computation passed every check; its result may be committed.</summary>
    Balanced = 0,

    /// <summary>The first computation failed a check; the re-net from the gross records passed and its result may be
    /// committed (seed 000 Alg. 11 step 14, "conduct multilateral netting again"). The failed attempt is kept for audit.</summary>
    BalancedAfterRenet = 1,

    /// <summary>Both computations failed a check: nothing may be committed; the cycle goes to manual review with the
    /// evidence (seed 000 Alg. 11 step 14, "manual verification").</summary>
    ManualReview = 2,
}
