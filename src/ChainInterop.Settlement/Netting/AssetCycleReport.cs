using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// What netting did for one asset in one cycle: the gross obligations it replaced, the multilateral settlements
/// through the central counterparty, the bilateral alternative, and the liquidity saved (SPEC S3: "netting reduces
/// the number and size of settlements").
/// </summary>
/// <remarks>
/// Canonical form: <c>[asset, grossCount, grossValue, netCount, netValue, bilateralCount, bilateralValue,
/// liquiditySaved, liquiditySavedPpm]</c>; the last two are derived and checked on decoding.
/// </remarks>
public sealed class AssetCycleReport : ICanonicalEncodable<AssetCycleReport>
{
    /// <summary>The denominator of <see cref="LiquiditySavedPpm"/>: parts per million.</summary>
    public const long PartsPerMillion = 1_000_000;

    private const int FieldCount = 9;

    /// <summary>Creates the report line of one asset.</summary>
    /// <param name="asset">The asset.</param>
    /// <param name="grossCount">The number of gross obligations.</param>
    /// <param name="grossValue">Their total value.</param>
    /// <param name="netCount">The number of participants with a non-zero net (settlements through the central counterparty).</param>
    /// <param name="netValue">Σ of the positive nets.</param>
    /// <param name="bilateralCount">The number of pairs with a non-zero bilateral net.</param>
    /// <param name="bilateralValue">Σ of the bilateral nets.</param>
    /// <exception cref="ArgumentException">The asset is default, a count or value is negative, or a net value exceeds the gross value.</exception>
    public AssetCycleReport(
        AssetCode asset, int grossCount, Amount grossValue, int netCount, Amount netValue, int bilateralCount, Amount bilateralValue)
    {
        if (asset.IsDefault || grossCount < 0 || netCount < 0 || bilateralCount < 0
            || netValue.IsNegative || bilateralValue.IsNegative || netValue > grossValue || bilateralValue > grossValue)
        {
            throw new ArgumentException(
                "A report line names its asset; counts and values are not negative and net values never exceed the gross value.",
                nameof(asset));
        }

        Asset = asset;
        GrossCount = grossCount;
        GrossValue = grossValue;
        NetCount = netCount;
        NetValue = netValue;
        BilateralCount = bilateralCount;
        BilateralValue = bilateralValue;
        LiquiditySaved = grossValue - netValue;
        LiquiditySavedPpm = grossValue.IsZero ? 0 : (long)((Int128)LiquiditySaved.MinorUnits * PartsPerMillion / grossValue.MinorUnits);
    }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The number of gross obligations (transactions) netted.</summary>
    public int GrossCount { get; }

    /// <summary>Σ of the gross obligations: what would move without netting.</summary>
    public Amount GrossValue { get; }

    /// <summary>The number of settlements through the central counterparty (participants with a non-zero net).</summary>
    public int NetCount { get; }

    /// <summary>Σ of the positive nets: what the central counterparty pays out.</summary>
    public Amount NetValue { get; }

    /// <summary>The number of bilateral settlements (pairs with a non-zero bilateral net).</summary>
    public int BilateralCount { get; }

    /// <summary>Σ of the bilateral nets.</summary>
    public Amount BilateralValue { get; }

    /// <summary><see cref="GrossValue"/> − <see cref="NetValue"/>: the liquidity multilateral netting saves.</summary>
    public Amount LiquiditySaved { get; }

    /// <summary><see cref="LiquiditySaved"/> / <see cref="GrossValue"/> in parts per million, rounded down (0 when nothing was traded).</summary>
    public long LiquiditySavedPpm { get; }

    /// <summary><see cref="LiquiditySavedPpm"/> as a fraction, for display.</summary>
    public double LiquiditySavedRatio => LiquiditySavedPpm / (double)PartsPerMillion;

    /// <summary>The line of <paramref name="netting"/>.</summary>
    /// <param name="netting">One asset's netting.</param>
    /// <returns>The report line.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="netting"/> is null.</exception>
    public static AssetCycleReport From(AssetNetting netting)
    {
        ArgumentNullException.ThrowIfNull(netting);
        return new AssetCycleReport(
            netting.Asset, netting.GrossCount, netting.GrossValue, netting.NetCount, netting.NetValue, netting.BilateralCount, netting.BilateralValue);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteAssetCode(Asset);
        writer.WriteInt32(GrossCount);
        writer.WriteAmount(GrossValue);
        writer.WriteInt32(NetCount);
        writer.WriteAmount(NetValue);
        writer.WriteInt32(BilateralCount);
        writer.WriteAmount(BilateralValue);
        writer.WriteAmount(LiquiditySaved);
        writer.WriteInt64(LiquiditySavedPpm);
    }

    /// <inheritdoc />
    public static AssetCycleReport Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(FieldCount);
        var asset = reader.ReadAssetCode();
        int grossCount = reader.ReadInt32();
        var grossValue = reader.ReadAmount();
        int netCount = reader.ReadInt32();
        var netValue = reader.ReadAmount();
        int bilateralCount = reader.ReadInt32();
        var bilateralValue = reader.ReadAmount();
        var saved = reader.ReadAmount();
        long savedPpm = reader.ReadInt64();
        AssetCycleReport line;
        try
        {
            line = new AssetCycleReport(asset, grossCount, grossValue, netCount, netValue, bilateralCount, bilateralValue);
        }
        catch (ArgumentException e)
        {
            throw NettingCodec.Invalid(offset, "asset cycle report", e);
        }

        return line.LiquiditySaved == saved && line.LiquiditySavedPpm == savedPpm
            ? line
            : throw NettingCodec.Invalid(offset, "asset cycle report (liquidity saved disagrees with its inputs)");
    }
}
