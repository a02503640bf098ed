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
/// <item><description>Messages from one peer arrive in the order that peer sent them (some may be missing: delivery is best effort).</description></item>
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
public readonly record struct InboundMessage(NodeId From, ReadOnlyMemory<byte> Payload);
