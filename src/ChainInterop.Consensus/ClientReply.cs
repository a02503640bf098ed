using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Consensus;

/// <summary>
/// A replica's answer to a committed client request (K2): which request (client id and timestamp, request digest),
/// where it was committed (height and entry index) and what the application returned for it
/// (<see cref="IChainApplication"/>). A client accepts the outcome once f + 1 replicas sent matching replies
/// (<see cref="ReplyCollector"/>), so the result is vouched for by at least one honest validator.
/// </summary>
/// <remarks>
/// <para>
/// A replica signs once per block, not once per request: the replies it sends for one block are the leaves of a
/// Merkle tree (<see cref="MerkleTree"/>); it signs the root, and each reply carries its leaf's inclusion proof.
/// Checking a reply costs one signature verification plus ⌈log₂ n⌉ hashes; producing n replies costs one signature
/// plus about 2n hashes instead of n signatures.
/// </para>
/// <para>Canonical form: <c>[chainId, clientId, timestamp, requestDigest, height, entryIndex, result, replica, proof, signature]</c>,
/// where <c>proof</c> is a <see cref="MerkleProof"/>, or nil for an unsigned reply.</para>
/// </remarks>
public sealed class ClientReply : ICanonicalEncodable<ClientReply>
{
    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/replies/v3"u8;

    private readonly byte[] _signature;
    private Hash256? _resultDigest;

    private ClientReply(ChainId chainId, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, ReadOnlyMemory<byte> result, NodeId replica, MerkleProof? proof, byte[] signature)
    {
        Result = result;
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

    /// <summary>The application's result for the request (<see cref="BlockExecution.Results"/>); empty when it returned none.</summary>
    public ReadOnlyMemory<byte> Result { get; }

    /// <summary>The replica that answers.</summary>
    public NodeId Replica { get; }

    /// <summary>The reply's place among the replies the replica signed for this block; null when unsigned.</summary>
    public MerkleProof? Proof { get; }

    /// <summary>The replica's signature over the root of its replies for this block; empty when unsigned.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>Whether the reply carries a signature.</summary>
    public bool IsSigned => _signature.Length > 0;

    /// <summary>The outcome a client compares across replicas: everything but the replica, its proof and signature (the result by its digest).</summary>
    public (NodeId ClientId, ulong Timestamp, Hash256 RequestDigest, ulong Height, int EntryIndex, Hash256 ResultDigest) Outcome =>
        (ClientId, Timestamp, RequestDigest, Height, EntryIndex, _resultDigest ??= Hash256.Compute(Result.Span));

    /// <summary>Creates and signs the replies to the requests a block executed, with one signature for all of them.</summary>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="replica">The replica's id (the hash of the key's public key; passed to spare recomputing it).</param>
    /// <param name="height">The block holding the requests.</param>
    /// <param name="executed">The executed requests with their entry indexes and results, all of one chain.</param>
    /// <returns>One reply per executed request, in order.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The requests are of different chains, or an entry index is negative.</exception>
    public static ClientReply[] CreateSigned(PrivateKey replicaKey, NodeId replica, ulong height, IReadOnlyList<(ClientRequest Request, int EntryIndex, ReadOnlyMemory<byte> Result)> executed)
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
            var (request, entryIndex, result) = executed[i];
            ArgumentNullException.ThrowIfNull(request, nameof(executed));
            ArgumentOutOfRangeException.ThrowIfNegative(entryIndex, nameof(executed));
            if (request.ChainId != chainId)
            {
                throw new ArgumentException("The replies of one block are all of one chain.", nameof(executed));
            }

            leaves[i] = HashLeaf(buffer, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, result.Span);
        }

        var proofs = MerkleTree.CreateProofs(leaves, out var root);
        byte[] signature = SignedDigest.Sign(replicaKey, DomainTag, SignedRootDigest(chainId, height, replica, root));
        var replies = new ClientReply[leaves.Length];
        for (int i = 0; i < replies.Length; i++)
        {
            var (request, entryIndex, result) = executed[i];
            replies[i] = new ClientReply(chainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, result, replica, proofs[i], signature);
        }

        return replies;
    }

    /// <summary>Creates and signs the reply to one committed request (a resend, or a block with one request).</summary>
    /// <param name="replicaKey">The replica's key.</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <param name="result">The application's result for it.</param>
    /// <returns>The signed reply.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ClientReply Create(PrivateKey replicaKey, ClientRequest request, ulong height, int entryIndex, ReadOnlyMemory<byte> result = default)
    {
        ArgumentNullException.ThrowIfNull(replicaKey);
        ArgumentNullException.ThrowIfNull(request);
        return CreateSigned(replicaKey, NodeId.FromPublicKey(replicaKey.PublicKey), height, [(request, entryIndex, result)])[0];
    }

    /// <summary>
    /// Creates a reply without a signature, for chains whose clients are reached over a trusted channel
    /// (<see cref="ClientAuthentication.TrustedTransport"/>); a <see cref="ReplyCollector"/> accepts it only when told to.
    /// </summary>
    /// <param name="replica">The replica that answers.</param>
    /// <param name="request">The committed request.</param>
    /// <param name="height">The block holding it.</param>
    /// <param name="entryIndex">Its index in the block.</param>
    /// <param name="result">The application's result for it.</param>
    /// <returns>The unsigned reply.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static ClientReply CreateUnsigned(NodeId replica, ClientRequest request, ulong height, int entryIndex, ReadOnlyMemory<byte> result = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(entryIndex);
        return new ClientReply(request.ChainId, request.ClientId, request.Timestamp, request.Digest, height, entryIndex, result, replica, null, []);
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

        var leaf = HashLeaf(new ArrayBufferWriter<byte>(160), ClientId, Timestamp, RequestDigest, Height, EntryIndex, Result.Span);
        return Proof.ComputeRoot(leaf) is { } root
            && SignedDigest.Verify(replicaKey, DomainTag, SignedRootDigest(ChainId, Height, Replica, root), _signature);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(10);
        writer.WriteChainId(ChainId);
        writer.WriteNodeId(ClientId);
        writer.WriteUInt64(Timestamp);
        writer.WriteHash256(RequestDigest);
        writer.WriteUInt64(Height);
        writer.WriteInt32(EntryIndex);
        writer.WriteBinary(Result.Span);
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
        reader.ReadArrayHeader(10);
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

        long resultOffset = reader.Consumed;
        byte[] result = reader.ReadBinaryArray();
        if (result.Length > BlockExecution.MaxResultBytes)
        {
            throw new CodecException(CodecError.ValueOutOfRange, resultOffset, $"a result of {result.Length} bytes (at most {BlockExecution.MaxResultBytes})");
        }

        var replica = reader.ReadNodeId();
        var proof = reader.TryReadNil() ? null : MerkleProof.Decode(ref reader);
        return new ClientReply(chainId, clientId, timestamp, requestDigest, height, entryIndex, result, replica, proof, reader.ReadBinaryArray());
    }

    private static Hash256 HashLeaf(ArrayBufferWriter<byte> buffer, NodeId clientId, ulong timestamp, Hash256 requestDigest, ulong height, int entryIndex, ReadOnlySpan<byte> result)
    {
        buffer.ResetWrittenCount();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.WriteNodeId(clientId);
        writer.WriteUInt64(timestamp);
        writer.WriteHash256(requestDigest);
        writer.WriteUInt64(height);
        writer.WriteInt32(entryIndex);
        writer.WriteBinary(result);
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
