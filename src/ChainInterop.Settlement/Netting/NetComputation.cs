namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The working arrays of one net computation, indexed by the book's participant and asset indices (first-seen order).
/// Internal: the engine fills it from the gross records and then materializes a <see cref="NetResult"/>.
/// </summary>
internal sealed class NetComputation
{
    /// <summary>The most bilateral cells (pairs × assets) kept in a dense array (8 MiB); above it a dictionary holds only the pairs that traded.</summary>
    public const long DenseBilateralCellLimit = 1 << 20;

    public NetComputation(int participantCount, int assetCount)
    {
        ParticipantCount = participantCount;
        AssetCount = assetCount;
        Paid = new long[participantCount * assetCount];
        Received = new long[participantCount * assetCount];
        Gross = new long[assetCount];
        Count = new int[assetCount];
        long cells = (long)participantCount * (participantCount - 1) / 2 * assetCount;
        if (cells <= DenseBilateralCellLimit)
        {
            DenseBilateral = new long[cells];
            TriangleOffsets = new int[participantCount];
            for (int hi = 0; hi < participantCount; hi++)
            {
                TriangleOffsets[hi] = hi * (hi - 1) / 2 * assetCount;
            }
        }
        else
        {
            SparseBilateral = [];
        }
    }

    public int ParticipantCount { get; }

    public int AssetCount { get; }

    /// <summary>Σ paid, at <c>participant * AssetCount + asset</c>.</summary>
    public long[] Paid { get; }

    /// <summary>Σ received, at <c>participant * AssetCount + asset</c>.</summary>
    public long[] Received { get; }

    /// <summary>Σ of the obligations per asset.</summary>
    public long[] Gross { get; }

    /// <summary>The number of obligations per asset.</summary>
    public int[] Count { get; }

    /// <summary>
    /// For the unordered pair lo &lt; hi (book indices), lo's bilateral net with hi (received from hi − paid to hi) at
    /// <c>TriangleOffsets[hi] + lo * AssetCount + asset</c>; null when the table would exceed <see cref="DenseBilateralCellLimit"/>.
    /// </summary>
    public long[]? DenseBilateral { get; }

    /// <summary><c>hi * (hi − 1) / 2 * AssetCount</c>, for <see cref="DenseBilateral"/>.</summary>
    public int[]? TriangleOffsets { get; }

    /// <summary>The same nets as <see cref="DenseBilateral"/>, keyed by <see cref="SparseKey"/>, when the dense table would be too large.</summary>
    public Dictionary<long, long>? SparseBilateral { get; }

    public int DenseCell(int lo, int hi, int asset) => TriangleOffsets![hi] + (lo * AssetCount) + asset;

    public static long SparseKey(int lo, int hi, int asset) => ((long)asset << 40) | ((long)lo << 20) | (uint)hi;

    public static (int Lo, int Hi, int Asset) FromSparseKey(long key) =>
        ((int)((key >> 20) & 0xFFFFF), (int)(key & 0xFFFFF), (int)(key >> 40));

    /// <summary>lo's bilateral net with hi in <paramref name="asset"/>, from whichever table is in use.</summary>
    public long Bilateral(int lo, int hi, int asset) =>
        DenseBilateral is { } dense ? dense[DenseCell(lo, hi, asset)] : SparseBilateral!.GetValueOrDefault(SparseKey(lo, hi, asset));
}
