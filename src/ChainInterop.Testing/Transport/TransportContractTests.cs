using System.Buffers.Binary;
using System.Security.Cryptography;
using ChainInterop.Crypto;
using ChainInterop.Transport;
using Xunit;

namespace ChainInterop.Testing.Transport;

/// <summary>
/// The behaviour every <see cref="ITransport"/> must have (C6), as an xunit suite: derive from it in a test project,
/// implement <see cref="CreateTransportsAsync"/>, and every test below runs against your transport. ChainInterop runs
/// it against <see cref="InMemoryNetwork"/> and the TCP transport (plain and TLS).
/// </summary>
/// <remarks>Tests wait for events with <see cref="Timeout"/>, generous for loaded machines; none measures speed.</remarks>
public abstract class TransportContractTests : IAsyncLifetime
{
    private readonly List<ITransport> _created = [];

    /// <summary>
    /// The longest any single wait of the suite may take before the test fails (120 s). Every wait returns as soon as
    /// its event happens, so a passing run never waits for it; it is generous because a busy machine runs late.
    /// </summary>
    protected virtual TimeSpan Timeout => TimeSpan.FromSeconds(120);

    /// <summary>
    /// Starts <paramref name="count"/> transports of distinct nodes, each admitting and able to reach every other
    /// (they may still be connecting when this returns: the suite waits for <see cref="ConnectionEventKind.Connected"/>).
    /// The suite disposes them.
    /// </summary>
    /// <param name="count">How many (2 to 4).</param>
    /// <returns>The transports.</returns>
    protected abstract Task<IReadOnlyList<ITransport>> CreateTransportsAsync(int count);

    /// <inheritdoc />
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var transport in _created)
        {
            await transport.DisposeAsync();
        }

        await OnDisposedAsync();
    }

    /// <summary>Releases what <see cref="CreateTransportsAsync"/> allocated besides the transports (keys, certificates); runs after they are disposed.</summary>
    /// <returns>A task that completes when released.</returns>
    protected virtual Task OnDisposedAsync() => Task.CompletedTask;

    /// <summary>Every transport reports every other as connected.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Every_transport_reports_every_other_as_connected()
    {
        var nodes = await ConnectedAsync(3);
        foreach (var node in nodes)
        {
            Assert.Equal(nodes.Where(n => n != node).Select(n => n.LocalNode).Order(), _connected[node].Order());
        }
    }

    /// <summary>A message arrives intact, tagged with its sender's authenticated id, in both directions between every pair.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Messages_arrive_with_the_authenticated_sender_id()
    {
        var nodes = await ConnectedAsync(3);
        foreach (var from in nodes)
        {
            foreach (var to in nodes.Where(n => n != from))
            {
                var payload = Message(from.LocalNode, to.LocalNode);
                await from.SendAsync(to.LocalNode, payload);
                var received = await ReceiveAsync(to);
                Assert.Equal(from.LocalNode, received.From);
                Assert.Equal(payload, received.Payload.ToArray());
            }
        }
    }

    /// <summary>Messages from each peer arrive in the order it sent them, also when two peers send to one at once.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Messages_from_each_peer_arrive_in_send_order()
    {
        const int perSender = 1000;
        var nodes = await ConnectedAsync(3);
        var receiver = nodes[0];
        await Task.WhenAll(nodes.Skip(1).Select(sender => Task.Run(async () =>
        {
            for (int i = 0; i < perSender; i++)
            {
                await sender.SendAsync(receiver.LocalNode, Sequenced(i, size: 16 + (i % 7) * 100));
            }
        })));

        var next = nodes.Skip(1).ToDictionary(n => n.LocalNode, _ => 0);
        for (int n = 0; n < 2 * perSender; n++)
        {
            var message = await ReceiveAsync(receiver);
            int sequence = ReadSequenced(message.Payload.Span);
            Assert.Equal(next[message.From], sequence);
            next[message.From] = sequence + 1;
        }

        Assert.All(next.Values, v => Assert.Equal(perSender, v));
    }

    /// <summary>Payloads from empty up to <see cref="ITransport.MaxPayloadSizeBytes"/> (capped at 16 MiB to stay quick) arrive byte for byte; one byte more is refused.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Payloads_up_to_the_limit_arrive_intact_and_larger_ones_are_refused()
    {
        var nodes = await ConnectedAsync(2);
        var (a, b) = (nodes[0], nodes[1]);
        int largest = Math.Min(a.MaxPayloadSizeBytes, 16 * 1024 * 1024);
        foreach (int size in new[] { 0, 1, 255, 4096, 65_536, 1_000_003, largest }.Where(s => s <= largest).Distinct())
        {
            var payload = RandomNumberGenerator.GetBytes(size);
            await a.SendAsync(b.LocalNode, payload);
            var received = await ReceiveAsync(b);
            Assert.Equal(a.LocalNode, received.From);
            Assert.True(payload.AsSpan().SequenceEqual(received.Payload.Span), $"payload of {size} bytes changed in transit");
        }

        if (a.MaxPayloadSizeBytes < int.MaxValue)
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await a.SendAsync(b.LocalNode, new byte[a.MaxPayloadSizeBytes + 1]));
        }
    }

    /// <summary>
    /// Consumers may release messages (<see cref="InboundMessage.Release"/>) so the transport can reuse their memory:
    /// releasing every other message of a long stream of mixed sizes never changes the messages still held, and
    /// the stream keeps arriving intact.
    /// </summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Released_messages_never_change_the_messages_still_held()
    {
        var nodes = await ConnectedAsync(2);
        var (a, b) = (nodes[0], nodes[1]);
        int[] sizes = [0, 7, 300, 20_000, 40_000, 70_000];
        var random = new Random(11);
        var held = new List<(byte[] Sent, InboundMessage Received)>();
        for (int i = 0; i < 600; i++)
        {
            var payload = new byte[Math.Min(sizes[random.Next(sizes.Length)], a.MaxPayloadSizeBytes)];
            random.NextBytes(payload);
            await a.SendAsync(b.LocalNode, payload);
            var received = await ReceiveAsync(b);
            Assert.True(payload.AsSpan().SequenceEqual(received.Payload.Span), $"message {i} changed in transit");
            if (i % 2 == 0)
            {
                received.Release();
            }
            else
            {
                held.Add((payload, received));
            }
        }

        foreach (var (sent, received) in held)
        {
            Assert.True(sent.AsSpan().SequenceEqual(received.Payload.Span), "a held message changed after others were released");
            received.Release();
        }
    }

    /// <summary>A send to a node nobody knows is dropped without an exception, and the transport keeps working.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Sending_to_an_unknown_peer_is_dropped_and_changes_nothing_else()
    {
        var nodes = await ConnectedAsync(2);
        var unknown = new NodeId(Hash256.Compute(RandomNumberGenerator.GetBytes(32)));
        await nodes[0].SendAsync(unknown, "to nobody"u8.ToArray());
        await nodes[0].SendAsync(nodes[1].LocalNode, "to b"u8.ToArray());
        var received = await ReceiveAsync(nodes[1]);
        Assert.Equal("to b"u8.ToArray(), received.Payload.ToArray());
        Assert.False(nodes[0].Inbound.TryRead(out _));
        Assert.False(nodes[1].Inbound.TryRead(out _));
    }

    /// <summary>A node can send to itself; the message comes back from itself.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Sending_to_itself_delivers_locally()
    {
        var nodes = await ConnectedAsync(2);
        await nodes[0].SendAsync(nodes[0].LocalNode, "loopback"u8.ToArray());
        var received = await ReceiveAsync(nodes[0]);
        Assert.Equal(nodes[0].LocalNode, received.From);
        Assert.Equal("loopback"u8.ToArray(), received.Payload.ToArray());
    }

    /// <summary>Many tasks sending to one peer at once neither corrupt nor reorder any one task's messages.</summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Concurrent_senders_do_not_corrupt_messages()
    {
        const int senders = 8;
        const int perSender = 200;
        var nodes = await ConnectedAsync(2);
        var (a, b) = (nodes[0], nodes[1]);
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < perSender; i++)
            {
                var payload = new byte[8 + ((s * 31 + i) % 500)];
                BinaryPrimitives.WriteInt32LittleEndian(payload, s);
                BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(4), i);
                payload.AsSpan(8).Fill((byte)(s ^ i));
                await a.SendAsync(b.LocalNode, payload);
            }
        })));

        var next = new int[senders];
        for (int n = 0; n < senders * perSender; n++)
        {
            var payload = (await ReceiveAsync(b)).Payload.ToArray();
            int s = BinaryPrimitives.ReadInt32LittleEndian(payload);
            int i = BinaryPrimitives.ReadInt32LittleEndian(payload.AsSpan(4));
            Assert.Equal(next[s]++, i);
            Assert.Equal(8 + ((s * 31 + i) % 500), payload.Length);
            Assert.All(payload.Skip(8), x => Assert.Equal((byte)(s ^ i), x));
        }
    }

    /// <summary>
    /// Dispose delivers what was already sent, reports the departure to the peers, completes <see cref="ITransport.Inbound"/>
    /// and <see cref="ITransport.ConnectionEvents"/>, refuses later sends and can be called twice; the others keep working.
    /// </summary>
    /// <returns>The test.</returns>
    [Fact]
    public async Task Dispose_delivers_what_was_sent_reports_the_departure_and_refuses_later_sends()
    {
        const int count = 100;
        var nodes = await ConnectedAsync(3);
        var (a, b, c) = (nodes[0], nodes[1], nodes[2]);
        for (int i = 0; i < count; i++)
        {
            await a.SendAsync(b.LocalNode, Sequenced(i, 64));
        }

        await a.DisposeAsync();
        await a.DisposeAsync();

        for (int i = 0; i < count; i++)
        {
            Assert.Equal(i, ReadSequenced((await ReceiveAsync(b)).Payload.Span));
        }

        await a.Inbound.Completion.WaitAsync(Timeout);
        while (a.ConnectionEvents.TryRead(out _))
        {
        }

        await a.ConnectionEvents.Completion.WaitAsync(Timeout);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await a.SendAsync(b.LocalNode, "late"u8.ToArray()));

        foreach (var other in new[] { b, c })
        {
            var departure = await NextEventAsync(other, e => e.Peer == a.LocalNode && e.Kind == ConnectionEventKind.Disconnected);
            Assert.NotEqual(ConnectionCloseReason.None, departure.Reason);
        }

        await b.SendAsync(c.LocalNode, "still here"u8.ToArray());
        var received = await ReceiveAsync(c);
        Assert.Equal(b.LocalNode, received.From);
        Assert.Equal("still here"u8.ToArray(), received.Payload.ToArray());
    }

    private readonly Dictionary<ITransport, HashSet<NodeId>> _connected = [];

    /// <summary>Creates <paramref name="count"/> transports and waits until each reports every other connected.</summary>
    /// <param name="count">How many.</param>
    /// <returns>The transports.</returns>
    protected async Task<IReadOnlyList<ITransport>> ConnectedAsync(int count)
    {
        var nodes = await CreateTransportsAsync(count);
        _created.AddRange(nodes);
        Assert.Equal(count, nodes.Count);
        Assert.Equal(count, nodes.Select(n => n.LocalNode).Distinct().Count());
        foreach (var node in nodes)
        {
            var connected = new HashSet<NodeId>();
            _connected[node] = connected;
            var others = nodes.Where(n => n != node).Select(n => n.LocalNode).ToHashSet();
            while (!connected.SetEquals(others))
            {
                var e = await node.ConnectionEvents.ReadAsync().AsTask().WaitAsync(Timeout);
                if (e.Kind == ConnectionEventKind.Connected)
                {
                    Assert.Equal(ConnectionCloseReason.None, e.Reason);
                    connected.Add(e.Peer);
                }
                else
                {
                    connected.Remove(e.Peer);
                }
            }
        }

        return nodes;
    }

    /// <summary>The next inbound message of <paramref name="transport"/>, or a failure after <see cref="Timeout"/>.</summary>
    /// <param name="transport">The receiver.</param>
    /// <returns>The message.</returns>
    protected async Task<InboundMessage> ReceiveAsync(ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        return await transport.Inbound.ReadAsync().AsTask().WaitAsync(Timeout);
    }

    /// <summary>The next connection event of <paramref name="transport"/> that matches <paramref name="match"/> (others are skipped).</summary>
    /// <param name="transport">The transport.</param>
    /// <param name="match">The event wanted.</param>
    /// <returns>The event.</returns>
    protected async Task<ConnectionEvent> NextEventAsync(ITransport transport, Func<ConnectionEvent, bool> match)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(match);
        while (true)
        {
            var e = await transport.ConnectionEvents.ReadAsync().AsTask().WaitAsync(Timeout);
            if (match(e))
            {
                return e;
            }
        }
    }

    private static byte[] Message(NodeId from, NodeId to) =>
        System.Text.Encoding.ASCII.GetBytes($"from {from.ToShortString()} to {to.ToShortString()}");

    private static byte[] Sequenced(int sequence, int size)
    {
        var payload = new byte[Math.Max(4, size)];
        BinaryPrimitives.WriteInt32LittleEndian(payload, sequence);
        return payload;
    }

    private static int ReadSequenced(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadInt32LittleEndian(payload);
}
