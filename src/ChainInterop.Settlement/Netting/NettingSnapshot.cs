using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// Snapshots of netting state for a chain application's checkpoint (<c>IChainApplication.WriteSnapshot</c>): settlement
/// cycles with their books, and netting outcomes with their evidence. Written in a deterministic order; read back
/// checked, not trusted.
/// </summary>
internal static class NettingSnapshot
{
    private const int CycleFieldCount = 13;
    private const int PolicyFieldCount = 3;
    private const int OutcomeFieldCount = 5;
    private const int EvidenceFieldCount = 7;
    private const int MismatchFieldCount = 4;

    public static void WriteCycle(ref CanonicalWriter w, SettlementCycle cycle) => cycle.WriteSnapshot(ref w);

    public static SettlementCycle ReadCycle(ref CanonicalReader r) => SettlementCycle.ReadSnapshot(ref r);

    /// <summary>The fields of a cycle, for <see cref="SettlementCycle"/> itself (it holds the private parts).</summary>
    internal static void WriteCycleFields(
        ref CanonicalWriter w, SettlementCycle cycle, IReadOnlyCollection<Hash256> inFlight, IReadOnlyCollection<Hash256> abandoned)
    {
        w.WriteArrayHeader(CycleFieldCount);
        cycle.Id.Encode(ref w);
        w.WriteArrayHeader(PolicyFieldCount);
        if (cycle.Policy.PeriodMs is { } period)
        {
            w.WriteInt64(period);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteInt32(cycle.Policy.MaxTransactionsPerCycle);
        w.WriteInt32(cycle.Policy.MaxInFlightTransactions);
        w.WriteInt64(cycle.OpensAtMs);
        w.WriteInt64(cycle.LastClockMs);
        w.WriteUInt32((uint)cycle.State);
        w.WriteUInt32((uint)cycle.CloseReason);
        w.WriteInt32(cycle.StartedCount);
        WriteIds(ref w, inFlight);
        WriteIds(ref w, abandoned);
        w.WriteArrayHeader(cycle.Obligations.Count);
        foreach (var obligation in cycle.Obligations)
        {
            obligation.Encode(ref w);
        }

        WriteOptionalOutcome(ref w, cycle.Outcome);
        if (cycle.Report is { } report)
        {
            report.Encode(ref w);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteBoolean(cycle.DueAtMs.HasValue);
    }

    /// <summary>Reads a cycle's fields: its id, policy, times, state, counts, id sets, book, outcome and report.</summary>
    internal static (CycleId Id, SettlementCyclePolicy Policy, long OpensAtMs, long LastClockMs, SettlementCycleState State, CycleCloseReason CloseReason,
        int StartedCount, List<Hash256> InFlight, List<Hash256> Abandoned, List<GrossObligation> Book, NettingOutcome? Outcome, CycleReport? Report) ReadCycleFields(ref CanonicalReader r)
    {
        r.ReadArrayHeader(CycleFieldCount);
        var id = CycleId.Decode(ref r);
        r.ReadArrayHeader(PolicyFieldCount);
        long offset = r.Consumed;
        SettlementCyclePolicy policy;
        try
        {
            long? period = r.TryReadNil() ? null : r.ReadInt64();
            policy = new SettlementCyclePolicy { PeriodMs = period, MaxTransactionsPerCycle = r.ReadInt32(), MaxInFlightTransactions = r.ReadInt32() };
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw NettingCodec.Invalid(offset, "cycle policy", e);
        }

        long opensAt = r.ReadInt64();
        long lastClock = r.ReadInt64();
        var state = NettingCodec.ReadEnum<SettlementCycleState>(ref r, "cycle state");
        var closeReason = NettingCodec.ReadEnum<CycleCloseReason>(ref r, "cycle close reason");
        int started = r.ReadInt32();
        var inFlight = ReadIds(ref r);
        var abandoned = ReadIds(ref r);
        int count = r.ReadArrayHeader();
        var book = new List<GrossObligation>(count);
        for (int i = 0; i < count; i++)
        {
            book.Add(GrossObligation.Decode(ref r));
        }

        var outcome = ReadOptionalOutcome(ref r);
        var report = r.TryReadNil() ? null : CycleReport.Decode(ref r);
        offset = r.Consumed;
        if (r.ReadBoolean() != policy.PeriodMs.HasValue || lastClock < opensAt || started != inFlight.Count + abandoned.Count + book.Count)
        {
            throw NettingCodec.Invalid(offset, "cycle (inconsistent times or counts)");
        }

        return (id, policy, opensAt, lastClock, state, closeReason, started, inFlight, abandoned, book, outcome, report);
    }

    public static void WriteOptionalOutcome(ref CanonicalWriter w, NettingOutcome? outcome)
    {
        if (outcome is null)
        {
            w.WriteNil();
            return;
        }

        w.WriteArrayHeader(OutcomeFieldCount);
        w.WriteUInt32((uint)outcome.Code);
        WriteOptional(ref w, outcome.Result);
        WriteOptional(ref w, outcome.FirstAttempt);
        WriteMismatches(ref w, outcome.FirstAttemptMismatches);
        if (outcome.Review is not { } review)
        {
            w.WriteNil();
            return;
        }

        w.WriteArrayHeader(EvidenceFieldCount);
        review.Cycle.Encode(ref w);
        w.WriteArrayHeader(review.GrossRecords.Count);
        foreach (var record in review.GrossRecords)
        {
            record.Encode(ref w);
        }

        w.WriteHash256(review.GrossRecordsDigest);
        review.FirstComputation.Encode(ref w);
        WriteMismatches(ref w, review.FirstMismatches);
        review.SecondComputation.Encode(ref w);
        WriteMismatches(ref w, review.SecondMismatches);
    }

    public static NettingOutcome? ReadOptionalOutcome(ref CanonicalReader r)
    {
        if (r.TryReadNil())
        {
            return null;
        }

        r.ReadArrayHeader(OutcomeFieldCount);
        long offset = r.Consumed;
        var code = NettingCodec.ReadEnum<NettingCode>(ref r, "netting code");
        var result = r.TryReadNil() ? null : NetResult.Decode(ref r);
        var first = r.TryReadNil() ? null : NetResult.Decode(ref r);
        var firstMismatches = ReadMismatches(ref r);
        ManualReviewEvidence? review = null;
        if (!r.TryReadNil())
        {
            r.ReadArrayHeader(EvidenceFieldCount);
            var cycle = CycleId.Decode(ref r);
            int count = r.ReadArrayHeader();
            var records = new GrossObligation[count];
            for (int i = 0; i < count; i++)
            {
                records[i] = GrossObligation.Decode(ref r);
            }

            review = new ManualReviewEvidence(cycle, records, r.ReadHash256(), NetResult.Decode(ref r), ReadMismatches(ref r), NetResult.Decode(ref r), ReadMismatches(ref r));
        }

        return (code, result, first, review) switch
        {
            (NettingCode.Balanced, { } balanced, null, null) when firstMismatches.Count == 0 => NettingOutcome.Balanced(balanced),
            (NettingCode.BalancedAfterRenet, { } balanced, { } attempt, null) => NettingOutcome.BalancedAfterRenet(balanced, attempt, firstMismatches),
            (NettingCode.ManualReview, null, null, { } evidence) => NettingOutcome.ManualReview(evidence),
            _ => throw NettingCodec.Invalid(offset, "netting outcome"),
        };
    }

    private static void WriteOptional(ref CanonicalWriter w, NetResult? result)
    {
        if (result is null)
        {
            w.WriteNil();
        }
        else
        {
            result.Encode(ref w);
        }
    }

    private static void WriteMismatches(ref CanonicalWriter w, IReadOnlyList<AssetMismatch> mismatches)
    {
        w.WriteArrayHeader(mismatches.Count);
        foreach (var m in mismatches)
        {
            w.WriteArrayHeader(MismatchFieldCount);
            w.WriteAssetCode(m.Asset);
            w.WriteUInt32((uint)m.Kind);
            w.WriteInt64((long)(m.Discrepancy >> 64));
            w.WriteUInt64((ulong)(m.Discrepancy & ulong.MaxValue));
        }
    }

    private static List<AssetMismatch> ReadMismatches(ref CanonicalReader r)
    {
        int count = r.ReadArrayHeader();
        var mismatches = new List<AssetMismatch>(count);
        for (int i = 0; i < count; i++)
        {
            r.ReadArrayHeader(MismatchFieldCount);
            var asset = r.ReadAssetCode();
            var kind = NettingCodec.ReadEnum<NetMismatchKind>(ref r, "mismatch kind");
            long high = r.ReadInt64();
            ulong low = r.ReadUInt64();
            mismatches.Add(new AssetMismatch(asset, kind, ((Int128)high << 64) | low));
        }

        return mismatches;
    }

    private static void WriteIds(ref CanonicalWriter w, IReadOnlyCollection<Hash256> ids)
    {
        w.WriteArrayHeader(ids.Count);
        foreach (var id in ids.Order())
        {
            w.WriteHash256(id);
        }
    }

    private static List<Hash256> ReadIds(ref CanonicalReader r)
    {
        int count = r.ReadArrayHeader();
        var ids = new List<Hash256>(count);
        for (int i = 0; i < count; i++)
        {
            long offset = r.Consumed;
            var id = r.ReadHash256();
            if (i > 0 && id.CompareTo(ids[^1]) <= 0)
            {
                throw NettingCodec.Invalid(offset, "transaction ids (not in increasing order)");
            }

            ids.Add(id);
        }

        return ids;
    }
}
