namespace ChainInterop.Settlement.Netting;

/// <summary>Where netting a cycle overflowed: the asset whose gross total left the 64-bit range and the record that made it.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="RecordIndex">The index, in recording order, of the obligation whose amount made the total overflow.</param>
/// <param name="Record">That obligation.</param>
public sealed record NettingOverflow(AssetCode Asset, int RecordIndex, GrossObligation Record);
