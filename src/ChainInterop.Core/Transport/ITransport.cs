using System.Threading.Channels;

namespace ChainInterop.Transport;

/// <summary>
/// Moves opaque messages between the nodes of a chain (C6). A transport only moves bytes: protocols encode, sign
/// and verify their own messages, so integrators can plug in any transport without touching an engine.
/// The sender identity of every inbound message is authenticated by the transport.
/// </summary>
/// <remarks>
/// <para>What every implementation promises (checked by <c>ChainInterop.Testing.Transport.TransportContractTests</c>):</para>
/// <list type="bullet">
/// <item><description><see cref="InboundMessage.From"/> is the authenticated sender; a peer cannot claim another's id.</description></item>
/// <item><description>Messages from one peer arrive in the order that peer sent them (some may be missing: delivery is best effort; the TCP transport loses messages only with a connection, and reports it as <see cref="ConnectionEventKind.Disconnected"/> on the sending side).</description></item>
/// <item><description>A payload of up to <see cref="MaxPayloadSizeBytes"/> bytes arrives intact; a larger one is refused with <see cref="ArgumentException"/>.</description></item>
/// <item><description>A send to a node the transport has no route to (unknown, or not connected and nothing queued) is dropped without an exception; a send to <see cref="LocalNode"/> is delivered to this node's own <see cref="Inbound"/>.</description></item>
/// <item><description><see cref="ConnectionEvents"/> reports each authenticated peer becoming reachable and unreachable, with a reason.</description></item>
/// <item><description><see cref="IAsyncDisposable.DisposeAsync"/> is idempotent, completes <see cref="Inbound"/> and <see cref="ConnectionEvents"/>, and makes later sends throw <see cref="ObjectDisposedException"/>.</description></item>
/// </list>
/// </remarks>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node.</summary>
    NodeId LocalNode { get; }

    /// <summary>Messages from peers, with their authenticated sender, in arrival order (per peer: in send order).</summary>
    ChannelReader<InboundMessage> Inbound { get; }

    /// <summary>
    /// Peers becoming connected and disconnected, with the reason. Bounded: when nobody reads, the oldest events are
    /// dropped, so a host that ignores them loses nothing but the events.
    /// </summary>
    ChannelReader<ConnectionEvent> ConnectionEvents { get; }

    /// <summary>The largest payload <see cref="SendAsync"/> accepts and a peer's transport delivers, in bytes.</summary>
    int MaxPayloadSizeBytes { get; }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="peer"/>. Delivery is best effort: protocols retransmit.</summary>
    /// <param name="peer">The recipient.</param>
    /// <param name="payload">The message (the transport may copy it; the caller may reuse its buffer after the call).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message is handed to the transport.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is longer than <see cref="MaxPayloadSizeBytes"/>.</exception>
    /// <exception cref="ObjectDisposedException">The transport has been disposed.</exception>
    ValueTask SendAsync(NodeId peer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}

/// <summary>A message received from an authenticated peer.</summary>
/// <param name="From">The sender.</param>
/// <param name="Payload">The bytes.</param>
/// <remarks>
/// The message owns <see cref="Payload"/> for as long as the consumer keeps it. A consumer that is done with a
/// message may call <see cref="Release"/> so that the transport can reuse its memory (no allocation or cold memory per
/// message in bulk transfers); consumers that never call it lose nothing but that reuse.
/// </remarks>
public readonly record struct InboundMessage(NodeId From, ReadOnlyMemory<byte> Payload)
{
    private readonly IInboundBuffer? _buffer;
    private readonly int _token;

    /// <summary>A message whose payload lives in memory that <paramref name="buffer"/> lends and takes back (for transports).</summary>
    /// <param name="from">The sender.</param>
    /// <param name="payload">The bytes, inside the buffer.</param>
    /// <param name="buffer">Takes the memory back when the message is released.</param>
    /// <param name="token">What the buffer needs to know which message is released.</param>
    public InboundMessage(NodeId from, ReadOnlyMemory<byte> payload, IInboundBuffer buffer, int token)
        : this(from, payload)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        _buffer = buffer;
        _token = token;
    }

    /// <summary>
    /// Optional: says the consumer is done with <see cref="Payload"/>, so that the transport may reuse its memory.
    /// After the call neither this message's <see cref="Payload"/> nor any copy of this struct's payload may be read
    /// (it may be overwritten by later messages). Call it at most once per message; a second call is a bug and throws
    /// <see cref="InvalidOperationException"/> where the transport can tell. A no-op for messages whose memory is not
    /// lent (e.g. the in-memory transport's).
    /// </summary>
    public void Release() => _buffer?.Release(_token);
}

/// <summary>
/// Memory a transport lends to received messages and takes back through <see cref="InboundMessage.Release"/>. For
/// integrators writing a transport that reuses receive buffers.
/// </summary>
public interface IInboundBuffer
{
    /// <summary>The message that was given <paramref name="token"/> is released.</summary>
    /// <param name="token">The token of <see cref="InboundMessage(NodeId, ReadOnlyMemory{byte}, IInboundBuffer, int)"/>.</param>
    /// <exception cref="InvalidOperationException">That message was already released (where the buffer can tell).</exception>
    void Release(int token);
}
