using System.Threading.Channels;

namespace ChainInterop.Transport;

/// <summary>
/// Moves opaque messages between the nodes of a chain (C6). A transport only moves bytes: protocols encode, sign
/// and verify their own messages, so integrators can plug in any transport without touching an engine.
/// The sender identity of every inbound message is authenticated by the transport.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>This node.</summary>
    NodeId LocalNode { get; }

    /// <summary>Messages from peers, with their authenticated sender, in arrival order.</summary>
    ChannelReader<InboundMessage> Inbound { get; }

    /// <summary>Sends <paramref name="payload"/> to <paramref name="peer"/>. Delivery is best effort: protocols retransmit.</summary>
    /// <param name="peer">The recipient.</param>
    /// <param name="payload">The message (the transport may copy it; the caller may reuse its buffer after the call).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>A task that completes when the message is handed to the transport.</returns>
    ValueTask SendAsync(NodeId peer, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}

/// <summary>A message received from an authenticated peer.</summary>
/// <param name="From">The sender.</param>
/// <param name="Payload">The bytes.</param>
public readonly record struct InboundMessage(NodeId From, ReadOnlyMemory<byte> Payload);
