using System.Buffers;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Time.Testing;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// What counts as a live peer (C6). The watched node runs on a virtual clock that only the test moves, tick by tick,
/// so no verdict depends on how busy the machine is: a silent peer is cut exactly when its silence exceeds the idle
/// timeout, while a connection paused for its consumer, a write waiting on a peer that does not read, and a large frame
/// trickling in keep their connections up for ten timeouts; a replaced connection that carried messages is reported.
/// </summary>
public sealed class TcpLivenessTests : IAsyncDisposable
{
    private const int IdleTimeoutMs = 1_500;
    private const int KeepAliveIntervalMs = 250;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMilliseconds(IdleTimeoutMs);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(KeepAliveIntervalMs / 2); // the keep-alive timer's period

    private readonly TcpTestNodes _nodes = new();
    private readonly FakeTimeProvider _clock = new();

    public async ValueTask DisposeAsync() => await _nodes.DisposeAsync();

    private static TcpTransportOptions Watched(PrivateKey key, TcpPeer peer)
    {
        var options = TcpTestNodes.Options(key, [peer]);
        options.IdleTimeoutMs = IdleTimeoutMs;
        options.KeepAliveIntervalMs = KeepAliveIntervalMs;
        return options;
    }

    private static async Task<RawPeer> AuthenticatedPeerAsync(TcpTransport node, PrivateKey key)
    {
        var peer = await RawPeer.ConnectAsync(node.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(key, node.LocalNode)).IsComplete);
        var id = NodeId.FromPublicKey(key.PublicKey);
        await RawPeer.WaitUntilAsync(() => node.ClosingReason(id) is not null, "the node never took the connection");
        return peer;
    }

    /// <summary>One tick of the virtual clock; the node decides in the tick, synchronously.</summary>
    private void AdvanceOneTick() => _clock.Advance(Tick);

    /// <summary>
    /// One tick, after any write of the node's has completed: a write counts as life only once it has waited a whole
    /// tick, and on the virtual clock a keep-alive's write could otherwise span two ticks that follow each other at once.
    /// </summary>
    private async Task AdvanceOneQuietTickAsync(TcpTransport node, NodeId peer)
    {
        await RawPeer.WaitUntilAsync(() => node.IsWriting(peer) == false, "a write never completed");
        AdvanceOneTick();
    }

    /// <summary>Ten idle timeouts, tick by tick; the connection stays open throughout.</summary>
    private async Task AdvanceTenTimeoutsAsync(TcpTransport node, NodeId peer, Func<Task>? beforeEachTick = null)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < 10 * IdleTimeout; elapsed += Tick)
        {
            if (beforeEachTick is not null)
            {
                await beforeEachTick();
            }

            AdvanceOneTick();
            Assert.Equal(ConnectionCloseReason.None, node.ClosingReason(peer));
        }
    }

    /// <summary>From a silent peer: open while its silence is at most the idle timeout, closed (IdleTimeout) at the tick that passes it.</summary>
    private async Task AssertCutExactlyAtTheIdleTimeoutAsync(TcpTransport node, NodeId peer, Func<TimeSpan, Task>? whileOpen = null)
    {
        for (var silence = Tick; silence <= IdleTimeout; silence += Tick)
        {
            await AdvanceOneQuietTickAsync(node, peer);
            Assert.Equal(ConnectionCloseReason.None, node.ClosingReason(peer));
            if (whileOpen is not null)
            {
                await whileOpen(silence);
            }
        }

        await AdvanceOneQuietTickAsync(node, peer);
        Assert.NotEqual(ConnectionCloseReason.None, node.ClosingReason(peer)); // closing, or already gone (null)
        Assert.Equal(ConnectionCloseReason.IdleTimeout, (await TcpTestNodes.NextEventAsync(node, peer, ConnectionEventKind.Disconnected)).Reason);
    }

    [Fact]
    public async Task A_silent_peer_gets_keep_alives_and_is_cut_exactly_when_its_silence_exceeds_the_idle_timeout_C6()
    {
        var (kb, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var b = _nodes.Start(Watched(kb, new TcpPeer(kc.PublicKey)), _clock);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        await using var silent = await AuthenticatedPeerAsync(b, kc);

        await AssertCutExactlyAtTheIdleTimeoutAsync(b, c, async silence =>
        {
            if (silence == 2 * Tick)
            {
                // Nothing was written for the keep-alive interval: a keep-alive.
                Assert.Equal(new[] { WireFrame.Ping }, await silent.ReadFrameAsync());
            }
        });
        await silent.AssertClosedByRemoteAsync();
    }

    [Fact]
    public async Task A_connection_paused_for_its_consumer_is_not_taken_for_an_idle_one_however_long_the_consumer_lags_C6()
    {
        const int count = 8_000, size = 1024; // 8 MiB, far past the pause threshold
        var (ka, kb) = (_nodes.NewKey(), _nodes.NewKey());
        var senderOptions = TcpTestNodes.Options(ka, [new TcpPeer(kb.PublicKey)]);
        senderOptions.IdleTimeoutMs = 600_000; // the sender, on the system clock, is not what this test watches
        var a = _nodes.Start(senderOptions);
        var b = _nodes.Start(Watched(kb, new TcpPeer(ka.PublicKey, a.ListenEndPoint)), _clock);
        await TcpTestNodes.NextEventAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        await TcpTestNodes.NextEventAsync(b, a.LocalNode, ConnectionEventKind.Connected);
        var sending = Task.Run(async () =>
        {
            var payload = new byte[size];
            for (int i = 0; i < count; i++)
            {
                await a.WaitForSendSpaceAsync(b.LocalNode);
                BitConverter.TryWriteBytes(payload, i);
                await a.SendAsync(b.LocalNode, payload);
            }
        });

        // Nobody reads b's inbound queue: b stops reading a, and a receives nothing but b's keep-alives.
        await RawPeer.WaitUntilAsync(() => b.IsReadingPaused(a.LocalNode) == true, "b never stopped reading");
        await AdvanceTenTimeoutsAsync(b, a.LocalNode);
        Assert.False(b.ConnectionEvents.TryRead(out var change), $"unexpected {change}");

        for (int i = 0; i < count; i++)
        {
            var message = await b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
            Assert.Equal(i, BitConverter.ToInt32(message.Payload.Span));
            message.Release();
        }

        await sending.WaitAsync(RawPeer.Timeout);
        Assert.False(a.ConnectionEvents.TryRead(out change), $"unexpected {change}");
        Assert.False(b.ConnectionEvents.TryRead(out change), $"unexpected {change}");
    }

    [Fact]
    public async Task A_write_waiting_on_a_peer_that_does_not_read_keeps_the_connection_while_the_peer_kernel_answers_C6()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the evidence is Linux's TCP_INFO; elsewhere a waiting write is not counted (docs/TRANSPORT.md)
        }

        const int count = 16 * 1024, size = 1024; // 16 MiB: more than the socket buffers hold
        var (ka, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var a = _nodes.Start(Watched(ka, new TcpPeer(kc.PublicKey)), _clock);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        var payload = new byte[size];
        for (int i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(payload, i);
            await a.SendAsync(c, payload); // queued while c is away: the writer takes it all in one write
        }

        // c authenticates, then neither reads nor sends anything, not even keep-alives: only its kernel answers.
        await using var peer = await AuthenticatedPeerAsync(a, kc);
        await TcpTestNodes.NextEventAsync(a, c, ConnectionEventKind.Connected);
        await RawPeer.WaitUntilAsync(() => a.IsWriting(c) == true, "a never started writing");
        await AdvanceTenTimeoutsAsync(a, c);
        Assert.False(a.ConnectionEvents.TryRead(out var change), $"unexpected {change}");

        // c reads at last: everything, in order.
        int next = 0;
        while (next < count)
        {
            var frame = await peer.ReadFrameAsync();
            Assert.NotNull(frame);
            if (frame[0] == WireFrame.Messages)
            {
                foreach (var message in WireFrameTests.Records(frame))
                {
                    Assert.Equal(next++, BitConverter.ToInt32(message));
                }
            }
        }

        Assert.Equal(ConnectionCloseReason.None, a.ClosingReason(c));
    }

    [Fact]
    public async Task A_large_frame_trickling_in_keeps_its_connection_up_and_silence_after_it_is_still_cut_C6()
    {
        var (ka, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var a = _nodes.Start(Watched(ka, new TcpPeer(kc.PublicKey)), _clock);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        await using var peer = await AuthenticatedPeerAsync(a, kc);

        // One message of 100 KB, a few hundred bytes per tick: no frame is whole for ten idle timeouts, bytes keep coming.
        var message = new byte[100_000];
        new Random(3).NextBytes(message);
        var frame = new ArrayBufferWriter<byte>();
        Frame.Write(frame, WireFrameTests.Messages(message));
        var bytes = frame.WrittenSpan.ToArray();
        int offset = 0;
        await AdvanceTenTimeoutsAsync(a, c, async () =>
        {
            long reads = a.Reads(c)!.Value;
            await peer.SendAsync(bytes[offset..(offset + 500)]);
            offset += 500;
            await RawPeer.WaitUntilAsync(() => a.Reads(c) > reads, "the bytes never reached the read loop");
        });

        await peer.SendAsync(bytes[offset..]);
        var received = await a.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(message, received.Payload.ToArray());

        // The frame's last bytes are the last sign of life: the next tick sees them, then the silence is counted.
        await AdvanceOneQuietTickAsync(a, c);
        Assert.Equal(ConnectionCloseReason.None, a.ClosingReason(c));
        await AssertCutExactlyAtTheIdleTimeoutAsync(a, c);
    }

    [Fact]
    public async Task A_replaced_connection_that_carried_messages_is_reported_as_ended_so_no_gap_goes_unnoticed_C6()
    {
        // The virtual clock stands still: no keep-alive, no timeout.
        var (ka, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var a = _nodes.Start(TcpTestNodes.Options(ka, [new TcpPeer(kc.PublicKey)]), _clock);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        await using var first = await AuthenticatedPeerAsync(a, kc);
        Assert.Equal(new ConnectionEvent(c, ConnectionEventKind.Connected, ConnectionCloseReason.None), await a.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout));
        await a.SendAsync(c, new byte[] { 1, 2, 3 });
        Assert.Equal(WireFrameTests.Messages([1, 2, 3]), await first.ReadFrameAsync());

        // The same node dials again (the newer of its connections is kept): what the first carried may be lost with it.
        await using var second = await RawPeer.ConnectAsync(a.ListenEndPoint!);
        Assert.True((await second.HandshakeAsync(kc, a.LocalNode)).IsComplete);
        await first.AssertClosedByRemoteAsync();
        Assert.Equal(new ConnectionEvent(c, ConnectionEventKind.Disconnected, ConnectionCloseReason.DuplicateConnection), await a.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout));
        Assert.Equal(new ConnectionEvent(c, ConnectionEventKind.Connected, ConnectionCloseReason.None), await a.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout));

        await a.SendAsync(c, new byte[] { 4 });
        Assert.Equal(WireFrameTests.Messages([4]), await second.ReadFrameAsync());
    }

    [Fact]
    public async Task A_replaced_connection_that_carried_nothing_is_swapped_without_an_event_C6()
    {
        var (ka, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var a = _nodes.Start(TcpTestNodes.Options(ka, [new TcpPeer(kc.PublicKey)]), _clock);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        await using var first = await AuthenticatedPeerAsync(a, kc);
        Assert.Equal(new ConnectionEvent(c, ConnectionEventKind.Connected, ConnectionCloseReason.None), await a.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout));

        await using var second = await RawPeer.ConnectAsync(a.ListenEndPoint!);
        Assert.True((await second.HandshakeAsync(kc, a.LocalNode)).IsComplete);
        await first.AssertClosedByRemoteAsync();
        await a.SendAsync(c, new byte[] { 4 });
        Assert.Equal(WireFrameTests.Messages([4]), await second.ReadFrameAsync());

        // The swap was decided (and any event reported) before the second connection wrote anything.
        Assert.False(a.ConnectionEvents.TryRead(out var change), $"unexpected {change}");
    }
}
