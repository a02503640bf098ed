using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ChainInterop.Transport;

/// <summary>
/// Transports between nodes in one process (tests, samples, benchmarks): each <see cref="Connect"/> returns a node's
/// transport; a send copies the payload into the recipient's bounded inbox. Messages to unknown or disconnected
/// nodes, and messages to a full inbox, are dropped (counted in <see cref="DroppedMessages"/>), as a network would.
/// Every connected node is connected to every other: joining reports <see cref="ConnectionEventKind.Connected"/>
/// on both sides, disposing reports <see cref="ConnectionEventKind.Disconnected"/> on both sides.
/// </summary>
public sealed class InMemoryNetwork
{
    /// <summary>Default capacity of each node's inbox, in messages.</summary>
    public const int DefaultInboxCapacityMessages = 100_000;

    /// <summary>Default <see cref="ITransport.MaxPayloadSizeBytes"/> of the network's transports: 16 MiB.</summary>
    public const int DefaultMaxPayloadSizeBytes = 16 * 1024 * 1024;

    /// <summary>Capacity of each node's connection-event queue, in events; the oldest are dropped beyond it.</summary>
    public const int MaxQueuedConnectionEvents = 1024;

    private readonly ConcurrentDictionary<NodeId, Node> _nodes = new();

    // Serialises joins and leaves so that every node sees a consistent sequence of connection events.
    private readonly object _membership = new();
    private readonly int _inboxCapacity;
    private readonly int _maxPayloadSizeBytes;
    private long _dropped;

    /// <summary>Creates an empty network.</summary>
    /// <param name="inboxCapacityMessages">The most messages waiting in one node's inbox.</param>
    /// <param name="maxPayloadSizeBytes">The largest payload a send accepts, in bytes.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    public InMemoryNetwork(int inboxCapacityMessages = DefaultInboxCapacityMessages, int maxPayloadSizeBytes = DefaultMaxPayloadSizeBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inboxCapacityMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadSizeBytes, 1);
        _inboxCapacity = inboxCapacityMessages;
        _maxPayloadSizeBytes = maxPayloadSizeBytes;
    }

    /// <summary>Messages dropped because the recipient was unknown, gone or full.</summary>
    public long DroppedMessages => Interlocked.Read(ref _dropped);

    /// <summary>Connects <paramref name="node"/> to the network.</summary>
    /// <param name="node">The node.</param>
    /// <returns>Its transport.</returns>
    /// <exception cref="InvalidOperationException">The node is already connected.</exception>
    public ITransport Connect(NodeId node)
    {
        var created = new Node(this, node, Channel.CreateBounded<InboundMessage>(new BoundedChannelOptions(_inboxCapacity)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }));
        lock (_membership)
        {
            if (!_nodes.TryAdd(node, created))
            {
                throw new InvalidOperationException($"Node {node.ToShortString()} is already connected.");
            }

            foreach (var other in _nodes.Values)
            {
                if (other != created)
                {
                    other.Report(new ConnectionEvent(node, ConnectionEventKind.Connected, ConnectionCloseReason.None));
                    created.Report(new ConnectionEvent(other.LocalNode, ConnectionEventKind.Connected, ConnectionCloseReason.None));
                }
            }
        }

        return created;
    }

    private void Deliver(NodeId from, NodeId to, ReadOnlyMemory<byte> payload)
    {
        if (!_nodes.TryGetValue(to, out var recipient) || !recipient.Inbox.Writer.TryWrite(new InboundMessage(from, payload.ToArray())))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private void Leave(Node node)
    {
        lock (_membership)
        {
            if (!_nodes.TryRemove(new KeyValuePair<NodeId, Node>(node.LocalNode, node)))
            {
                return;
            }

            foreach (var other in _nodes.Values)
            {
                other.Report(new ConnectionEvent(node.LocalNode, ConnectionEventKind.Disconnected, ConnectionCloseReason.RemoteClosed));
                node.Report(new ConnectionEvent(other.LocalNode, ConnectionEventKind.Disconnected, ConnectionCloseReason.LocalShutdown));
            }
        }
    }

    private sealed class Node(InMemoryNetwork network, NodeId id, Channel<InboundMessage> inbox) : ITransport
    {
        private readonly Channel<ConnectionEvent> _events = Channel.CreateBounded<ConnectionEvent>(new BoundedChannelOptions(MaxQueuedConnectionEvents)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
        });

        private int _disposed;

        public Channel<InboundMessage> Inbox { get; } = inbox;

        public NodeId LocalNode { get; } = id;

        public ChannelReader<InboundMessage> Inbound => Inbox.Reader;

        public ChannelReader<ConnectionEvent> ConnectionEvents => _events.Reader;

        public int MaxPayloadSizeBytes => network._maxPayloadSizeBytes;

        public void Report(ConnectionEvent e) => _events.Writer.TryWrite(e);

        public ValueTask SendAsync(NodeId peer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (payload.Length > MaxPayloadSizeBytes)
            {
                throw new ArgumentException($"A payload is at most {MaxPayloadSizeBytes} bytes, got {payload.Length}.", nameof(payload));
            }

            cancellationToken.ThrowIfCancellationRequested();
            network.Deliver(LocalNode, peer, payload);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                network.Leave(this);
                Inbox.Writer.TryComplete();
                _events.Writer.TryComplete();
            }

            return ValueTask.CompletedTask;
        }
    }
}
