using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// The transport's read loop over a real <see cref="Pipe"/>: every split offset of a valid multi-frame stream, every
/// truncation, every malformed header (the pure <see cref="Frame.TryRead"/> itself is covered by FrameTests).
/// </summary>
public sealed class FrameReaderTests
{
    private const int Limit = 4096;
    private static readonly TimeSpan Timeout = RawPeer.Timeout; // generous: a green run never waits for it

    private static readonly byte[][] Payloads = [[WireFrame.Ping], [WireFrame.Messages, 1, 2, 3], [WireFrame.Messages], [.. Enumerable.Range(0, 700).Select(i => (byte)i)]];

    private static byte[] Stream(params byte[][] payloads)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var payload in payloads)
        {
            Frame.Write(buffer, payload);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<(List<byte[]> Frames, FrameDecision End)> ReadAllAsync(Pipe pipe, int limit = Limit)
    {
        var frames = new List<byte[]>();
        var end = await FrameReader.ReadFramesAsync(pipe.Reader, limit, payload =>
        {
            frames.Add(payload.ToArray());
            return FrameDecision.Continue;
        }, CancellationToken.None).AsTask().WaitAsync(Timeout);
        return (frames, end);
    }

    [Fact]
    public async Task A_stream_written_in_two_parts_split_at_every_offset_yields_every_frame_then_a_clean_end_C6()
    {
        var stream = Stream(Payloads);
        for (int split = 0; split <= stream.Length; split++)
        {
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(stream.AsMemory(0, split));
            var reading = ReadAllAsync(pipe);
            await pipe.Writer.WriteAsync(stream.AsMemory(split));
            await pipe.Writer.CompleteAsync();
            var (frames, end) = await reading;
            Assert.Equal(Payloads, frames);
            Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
        }
    }

    [Fact]
    public async Task A_stream_trickled_one_byte_per_write_yields_every_frame_C6()
    {
        var stream = Stream(Payloads);
        var pipe = new Pipe();
        var reading = ReadAllAsync(pipe);
        foreach (byte b in stream)
        {
            await pipe.Writer.WriteAsync(new[] { b });
        }

        await pipe.Writer.CompleteAsync();
        var (frames, end) = await reading;
        Assert.Equal(Payloads, frames);
        Assert.Equal(ConnectionCloseReason.RemoteClosed, end.Reason);
    }

    [Fact]
    public async Task A_stream_ending_inside_a_frame_at_any_offset_is_a_protocol_violation_C6()
    {
        var stream = Stream(Payloads);
        var boundaries = new HashSet<int> { 0 };
        int offset = 0;
        foreach (var payload in Payloads)
        {
            offset += Frame.HeaderSizeBytes + payload.Length;
            boundaries.Add(offset);
        }

        for (int cut = 0; cut < stream.Length; cut++)
        {
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(stream.AsMemory(0, cut));
            await pipe.Writer.CompleteAsync();
            var (_, end) = await ReadAllAsync(pipe);
            Assert.Equal(boundaries.Contains(cut) ? ConnectionCloseReason.RemoteClosed : ConnectionCloseReason.ProtocolViolation, end.Reason);
        }
    }

    [Fact]
    public async Task Malformed_headers_close_with_their_reason_and_oversized_lengths_are_refused_from_the_header_alone_C6()
    {
        var good = Stream([WireFrame.Messages, 9, 9]);
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
            // A good frame first: it is delivered, then the bad header closes. The writer is never completed, so the
            // reader must decide from the bytes alone, not wait for a payload that will not come.
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(Stream([WireFrame.Messages, 7]));
            await pipe.Writer.WriteAsync(bytes);
            var (frames, end) = await ReadAllAsync(pipe);
            Assert.Equal([[WireFrame.Messages, 7]], frames);
            Assert.Equal(reason, end.Reason);
        }
    }

    [Fact]
    public async Task Pausing_leaves_the_following_frames_readable_at_once_C6()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Stream(Payloads));
        var first = new List<byte[]>();
        var paused = await FrameReader.ReadFramesAsync(pipe.Reader, Limit, p =>
        {
            first.Add(p.ToArray());
            return FrameDecision.Pause;
        }, CancellationToken.None);
        Assert.Equal(ConnectionCloseReason.None, paused.Reason);
        Assert.Equal([Payloads[0]], first);

        // Nothing more is written, yet the rest comes back without waiting.
        var rest = new List<byte[]>();
        var pipeReading = FrameReader.ReadFramesAsync(pipe.Reader, Limit, p =>
        {
            rest.Add(p.ToArray());
            return rest.Count == Payloads.Length - 1 ? FrameDecision.Pause : FrameDecision.Continue;
        }, CancellationToken.None).AsTask();
        await pipeReading.WaitAsync(Timeout);
        Assert.Equal(Payloads[1..], rest);
    }
}
