namespace ChainInterop.Transport.Tcp;

/// <summary>
/// How long a connection has shown no sign of life, as its keep-alive ticks see it; pure, so the rule is tested
/// without sockets or clocks. A tick reports the time since the previous tick and whether the peer showed life
/// meanwhile; the connection is idle once the silence exceeds the timeout.
/// </summary>
/// <remarks>
/// A tick counts at most <see cref="MaxTicksCredited"/> tick periods of silence, however late it runs: a tick runs late
/// when this process was starved (a busy machine, a saturated thread pool, a long GC pause), and during that time
/// this node could neither send its own keep-alives nor read the peer's, so the time is not the peer's silence. A
/// peer that is really gone is still cut, later by the time this node could not look.
/// </remarks>
internal struct IdleWatch
{
    /// <summary>The most tick periods one tick adds to the silence, however long ago the previous tick ran.</summary>
    public const int MaxTicksCredited = 2;

    private readonly TimeSpan _timeout;
    private readonly TimeSpan _maxCredit;

    /// <summary>Starts a watch with no silence yet.</summary>
    /// <param name="timeout">Silence longer than this makes the connection idle.</param>
    /// <param name="tickPeriod">The period of the ticks that call <see cref="Observe"/>.</param>
    public IdleWatch(TimeSpan timeout, TimeSpan tickPeriod)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tickPeriod, TimeSpan.Zero);
        _timeout = timeout;
        _maxCredit = tickPeriod * MaxTicksCredited;
    }

    /// <summary>The silence counted so far.</summary>
    public TimeSpan Silence { get; private set; }

    /// <summary>One tick.</summary>
    /// <param name="sinceLastTick">Time since the previous tick (or since the connection started).</param>
    /// <param name="alive">Whether the peer showed life since the previous tick.</param>
    /// <returns>True when the connection is idle: silent for longer than the timeout.</returns>
    public bool Observe(TimeSpan sinceLastTick, bool alive)
    {
        if (alive)
        {
            Silence = TimeSpan.Zero;
            return false;
        }

        Silence += sinceLastTick <= TimeSpan.Zero ? TimeSpan.Zero : sinceLastTick < _maxCredit ? sinceLastTick : _maxCredit;
        return Silence > _timeout;
    }
}
