using System.Collections.ObjectModel;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The net result of one settlement cycle (seed 000 Alg. 11 step 8; SPEC S3): per asset, every participant's
/// multilateral net and every pair's bilateral net, plus the gross count and value they came from. This is what the
/// intermediary commits to each participant chain (step 12), identified by <see cref="Digest"/>.
/// </summary>
/// <remarks>
/// Canonical form: <c>[cycle, [assetNetting…]]</c>, assets in strictly increasing ordinal order. A result may be
/// arithmetically wrong (a corrupted computation kept as review evidence); <see cref="FindMismatches"/> says whether
/// it is, and the instruction builders refuse one that is.
/// </remarks>
public sealed class NetResult : ICanonicalEncodable<NetResult>
{
    private const int FieldCount = 2;

    private readonly AssetNetting[] _assets;
    private Hash256? _digest;

    /// <summary>Creates a net result.</summary>
    /// <param name="cycle">The cycle netted.</param>
    /// <param name="assets">One netting per asset, strictly increasing by asset.</param>
    /// <exception cref="ArgumentNullException"><paramref name="assets"/> is null.</exception>
    /// <exception cref="ArgumentException">The cycle is default or the assets are not strictly increasing.</exception>
    public NetResult(CycleId cycle, IReadOnlyList<AssetNetting> assets)
        : this(cycle, CopyChecked(assets), validate: true)
    {
    }

    internal NetResult(CycleId cycle, AssetNetting[] assets, bool validate)
    {
        if (validate)
        {
            if (cycle.Intermediary.IsDefault)
            {
                throw new ArgumentException("A net result names its cycle.", nameof(cycle));
            }

            for (int i = 1; i < assets.Length; i++)
            {
                if (assets[i - 1].Asset.CompareTo(assets[i].Asset) >= 0)
                {
                    throw new ArgumentException("Assets must be in strictly increasing ordinal order.", nameof(assets));
                }
            }
        }

        Cycle = cycle;
        _assets = assets;
        Assets = new ReadOnlyCollection<AssetNetting>(assets);
    }

    /// <summary>The cycle netted; its intermediary is the central counterparty.</summary>
    public CycleId Cycle { get; }

    /// <summary>One netting per asset traded in the cycle, sorted by asset.</summary>
    public IReadOnlyList<AssetNetting> Assets { get; }

    /// <summary>SHA-256 of the canonical encoding: the id under which the result is committed and referenced.</summary>
    public Hash256 Digest => _digest ??= Hash256.Compute(Canonical.Encode(this));

    /// <summary>The netting of <paramref name="asset"/>, or null when it was not traded in the cycle.</summary>
    /// <param name="asset">The asset.</param>
    /// <returns>The netting or null.</returns>
    public AssetNetting? Find(AssetCode asset)
    {
        int lo = 0, hi = _assets.Length - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            int c = _assets[mid].Asset.CompareTo(asset);
            if (c == 0)
            {
                return _assets[mid];
            }

            (lo, hi) = c < 0 ? (mid + 1, hi) : (lo, mid - 1);
        }

        return null;
    }

    /// <summary>The multilateral net of <paramref name="participant"/> in <paramref name="asset"/>: received − paid over the cycle.</summary>
    /// <param name="participant">The participant chain.</param>
    /// <param name="asset">The asset.</param>
    /// <returns>The net; zero when it did not trade the asset.</returns>
    public Amount NetOf(ChainId participant, AssetCode asset) => Find(asset)?.NetOf(participant) ?? Amount.Zero;

    /// <summary>The bilateral net of <paramref name="participant"/> with <paramref name="counterparty"/> in <paramref name="asset"/>.</summary>
    /// <param name="participant">The participant whose view is taken.</param>
    /// <param name="counterparty">The other participant.</param>
    /// <param name="asset">The asset.</param>
    /// <returns>What it receives from the counterparty minus what it pays it; antisymmetric in the two participants.</returns>
    public Amount BilateralNetOf(ChainId participant, ChainId counterparty, AssetCode asset) =>
        Find(asset)?.BilateralNetOf(participant, counterparty) ?? Amount.Zero;

    /// <summary>
    /// Checks the arithmetic, per asset (seed 000 Alg. 11 step 10): the nets sum to zero; Σ paid and Σ received equal
    /// the gross value; each participant's bilateral nets sum to its multilateral net.
    /// </summary>
    /// <returns>The failures; empty when the result is balanced.</returns>
    public IReadOnlyList<AssetMismatch> FindMismatches()
    {
        var mismatches = new List<AssetMismatch>();
        foreach (var asset in _assets)
        {
            asset.FindMismatches(mismatches);
        }

        return mismatches;
    }

    /// <summary>
    /// Multilateral settlement through the central counterparty (the cycle's intermediary): per asset, each net
    /// debtor pays the intermediary its net, then the intermediary pays each net creditor its net. Order: by asset,
    /// then debtors' payments by participant, then creditors' receipts by participant.
    /// </summary>
    /// <returns>The instructions, bound to <see cref="Digest"/>.</returns>
    /// <exception cref="InvalidOperationException">The result is not balanced (<see cref="FindMismatches"/> is not empty).</exception>
    public SettlementInstructionSet CentralCounterpartyInstructions()
    {
        EnsureBalanced();
        var ccp = Cycle.Intermediary;
        var instructions = new List<SettlementInstruction>();
        foreach (var asset in _assets)
        {
            foreach (var p in asset.Positions)
            {
                if (p.Net.IsNegative)
                {
                    instructions.Add(new SettlementInstruction(p.Participant, ccp, asset.Asset, -p.Net));
                }
            }

            foreach (var p in asset.Positions)
            {
                if (p.Net.IsPositive)
                {
                    instructions.Add(new SettlementInstruction(ccp, p.Participant, asset.Asset, p.Net));
                }
            }
        }

        return new SettlementInstructionSet(Cycle, SettlementMode.CentralCounterparty, Digest, instructions);
    }

    /// <summary>Bilateral settlement: for every pair with a non-zero bilateral net, the debtor pays the creditor. Order: by asset, then by pair.</summary>
    /// <returns>The instructions, bound to <see cref="Digest"/>.</returns>
    /// <exception cref="InvalidOperationException">The result is not balanced (<see cref="FindMismatches"/> is not empty).</exception>
    public SettlementInstructionSet BilateralInstructions()
    {
        EnsureBalanced();
        var instructions = new List<SettlementInstruction>();
        foreach (var asset in _assets)
        {
            foreach (var b in asset.BilateralNets)
            {
                instructions.Add(new SettlementInstruction(b.Debtor, b.Creditor, asset.Asset, b.Amount));
            }
        }

        return new SettlementInstructionSet(Cycle, SettlementMode.Bilateral, Digest, instructions);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        Cycle.Encode(ref writer);
        writer.WriteArrayHeader(_assets.Length);
        foreach (var asset in _assets)
        {
            asset.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static NetResult Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(FieldCount);
        var cycle = CycleId.Decode(ref reader);
        var assets = new AssetNetting[reader.ReadArrayHeader()];
        for (int i = 0; i < assets.Length; i++)
        {
            assets[i] = AssetNetting.Decode(ref reader);
        }

        try
        {
            return new NetResult(cycle, assets, validate: true);
        }
        catch (ArgumentException e)
        {
            throw NettingCodec.Invalid(offset, "net result", e);
        }
    }

    private void EnsureBalanced()
    {
        var mismatches = FindMismatches();
        if (mismatches.Count > 0)
        {
            throw new InvalidOperationException(
                $"Net result of cycle {Cycle} is not balanced ({string.Join("; ", mismatches)}); it cannot be settled.");
        }
    }

    private static AssetNetting[] CopyChecked(IReadOnlyList<AssetNetting> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var copy = assets.ToArray();
        foreach (var a in copy)
        {
            ArgumentNullException.ThrowIfNull(a, nameof(assets));
        }

        return copy;
    }
}
