namespace ChainInterop.Settlement.Netting;

/// <summary>Which check of a net computation failed for an asset. Values are stable codes.</summary>
public enum NetMismatchKind
{
    /// <summary>The participants' nets do not sum to zero (seed 000 Alg. 11 step 10).</summary>
    NonZeroSum = 1,

    /// <summary>Σ paid or Σ received over the participants differs from the asset's gross value.</summary>
    GrossDisagrees = 2,

    /// <summary>Some participant's bilateral nets do not sum to its multilateral net.</summary>
    BilateralDisagrees = 3,
}
