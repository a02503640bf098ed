using System.Net;
using ChainInterop.Crypto;

namespace ChainInterop.Transport.Tcp;

/// <summary>
/// One entry of the admission whitelist (thesis §4.3): a node this transport accepts and, when
/// <see cref="EndPoint"/> is set, dials. Its <see cref="NodeId"/> is derived from <see cref="PublicKey"/>, so the
/// id and the key can never disagree.
/// </summary>
public sealed class TcpPeer
{
    /// <summary>Creates a whitelist entry.</summary>
    /// <param name="publicKey">The peer's node key: the handshake must be signed with it.</param>
    /// <param name="endPoint">Where to dial the peer (an <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>); null to only accept its connections.</param>
    /// <param name="chainId">The chain the peer must declare in the handshake; <c>default</c> means this node's own chain.</param>
    /// <exception cref="ArgumentNullException"><paramref name="publicKey"/> is null.</exception>
    public TcpPeer(PublicKey publicKey, EndPoint? endPoint = null, ChainId chainId = default)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        PublicKey = publicKey;
        EndPoint = endPoint;
        ChainId = chainId;
        NodeId = NodeId.FromPublicKey(publicKey);
    }

    /// <summary>The peer's node key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The peer's id, derived from <see cref="PublicKey"/>.</summary>
    public NodeId NodeId { get; }

    /// <summary>Where to dial it, or null to only accept.</summary>
    public EndPoint? EndPoint { get; }

    /// <summary>The chain it must declare; <c>default</c> means this node's own chain.</summary>
    public ChainId ChainId { get; }

    /// <inheritdoc />
    public override string ToString() => $"{NodeId.ToShortString()}@{EndPoint?.ToString() ?? "(accept only)"}";
}
