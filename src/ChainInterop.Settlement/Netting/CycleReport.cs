using System.Collections.ObjectModel;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The report of one settled cycle (SPEC S3): per asset the gross count and value, the net count and value and the
/// liquidity saved; bound to the gross records netted (<see cref="GrossRecordsDigest"/>) and to the committed net
/// result (<see cref="NetResultDigest"/>).
/// </summary>
/// <remarks>Canonical form: <c>[cycle, grossRecordsDigest, netResultDigest, renetted, participantCount, [assetReport…]]</c>, assets sorted.</remarks>
public sealed class CycleReport : ICanonicalEncodable<CycleReport>
{
    private const int FieldCount = 6;

    private readonly AssetCycleReport[] _assets;
    private Hash256? _digest;

    /// <summary>Creates a report.</summary>
    /// <param name="cycle">The cycle.</param>
    /// <param name="grossRecordsDigest">The <see cref="GrossObligationBook.ComputeDigest"/> of the records netted.</param>
    /// <param name="netResultDigest">The <see cref="NetResult.Digest"/> of the result.</param>
    /// <param name="renetted">Whether the first computation failed its checks and the result comes from the re-net.</param>
    /// <param name="participantCount">The number of participant chains that traded in the cycle.</param>
    /// <param name="assets">One line per asset, strictly increasing by asset.</param>
    /// <exception cref="ArgumentNullException"><paramref name="assets"/> is null.</exception>
    /// <exception cref="ArgumentException">The cycle is default, the count negative, or the assets out of order.</exception>
    public CycleReport(
        CycleId cycle, Hash256 grossRecordsDigest, Hash256 netResultDigest, bool renetted, int participantCount, IReadOnlyList<AssetCycleReport> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        _assets = [.. assets];
        if (cycle.Intermediary.IsDefault || participantCount < 0)
        {
            throw new ArgumentException("A cycle report names its cycle and a participant count that is not negative.", nameof(cycle));
        }

        for (int i = 0; i < _assets.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_assets[i], nameof(assets));
            if (i > 0 && _assets[i - 1].Asset.CompareTo(_assets[i].Asset) >= 0)
            {
                throw new ArgumentException("Report lines must be in strictly increasing asset order.", nameof(assets));
            }
        }

        Cycle = cycle;
        GrossRecordsDigest = grossRecordsDigest;
        NetResultDigest = netResultDigest;
        Renetted = renetted;
        ParticipantCount = participantCount;
        Assets = new ReadOnlyCollection<AssetCycleReport>(_assets);
    }

    /// <summary>The cycle.</summary>
    public CycleId Cycle { get; }

    /// <summary>The digest of the gross records netted (<see cref="GrossObligationBook.ComputeDigest"/>).</summary>
    public Hash256 GrossRecordsDigest { get; }

    /// <summary>The digest of the committed net result.</summary>
    public Hash256 NetResultDigest { get; }

    /// <summary>Whether the first computation failed its checks and the result comes from the re-net (seed 000 Alg. 11 step 14).</summary>
    public bool Renetted { get; }

    /// <summary>The number of participant chains that traded in the cycle.</summary>
    public int ParticipantCount { get; }

    /// <summary>One line per asset, sorted by asset.</summary>
    public IReadOnlyList<AssetCycleReport> Assets { get; }

    /// <summary>SHA-256 of the canonical encoding.</summary>
    public Hash256 Digest => _digest ??= Hash256.Compute(Canonical.Encode(this));

    /// <summary>The report of a balanced netting.</summary>
    /// <param name="outcome">A balanced outcome of <see cref="NettingEngine.Net"/>.</param>
    /// <param name="grossRecordsDigest">The digest of the records netted.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outcome"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="outcome"/> is not balanced.</exception>
    public static CycleReport Create(NettingOutcome outcome, Hash256 grossRecordsDigest)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.IsBalanced)
        {
            throw new ArgumentException($"Only a balanced netting has a report; this one is {outcome.Code}.", nameof(outcome));
        }

        var result = outcome.Result;
        var participants = new HashSet<ChainId>();
        var lines = new AssetCycleReport[result.Assets.Count];
        for (int i = 0; i < lines.Length; i++)
        {
            var asset = result.Assets[i];
            lines[i] = AssetCycleReport.From(asset);
            foreach (var p in asset.Positions)
            {
                participants.Add(p.Participant);
            }
        }

        return new CycleReport(
            result.Cycle, grossRecordsDigest, result.Digest, outcome.Code == NettingCode.BalancedAfterRenet, participants.Count, lines);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        Cycle.Encode(ref writer);
        writer.WriteHash256(GrossRecordsDigest);
        writer.WriteHash256(NetResultDigest);
        writer.WriteBoolean(Renetted);
        writer.WriteInt32(ParticipantCount);
        writer.WriteArrayHeader(_assets.Length);
        foreach (var line in _assets)
        {
            line.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static CycleReport Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(FieldCount);
        var cycle = CycleId.Decode(ref reader);
        var gross = reader.ReadHash256();
        var net = reader.ReadHash256();
        bool renetted = reader.ReadBoolean();
        int participants = reader.ReadInt32();
        var lines = new AssetCycleReport[reader.ReadArrayHeader()];
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = AssetCycleReport.Decode(ref reader);
        }

        try
        {
            return new CycleReport(cycle, gross, net, renetted, participants, lines);
        }
        catch (ArgumentException e)
        {
            throw NettingCodec.Invalid(offset, "cycle report", e);
        }
    }
}
