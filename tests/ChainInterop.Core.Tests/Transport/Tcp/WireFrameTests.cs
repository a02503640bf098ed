using System.Buffers;
using System.Buffers.Binary;
using ChainInterop.Framing;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// The TCP transport's message frames (C6): the send queue packs queued messages into frames of length-prefixed
/// records, one header and one CRC-32C per frame, and the receiver's record checks refuse every malformed body.
/// </summary>
public sealed class WireFrameTests
{
    /// <summary>The payload of a message frame holding <paramref name="messages"/>.</summary>
    public static byte[] Messages(params byte[][] messages)
    {
        var frame = new List<byte> { WireFrame.Messages };
        foreach (var message in messages)
        {
            var length = new byte[WireFrame.RecordHeaderBytes];
            BinaryPrimitives.WriteInt32LittleEndian(length, message.Length);
            frame.AddRange(length);
            frame.AddRange(message);
        }

        return [.. frame];
    }

    /// <summary>The messages of a message frame's payload (kind byte first), checked as the receiver checks them.</summary>
    public static List<byte[]> Records(byte[] framePayload)
    {
        Assert.Equal(WireFrame.Messages, framePayload[0]);
        Assert.Null(WireFrame.CheckRecords(framePayload.AsSpan(1), int.MaxValue));
        var messages = new List<byte[]>();
        for (int offset = 1; offset < framePayload.Length;)
        {
            messages.Add(WireFrame.TakeRecord(framePayload, ref offset).ToArray());
        }

        return messages;
    }

    /// <summary>Every frame in what the writer took, parsed and CRC-checked like the receiver does.</summary>
    private static List<byte[]> Frames(SendBatch batch)
    {
        var frames = new List<byte[]>();
        foreach (var block in batch.Blocks)
        {
            var bytes = new ReadOnlySequence<byte>(block.Frames);
            while (!bytes.IsEmpty)
            {
                Assert.Equal(FrameStatus.Complete, Frame.TryRead(ref bytes, int.MaxValue, out var payload));
                frames.Add(payload.ToArray());
            }
        }

        return frames;
    }

    [Fact]
    public void Queued_small_messages_share_one_frame_and_one_checksum_and_arrive_in_order_C6()
    {
        var queue = new SendQueue(1000, 1 << 20);
        var sent = Enumerable.Range(0, 100).Select(i => Enumerable.Repeat((byte)i, i).ToArray()).ToList();
        foreach (var message in sent)
        {
            Assert.True(queue.TryEnqueue(message));
        }

        var batch = queue.TakeAll();
        Assert.Equal(100, batch.DataFrames);
        var frame = Assert.Single(Frames(batch));
        Assert.Equal(sent, Records(frame));
    }

    [Fact]
    public void A_frame_fills_up_to_the_batch_limit_and_a_large_message_gets_a_frame_of_its_own_C6()
    {
        var queue = new SendQueue(100_000, 64L << 20);
        var small = new byte[1000];
        int perFrame = (WireFrame.BatchPayloadBytes - 1) / (WireFrame.RecordHeaderBytes + small.Length);
        for (int i = 0; i < perFrame + 1; i++)
        {
            Assert.True(queue.TryEnqueue(small));
        }

        var large = Enumerable.Range(0, 3 * WireFrame.BatchPayloadBytes).Select(i => (byte)i).ToArray();
        Assert.True(queue.TryEnqueue(large));
        Assert.True(queue.TryEnqueue(small));

        // A full frame, the one small message that did not fit, the large one alone, and a new frame after it.
        var frames = Frames(queue.TakeAll());
        Assert.Equal([perFrame, 1, 1, 1], frames.Select(f => Records(f).Count));
        Assert.True(frames[0].Length <= WireFrame.BatchPayloadBytes);
        Assert.Equal(large, Records(frames[2])[0]);
        Assert.Equal([small], Records(frames[3]));
    }

    [Fact]
    public void A_keep_alive_is_a_frame_of_its_own_and_messages_after_it_start_a_new_frame_C6()
    {
        var queue = new SendQueue(10, 1 << 20);
        queue.EnqueuePing();
        Assert.True(queue.TryEnqueue([1]));
        Assert.True(queue.TryEnqueue([2]));

        var frames = Frames(queue.TakeAll());
        Assert.Equal([WireFrame.Ping], frames[0]);
        Assert.Equal([[1], [2]], Records(frames[1]));
        Assert.Equal(2, frames.Count);
    }

    [Fact]
    public void The_queue_still_bounds_messages_and_bytes_when_they_share_frames_C6()
    {
        var queue = new SendQueue(maxFrames: 3, maxBytes: 1 << 20);
        Assert.True(queue.TryEnqueue([1]));
        Assert.True(queue.TryEnqueue([2]));
        Assert.True(queue.TryEnqueue([3]));
        Assert.False(queue.TryEnqueue([4]));
        Assert.Equal(3, queue.Frames);

        var bytes = new SendQueue(maxFrames: 100, maxBytes: 100);
        Assert.True(bytes.TryEnqueue(new byte[50]));
        Assert.False(bytes.TryEnqueue(new byte[50])); // 15 + 54 + 54 > 100
        Assert.Equal([new byte[50]], Records(Assert.Single(Frames(bytes.TakeAll()))));
    }

    [Fact]
    public void After_the_writer_takes_the_queue_new_messages_go_into_a_new_frame_C6()
    {
        var queue = new SendQueue(10, 1 << 20);
        Assert.True(queue.TryEnqueue([1]));
        var first = queue.TakeAll();
        Assert.True(queue.TryEnqueue([2]));
        var second = queue.TakeAll();

        Assert.Equal([[1]], Records(Assert.Single(Frames(first))));
        Assert.Equal([[2]], Records(Assert.Single(Frames(second))));
    }

    public static TheoryData<string, byte[], string> MalformedBodies() => new()
    {
        { "empty", [], "without a message" },
        { "truncated length", [1, 0, 0], "truncated" },
        { "negative length", [0, 0, 0, 0x80], "over the" },
        { "over the message limit", [11, 0, 0, 0, .. new byte[11]], "over the 10-byte limit" },
        { "past the frame", [5, 0, 0, 0, 1, 2, 3, 4], "longer than its frame" },
        { "leftover byte", [1, 0, 0, 0, 7, 0], "truncated" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_record_bodies_are_refused_with_a_reason_C6(string why, byte[] body, string expected)
    {
        var detail = WireFrame.CheckRecords(body, maxMessageBytes: 10);
        Assert.NotNull(detail);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(why));
    }

    [Fact]
    public void Empty_messages_and_messages_at_the_limit_are_sound_records_C6()
    {
        var body = Messages([], new byte[10], [])[1..];
        Assert.Null(WireFrame.CheckRecords(body, maxMessageBytes: 10));
    }
}
