namespace ChainInterop.Settlement.Topology;

/// <summary>The outcome of verifying a <see cref="TopologyVote"/> or a <see cref="LinkVerificationInfo"/>.</summary>
/// <param name="Failure">What failed, or <see cref="EvidenceFailure.None"/>.</param>
/// <param name="Detail">A readable explanation (empty when valid).</param>
public readonly record struct EvidenceCheck(EvidenceFailure Failure, string Detail)
{
    /// <summary>The successful check.</summary>
    public static EvidenceCheck Valid => new(EvidenceFailure.None, string.Empty);

    /// <summary>Whether the evidence verified.</summary>
    public bool IsValid => Failure == EvidenceFailure.None;

    /// <summary>"valid" or "Failure: detail".</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsValid ? "valid" : $"{Failure}: {Detail}";
}
