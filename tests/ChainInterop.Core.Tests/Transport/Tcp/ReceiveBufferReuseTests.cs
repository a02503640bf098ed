using System.Runtime.InteropServices;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// Receive-buffer reuse (C6): once a consumer releases the messages of a large frame
/// (<see cref="InboundMessage.Release"/>), the TCP transport reads later frames into the same memory; a message not
/// yet released is never overwritten; a second release throws and releases nothing else.
/// </summary>
public sealed class ReceiveBufferReuseTests : IAsyncLifetime
{
    private const int Large = 40 * 1024; // read into a buffer of its own (≥ 16 KiB), small enough to pool (≤ 80 KiB)

    private readonly TcpTestNodes _nodes = new();
    private TcpTransport _a = null!;
    private TcpTransport _b = null!;

    public async Task InitializeAsync()
    {
        var nodes = _nodes.StartMesh(2);
        (_a, _b) = (nodes[0], nodes[1]);
        while ((await _a.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout)).Kind != ConnectionEventKind.Connected)
        {
        }
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static byte[] Message(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ArrayOf(InboundMessage message)
    {
        Assert.True(MemoryMarshal.TryGetArray(message.Payload, out var segment));
        return segment.Array!;
    }

    private async Task<InboundMessage> SendAndReceiveAsync(byte[] message)
    {
        await _a.SendAsync(_b.LocalNode, message);
        var received = await _b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(message, received.Payload.ToArray());
        return received;
    }

    /// <summary>Large messages, each released at once: enough for the transport to see that its consumer releases.</summary>
    private async Task<HashSet<byte[]>> ReleaseManyAsync(int count, int seed = 0)
    {
        var arrays = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < count; i++)
        {
            var message = await SendAndReceiveAsync(Message(Large, seed + i));
            arrays.Add(ArrayOf(message));
            message.Release();
        }

        return arrays;
    }

    [Fact]
    public async Task Released_large_messages_have_their_buffers_reused_C6()
    {
        await ReleaseManyAsync(100);

        // One message in flight at a time: one buffer serves them all.
        var arrays = await ReleaseManyAsync(200, seed: 1000);
        Assert.Single(arrays);
    }

    [Fact]
    public async Task A_message_not_yet_released_is_never_overwritten_while_later_frames_reuse_buffers_C6()
    {
        await ReleaseManyAsync(100);
        var kept = await SendAndReceiveAsync(Message(Large, 7));
        var keptArray = ArrayOf(kept);

        var later = await ReleaseManyAsync(200, seed: 2000);
        Assert.DoesNotContain(keptArray, later);
        Assert.Equal(Message(Large, 7), kept.Payload.ToArray());

        // Released, its buffer serves later frames.
        kept.Release();
        Assert.Contains(keptArray, await ReleaseManyAsync(50, seed: 3000));
    }

    [Fact]
    public async Task Releasing_a_message_twice_throws_and_does_not_free_another_message_C6()
    {
        await ReleaseManyAsync(100);
        var first = await SendAndReceiveAsync(Message(Large, 1));
        first.Release();
        Assert.Throws<InvalidOperationException>(first.Release);

        // The buffer went back once: the next message gets it, and a stale release of the first cannot free it.
        var second = await SendAndReceiveAsync(Message(Large, 2));
        Assert.Same(ArrayOf(first), ArrayOf(second));
        Assert.Throws<InvalidOperationException>(first.Release);
        await ReleaseManyAsync(20, seed: 4000);
        Assert.Equal(Message(Large, 2), second.Payload.ToArray());
        second.Release();
    }

    [Fact]
    public async Task Small_messages_in_one_pooled_frame_keep_it_until_every_one_is_released_C6()
    {
        await ReleaseManyAsync(100);

        // A hand-made frame of 100 small messages (≥ 16 KiB in all), sent in two parts so that the reader sees a large
        // frame it does not have whole yet: it reads the rest into a pooled buffer.
        var kc = _nodes.NewKey();
        var messages = Enumerable.Range(0, 100).Select(i => Message(300, i)).ToArray();
        await using var peer = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        _b.AddOrUpdatePeer(new TcpPeer(kc.PublicKey));
        Assert.True((await peer.HandshakeAsync(kc, _b.LocalNode)).IsComplete);
        var frame = new System.Buffers.ArrayBufferWriter<byte>();
        ChainInterop.Framing.Frame.Write(frame, WireFrameTests.Messages(messages));
        var c = NodeId.FromPublicKey(kc.PublicKey);
        await RawPeer.WaitUntilAsync(() => _b.Reads(c) is not null, "b never took the connection");
        long reads = _b.Reads(c)!.Value;
        await peer.SendAsync(frame.WrittenSpan[..100].ToArray());
        await RawPeer.WaitUntilAsync(() => _b.Reads(c) > reads, "b never read the first part"); // so the rest comes in a read of its own
        await peer.SendAsync(frame.WrittenSpan[100..].ToArray());
        var received = new List<InboundMessage>();
        while (received.Count < 100)
        {
            var message = await _b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
            if (message.From == NodeId.FromPublicKey(kc.PublicKey))
            {
                received.Add(message);
            }
        }

        var buffer = ArrayOf(received[0]);
        Assert.All(received, m => Assert.Same(buffer, ArrayOf(m)));
        foreach (var message in received.Take(99))
        {
            message.Release();
        }

        Assert.DoesNotContain(buffer, await ReleaseManyAsync(50, seed: 5000));
        Assert.Equal(messages[99], received[99].Payload.ToArray());
        received[99].Release();
        Assert.Contains(buffer, await ReleaseManyAsync(50, seed: 6000));
    }
}
