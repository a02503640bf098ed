using System.Diagnostics.CodeAnalysis;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// What <see cref="NettingEngine.Net"/> returns: a stable <see cref="Code"/>, the result to commit when balanced, and
/// otherwise the evidence for manual review. A failed check is never silently adjusted.
/// </summary>
public sealed class NettingOutcome
{
    private NettingOutcome(
        NettingCode code,
        NetResult? result,
        NetResult? firstAttempt,
        IReadOnlyList<AssetMismatch> firstAttemptMismatches,
        ManualReviewEvidence? review)
    {
        Code = code;
        Result = result;
        FirstAttempt = firstAttempt;
        FirstAttemptMismatches = firstAttemptMismatches;
        Review = review;
    }

    /// <summary>The outcome.</summary>
    public NettingCode Code { get; }

    /// <summary>Whether <see cref="Result"/> may be committed: <see cref="NettingCode.Balanced"/> or <see cref="NettingCode.BalancedAfterRenet"/>.</summary>
    [MemberNotNullWhen(true, nameof(Result))]
    public bool IsBalanced => Code is NettingCode.Balanced or NettingCode.BalancedAfterRenet;

    /// <summary>The balanced result to commit; null unless <see cref="IsBalanced"/>.</summary>
    public NetResult? Result { get; }

    /// <summary>For <see cref="NettingCode.BalancedAfterRenet"/>, the first computation that failed its checks (kept for audit); otherwise null.</summary>
    public NetResult? FirstAttempt { get; }

    /// <summary>The checks the first computation failed (empty for <see cref="NettingCode.Balanced"/>).</summary>
    public IReadOnlyList<AssetMismatch> FirstAttemptMismatches { get; }

    /// <summary>For <see cref="NettingCode.ManualReview"/>, the evidence; otherwise null.</summary>
    public ManualReviewEvidence? Review { get; }

    internal static NettingOutcome Balanced(NetResult result) => new(NettingCode.Balanced, result, null, [], null);

    internal static NettingOutcome BalancedAfterRenet(NetResult result, NetResult firstAttempt, IReadOnlyList<AssetMismatch> mismatches) =>
        new(NettingCode.BalancedAfterRenet, result, firstAttempt, mismatches, null);

    internal static NettingOutcome ManualReview(ManualReviewEvidence evidence) =>
        new(NettingCode.ManualReview, null, null, evidence.FirstMismatches, evidence);

    /// <summary>The code, with the mismatching assets when there are any.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        Code == NettingCode.ManualReview ? $"{Code}: {string.Join(", ", Review!.MismatchingAssets)}" : Code.ToString();
}
