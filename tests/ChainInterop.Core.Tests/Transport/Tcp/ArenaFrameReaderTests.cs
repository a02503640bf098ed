using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// The authenticated read loop (<see cref="ArenaFrameReader"/>) over a real pipe stream: every split of a valid
/// stream (with small, arena-crossing and large frames), trickled bytes, every truncation, every malformed header,
/// and payloads that stay intact while later reads go on (no arena is ever reused).
/// </summary>
public sealed class ArenaFrameReaderTests
{
    private const int Limit = 200_000;
    private static readonly TimeSpan Timeout = RawPeer.Timeout; // generous: a green run never waits for it

    private static readonly byte[][] Payloads =
    [
        [WireFrame.Ping],
        [WireFrame.Messages, 1, 2, 3],
        [WireFrame.Messages],
        Pattern(700, 1),
        Pattern(ArenaFrameReader.DirectReadMinBytes - 1, 2),
        Pattern(ArenaFrameReader.DirectReadMinBytes, 3),
        Pattern(70_000, 4),
        [WireFrame.Messages, 9],
    ];

    /// <summary>A pipe that never pauses its writer: the tests write whole streams before reading.</summary>
    private static Pipe NewPipe() => new(new PipeOptions(pauseWriterThreshold: 0));

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = WireFrame.Messages;
        return bytes;
    }

    private static byte[] Frames(params byte[][] payloads)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var payload in payloads)
        {
            Frame.Write(buffer, payload);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Collector : IFrameSink
    {
        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public List<ReadOnlyMemory<byte>> Frames { get; } = [];

        public int Flushes { get; private set; }

        public Func<int, FrameDecision>? Decide { get; init; }

        public FrameDecision OnFrame(ReadOnlyMemory<byte> payload, PooledFrame? owner)
        {
            Frames.Add(owner is null ? payload : payload.ToArray()); // pooled memory is not the sink's to keep
            return Decide?.Invoke(Frames.Count) ?? FrameDecision.Continue;
        }

        public void Flush() => Flushes++;

        private int _byteReads;

        /// <summary>Reads that returned bytes (read by the test while the loop runs).</summary>
        public int ByteReads => Volatile.Read(ref _byteReads);

        public void OnBytesReceived() => Interlocked.Increment(ref _byteReads);
    }

    private static async Task<(Collector Sink, FrameDecision End)> ReadAllAsync(Pipe pipe, byte[]? buffered = null, int limit = Limit)
    {
        var sink = new Collector();
        var end = await ArenaFrameReader.ReadFramesAsync(pipe.Reader.AsStream(), buffered ?? [], limit, sink, CancellationToken.None).AsTask().WaitAsync(Timeout);
        return (sink, end);
    }

    private static void AssertPayloads(IReadOnlyList<byte[]> expected, Collector sink) =>
        Assert.Equal(expected, sink.Frames.Select(f => f.ToArray()));

    [Fact]
    public async Task A_stream_split_anywhere_yields_every_frame_intact_then_a_clean_end_C6()
    {
        var stream = Frames(Payloads);
        var splits = Enumerable.Range(0, 64).Concat(Enumerable.Range(0, 200).Select(i => i * stream.Length / 200)).Append(stream.Length).Distinct();
        foreach (int split in splits)
        {
            var pipe = NewPipe();
            await pipe.Writer.WriteAsync(stream.AsMemory(0, split));
            var reading = ReadAllAsync(pipe);
            await pipe.Writer.WriteAsync(stream.AsMemory(split));
            await pipe.Writer.CompleteAsync();
            var (sink, end) = await reading;
            AssertPayloads(Payloads, sink);
            Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
        }
    }

    [Fact]
    public async Task Bytes_buffered_before_the_loop_started_come_first_C6()
    {
        var stream = Frames(Payloads);
        foreach (int split in new[] { 0, 1, 9, 10, 11, 40, 3000, stream.Length - 5, stream.Length })
        {
            var pipe = NewPipe();
            var reading = ReadAllAsync(pipe, stream[..split]);
            await pipe.Writer.WriteAsync(stream.AsMemory(split));
            await pipe.Writer.CompleteAsync();
            var (sink, end) = await reading;
            AssertPayloads(Payloads, sink);
            Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
        }
    }

    [Fact]
    public async Task A_stream_trickled_in_small_random_writes_yields_every_frame_C6()
    {
        var stream = Frames(Payloads);
        var random = new Random(7);
        var pipe = NewPipe();
        var reading = ReadAllAsync(pipe);
        for (int offset = 0; offset < stream.Length;)
        {
            int n = Math.Min(stream.Length - offset, offset < 2000 ? 1 : random.Next(1, 5000));
            await pipe.Writer.WriteAsync(stream.AsMemory(offset, n));
            offset += n;
        }

        await pipe.Writer.CompleteAsync();
        var (sink, end) = await reading;
        AssertPayloads(Payloads, sink);
        Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
    }

    [Fact]
    public async Task Every_read_that_returns_bytes_is_reported_before_its_frame_is_whole_C6()
    {
        // The connection counts bytes as life, not whole frames: a large frame on a slow link is not silence.
        var payload = Pattern(70_000, 5);
        var stream = Frames(payload);
        var pipe = NewPipe();
        var sink = new Collector();
        var reading = ArenaFrameReader.ReadFramesAsync(pipe.Reader.AsStream(), ReadOnlyMemory<byte>.Empty, Limit, sink, CancellationToken.None).AsTask();
        int offset = 0, writes = 0;
        foreach (int cut in (int[])[3, Frame.HeaderSizeBytes + 100, 30_000, 69_000]) // inside the header, in the arena, in the frame's own buffer
        {
            await pipe.Writer.WriteAsync(stream.AsMemory(offset, cut - offset));
            offset = cut;
            writes++;
            var deadline = DateTime.UtcNow + Timeout;
            while (sink.ByteReads < writes)
            {
                Assert.True(DateTime.UtcNow < deadline, $"write {writes} was never reported");
                await Task.Delay(1);
            }

            Assert.Empty(sink.Frames);
        }

        await pipe.Writer.WriteAsync(stream.AsMemory(offset));
        await pipe.Writer.CompleteAsync();
        var end = await reading.WaitAsync(Timeout);
        Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
        Assert.Equal(payload, Assert.Single(sink.Frames).ToArray());
        Assert.True(sink.ByteReads > writes);
    }

    [Fact]
    public async Task Many_small_frames_across_many_arenas_stay_intact_after_later_reads_C6()
    {
        // 3 MB of 256-byte frames: dozens of arenas. Every payload is checked after the whole stream was read, so a
        // reused arena would show as overwritten bytes.
        var payloads = Enumerable.Range(0, 12_000).Select(i => Pattern(i % 7 == 0 ? 1 + (i % 3000) : 256, i)).ToArray();
        var stream = Frames(payloads);
        var pipe = NewPipe();
        var reading = ReadAllAsync(pipe);
        for (int offset = 0; offset < stream.Length; offset += 50_000)
        {
            await pipe.Writer.WriteAsync(stream.AsMemory(offset, Math.Min(50_000, stream.Length - offset)));
        }

        await pipe.Writer.CompleteAsync();
        var (sink, end) = await reading;
        AssertPayloads(payloads, sink);
        Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
        Assert.True(sink.Flushes > 1);
    }

    [Fact]
    public async Task A_stream_ending_inside_a_frame_at_any_offset_is_a_protocol_violation_C6()
    {
        byte[][] payloads = [[WireFrame.Ping], [WireFrame.Messages, 1, 2, 3], Pattern(300, 5), Pattern(ArenaFrameReader.DirectReadMinBytes + 5, 6)];
        var stream = Frames(payloads);
        var boundaries = new HashSet<int> { 0 };
        int offset = 0;
        foreach (var payload in payloads)
        {
            offset += Frame.HeaderSizeBytes + payload.Length;
            boundaries.Add(offset);
        }

        var cuts = Enumerable.Range(0, 400).Concat(Enumerable.Range(0, 100).Select(i => stream.Length - 1 - (i * 97))).Where(c => c >= 0 && c < stream.Length).Distinct();
        foreach (int cut in cuts)
        {
            var pipe = NewPipe();
            await pipe.Writer.WriteAsync(stream.AsMemory(0, cut));
            await pipe.Writer.CompleteAsync();
            var (_, end) = await ReadAllAsync(pipe);
            Assert.Equal(boundaries.Contains(cut) ? ConnectionCloseReason.RemoteClosed : ConnectionCloseReason.ProtocolViolation, end.Reason);
        }
    }

    [Fact]
    public async Task Malformed_headers_close_with_their_reason_and_oversized_lengths_are_refused_from_the_header_alone_C6()
    {
        var good = Frames([WireFrame.Messages, 9, 9]);
        var cases = new List<(byte[] Bytes, ConnectionCloseReason Reason)>();
        var version = (byte[])good.Clone();
        version[0] = 2;
        cases.Add((version, ConnectionCloseReason.UnsupportedFrameVersion));
        var reserved = (byte[])good.Clone();
        reserved[1] = 1;
        cases.Add((reserved, ConnectionCloseReason.UnsupportedFrameVersion));
        var crc = (byte[])good.Clone();
        crc[^1] ^= 1;
        cases.Add((crc, ConnectionCloseReason.ChecksumMismatch));
        var large = Frames(Pattern(ArenaFrameReader.DirectReadMinBytes + 100, 8));
        large[^1] ^= 0x80;
        cases.Add((large, ConnectionCloseReason.ChecksumMismatch));
        var largeHeader = Frames(Pattern(ArenaFrameReader.DirectReadMinBytes + 100, 8));
        largeHeader[2] ^= 1; // the declared length: the CRC covers the header too
        cases.Add((largeHeader.Concat(new byte[1]).ToArray(), ConnectionCloseReason.ChecksumMismatch));
        cases.Add(("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), ConnectionCloseReason.UnsupportedFrameVersion));
        foreach (int length in new[] { -1, int.MinValue, Limit + 1, int.MaxValue, Frame.MaxPayloadSizeBytes + 1 })
        {
            var header = new byte[Frame.HeaderSizeBytes];
            header[0] = Frame.CurrentVersion;
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(2), length);
            cases.Add((header, ConnectionCloseReason.FrameTooLarge));
        }

        foreach (var (bytes, reason) in cases)
        {
            // A good frame first: it is delivered, then the bad one closes. The writer is never completed, so the
            // reader must decide from the bytes alone, not wait for a payload that will not come.
            var pipe = NewPipe();
            await pipe.Writer.WriteAsync(Frames([WireFrame.Messages, 7]));
            await pipe.Writer.WriteAsync(bytes);
            var (sink, end) = await ReadAllAsync(pipe);
            AssertPayloads([[WireFrame.Messages, 7]], sink);
            Assert.Equal(reason, end.Reason);
            Assert.True(sink.Flushes >= 1);
        }
    }

    [Fact]
    public async Task The_limit_is_checked_before_a_large_payload_is_allocated_or_read_C6()
    {
        // A header declaring one byte over the limit, whose payload never comes: refused at once.
        var header = new byte[Frame.HeaderSizeBytes];
        header[0] = Frame.CurrentVersion;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(2), 100_001);
        var pipe = NewPipe();
        await pipe.Writer.WriteAsync(header);
        var (_, end) = await ReadAllAsync(pipe, limit: 100_000);
        Assert.Equal(ConnectionCloseReason.FrameTooLarge, end.Reason);
    }

    [Fact]
    public async Task The_sink_can_stop_the_loop_C6()
    {
        var pipe = NewPipe();
        await pipe.Writer.WriteAsync(Frames(Payloads));
        var sink = new Collector { Decide = n => n == 2 ? FrameDecision.Close(ConnectionCloseReason.ProtocolViolation, "stop") : FrameDecision.Continue };
        var end = await ArenaFrameReader.ReadFramesAsync(pipe.Reader.AsStream(), ReadOnlyMemory<byte>.Empty, Limit, sink, CancellationToken.None).AsTask().WaitAsync(Timeout);
        Assert.Equal(ConnectionCloseReason.ProtocolViolation, end.Reason);
        Assert.Equal(2, sink.Frames.Count);
    }
}
