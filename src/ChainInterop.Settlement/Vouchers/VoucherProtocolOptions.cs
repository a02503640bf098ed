namespace ChainInterop.Settlement.Vouchers;

/// <summary>Timeouts, limits and the shared fee schedule of the voucher parties. Validated by each party's constructor.</summary>
public sealed class VoucherProtocolOptions
{
    /// <summary>How long the originator waits for every destination's decision, in milliseconds (V2).</summary>
    public long FeedbackTimeoutMs { get; init; } = 10_000;

    /// <summary>How long a destination waits for every auxiliary's confirmation, in milliseconds (V2).</summary>
    public long AuxiliaryTimeoutMs { get; init; } = 5_000;

    /// <summary>How long the originator waits for the third party's retention notice, in milliseconds (V3).</summary>
    public long RetentionTimeoutMs { get; init; } = 30_000;

    /// <summary>How long the third party waits for each round of confirmations or co-signatures, in milliseconds (V3).</summary>
    public long ConfirmationTimeoutMs { get; init; } = 10_000;

    /// <summary>How old a voucher may be when a party first sees it, in milliseconds; replays are remembered this long.</summary>
    public long MaxVoucherAgeMs { get; init; } = 600_000;

    /// <summary>How far in the future a voucher's timestamp may be, in milliseconds (clock skew between institutions).</summary>
    public long MaxClockSkewMs { get; init; } = 5_000;

    /// <summary>The most flows (and remembered vouchers) one party keeps at once, in flows.</summary>
    public int MaxOpenFlows { get; init; } = 100_000;

    /// <summary>The most retained voucher pairs the third party archives, in records.</summary>
    public int MaxRetainedRecords { get; init; } = 1_000_000;

    /// <summary>The fee schedule every party derives clearing relations with; it must be the same at every institution.</summary>
    public FeeSchedule Fees { get; init; } = FeeSchedule.None;

    /// <summary>Throws when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout, age or limit is not positive (skew may be zero).</exception>
    /// <exception cref="ArgumentNullException"><see cref="Fees"/> is null.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(FeedbackTimeoutMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(AuxiliaryTimeoutMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RetentionTimeoutMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ConfirmationTimeoutMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxVoucherAgeMs);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxClockSkewMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxOpenFlows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRetainedRecords);
        ArgumentNullException.ThrowIfNull(Fees);
    }

    /// <summary>Whether a voucher created at <paramref name="createdAtMs"/> is fresh at <paramref name="nowMs"/>.</summary>
    internal VoucherCheck CheckFresh(long createdAtMs, long nowMs) =>
        createdAtMs < nowMs - MaxVoucherAgeMs || createdAtMs > nowMs + MaxClockSkewMs
            ? VoucherCheck.Fail(VoucherFailure.Stale, $"voucher dated {createdAtMs} is outside [{nowMs - MaxVoucherAgeMs}, {nowMs + MaxClockSkewMs}]")
            : VoucherCheck.Valid;
}
