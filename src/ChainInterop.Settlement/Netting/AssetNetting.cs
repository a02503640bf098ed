using System.Collections.ObjectModel;
using ChainInterop.Codec;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The netting of one asset over a cycle: its gross count and value, every participant's multilateral position and
/// every pair's bilateral net. Positions are sorted by participant and bilateral nets by pair (ordinal), so the
/// canonical form is unique.
/// </summary>
/// <remarks>
/// Canonical form: <c>[asset, grossCount, grossValue, [position…], [bilateral…]]</c>. Construction checks the
/// structure (order, no duplicates, positive bilateral amounts, distinct parties) but not the arithmetic: a wrong
/// computation must stay representable so that it can be shown as evidence; <see cref="NetResult.FindMismatches"/>
/// checks the arithmetic.
/// </remarks>
public sealed class AssetNetting : ICanonicalEncodable<AssetNetting>
{
    private const int FieldCount = 5;

    private readonly NetPosition[] _positions;
    private readonly BilateralNet[] _bilateral;

    /// <summary>Creates the netting of one asset.</summary>
    /// <param name="asset">The asset.</param>
    /// <param name="grossCount">The number of gross obligations in the asset, not negative.</param>
    /// <param name="grossValue">Their total value, not negative.</param>
    /// <param name="positions">One position per participant that paid or received, strictly increasing by participant.</param>
    /// <param name="bilateralNets">The non-zero bilateral nets, strictly increasing by (<see cref="BilateralNet.First"/>,
    /// <see cref="BilateralNet.Second"/>), each with distinct parties and a positive amount.</param>
    /// <exception cref="ArgumentNullException">A list is null.</exception>
    /// <exception cref="ArgumentException">A field breaks the rules above.</exception>
    /// <exception cref="OverflowException">The derived net or bilateral value leaves the 64-bit range.</exception>
    public AssetNetting(
        AssetCode asset, int grossCount, Amount grossValue, IReadOnlyList<NetPosition> positions, IReadOnlyList<BilateralNet> bilateralNets)
        : this(asset, grossCount, grossValue, Copy(positions), Copy(bilateralNets), validate: true)
    {
    }

    /// <summary>Takes ownership of the arrays; the engine builds them in canonical order and skips the order checks.</summary>
    internal AssetNetting(AssetCode asset, int grossCount, Amount grossValue, NetPosition[] positions, BilateralNet[] bilateralNets, bool validate)
    {
        if (validate)
        {
            Validate(asset, grossCount, grossValue, positions, bilateralNets);
        }

        Asset = asset;
        GrossCount = grossCount;
        GrossValue = grossValue;
        _positions = positions;
        _bilateral = bilateralNets;
        Positions = new ReadOnlyCollection<NetPosition>(positions);
        BilateralNets = new ReadOnlyCollection<BilateralNet>(bilateralNets);
        var netValue = Amount.Zero;
        int netCount = 0;
        foreach (var p in positions)
        {
            var net = p.Net;
            netCount += net.IsZero ? 0 : 1;
            netValue = net.IsPositive ? netValue + net : netValue;
        }

        var bilateralValue = Amount.Zero;
        foreach (var b in bilateralNets)
        {
            bilateralValue += b.Amount;
        }

        NetCount = netCount;
        NetValue = netValue;
        BilateralValue = bilateralValue;
    }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The number of gross obligations in the asset.</summary>
    public int GrossCount { get; }

    /// <summary>The total value of the gross obligations.</summary>
    public Amount GrossValue { get; }

    /// <summary>One position per participant that paid or received the asset, sorted by participant.</summary>
    public IReadOnlyList<NetPosition> Positions { get; }

    /// <summary>The non-zero bilateral nets, sorted by pair.</summary>
    public IReadOnlyList<BilateralNet> BilateralNets { get; }

    /// <summary>The number of participants with a non-zero net: the settlements through the central counterparty.</summary>
    public int NetCount { get; }

    /// <summary>Σ of the positive nets: what the central counterparty pays out (and, when balanced, takes in).</summary>
    public Amount NetValue { get; }

    /// <summary>The number of pairs with a non-zero bilateral net: the settlements without a central counterparty.</summary>
    public int BilateralCount => _bilateral.Length;

    /// <summary>Σ of the bilateral nets: what moves when pairs settle directly.</summary>
    public Amount BilateralValue { get; }

    /// <summary>The multilateral net of <paramref name="participant"/>: received − paid, zero when it did not trade the asset.</summary>
    /// <param name="participant">The participant chain.</param>
    /// <returns>The net.</returns>
    public Amount NetOf(ChainId participant)
    {
        int i = FindPosition(participant);
        return i >= 0 ? _positions[i].Net : Amount.Zero;
    }

    /// <summary>
    /// The bilateral net of <paramref name="participant"/> with <paramref name="counterparty"/>: what it receives from
    /// the counterparty minus what it pays it; antisymmetric, zero when they did not trade or their obligations cancel.
    /// </summary>
    /// <param name="participant">The participant whose view is taken.</param>
    /// <param name="counterparty">The other participant.</param>
    /// <returns>The signed net.</returns>
    public Amount BilateralNetOf(ChainId participant, ChainId counterparty)
    {
        bool participantFirst = participant.CompareTo(counterparty) < 0;
        var first = participantFirst ? participant : counterparty;
        var second = participantFirst ? counterparty : participant;
        int lo = 0, hi = _bilateral.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            int c = ComparePair(_bilateral[mid].First, _bilateral[mid].Second, first, second);
            if (c == 0)
            {
                var b = _bilateral[mid];
                return b.Creditor == participant ? b.Amount : -b.Amount;
            }

            (lo, hi) = c < 0 ? (mid + 1, hi) : (lo, mid - 1);
        }

        return Amount.Zero;
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteAssetCode(Asset);
        writer.WriteInt32(GrossCount);
        writer.WriteAmount(GrossValue);
        writer.WriteArrayHeader(_positions.Length);
        foreach (var p in _positions)
        {
            p.Encode(ref writer);
        }

        writer.WriteArrayHeader(_bilateral.Length);
        foreach (var b in _bilateral)
        {
            b.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static AssetNetting Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(FieldCount);
        var asset = reader.ReadAssetCode();
        int grossCount = reader.ReadInt32();
        var grossValue = reader.ReadAmount();
        var positions = new NetPosition[reader.ReadArrayHeader()];
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i] = NetPosition.Decode(ref reader);
        }

        var bilateral = new BilateralNet[reader.ReadArrayHeader()];
        for (int i = 0; i < bilateral.Length; i++)
        {
            bilateral[i] = BilateralNet.Decode(ref reader);
        }

        try
        {
            return new AssetNetting(asset, grossCount, grossValue, positions, bilateral, validate: true);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw NettingCodec.Invalid(offset, "asset netting", e);
        }
    }

    /// <summary>Adds this asset's arithmetic failures to <paramref name="mismatches"/> (seed 000 Alg. 11 step 10, plus the gross and bilateral cross-checks).</summary>
    internal void FindMismatches(List<AssetMismatch> mismatches)
    {
        Int128 sumNet = 0, sumPaid = 0, sumReceived = 0;
        var index = new Dictionary<ChainId, int>(_positions.Length);
        for (int i = 0; i < _positions.Length; i++)
        {
            var p = _positions[i];
            sumNet += (Int128)p.Received.MinorUnits - p.Paid.MinorUnits;
            sumPaid += p.Paid.MinorUnits;
            sumReceived += p.Received.MinorUnits;
            index[p.Participant] = i;
        }

        if (sumNet != 0)
        {
            mismatches.Add(new AssetMismatch(Asset, NetMismatchKind.NonZeroSum, sumNet));
        }

        if (sumPaid != GrossValue.MinorUnits || sumReceived != GrossValue.MinorUnits)
        {
            var discrepancy = sumPaid != GrossValue.MinorUnits ? sumPaid - GrossValue.MinorUnits : sumReceived - GrossValue.MinorUnits;
            mismatches.Add(new AssetMismatch(Asset, NetMismatchKind.GrossDisagrees, discrepancy));
        }

        // Σ over counterparties of each participant's bilateral net must be its multilateral net. A party that appears
        // only in the bilateral list (no position) is compared against zero.
        var implied = new Int128[_positions.Length];
        Int128 orphans = 0;
        foreach (var b in _bilateral)
        {
            if (index.TryGetValue(b.Creditor, out int creditor))
            {
                implied[creditor] += b.Amount.MinorUnits;
            }
            else
            {
                orphans += b.Amount.MinorUnits;
            }

            if (index.TryGetValue(b.Debtor, out int debtor))
            {
                implied[debtor] -= b.Amount.MinorUnits;
            }
            else
            {
                orphans += b.Amount.MinorUnits;
            }
        }

        Int128 bilateralDiscrepancy = orphans;
        for (int i = 0; i < _positions.Length; i++)
        {
            bilateralDiscrepancy += Int128.Abs(implied[i] - ((Int128)_positions[i].Received.MinorUnits - _positions[i].Paid.MinorUnits));
        }

        if (bilateralDiscrepancy != 0)
        {
            mismatches.Add(new AssetMismatch(Asset, NetMismatchKind.BilateralDisagrees, bilateralDiscrepancy));
        }
    }

    internal static int ComparePair(ChainId first1, ChainId second1, ChainId first2, ChainId second2)
    {
        int c = first1.CompareTo(first2);
        return c != 0 ? c : second1.CompareTo(second2);
    }

    private int FindPosition(ChainId participant)
    {
        int lo = 0, hi = _positions.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            int c = _positions[mid].Participant.CompareTo(participant);
            if (c == 0)
            {
                return mid;
            }

            (lo, hi) = c < 0 ? (mid + 1, hi) : (lo, mid - 1);
        }

        return -1;
    }

    private static void Validate(AssetCode asset, int grossCount, Amount grossValue, NetPosition[] positions, BilateralNet[] bilateral)
    {
        if (asset.IsDefault)
        {
            throw new ArgumentException("An asset netting needs its asset.", nameof(asset));
        }

        if (grossCount < 0 || grossValue.IsNegative)
        {
            throw new ArgumentException("Gross count and value cannot be negative.", nameof(grossCount));
        }

        for (int i = 0; i < positions.Length; i++)
        {
            if (positions[i].Participant.IsDefault || (i > 0 && positions[i - 1].Participant.CompareTo(positions[i].Participant) >= 0))
            {
                throw new ArgumentException("Positions must name participants in strictly increasing ordinal order.", nameof(positions));
            }
        }

        for (int i = 0; i < bilateral.Length; i++)
        {
            var b = bilateral[i];
            if (b.Debtor.IsDefault || b.Creditor.IsDefault || b.Debtor == b.Creditor || !b.Amount.IsPositive)
            {
                throw new ArgumentException("A bilateral net names two distinct participants and a positive amount.", nameof(bilateral));
            }

            if (i > 0 && ComparePair(bilateral[i - 1].First, bilateral[i - 1].Second, b.First, b.Second) >= 0)
            {
                throw new ArgumentException("Bilateral nets must be in strictly increasing pair order.", nameof(bilateral));
            }
        }
    }

    private static T[] Copy<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [.. items];
    }
}
