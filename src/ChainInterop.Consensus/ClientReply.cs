using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Consensus;

/// <summary>
/// A replica's answer to a committed client request (K2): which request (client id and timestamp, request digest)
/// and where it was committed (height and entry index). A client accepts the outcome once f + 1 replicas sent
/// matching replies (<see cref="ReplyCollector"/>).
/// </summary>
/// <remarks>
/// <para>
/// A replica signs once per block, not once per request: the replies it sends for one block are the leaves of a
/// Merkle tree (<see cref="MerkleTree"/>); it signs the root, and each reply carries its leaf's inclusion proof.
/// Checking a reply costs one signature verification plus ⌈log₂ n⌉ hashes; producing n replies costs one signature
/// plus about 2n hashes instead of n signatures.
/// </para>
/// <para>Canonical form: <c>[chainId, clientId, timestamp, requestDigest, height, entryIndex, replica, proof, signature]</c>,
/// where <c>proof</c> is a <see cref="MerkleProof"/>, or nil for an unsigned reply.</para>
/// </remarks>
public sealed class ClientReply : ICanonicalEncodable<ClientReply>
{
    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/replies/v2"u8;

    private readonly byte[] _signature;

    private ClientReply(ChainId chainId, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, NodeId replica, MerkleProof? proof, byte[] signature)
    {
        ChainId = chainId;
        ClientId = clientId;
        Timestamp = timestamp;
        RequestDigest = requestDigest;
        Height = height;
        EntryIndex = entryIndex;
        Replica = replica;
        Proof = proof;
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

    /// <summary>The reply's place among the replies the replica signed for this block; null when unsigned.</summary>
    public MerkleProof? Proof { get; }

    /// <summary>The replica's signature over the root of its replies for this block; empty when unsigned.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>Whether the reply carries a signature.</summary>
    public bool IsSigned => _signature.Length > 0;

    /// <summary>The outcome a client compares across replicas: everything but the replica, its proof and signature.</summary>
    public (NodeId ClientId, ulong Timestamp, Hash256 RequestDigest, ulong Height, int EntryIndex) Outcome =>
        (ClientId, Timestamp, RequestDigest, Height, EntryIndex);

    /// <summary>Creates and signs the replies to the requests a block executed, with one signature for all of them.</summary>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="replica">The replica's id (the hash of the key's public key; passed to spare recomputing it).</param>
    /// <param name="height">The block holding the requests.</param>
    /// <param name="executed">The executed requests and their entry indexes, all of one chain.</param>
    /// <returns>One reply per executed request, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The requests are of different chains, or an entry index is negative.</exception>
    public static ClientReply[] CreateSigned(PrivateKey replicaKey, NodeId replica, ulong height, IReadOnlyList<(ClientRequest Request, int EntryIndex)> executed)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        ArgumentNullException.ThrowIfNull(executed);
        if (executed.Count == 0)
        {
            return [];
        }

        var chainId = executed[0].Request.ChainId;
        var leaves = new Hash256[executed.Count];
        var buffer = new ArrayBufferWriter<byte>(160);
        for (int i = 0; i < leaves.Length; i++)
        {
            var (request, entryIndex) = executed[i];
            ArgumentNullException.ThrowIfNull(request, nameof(executed));
            ArgumentOutOfRangeException.ThrowIfNegative(entryIndex, nameof(executed));
            if (request.ChainId != chainId)
            {
                throw new ArgumentException("The replies of one block are all of one chain.", nameof(executed));
            }

            leaves[i] = HashLeaf(buffer, request.ClientId, request.Timestamp, request.Digest, height, entryIndex);
        }

        var proofs = MerkleTree.CreateProofs(leaves, out var root);
        byte[] signature = SignedDigest.Sign(replicaKey, DomainTag, SignedRootDigest(chainId, height, replica, root));
        var replies = new ClientReply[leaves.Length];
        for (int i = 0; i < replies.Length; i++)
        {
            var (request, entryIndex) = executed[i];
            replies[i] = new ClientReply(chainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, replica, proofs[i], signature);
        }

        return replies;
    }

    /// <summary>Creates and signs the reply to one committed request (a resend, or a block with one request).</summary>
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
        return CreateSigned(replicaKey, NodeId.FromPublicKey(replicaKey.PublicKey), height, [(request, entryIndex)])[0];
    }

    /// <summary>
    /// Creates a reply without a signature, for chains whose clients are reached over a trusted channel
    /// (<see cref="ClientAuthentication.TrustedTransport"/>); a <see cref="ReplyCollector"/> accepts it only when told to.
    /// </summary>
    /// <param name="replica">The replica that answers.</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <returns>The unsigned reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static ClientReply CreateUnsigned(NodeId replica, ClientRequest request, ulong height, int entryIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(entryIndex);
        return new ClientReply(request.ChainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, replica, null, []);
    }

    /// <summary>Whether the reply is signed by <paramref name="replicaKey"/> (which must be the key of <see cref="Replica"/>) and its proof leads to the signed root.</summary>
    /// <param name="replicaKey">The replica's public key, from the chain's validator set.</param>
    /// <returns>True for a genuine reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="replicaKey"/> is null.</exception>
    public bool Verify(PublicKey replicaKey)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        if (Proof is null || NodeId.FromPublicKey(replicaKey) != Replica)
        {
            return false;
        }

        var leaf = HashLeaf(new ArrayBufferWriter<byte>(160), ClientId, Timestamp, RequestDigest, Height, EntryIndex);
        return Proof.ComputeRoot(leaf) is { } root
            && SignedDigest.Verify(replicaKey, DomainTag, SignedRootDigest(ChainId, Height, Replica, root), _signature);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(9);
        writer.WriteChainId(ChainId);
        writer.WriteNodeId(ClientId);
        writer.WriteUInt64(Timestamp);
        writer.WriteHash256(RequestDigest);
        writer.WriteUInt64(Height);
        writer.WriteInt32(EntryIndex);
        writer.WriteNodeId(Replica);
        if (Proof is null)
        {
            writer.WriteNil();
        }
        else
        {
            Proof.Encode(ref writer);
        }

        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static ClientReply Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(9);
        var chainId = reader.ReadChainId();
        var clientId = reader.ReadNodeId();
        ulong timestamp = reader.ReadUInt64();
        var requestDigest = reader.ReadHash256();
        ulong height = reader.ReadUInt64();
        long entryOffset = reader.Consumed;
        int entryIndex = reader.ReadInt32();
        if (entryIndex < 0)
        {
            throw new CodecException(CodecError.ValueOutOfRange, entryOffset, "a negative entry index");
        }

        var replica = reader.ReadNodeId();
        var proof = reader.TryReadNil() ? null : MerkleProof.Decode(ref reader);
        return new ClientReply(chainId, clientId, timestamp, requestDigest, height, entryIndex, replica, proof, reader.ReadBinaryArray());
    }

    private static Hash256 HashLeaf(ArrayBufferWriter<byte> buffer, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex)
    {
        buffer.ResetWrittenCount();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.WriteNodeId(clientId);
        writer.WriteUInt64(timestamp);
        writer.WriteHash256(requestDigest);
        writer.WriteUInt64(height);
        writer.WriteInt32(entryIndex);
        return MerkleTree.HashLeaf(buffer.WrittenSpan);
    }

    private static Hash256 SignedRootDigest(ChainId chainId, ulong height, NodeId replica, Hash256 root)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteChainId(chainId);
        writer.WriteUInt64(height);
        writer.WriteNodeId(replica);
        writer.WriteHash256(root);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
