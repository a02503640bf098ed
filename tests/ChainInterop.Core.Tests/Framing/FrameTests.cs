using System.Buffers;
using System.Buffers.Binary;
using ChainInterop.Framing;
using ChainInterop.Testing;

namespace ChainInterop.Tests.Framing;

public class FrameTests
{
    private const int Limit = 1 << 20;

    private static byte[] Frames(params byte[][] payloads)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var payload in payloads)
        {
            Frame.Write(buffer, payload);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static (List<byte[]> Payloads, FrameStatus Last, long Left) ReadAll(ReadOnlySequence<byte> buffer, int limit = Limit)
    {
        var payloads = new List<byte[]>();
        FrameStatus status;
        while ((status = Frame.TryRead(ref buffer, limit, out var payload)) == FrameStatus.Complete)
        {
            payloads.Add(payload.ToArray());
        }

        return (payloads, status, buffer.Length);
    }

    private static readonly byte[][] SamplePayloads = [[], [1], "hello, bank b"u8.ToArray(), Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()];

    [Fact]
    public void Frame_bytes_are_the_golden_ones_C6()
    {
        // Headers computed outside .NET (a bit-at-a-time CRC-32C, Castagnoli, initial and final xor 0xFFFFFFFF, over
        // the first six header bytes and the payload): the bytes on disk and on the wire must never change.
        Assert.Equal("01000000000093171ab8", Convert.ToHexStringLower(Frames(Array.Empty<byte>())));
        Assert.Equal("0100090000008d5eccdf" + Convert.ToHexStringLower("123456789"u8), Convert.ToHexStringLower(Frames("123456789"u8.ToArray())));
        byte[] counter = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        Assert.Equal("01002c010000de0f392f" + Convert.ToHexStringLower(counter), Convert.ToHexStringLower(Frames(counter)));
    }

    [Fact]
    public void Frames_round_trip_and_leave_nothing_behind_C6()
    {
        var (payloads, last, left) = ReadAll(new ReadOnlySequence<byte>(Frames(SamplePayloads)));
        Assert.Equal(SamplePayloads, payloads);
        Assert.Equal(FrameStatus.NeedMoreData, last);
        Assert.Equal(0, left);
    }

    [Fact]
    public void A_stream_split_at_every_offset_and_every_pair_of_offsets_reads_the_same_C6()
    {
        var stream = Frames(SamplePayloads);
        for (int i = 0; i <= stream.Length; i++)
        {
            Assert.Equal(SamplePayloads, ReadAll(Sequences.Split(stream, i)).Payloads);
        }

        var small = Frames([1, 2, 3], [4], []);
        for (int i = 0; i <= small.Length; i++)
        {
            for (int j = i; j <= small.Length; j++)
            {
                Assert.Equal([[1, 2, 3], [4], []], ReadAll(Sequences.Split(small, i, j)).Payloads);
            }
        }

        Assert.Equal(SamplePayloads, ReadAll(Sequences.OneBytePerSegment(stream)).Payloads);
    }

    [Fact]
    public void Every_strict_prefix_needs_more_data_and_consumes_nothing_of_the_partial_frame_C6()
    {
        var frame = Frames("payment"u8.ToArray());
        for (int n = 0; n < frame.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, n);
            Assert.Equal(FrameStatus.NeedMoreData, Frame.TryRead(ref buffer, Limit, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    [Fact]
    public void Malformed_headers_are_named_before_any_payload_is_read_C6()
    {
        var frame = Frames([9, 9, 9]);

        var badVersion = (byte[])frame.Clone();
        badVersion[0] = 2;
        Assert.Equal(FrameStatus.UnsupportedVersion, Status(badVersion));

        var badReserved = (byte[])frame.Clone();
        badReserved[1] = 1;
        Assert.Equal(FrameStatus.UnsupportedVersion, Status(badReserved));

        // Declared lengths that are negative, over the frame maximum, or over the reader's limit: refused from
        // the header alone, even though no payload bytes follow.
        foreach (int length in new[] { -1, int.MinValue, Frame.MaxPayloadSizeBytes + 1, int.MaxValue, 4097 })
        {
            var header = new byte[Frame.HeaderSizeBytes];
            header[0] = Frame.CurrentVersion;
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(2), length);
            var buffer = new ReadOnlySequence<byte>(header);
            Assert.Equal(FrameStatus.TooLarge, Frame.TryRead(ref buffer, 4096, out _));
            Assert.Equal(header.Length, buffer.Length);
        }
    }

    [Fact]
    public void Flipping_any_bit_of_a_frame_never_yields_a_complete_frame_C6()
    {
        var frame = Frames("transfer 100.00 CNY to bank-b"u8.ToArray());
        for (int i = 0; i < frame.Length; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                var copy = (byte[])frame.Clone();
                copy[i] ^= (byte)(1 << bit);
                Assert.NotEqual(FrameStatus.Complete, Status(copy));
            }
        }
    }

    [Fact]
    public void Oversized_payloads_are_refused_by_the_writer()
    {
        Assert.Throws<ArgumentException>(() => Frame.WriteHeader(new byte[Frame.HeaderSizeBytes - 1], []));
    }

    private static FrameStatus Status(byte[] bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return Frame.TryRead(ref buffer, Limit, out _);
    }
}
