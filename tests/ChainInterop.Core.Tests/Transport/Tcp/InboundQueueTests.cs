using ChainInterop.Crypto;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>The TCP transport's inbound queue: order, the bound (drop newest), completion, waiting and cancellation.</summary>
public sealed class InboundQueueTests
{
    private static readonly TimeSpan Timeout = RawPeer.Timeout; // generous: a green run never waits for it
    private static readonly NodeId Node = NodeId.FromPublicKey(SignatureSchemes.Ed25519.GenerateKey().PublicKey);

    private static InboundMessage Message(int i) => new(Node, BitConverter.GetBytes(i));

    private static int Number(InboundMessage m) => BitConverter.ToInt32(m.Payload.Span);

    [Fact]
    public void Batches_and_single_messages_come_out_in_order_and_the_bound_drops_the_newest()
    {
        var queue = new InboundQueue(10);
        Assert.Equal(0, queue.Write(Enumerable.Range(0, 4).Select(Message).ToArray()));
        Assert.True(queue.TryWrite(Message(4)));
        Assert.Equal(2, queue.Write(Enumerable.Range(5, 7).Select(Message).ToArray())); // 5..9 fit, 10 and 11 dropped
        Assert.False(queue.TryWrite(Message(12)));
        Assert.Equal(10, queue.Count);

        // The batch being read still counts until it is read through.
        Assert.True(queue.TryRead(out var first));
        Assert.Equal(0, Number(first));
        Assert.False(queue.TryWrite(Message(13)));
        for (int i = 1; i < 10; i++)
        {
            Assert.True(queue.TryPeek(out var peeked));
            Assert.True(queue.TryRead(out var m));
            Assert.Equal(i, Number(m));
            Assert.Equal(i, Number(peeked));
        }

        Assert.False(queue.TryRead(out _));
        Assert.Equal(0, queue.Write(Enumerable.Range(20, 10).Select(Message).ToArray()));
        Assert.Equal(Enumerable.Range(20, 10), Drain(queue));
    }

    [Fact]
    public async Task Completion_waits_for_the_reader_to_take_everything_and_later_writes_are_dropped()
    {
        var queue = new InboundQueue(100);
        queue.Write(Enumerable.Range(0, 5).Select(Message).ToArray());
        queue.Complete();
        Assert.False(queue.TryWrite(Message(5)));
        Assert.False(queue.Completion.IsCompleted);
        var read = new List<int>();
        await foreach (var m in queue.ReadAllAsync().WithCancellation(CancellationToken.None))
        {
            read.Add(Number(m));
        }

        Assert.Equal(Enumerable.Range(0, 5), read);
        await queue.Completion.WaitAsync(Timeout);
        Assert.False(await queue.WaitToReadAsync());

        var empty = new InboundQueue(1);
        empty.Complete();
        await empty.Completion.WaitAsync(Timeout);
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await empty.ReadAsync());
    }

    [Fact]
    public async Task Connections_pause_while_more_than_the_threshold_waits_and_go_on_once_the_reader_has_read_its_batch_C6()
    {
        var queue = new InboundQueue(1_000);
        var half = new byte[InboundQueue.PauseAboveBytes / 2];
        Assert.True(queue.WaitForRoomAsync(default).AsTask().IsCompleted);
        queue.TryWrite(new InboundMessage(Node, half));
        queue.TryWrite(new InboundMessage(Node, half));
        Assert.True(queue.WaitForRoomAsync(default).AsTask().IsCompleted); // exactly at the threshold: read on
        queue.TryWrite(new InboundMessage(Node, new byte[1]));
        var room = queue.WaitForRoomAsync(default).AsTask();
        Assert.False(room.IsCompleted);

        // Taking the batch is not enough: its bytes count until the reader has read all of it.
        Assert.True(queue.TryRead(out _));
        Assert.True(queue.TryRead(out _));
        Assert.False(room.IsCompleted);
        Assert.True(queue.TryRead(out _));
        await room.WaitAsync(Timeout);
        Assert.True(queue.WaitForRoomAsync(default).AsTask().IsCompleted);
    }

    [Fact]
    public async Task A_paused_connection_is_let_go_by_completion_and_a_cancelled_pause_throws()
    {
        var queue = new InboundQueue(1_000);
        queue.TryWrite(new InboundMessage(Node, new byte[InboundQueue.PauseAboveBytes + 1]));
        using var cancel = new CancellationTokenSource();
        var cancelled = queue.WaitForRoomAsync(cancel.Token).AsTask();
        var waiting = queue.WaitForRoomAsync(default).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout));
        Assert.False(waiting.IsCompleted);

        queue.Complete();
        await waiting.WaitAsync(Timeout);
        Assert.True(queue.WaitForRoomAsync(default).AsTask().IsCompleted);
    }

    [Fact]
    public async Task A_waiting_reader_wakes_on_a_write_and_a_cancelled_wait_throws()
    {
        var queue = new InboundQueue(100);
        var reading = queue.ReadAsync().AsTask();
        Assert.False(reading.IsCompleted);
        queue.TryWrite(Message(42));
        Assert.Equal(42, Number(await reading.WaitAsync(Timeout)));

        using var cancel = new CancellationTokenSource();
        var waiting = queue.WaitToReadAsync(cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        queue.TryWrite(Message(43));
        Assert.Equal(43, Number(await queue.ReadAsync().AsTask().WaitAsync(Timeout)));
    }

    [Fact]
    public async Task Concurrent_writers_and_one_reader_lose_and_reorder_nothing_within_the_bound()
    {
        const int writers = 4, perWriter = 20_000;
        var queue = new InboundQueue(1_000_000);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            var batch = new InboundMessage[7];
            for (int i = 0; i < perWriter; i += batch.Length)
            {
                int n = Math.Min(batch.Length, perWriter - i);
                for (int j = 0; j < n; j++)
                {
                    batch[j] = new InboundMessage(Node, BitConverter.GetBytes((w << 24) | (i + j)));
                }

                Assert.Equal(0, queue.Write(batch.AsSpan(0, n)));
            }
        })).ToArray();
        var next = new int[writers];
        int total = 0;
        var reader = Task.Run(async () =>
        {
            while (total < writers * perWriter && await queue.WaitToReadAsync())
            {
                while (queue.TryRead(out var m))
                {
                    int v = Number(m);
                    Assert.Equal(next[v >> 24]++, v & 0xFFFFFF);
                    total++;
                }
            }
        });
        await Task.WhenAll(tasks).WaitAsync(Timeout);
        await reader.WaitAsync(Timeout);
        Assert.All(next, n => Assert.Equal(perWriter, n));
    }

    [Fact]
    public void A_batch_written_into_an_empty_queue_is_kept_without_a_copy_and_a_clear_array_comes_back()
    {
        var queue = new InboundQueue(1000);
        var batch = new InboundMessage[InboundQueue.BatchSlots];
        var original = batch;
        for (int i = 0; i < 3; i++)
        {
            batch[i] = Message(i);
        }

        Assert.Equal(0, queue.Write(ref batch, 3, out bool kept));
        Assert.True(kept);
        Assert.NotSame(original, batch);
        Assert.All(batch, m => Assert.Equal(default, m));

        // Not empty now: the next batch is copied, and the caller keeps (and clears) its array.
        var second = batch;
        second[0] = Message(3);
        Assert.Equal(0, queue.Write(ref second, 1, out kept));
        Assert.False(kept);
        Assert.Same(batch, second);
        Assert.Equal([0, 1, 2, 3], Drain(queue));

        // A kept batch still counts against the bound; what does not fit is dropped from the copy.
        var small = new InboundQueue(2);
        var three = new InboundMessage[InboundQueue.BatchSlots];
        three[0] = Message(7);
        three[1] = Message(8);
        three[2] = Message(9);
        Assert.Equal(1, small.Write(ref three, 3, out kept));
        Assert.False(kept);
        Assert.Equal([7, 8], Drain(small));
    }

    private static List<int> Drain(InboundQueue queue)
    {
        var list = new List<int>();
        while (queue.TryRead(out var m))
        {
            list.Add(Number(m));
        }

        return list;
    }
}
