using System.Buffers;
using System.Buffers.Binary;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Time.Testing;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>
/// Hostile input against a listening node B that has a working peer A (C6, issue 5 item 4): each attack closes only
/// the attacker's connection, with a logged typed reason, and never disturbs A's traffic or what B already delivered.
/// B's timeouts run on a virtual clock that only the slowloris test moves, so an honest handshake is never cut by a
/// busy machine and idle attackers stay pending for as long as a test needs them.
/// </summary>
public sealed class TcpHostileInputTests : IAsyncLifetime
{
    private const int MaxPending = 4;
    private const int HandshakeTimeoutMs = 2_000;

    // A's clock is the system's, B's stands still (or races ahead in the slowloris test): neither may take the other
    // for idle, which is not what these tests are about (TcpLivenessTests).
    private const int HonestIdleTimeoutMs = 600_000;

    private readonly TcpTestNodes _nodes = new();
    private readonly FakeTimeProvider _clock = new();
    private PrivateKey _c = null!;
    private TcpTransport _a = null!;
    private TcpTransport _b = null!;

    private CapturingLoggerFactory Logs => _nodes.Logs;

    public async Task InitializeAsync()
    {
        var a = _nodes.NewKey();
        var b = _nodes.NewKey();
        _c = _nodes.NewKey(); // whitelisted on B, driven by hand through RawPeer

        var options = TcpTestNodes.Options(b, [new TcpPeer(a.PublicKey), new TcpPeer(_c.PublicKey)]);
        options.MaxPendingConnections = MaxPending;
        options.HandshakeTimeoutMs = HandshakeTimeoutMs;
        options.IdleTimeoutMs = HonestIdleTimeoutMs;
        _b = _nodes.Start(options, _clock);
        var aOptions = TcpTestNodes.Options(a, [new TcpPeer(b.PublicKey, _b.ListenEndPoint)]);
        aOptions.IdleTimeoutMs = HonestIdleTimeoutMs;
        _a = _nodes.Start(aOptions);
        await WaitConnectedAsync(_a, _b.LocalNode);
        await WaitConnectedAsync(_b, _a.LocalNode);
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static async Task WaitConnectedAsync(TcpTransport transport, NodeId peer)
    {
        while (true)
        {
            var e = await transport.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
            if (e.Peer == peer && e.Kind == ConnectionEventKind.Connected)
            {
                return;
            }
        }
    }

    /// <summary>A and B still exchange messages both ways, and nothing else is waiting in B's inbox.</summary>
    private async Task AssertAandBStillTalkAsync()
    {
        var payload = Guid.NewGuid().ToByteArray();
        await _a.SendAsync(_b.LocalNode, payload);
        var atB = await _b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(_a.LocalNode, atB.From);
        Assert.Equal(payload, atB.Payload.ToArray());
        await _b.SendAsync(_a.LocalNode, payload);
        var atA = await _a.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(_b.LocalNode, atA.From);
        Assert.True(_b.IsConnected(_a.LocalNode));
    }

    private async Task AttackAsync(byte[] bytes, ConnectionCloseReason expected)
    {
        await using var attacker = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        await attacker.SendAsync(bytes);
        await attacker.AssertClosedByRemoteAsync();
        var entry = await Logs.WaitForCloseAsync(expected);
        Assert.Null(entry.Get("Peer"));
        await AssertAandBStillTalkAsync();
    }

    private static byte[] Framed(byte[] payload)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Frame.Write(buffer, payload);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public async Task A_frame_with_a_bad_crc_closes_the_connection_with_ChecksumMismatch_C6()
    {
        var frame = Framed("not a hello"u8.ToArray());
        frame[^1] ^= 0x40;
        await AttackAsync(frame, ConnectionCloseReason.ChecksumMismatch);
    }

    [Fact]
    public async Task An_oversized_declared_length_closes_at_once_without_waiting_for_the_payload_C6()
    {
        var header = new byte[Frame.HeaderSizeBytes];
        header[0] = Frame.CurrentVersion;
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(2), 512 * 1024 * 1024);
        await AttackAsync(header, ConnectionCloseReason.FrameTooLarge);
    }

    [Fact]
    public async Task Bytes_that_are_not_a_frame_close_with_UnsupportedFrameVersion_C6()
    {
        await AttackAsync("GET / HTTP/1.1\r\nHost: bank-b\r\n\r\n"u8.ToArray(), ConnectionCloseReason.UnsupportedFrameVersion);
    }

    [Fact]
    public async Task A_well_framed_but_malformed_hello_closes_with_ProtocolViolation_C2()
    {
        await AttackAsync(Framed([0x93, 0x01]), ConnectionCloseReason.ProtocolViolation);
    }

    [Fact]
    public async Task A_slowloris_trickling_its_hello_is_cut_at_the_handshake_timeout_C6()
    {
        await using var attacker = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        var hello = Framed(new Handshake(_c, TcpTestNodes.Chain, true, _b.LocalNode, _ => TcpTestNodes.Chain, new byte[32], []).CreateHello());
        var closed = attacker.AssertClosedByRemoteAsync();

        // One byte every 100 ms of B's clock would take far longer than the handshake timeout to deliver the Hello; it
        // is never completed, so only the deadline can end this (however late B started its clock).
        var step = TimeSpan.FromMilliseconds(100);
        var deadline = DateTime.UtcNow + RawPeer.Timeout;
        for (int sent = 0; !closed.IsCompleted; sent++)
        {
            Assert.True(DateTime.UtcNow < deadline, "the slowloris was never cut");
            if (sent < hello.Length - 1)
            {
                try
                {
                    await attacker.SendAsync([hello[sent]]);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    break;
                }
            }

            _clock.Advance(step);
            await Task.WhenAny(closed, Task.Delay(10));
        }

        await closed;
        await Logs.WaitForCloseAsync(ConnectionCloseReason.HandshakeTimeout);
        await AssertAandBStillTalkAsync();
    }

    [Fact]
    public async Task A_recorded_handshake_replayed_on_a_new_connection_is_refused_C6()
    {
        byte[] recording;
        await using (var honest = await RawPeer.ConnectAsync(_b.ListenEndPoint!))
        {
            var step = await honest.HandshakeAsync(_c, _b.LocalNode);
            Assert.True(step.IsComplete, step.Detail);
            recording = honest.Sent;
        }

        await using var replayer = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        await replayer.SendAsync(recording);
        await replayer.AssertClosedByRemoteAsync();
        var entry = await Logs.WaitForCloseAsync(ConnectionCloseReason.HandshakeFailed);
        Assert.Null(entry.Get("Peer"));
        await AssertAandBStillTalkAsync();
    }

    [Fact]
    public async Task A_key_not_on_the_whitelist_is_refused_as_UnknownPeer_C6()
    {
        using var stranger = SignatureSchemes.Ed25519.GenerateKey();
        await using var attacker = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        var step = await attacker.HandshakeAsync(stranger, _b.LocalNode);
        Assert.False(step.IsComplete);
        await Logs.WaitForCloseAsync(ConnectionCloseReason.UnknownPeer);
        await AssertAandBStillTalkAsync();
    }

    [Fact]
    public async Task A_connection_flood_is_capped_and_honest_peers_get_in_once_it_ends_C6()
    {
        var idle = new List<RawPeer>();
        try
        {
            for (int i = 0; i < MaxPending; i++)
            {
                idle.Add(await RawPeer.ConnectAsync(_b.ListenEndPoint!));
            }

            await Eventually(() => _b.PendingConnections == MaxPending);
            await using (var refused = await RawPeer.ConnectAsync(_b.ListenEndPoint!))
            {
                await refused.AssertClosedByRemoteAsync();
            }

            await Logs.WaitForCloseAsync(ConnectionCloseReason.TooManyPendingConnections);
            await AssertAandBStillTalkAsync();
        }
        finally
        {
            foreach (var peer in idle)
            {
                await peer.DisposeAsync();
            }
        }

        await Eventually(() => _b.PendingConnections == 0);
        await using var honest = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        var step = await honest.HandshakeAsync(_c, _b.LocalNode);
        Assert.True(step.IsComplete, step.Detail);
    }

    [Fact]
    public async Task A_bad_frame_from_an_authenticated_peer_closes_only_its_connection_after_delivering_what_came_before_C6()
    {
        await using var peer = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(_c, _b.LocalNode)).IsComplete);
        var cNode = NodeId.FromPublicKey(_c.PublicKey);
        await WaitConnectedAsync(_b, cNode);

        await peer.SendFrameAsync(WireFrameTests.Messages("payment 1"u8.ToArray()));
        var bad = Framed(WireFrameTests.Messages("payment 2"u8.ToArray()));
        bad[Frame.HeaderSizeBytes + 3] ^= 1;
        await peer.SendAsync(bad);
        await peer.AssertClosedByRemoteAsync();

        var delivered = await _b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(cNode, delivered.From);
        Assert.Equal("payment 1"u8.ToArray(), delivered.Payload.ToArray());
        var gone = await _b.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal(new ConnectionEvent(cNode, ConnectionEventKind.Disconnected, ConnectionCloseReason.ChecksumMismatch), gone);
        Assert.Equal(cNode.ToString(), (await Logs.WaitForCloseAsync(ConnectionCloseReason.ChecksumMismatch)).Get("Peer")?.ToString());
        await AssertAandBStillTalkAsync();
    }

    [Fact]
    public async Task An_unknown_frame_kind_from_an_authenticated_peer_is_a_ProtocolViolation_C6()
    {
        await using var peer = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(_c, _b.LocalNode)).IsComplete);
        await peer.SendFrameAsync([0x7f, 1, 2]);
        await peer.AssertClosedByRemoteAsync();
        await Logs.WaitForCloseAsync(ConnectionCloseReason.ProtocolViolation);
        await AssertAandBStillTalkAsync();
    }

    public static TheoryData<string, byte[]> MalformedMessageFrames() => new()
    {
        { "no record", [WireFrame.Messages] },
        { "truncated length", [WireFrame.Messages, 1, 0] },
        { "negative length", [WireFrame.Messages, 0xff, 0xff, 0xff, 0xff] },
        { "record past the frame", [WireFrame.Messages, 4, 0, 0, 0, 1, 2] },
        { "good record then a truncated one", [.. WireFrameTests.Messages([1, 2]), 9] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessageFrames))]
    public async Task A_message_frame_with_malformed_records_is_a_ProtocolViolation_and_delivers_none_of_them_C6(string why, byte[] frame)
    {
        await using var peer = await RawPeer.ConnectAsync(_b.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(_c, _b.LocalNode)).IsComplete, why);
        var cNode = NodeId.FromPublicKey(_c.PublicKey);
        await WaitConnectedAsync(_b, cNode);

        await peer.SendFrameAsync(WireFrameTests.Messages("before"u8.ToArray()));
        await peer.SendFrameAsync(frame);
        await peer.AssertClosedByRemoteAsync();
        await Logs.WaitForCloseAsync(ConnectionCloseReason.ProtocolViolation);
        var delivered = await _b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
        Assert.Equal("before"u8.ToArray(), delivered.Payload.ToArray());
        await AssertAandBStillTalkAsync(); // also checks nothing else (no record of the bad frame) is waiting at B
    }

    [Fact]
    public async Task A_record_over_the_message_limit_is_refused_even_inside_a_frame_the_batch_limit_admits_C6()
    {
        var (kb, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var options = TcpTestNodes.Options(kb, [new TcpPeer(kc.PublicKey)]);
        options.MaxPayloadSizeBytes = 100;
        var b = _nodes.Start(options);
        await using var peer = await RawPeer.ConnectAsync(b.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(kc, b.LocalNode)).IsComplete);

        await peer.SendFrameAsync(WireFrameTests.Messages(new byte[100], new byte[100])); // 2 × the limit in one frame: fine
        await peer.SendFrameAsync(WireFrameTests.Messages(new byte[101]));
        await peer.AssertClosedByRemoteAsync();
        Assert.Contains("101 bytes", (await Logs.WaitForCloseAsync(ConnectionCloseReason.ProtocolViolation)).Get("Detail")?.ToString(), StringComparison.Ordinal);
        Assert.Equal(100, (await b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout)).Payload.Length);
        Assert.Equal(100, (await b.Inbound.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout)).Payload.Length);
        Assert.False(b.Inbound.TryRead(out _));
    }

    /// <summary>Polls a condition that no event announces (the pending-connection count), with a generous deadline.</summary>
    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + RawPeer.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
