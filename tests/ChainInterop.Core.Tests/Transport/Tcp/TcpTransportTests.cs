using System.Net;
using ChainInterop.Crypto;
using ChainInterop.Transport;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>TCP-specific behaviour beyond the contract: backpressure, tie-break, reconnect, queue policy, whitelist changes, TLS, DI (C6); liveness is <see cref="TcpLivenessTests"/>.</summary>
public sealed class TcpTransportTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = RawPeer.Timeout;
    private readonly TcpTestNodes _nodes = new();

    public async ValueTask DisposeAsync() => await _nodes.DisposeAsync();

    private static async Task<ConnectionEvent> NextAsync(TcpTransport transport, NodeId peer, ConnectionEventKind kind)
    {
        while (true)
        {
            var e = await transport.ConnectionEvents.ReadAsync().AsTask().WaitAsync(Timeout);
            if (e.Peer == peer && e.Kind == kind)
            {
                return e;
            }
        }
    }

    private static async Task<InboundMessage> ReceiveAsync(TcpTransport transport) =>
        await transport.Inbound.ReadAsync().AsTask().WaitAsync(Timeout);

    [Fact]
    public async Task A_consumer_that_falls_behind_slows_the_sender_through_TCP_instead_of_dropping_C6()
    {
        const int count = 40_000, size = 1024; // 40 MiB: more than the socket buffers, the send queue's watermark and the pause threshold together
        var nodes = _nodes.StartMesh(2, tweak: o =>
        {
            // What this test checks is backpressure; a reconnect would lose the batch in flight (at most once), so it
            // must not come from a busy machine. Liveness while paused is TcpLivenessTests' (on a virtual clock).
            o.IdleTimeoutMs = 600_000;
        });
        var (a, b) = (nodes[0], nodes[1]);
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        await NextAsync(b, a.LocalNode, ConnectionEventKind.Connected);

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

        // Nobody reads b's inbound queue: b stops reading its socket, so little piles up in b, and a's write waits for
        // TCP (and its bulk sender for the write).
        await RawPeer.WaitUntilAsync(() => b.IsReadingPaused(a.LocalNode) == true && a.IsWriting(b.LocalNode) == true,
            "b never stopped reading, or a never waited for TCP");
        Assert.False(sending.IsCompleted);
        Assert.InRange(b.Inbound.Count, InboundQueue.PauseAboveBytes / size, 4 * InboundQueue.PauseAboveBytes / size + 1_500);
        Assert.False(a.ConnectionEvents.TryRead(out var change), $"unexpected {change}");
        Assert.False(b.ConnectionEvents.TryRead(out change), $"unexpected {change}");

        for (int i = 0; i < count; i++)
        {
            var message = await ReceiveAsync(b);
            Assert.Equal(i, BitConverter.ToInt32(message.Payload.Span)); // nothing dropped, nothing reordered
            message.Release();
        }

        await sending.WaitAsync(Timeout);
        Assert.False(a.ConnectionEvents.TryRead(out change), $"unexpected {change}");
        Assert.False(b.ConnectionEvents.TryRead(out change), $"unexpected {change}");
    }

    [Fact]
    public async Task Two_nodes_dialling_each_other_at_once_keep_one_connection_the_same_on_both_sides_C6()
    {
        for (int round = 0; round < 3; round++)
        {
            var (ka, kb) = (_nodes.NewKey(), _nodes.NewKey());
            var a = _nodes.Start(TcpTestNodes.Options(ka, [new TcpPeer(kb.PublicKey)]));
            var b = _nodes.Start(TcpTestNodes.Options(kb, [new TcpPeer(ka.PublicKey)]));
            var dialA = Task.Run(() => a.AddOrUpdatePeer(new TcpPeer(kb.PublicKey, b.ListenEndPoint)));
            var dialB = Task.Run(() => b.AddOrUpdatePeer(new TcpPeer(ka.PublicKey, a.ListenEndPoint)));
            await Task.WhenAll(dialA, dialB);

            // Settled: one connection left on each side, and both name the same one (dialled by exactly one of them).
            var deadline = DateTime.UtcNow + Timeout;
            while (!(a.OpenConnections == 1 && b.OpenConnections == 1 &&
                     a.IsActiveOutbound(b.LocalNode) is { } aOut && b.IsActiveOutbound(a.LocalNode) is { } bOut && aOut != bOut))
            {
                Assert.True(DateTime.UtcNow < deadline, "the two sides never settled on one connection");
                await Task.Delay(10);
            }

            await a.SendAsync(b.LocalNode, new[] { (byte)round });
            Assert.Equal(a.LocalNode, (await ReceiveAsync(b)).From);
            await b.SendAsync(a.LocalNode, new[] { (byte)round });
            Assert.Equal(b.LocalNode, (await ReceiveAsync(a)).From);

            bool bothDialled = _nodes.Logs.Closed(ConnectionCloseReason.DuplicateConnection)
                .Any(e => Equals(e.Get("Peer"), a.LocalNode) || Equals(e.Get("Peer"), b.LocalNode));
            if (bothDialled)
            {
                var lower = a.LocalNode.CompareTo(b.LocalNode) < 0 ? a : b;
                Assert.True(lower.IsActiveOutbound(lower == a ? b.LocalNode : a.LocalNode));
            }
        }
    }

    [Fact]
    public void The_tie_break_keeps_the_lower_dialler_and_of_one_dialler_the_newer_connection()
    {
        var low = new NodeId(Hash256.Compute("low"u8));
        var high = new NodeId(Hash256.Compute("high"u8));
        (low, high) = low.CompareTo(high) < 0 ? (low, high) : (high, low);

        Assert.True(TcpTransport.Prefers(candidateDialer: low, existingDialer: high));
        Assert.False(TcpTransport.Prefers(candidateDialer: high, existingDialer: low));
        Assert.True(TcpTransport.Prefers(candidateDialer: high, existingDialer: high));
    }

    [Fact]
    public async Task A_peer_that_restarts_is_redialled_and_gets_what_was_sent_while_it_was_down_C6()
    {
        var (ka, kb) = (_nodes.NewKey(), _nodes.NewKey());
        var b = _nodes.Start(TcpTestNodes.Options(kb, [new TcpPeer(ka.PublicKey)]));
        var endPoint = b.ListenEndPoint!;
        var a = _nodes.Start(TcpTestNodes.Options(ka, [new TcpPeer(kb.PublicKey, endPoint)]));
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);

        await b.DisposeAsync();
        var down = await NextAsync(a, b.LocalNode, ConnectionEventKind.Disconnected);
        Assert.Equal(ConnectionCloseReason.RemoteClosed, down.Reason);
        await a.SendAsync(b.LocalNode, "sent while b was down"u8.ToArray());

        // Same key, same port (just released by b): a's dial loop finds it again with its backoff.
        var restartedOptions = TcpTestNodes.Options(kb, [new TcpPeer(ka.PublicKey)]);
        restartedOptions.ListenEndPoint = endPoint;
        var restarted = _nodes.Start(restartedOptions);
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        var message = await ReceiveAsync(restarted);
        Assert.Equal(a.LocalNode, message.From);
        Assert.Equal("sent while b was down"u8.ToArray(), message.Payload.ToArray());
    }

    [Fact]
    public async Task A_full_send_queue_drops_the_newest_messages_and_keeps_the_queued_ones_in_order_C6()
    {
        var (ka, kc) = (_nodes.NewKey(), _nodes.NewKey());
        var options = TcpTestNodes.Options(ka, [new TcpPeer(kc.PublicKey)]);
        options.MaxSendQueueFrames = 10;
        var a = _nodes.Start(options);
        var c = NodeId.FromPublicKey(kc.PublicKey);
        for (int i = 0; i < 15; i++)
        {
            await a.SendAsync(c, new[] { (byte)i });
        }

        // c connects only now and receives the ten that fit, oldest first; the five newest were dropped.
        await using var peer = await RawPeer.ConnectAsync(a.ListenEndPoint!);
        Assert.True((await peer.HandshakeAsync(kc, a.LocalNode)).IsComplete);
        var received = new List<byte>();
        while (received.Count < 10)
        {
            var frame = await peer.ReadFrameAsync();
            Assert.NotNull(frame);
            if (frame[0] == WireFrame.Messages)
            {
                received.AddRange(WireFrameTests.Records(frame).Select(m => m.Single()));
            }
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), received);
        await a.SendAsync(c, new byte[] { 99 });
        byte[]? next;
        do
        {
            next = await peer.ReadFrameAsync();
        }
        while (next is [WireFrame.Ping]);
        Assert.Equal(WireFrameTests.Messages([99]), next);
    }

    [Fact]
    public async Task WaitForSendSpace_lets_a_bulk_sender_wait_instead_of_dropping_C6()
    {
        var nodes = _nodes.StartMesh(2, tweak: o => o.MaxSendQueueFrames = 16);
        var (a, b) = (nodes[0], nodes[1]);
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        const int count = 2000;
        var sending = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                await a.WaitForSendSpaceAsync(b.LocalNode);
                await a.SendAsync(b.LocalNode, BitConverter.GetBytes(i));
            }
        });
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(i, BitConverter.ToInt32((await ReceiveAsync(b)).Payload.Span));
        }

        await sending;
    }

    [Fact]
    public async Task Large_and_small_messages_mixed_in_bulk_arrive_intact_and_in_order_C6()
    {
        // Large payloads are read by scatter reads that also take in the start of what follows; small ones share
        // frames. Sizes straddle the batch limit and the direct-read threshold.
        var nodes = _nodes.StartMesh(2);
        var (a, b) = (nodes[0], nodes[1]);
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        var random = new Random(5);
        int[] sizes = [0, 1, 255, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 64 * 1024 - 5, 64 * 1024, 200 * 1024, 1 << 20];
        var sent = Enumerable.Range(0, 400).Select(i =>
        {
            var message = new byte[sizes[random.Next(sizes.Length)]];
            random.NextBytes(message);
            return message;
        }).ToList();
        var sending = Task.Run(async () =>
        {
            foreach (var message in sent)
            {
                await a.WaitForSendSpaceAsync(b.LocalNode);
                await a.SendAsync(b.LocalNode, message);
            }
        });
        foreach (var message in sent)
        {
            Assert.Equal(message, (await ReceiveAsync(b)).Payload.ToArray());
        }

        await sending;
    }

    [Fact]
    public async Task Removing_a_peer_closes_its_connection_and_refuses_it_afterwards_C6()
    {
        var nodes = _nodes.StartMesh(2);
        var (a, b) = (nodes[0], nodes[1]);
        await NextAsync(a, b.LocalNode, ConnectionEventKind.Connected);
        Assert.True(a.RemovePeer(b.LocalNode));
        Assert.False(a.RemovePeer(b.LocalNode));
        Assert.Equal(ConnectionCloseReason.PeerRemoved, (await NextAsync(a, b.LocalNode, ConnectionEventKind.Disconnected)).Reason);
        await NextAsync(b, a.LocalNode, ConnectionEventKind.Disconnected);

        // b keeps dialling a, and a now refuses b's key.
        await _nodes.Logs.WaitForCloseAsync(ConnectionCloseReason.UnknownPeer);
        Assert.False(a.IsConnected(b.LocalNode));
    }

    [Fact]
    public async Task A_node_of_another_chain_is_admitted_only_when_listed_for_that_chain_C6()
    {
        var icc = new ChainId("icc-1-tbc-a");
        var (kp, ki) = (_nodes.NewKey(), _nodes.NewKey());
        var ppc = _nodes.Start(TcpTestNodes.Options(kp, [new TcpPeer(ki.PublicKey, chainId: icc)]));
        var iccOptions = TcpTestNodes.Options(ki, [new TcpPeer(kp.PublicKey, ppc.ListenEndPoint, TcpTestNodes.Chain)]);
        iccOptions.ChainId = icc;
        var iccNode = _nodes.Start(iccOptions);
        await NextAsync(ppc, iccNode.LocalNode, ConnectionEventKind.Connected);
        await iccNode.SendAsync(ppc.LocalNode, "cross-chain"u8.ToArray());
        Assert.Equal(iccNode.LocalNode, (await ReceiveAsync(ppc)).From);

        // Listed for the wrong chain: refused.
        var (kx, ky) = (_nodes.NewKey(), _nodes.NewKey());
        var x = _nodes.Start(TcpTestNodes.Options(kx, [new TcpPeer(ky.PublicKey)]));
        var yOptions = TcpTestNodes.Options(ky, [new TcpPeer(kx.PublicKey, x.ListenEndPoint)]);
        yOptions.ChainId = icc;
        _nodes.Start(yOptions);
        await _nodes.Logs.WaitForCloseAsync(ConnectionCloseReason.HandshakeFailed);
        Assert.Empty(x.ConnectedPeers);
    }

    [Fact]
    public async Task A_plain_client_cannot_talk_to_a_tls_listener_C6()
    {
        using var certificate = TcpTestNodes.SelfSignedCertificate();
        var (ka, kb) = (_nodes.NewKey(), _nodes.NewKey());
        var tls = _nodes.Start(TcpTestNodes.Options(kb, [new TcpPeer(ka.PublicKey)], new TcpTlsOptions { Certificate = certificate }));
        await using var plain = await RawPeer.ConnectAsync(tls.ListenEndPoint!);
        Assert.False((await plain.HandshakeAsync(ka, tls.LocalNode)).IsComplete);
        await _nodes.Logs.WaitForCloseAsync(ConnectionCloseReason.NetworkError);
        Assert.Empty(tls.ConnectedPeers);
    }

    [Fact]
    public async Task AddTcpTransport_registers_one_started_transport_as_ITransport()
    {
        using var key = SignatureSchemes.Ed25519.GenerateKey();
        var services = new ServiceCollection();
        services.AddChainInterop().AddTcpTransport(o =>
        {
            o.ChainId = TcpTestNodes.Chain;
            o.NodeKey = key;
            o.ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0);
        });
        await using var provider = services.BuildServiceProvider();
        var transport = provider.GetRequiredService<TcpTransport>();
        Assert.Same(transport, provider.GetRequiredService<ITransport>());
        Assert.NotEqual(0, transport.ListenEndPoint!.Port);
        Assert.Equal(NodeId.FromPublicKey(key.PublicKey), transport.LocalNode);
    }

    [Fact]
    public async Task Invalid_options_are_reported_all_at_once_by_validation()
    {
        var services = new ServiceCollection();
        services.AddChainInterop().AddTcpTransport(o =>
        {
            o.MaxSendQueueFrames = 0;
            o.KeepAliveIntervalMs = 20_000;
        });
        await using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TcpTransportOptions>>().Value);
        Assert.Contains("ChainId is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("NodeKey is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSendQueueFrames must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeepAliveIntervalMs (20000) must be below IdleTimeoutMs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_doubles_up_to_its_cap_with_jitter_from_the_seed_and_resets()
    {
        var first = new ReconnectBackoff(100, 1_000, new Random(5));
        var again = new ReconnectBackoff(100, 1_000, new Random(5));
        var delays = Enumerable.Range(0, 8).Select(_ => first.Next().TotalMilliseconds).ToArray();
        Assert.Equal(delays, Enumerable.Range(0, 8).Select(_ => again.Next().TotalMilliseconds));
        double[] ceilings = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (int i = 0; i < delays.Length; i++)
        {
            Assert.InRange(delays[i], ceilings[i] / 2, ceilings[i]);
        }

        first.Reset();
        Assert.InRange(first.Next().TotalMilliseconds, 50, 100);
    }
}
