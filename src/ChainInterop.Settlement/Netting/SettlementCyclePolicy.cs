namespace ChainInterop.Settlement.Netting;

/// <summary>
/// When a settlement cycle ends (SPEC S3: "per settlement cycle (hour, day, week; configurable)"; seed 000 [0200]):
/// after a duration on the committed clock, after a number of transactions, or whichever comes first. Time is always a
/// committed timestamp the caller passes in (e.g. block time), never a local clock, so every replica closes the cycle
/// at the same point.
/// </summary>
public sealed record SettlementCyclePolicy
{
    /// <summary>The default for <see cref="MaxTransactionsPerCycle"/>.</summary>
    public const int DefaultMaxTransactionsPerCycle = 1_000_000;

    /// <summary>The default for <see cref="MaxInFlightTransactions"/>.</summary>
    public const int DefaultMaxInFlightTransactions = 100_000;

    private readonly long? _periodMs;
    private readonly int _maxTransactionsPerCycle = DefaultMaxTransactionsPerCycle;
    private readonly int _maxInFlightTransactions = DefaultMaxInFlightTransactions;

    /// <summary>One hour on the committed clock.</summary>
    public static SettlementCyclePolicy Hourly { get; } = ByDuration(TimeSpan.FromHours(1));

    /// <summary>One day on the committed clock.</summary>
    public static SettlementCyclePolicy Daily { get; } = ByDuration(TimeSpan.FromDays(1));

    /// <summary>One week on the committed clock.</summary>
    public static SettlementCyclePolicy Weekly { get; } = ByDuration(TimeSpan.FromDays(7));

    /// <summary>
    /// The cycle's length on the committed clock, in milliseconds: it stops admitting transactions at
    /// opening time + <see cref="PeriodMs"/>. Null: no time trigger (the cycle ends by transaction count only).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public long? PeriodMs
    {
        get => _periodMs;
        init
        {
            if (value is { } v)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(v);
            }

            _periodMs = value;
        }
    }

    /// <summary>
    /// The most transactions a cycle admits (started, whatever their outcome); the cycle closes when it admits the
    /// last one. The count trigger of a count policy, and the cap of a duration policy. 1 to
    /// <see cref="GrossObligationBook.MaxObligationsPerCycle"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 to <see cref="GrossObligationBook.MaxObligationsPerCycle"/>.</exception>
    public int MaxTransactionsPerCycle
    {
        get => _maxTransactionsPerCycle;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, GrossObligationBook.MaxObligationsPerCycle);
            _maxTransactionsPerCycle = value;
        }
    }

    /// <summary>The most transactions in flight (started, not finished) at once; more are refused. At least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxInFlightTransactions
    {
        get => _maxInFlightTransactions;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxInFlightTransactions = value;
        }
    }

    /// <summary>A cycle of <paramref name="period"/> on the committed clock (capped at <see cref="DefaultMaxTransactionsPerCycle"/> transactions).</summary>
    /// <param name="period">The length: whole milliseconds, at least one.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1 ms or not a whole number of milliseconds.</exception>
    public static SettlementCyclePolicy ByDuration(TimeSpan period)
    {
        if (period.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A cycle period is a whole number of milliseconds.");
        }

        return new SettlementCyclePolicy { PeriodMs = period.Ticks / TimeSpan.TicksPerMillisecond };
    }

    /// <summary>A cycle that ends after <paramref name="transactions"/> transactions, with no time trigger.</summary>
    /// <param name="transactions">1 to <see cref="GrossObligationBook.MaxObligationsPerCycle"/>.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transactions"/> is out of range.</exception>
    public static SettlementCyclePolicy ByTransactionCount(int transactions) => new() { MaxTransactionsPerCycle = transactions };
}
