namespace ChainInterop.Transport.Tcp;

/// <summary>
/// Capped exponential backoff with "equal jitter": the n-th consecutive failure waits between half and all of
/// min(max, initial · 2ⁿ). The jitter comes from a seeded <see cref="Random"/>, so a seed reproduces the sequence.
/// Not thread-safe: one per dial loop.
/// </summary>
internal sealed class ReconnectBackoff
{
    private const int MaxDoublings = 30;

    private readonly double _initialMs;
    private readonly double _maxMs;
    private readonly Random _random;
    private int _failures;

    public ReconnectBackoff(int initialMs, int maxMs, Random random)
    {
        _initialMs = initialMs;
        _maxMs = maxMs;
        _random = random;
    }

    /// <summary>The delay before the next attempt; each call counts one more failure.</summary>
    public TimeSpan Next()
    {
        double ceiling = Math.Min(_maxMs, _initialMs * Math.Pow(2, Math.Min(_failures, MaxDoublings)));
        _failures++;
        return TimeSpan.FromMilliseconds((ceiling / 2) + (_random.NextDouble() * ceiling / 2));
    }

    /// <summary>Forgets the failures (after a connection authenticated).</summary>
    public void Reset() => _failures = 0;
}
