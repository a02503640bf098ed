namespace ChainInterop.Settlement.Netting;

/// <summary>
/// Evidence that a net computation is wrong for one asset: which check failed and by how much. Exact, whatever the
/// corruption: the discrepancy is computed in 128 bits.
/// </summary>
/// <param name="Asset">The asset.</param>
/// <param name="Kind">The check that failed.</param>
/// <param name="Discrepancy">For <see cref="NetMismatchKind.NonZeroSum"/> the sum of the nets; for
/// <see cref="NetMismatchKind.GrossDisagrees"/> the first non-zero difference from the reference gross value (the
/// engine: the gross the book recorded, checked against the computed gross, then Σ paid, then Σ received;
/// <see cref="NetResult.FindMismatches"/>: the result's own gross value, against Σ paid, then Σ received); for
/// <see cref="NetMismatchKind.BilateralDisagrees"/> Σ over participants of |bilateral sum − multilateral net|.</param>
public readonly record struct AssetMismatch(AssetCode Asset, NetMismatchKind Kind, Int128 Discrepancy)
{
    /// <summary>The mismatch as <c>asset kind discrepancy</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Asset} {Kind} {Discrepancy}";
}
