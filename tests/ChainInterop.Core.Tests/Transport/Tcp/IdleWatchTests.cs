using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>The idle rule as a pure function of the ticks: silence beyond the timeout, life resets it, a late tick counts at most two periods (C6).</summary>
public sealed class IdleWatchTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(1_000);

    [Fact]
    public void Ticks_on_time_make_a_silent_connection_idle_once_the_silence_exceeds_the_timeout()
    {
        var watch = new IdleWatch(Timeout, Period);
        for (int tick = 1; tick <= 10; tick++)
        {
            Assert.False(watch.Observe(Period, alive: false), $"idle after {tick} ticks");
        }

        Assert.Equal(Timeout, watch.Silence);
        Assert.True(watch.Observe(Period, alive: false));
    }

    [Fact]
    public void Any_sign_of_life_starts_the_silence_over()
    {
        var watch = new IdleWatch(Timeout, Period);
        for (int round = 0; round < 5; round++)
        {
            for (int tick = 0; tick < 9; tick++)
            {
                Assert.False(watch.Observe(Period, alive: false));
            }

            Assert.False(watch.Observe(Period, alive: true));
            Assert.Equal(TimeSpan.Zero, watch.Silence);
        }
    }

    [Fact]
    public void A_tick_that_runs_late_counts_at_most_two_periods_of_silence()
    {
        // This node was starved for a minute: it could neither send keep-alives nor read them, so that is not the
        // peer's silence.
        var watch = new IdleWatch(Timeout, Period);
        Assert.False(watch.Observe(TimeSpan.FromMinutes(1), alive: false));
        Assert.Equal(Period * IdleWatch.MaxTicksCredited, watch.Silence);

        // Ticks that a starved pool runs back to back add (almost) nothing.
        Assert.False(watch.Observe(TimeSpan.Zero, alive: false));
        Assert.False(watch.Observe(TimeSpan.FromTicks(-1), alive: false));
        Assert.Equal(Period * IdleWatch.MaxTicksCredited, watch.Silence);
    }

    [Fact]
    public void A_peer_that_is_gone_is_still_cut_on_a_node_whose_ticks_are_always_late()
    {
        var watch = new IdleWatch(Timeout, Period);
        int ticks = 0;
        while (!watch.Observe(TimeSpan.FromSeconds(10), alive: false))
        {
            ticks++;
        }

        // 200 ms credited per tick: idle at the sixth (1,200 ms > 1,000 ms).
        Assert.Equal(5, ticks);
    }
}
