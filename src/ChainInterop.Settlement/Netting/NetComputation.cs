namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The working arrays of one net computation, indexed by the book's participant and asset indices (first-seen order).
/// The single pass over the gross records only adds each amount to its ordered pair's total (<see cref="PairGross"/>);
/// everything else (paid, received, bilateral nets, gross per asset) is derived from those totals, in
/// O(participants² × assets), independent of the number of records.
/// </summary>
internal sealed class NetComputation
{
    /// <summary>The most ordered-pair cells (participants² × assets) kept in dense arrays (8 MiB of totals); above it dictionaries hold only the pairs that traded.</summary>
    public const long DensePairCellLimit = 1 << 20;

    /// <param name="participantOrder">The book's participant indices in ordinal order of their names (rank → index).</param>
    /// <param name="assetCount">The number of assets in the book.</param>
    public NetComputation(int[] participantOrder, int assetCount)
    {
        int participantCount = participantOrder.Length;
        Order = participantOrder;
        ParticipantCount = participantCount;
        AssetCount = assetCount;
        Paid = new long[participantCount * assetCount];
        Received = new long[participantCount * assetCount];
        Gross = new long[assetCount];
        long pairCells = (long)participantCount * participantCount * assetCount;
        if (pairCells <= DensePairCellLimit)
        {
            PairGross = new long[pairCells];
            DenseBilateral = new long[participantCount * (participantCount - 1L) / 2 * assetCount];
            RowStarts = new int[participantCount];
            for (int low = 0; low < participantCount; low++)
            {
                RowStarts[low] = low * ((2 * participantCount) - low - 1) / 2 * assetCount;
            }
        }
        else
        {
            SparsePairGross = [];
            SparseBilateral = [];
        }
    }

    public int ParticipantCount { get; }

    /// <summary>Rank → book index: participants in ordinal order of their names.</summary>
    public int[] Order { get; }

    public int AssetCount { get; }

    /// <summary>Σ of what payer paid payee, at <c>(payer * ParticipantCount + payee) * AssetCount + asset</c>; null when sparse.</summary>
    public long[]? PairGross { get; }

    /// <summary>The same totals keyed by <see cref="Key"/>(payer, payee, asset), when the dense table would be too large.</summary>
    public Dictionary<long, long>? SparsePairGross { get; }

    /// <summary>Σ paid, at <c>participant * AssetCount + asset</c>.</summary>
    public long[] Paid { get; }

    /// <summary>Σ received, at <c>participant * AssetCount + asset</c>.</summary>
    public long[] Received { get; }

    /// <summary>Σ of the obligations per asset (Σ of the pair totals).</summary>
    public long[] Gross { get; }

    /// <summary>
    /// For the pair of ranks low &lt; high (ordinal order of names), the bilateral net of the participant ranked low
    /// with the one ranked high (received from it − paid to it) at <see cref="DenseCell"/>, laid out row by row in
    /// canonical pair order; null when sparse.
    /// </summary>
    public long[]? DenseBilateral { get; }

    /// <summary>Where row <c>low</c> of <see cref="DenseBilateral"/> starts: <c>low * (2P − low − 1) / 2 * AssetCount</c>.</summary>
    public int[]? RowStarts { get; }

    /// <summary>
    /// The bilateral nets keyed by <see cref="Key"/>(lo, hi, asset) over book indices lo &lt; hi (lo's net with hi),
    /// when the dense tables would be too large.
    /// </summary>
    public Dictionary<long, long>? SparseBilateral { get; }

    /// <summary>The cell of ranks low &lt; high in <see cref="DenseBilateral"/>.</summary>
    public int DenseCell(int low, int high, int asset) => RowStarts![low] + ((high - low - 1) * AssetCount) + asset;

    /// <summary>A dictionary key for (first, second, asset); participant indices are below 2^20, assets below 2^23.</summary>
    public static long Key(int first, int second, int asset) => ((long)asset << 40) | ((long)first << 20) | (uint)second;

    public static (int First, int Second, int Asset) FromKey(long key) =>
        ((int)((key >> 20) & 0xFFFFF), (int)(key & 0xFFFFF), (int)(key >> 40));

}
