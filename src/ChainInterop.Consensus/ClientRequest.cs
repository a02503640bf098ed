using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus;

/// <summary>
/// A client's signed request to a chain (K2): the payload becomes one entry of a committed block. The client's
/// <see cref="Timestamp"/> increases with every request, so replicas execute each request once (a request whose
/// timestamp is not above the last one executed for that client is a duplicate).
/// </summary>
/// <remarks>
/// Canonical form: <c>[chainId, clientKey, timestamp, payload, signature]</c>; the signature is a
/// <see cref="SignedDigest"/> under "ChainInterop/request/v1" of <see cref="Digest"/>, the SHA-256 of
/// <c>[chainId, clientKey, timestamp, payload]</c>.
/// </remarks>
public sealed class ClientRequest : ICanonicalEncodable<ClientRequest>
{
    /// <summary>The largest payload a request may carry, in bytes.</summary>
    public const int MaxPayloadSizeBytes = 1 << 20;

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/request/v1"u8;

    private readonly byte[] _payload;
    private readonly byte[] _signature;

    private ClientRequest(ChainId chainId, PublicKey clientKey, ulong timestamp, byte[] payload, byte[] signature)
    {
        ChainId = chainId;
        ClientKey = clientKey;
        ClientId = NodeId.FromPublicKey(clientKey);
        Timestamp = timestamp;
        _payload = payload;
        _signature = signature;
        Digest = ComputeDigest(chainId, clientKey, timestamp, payload);
    }

    /// <summary>The chain the request is for.</summary>
    public ChainId ChainId { get; }

    /// <summary>The client's public key.</summary>
    public PublicKey ClientKey { get; }

    /// <summary>The client's id, derived from <see cref="ClientKey"/>.</summary>
    public NodeId ClientId { get; }

    /// <summary>The client's request counter: strictly increasing per client.</summary>
    public ulong Timestamp { get; }

    /// <summary>The bytes to commit.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>The client's signature.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>SHA-256 of the signed fields: what replicas agree on and replies refer to.</summary>
    public Hash256 Digest { get; }

    /// <summary>Creates and signs a request.</summary>
    /// <param name="clientKey">The client's private key.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="timestamp">The client's next request counter.</param>
    /// <param name="payload">The bytes to commit (copied).</param>
    /// <returns>The signed request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clientKey"/> is null.</exception>
    /// <exception cref="ArgumentException">The payload is too large.</exception>
    public static ClientRequest Create(PrivateKey clientKey, ChainId chainId, ulong timestamp, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(clientKey);
        if (payload.Length > MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"A request payload is at most {MaxPayloadSizeBytes} bytes.", nameof(payload));
        }

        var digest = ComputeDigest(chainId, clientKey.PublicKey, timestamp, payload);
        return new ClientRequest(chainId, clientKey.PublicKey, timestamp, payload.ToArray(), SignedDigest.Sign(clientKey, DomainTag, digest));
    }

    /// <summary>Whether the client's signature verifies.</summary>
    /// <returns>True for a genuine request.</returns>
    public bool VerifySignature() => SignedDigest.Verify(ClientKey, DomainTag, Digest, _signature);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.WriteChainId(ChainId);
        writer.WritePublicKey(ClientKey);
        writer.WriteUInt64(Timestamp);
        writer.WriteBinary(_payload);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static ClientRequest Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(5);
        var chainId = reader.ReadChainId();
        var key = reader.ReadPublicKey();
        ulong timestamp = reader.ReadUInt64();
        long payloadOffset = reader.Consumed;
        var payload = reader.ReadBinaryArray();
        if (payload.Length > MaxPayloadSizeBytes)
        {
            throw new CodecException(CodecError.LimitExceeded, payloadOffset, $"request payload over {MaxPayloadSizeBytes} bytes");
        }

        return new ClientRequest(chainId, key, timestamp, payload, reader.ReadBinaryArray());
    }

    private static Hash256 ComputeDigest(ChainId chainId, PublicKey clientKey, ulong timestamp, ReadOnlySpan<byte> payload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128 + payload.Length);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteChainId(chainId);
        writer.WritePublicKey(clientKey);
        writer.WriteUInt64(timestamp);
        writer.WriteBinary(payload);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
