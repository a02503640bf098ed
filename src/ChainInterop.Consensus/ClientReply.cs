using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus;

/// <summary>
/// A replica's signed answer to a committed client request (K2): which request (client id and timestamp, request
/// digest) and where it was committed (height and entry index). A client accepts the outcome once f + 1 replicas
/// sent matching replies (<see cref="ReplyCollector"/>).
/// </summary>
/// <remarks>Canonical form: <c>[chainId, clientId, timestamp, requestDigest, height, entryIndex, replica, signature]</c>.</remarks>
public sealed class ClientReply : ICanonicalEncodable<ClientReply>
{
    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/reply/v1"u8;

    private readonly byte[] _signature;

    private ClientReply(ChainId chainId, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, NodeId replica, byte[] signature)
    {
        ChainId = chainId;
        ClientId = clientId;
        Timestamp = timestamp;
        RequestDigest = requestDigest;
        Height = height;
        EntryIndex = entryIndex;
        Replica = replica;
        _signature = signature;
    }

    /// <summary>The chain.</summary>
    public ChainId ChainId { get; }

    /// <summary>The client that sent the request.</summary>
    public NodeId ClientId { get; }

    /// <summary>The request's timestamp.</summary>
    public ulong Timestamp { get; }

    /// <summary>The request's digest.</summary>
    public Hash256 RequestDigest { get; }

    /// <summary>The height of the block that holds the request.</summary>
    public ulong Height { get; }

    /// <summary>The request's index among the block's entries.</summary>
    public int EntryIndex { get; }

    /// <summary>The replica that answers.</summary>
    public NodeId Replica { get; }

    /// <summary>The replica's signature.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>The outcome a client compares across replicas: everything but the replica and its signature.</summary>
    public (NodeId ClientId, ulong Timestamp, Hash256 RequestDigest, ulong Height, int EntryIndex) Outcome =>
        (ClientId, Timestamp, RequestDigest, Height, EntryIndex);

    /// <summary>Creates and signs a reply.</summary>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <returns>The signed reply.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ClientReply Create(PrivateKey replicaKey, ClientRequest request, ulong height, int entryIndex)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(entryIndex);
        var replica = NodeId.FromPublicKey(replicaKey.PublicKey);
        var digest = ComputeDigest(request.ChainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, replica);
        return new ClientReply(request.ChainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, replica,
            SignedDigest.Sign(replicaKey, DomainTag, digest));
    }

    /// <summary>
    /// Creates a reply without a signature, for chains whose clients are reached over a trusted channel
    /// (<see cref="ClientAuthentication.TrustedTransport"/>); a <see cref="ReplyCollector"/> accepts it only when told to.
    /// </summary>
    /// <param name="replicaKey">The replica's key (names the replica; nothing is signed).</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <returns>The unsigned reply.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ClientReply CreateUnsigned(PrivateKey replicaKey, ClientRequest request, ulong height, int entryIndex)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(entryIndex);
        return new ClientReply(request.ChainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex,
            NodeId.FromPublicKey(replicaKey.PublicKey), []);
    }

    /// <summary>Whether the reply carries a signature.</summary>
    public bool IsSigned => _signature.Length > 0;

    /// <summary>Whether the reply is signed by <paramref name="replicaKey"/> (which must be the key of <see cref="Replica"/>).</summary>
    /// <param name="replicaKey">The replica's public key, from the chain's validator set.</param>
    /// <returns>True for a genuine reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="replicaKey"/> is null.</exception>
    public bool Verify(PublicKey replicaKey)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        return NodeId.FromPublicKey(replicaKey) == Replica
            && SignedDigest.Verify(replicaKey, DomainTag, ComputeDigest(ChainId, ClientId, Timestamp, RequestDigest, Height, EntryIndex, Replica), _signature);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(8);
        WriteFields(ref writer, ChainId, ClientId, Timestamp, RequestDigest, Height, EntryIndex, Replica);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static ClientReply Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(8);
        return new ClientReply(reader.ReadChainId(), reader.ReadNodeId(), reader.ReadUInt64(), reader.ReadHash256(),
            reader.ReadUInt64(), reader.ReadInt32(), reader.ReadNodeId(), reader.ReadBinaryArray());
    }

    private static void WriteFields(ref CanonicalWriter writer, ChainId chainId, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, NodeId replica)
    {
        writer.WriteChainId(chainId);
        writer.WriteNodeId(clientId);
        writer.WriteUInt64(timestamp);
        writer.WriteHash256(requestDigest);
        writer.WriteUInt64(height);
        writer.WriteInt32(entryIndex);
        writer.WriteNodeId(replica);
    }

    private static Hash256 ComputeDigest(ChainId chainId, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, NodeId replica)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(7);
        WriteFields(ref writer, chainId, clientId, timestamp, requestDigest, height, entryIndex, replica);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
