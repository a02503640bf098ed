using System.Collections.Concurrent;
using System.Threading.Channels;

namespace ChainInterop.Transport;

/// <summary>
/// Transports between nodes in one process (tests, samples, benchmarks): each <see cref="Connect"/> returns a node's
/// transport; a send copies the payload into the recipient's bounded inbox. Messages to unknown or disconnected
/// nodes, and messages to a full inbox, are dropped (counted in <see cref="DroppedMessages"/>), as a network would.
/// </summary>
public sealed class InMemoryNetwork
{
    /// <summary>Default capacity of each node's inbox, in messages.</summary>
    public const int DefaultInboxCapacityMessages = 100_000;

    private readonly ConcurrentDictionary<NodeId, Node> _nodes = new();
    private readonly int _inboxCapacity;
    private long _dropped;

    /// <summary>Creates an empty network.</summary>
    /// <param name="inboxCapacityMessages">The most messages waiting in one node's inbox.</param>
    public InMemoryNetwork(int inboxCapacityMessages = DefaultInboxCapacityMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inboxCapacityMessages, 1);
        _inboxCapacity = inboxCapacityMessages;
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
        if (!_nodes.TryAdd(node, created))
        {
            throw new InvalidOperationException($"Node {node.ToShortString()} is already connected.");
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

    private sealed class Node(InMemoryNetwork network, NodeId id, Channel<InboundMessage> inbox) : ITransport
    {
        public Channel<InboundMessage> Inbox { get; } = inbox;

        public NodeId LocalNode { get; } = id;

        public ChannelReader<InboundMessage> Inbound => Inbox.Reader;

        public ValueTask SendAsync(NodeId peer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            network.Deliver(LocalNode, peer, payload);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            network._nodes.TryRemove(new KeyValuePair<NodeId, Node>(LocalNode, this));
            Inbox.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
