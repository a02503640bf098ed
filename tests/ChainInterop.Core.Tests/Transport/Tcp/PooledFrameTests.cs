using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>The bookkeeping behind receive-buffer reuse (C6): a buffer returns only when the reader is done and every lent message is released, exactly once each.</summary>
public sealed class PooledFrameTests
{
    /// <summary>A pool that already saw a release, so it hands out pooled buffers.</summary>
    private static ReceiveBufferPool ReleasingPool()
    {
        var pool = new ReceiveBufferPool();
        var (_, probe) = Enumerable.Range(0, 100).Select(_ => pool.Rent(20_000)).First(r => r.Owner is not null);
        int token = probe!.Lend();
        probe.Seal();
        probe.Release(token);
        return pool;
    }

    [Fact]
    public void Until_a_consumer_releases_frames_get_exact_size_arrays_but_for_an_occasional_probe_C6()
    {
        var pool = new ReceiveBufferPool();
        var rented = Enumerable.Range(0, 128).Select(_ => pool.Rent(20_000)).ToList();
        Assert.Equal(2, rented.Count(r => r.Owner is not null));
        Assert.All(rented.Where(r => r.Owner is null), r => Assert.Equal(20_000, r.Array.Length));
        Assert.Null(pool.Rent(PooledFrame.SizeBytes + 1).Owner); // too large to pool
    }

    [Fact]
    public void A_probe_that_comes_back_without_a_released_message_does_not_turn_pooling_on_C6()
    {
        var pool = new ReceiveBufferPool();
        var (_, probe) = Enumerable.Range(0, 100).Select(_ => pool.Rent(20_000)).First(r => r.Owner is not null);
        probe!.Seal(); // a bad frame: nothing lent
        Assert.Equal(1, Enumerable.Range(0, 64).Count(_ => pool.Rent(20_000).Owner is not null)); // only the next probe
    }

    [Fact]
    public void A_buffer_returns_only_after_the_reader_sealed_it_and_every_message_was_released_C6()
    {
        var pool = ReleasingPool();
        var (array, frame) = pool.Rent(20_000);
        var tokens = new[] { frame!.Lend(), frame.Lend(), frame.Lend() };
        frame.Release(tokens[0]);
        frame.Seal();
        frame.Release(tokens[2]);
        Assert.NotSame(array, pool.Rent(20_000).Array); // one message still out

        frame.Release(tokens[1]);
        Assert.Same(array, pool.Rent(20_000).Array);
    }

    [Fact]
    public void A_frame_the_reader_lent_nothing_from_returns_when_sealed_C6()
    {
        var pool = ReleasingPool();
        var (array, frame) = pool.Rent(20_000);
        frame!.Seal();
        Assert.Same(array, pool.Rent(20_000).Array);
    }

    [Fact]
    public void A_second_release_or_a_release_after_reuse_throws_and_frees_nothing_C6()
    {
        var pool = ReleasingPool();
        var (array, frame) = pool.Rent(20_000);
        int first = frame!.Lend(), second = frame.Lend();
        frame.Seal();
        frame.Release(first);
        Assert.Throws<InvalidOperationException>(() => frame.Release(first));
        Assert.NotSame(array, pool.Rent(20_000).Array); // the second is still out

        frame.Release(second);
        var (again, reused) = pool.Rent(20_000);
        Assert.Same(array, again);
        int fresh = reused!.Lend();
        reused.Seal();
        Assert.Throws<InvalidOperationException>(() => reused.Release(second)); // a stale token from the last use
        Assert.Throws<InvalidOperationException>(() => reused.Release(fresh + 1)); // never lent
        reused.Release(fresh);
        Assert.Same(array, pool.Rent(20_000).Array);
    }
}
