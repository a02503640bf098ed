namespace ChainInterop.Blocks;

/// <summary>
/// The outcome of verifying a block, a chain or a certificate: <see cref="IsValid"/>, or the first
/// <see cref="Failure"/> with the height of the block where it was found and a readable detail.
/// </summary>
/// <param name="Failure">What failed, or <see cref="VerificationFailure.None"/>.</param>
/// <param name="Height">The height of the block at fault, when a block is at fault.</param>
/// <param name="Detail">A human-readable explanation (empty when valid).</param>
public readonly record struct VerificationResult(VerificationFailure Failure, ulong? Height, string Detail)
{
    /// <summary>The successful result.</summary>
    public static VerificationResult Valid => new(VerificationFailure.None, null, string.Empty);

    /// <summary>Whether nothing failed.</summary>
    public bool IsValid => Failure == VerificationFailure.None;

    /// <summary>Creates a failed result.</summary>
    /// <param name="failure">What failed.</param>
    /// <param name="height">The block at fault, if any.</param>
    /// <param name="detail">The explanation.</param>
    /// <returns>The result.</returns>
    public static VerificationResult Fail(VerificationFailure failure, ulong? height, string detail) => new(failure, height, detail);

    /// <summary>This result, attributed to block <paramref name="height"/> when it names no block yet.</summary>
    /// <param name="height">The block being verified.</param>
    /// <returns>The result with a height.</returns>
    public VerificationResult AtHeight(ulong height) => IsValid || Height is not null ? this : this with { Height = height };

    /// <summary>"valid" or "Failure at height H: detail".</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        IsValid ? "valid" : Height is { } h ? $"{Failure} at height {h}: {Detail}" : $"{Failure}: {Detail}";
}
