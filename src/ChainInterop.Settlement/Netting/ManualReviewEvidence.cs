using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// What an operator needs to review a cycle whose netting failed its checks twice (seed 000 Alg. 11 step 14): the
/// gross records as netted, both computations exactly as they came out, and which assets failed which check. Nothing
/// here has been adjusted.
/// </summary>
public sealed class ManualReviewEvidence
{
    internal ManualReviewEvidence(
        CycleId cycle,
        GrossObligation[] grossRecords,
        Hash256 grossRecordsDigest,
        NetResult first,
        IReadOnlyList<AssetMismatch> firstMismatches,
        NetResult second,
        IReadOnlyList<AssetMismatch> secondMismatches)
    {
        Cycle = cycle;
        GrossRecords = Array.AsReadOnly(grossRecords);
        GrossRecordsDigest = grossRecordsDigest;
        FirstComputation = first;
        FirstMismatches = firstMismatches;
        SecondComputation = second;
        SecondMismatches = secondMismatches;
        MismatchingAssets = firstMismatches.Concat(secondMismatches).Select(m => m.Asset).Distinct().Order().ToArray().AsReadOnly();
    }

    /// <summary>The cycle.</summary>
    public CycleId Cycle { get; }

    /// <summary>A copy of the gross records netted, in recording order.</summary>
    public IReadOnlyList<GrossObligation> GrossRecords { get; }

    /// <summary>Their digest (<see cref="GrossObligationBook.ComputeDigest"/>).</summary>
    public Hash256 GrossRecordsDigest { get; }

    /// <summary>The first computation, unadjusted.</summary>
    public NetResult FirstComputation { get; }

    /// <summary>The checks the first computation failed.</summary>
    public IReadOnlyList<AssetMismatch> FirstMismatches { get; }

    /// <summary>The re-net from the gross records, unadjusted.</summary>
    public NetResult SecondComputation { get; }

    /// <summary>The checks the re-net failed.</summary>
    public IReadOnlyList<AssetMismatch> SecondMismatches { get; }

    /// <summary>Every asset that failed a check in either computation, sorted.</summary>
    public IReadOnlyList<AssetCode> MismatchingAssets { get; }
}
