using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.SingleAuthority;

/// <summary>What a single-authority message carries.</summary>
internal enum SingleAuthorityMessageKind
{
    /// <summary>A follower forwards a client request to the authority: <c>[1, chainId, request]</c>.</summary>
    Forward = 1,

    /// <summary>A follower asks for blocks from a height: <c>[2, chainId, fromHeight, followerKey, signature]</c>.</summary>
    SyncRequest = 2,

    /// <summary>The authority sends committed blocks: <c>[3, chainId, [block, …], signature]</c>.</summary>
    Blocks = 3,
}

/// <summary>
/// The three wire messages of the single-authority engine and their canonical encoding. Decoding never trusts
/// the bytes: <see cref="TryDecode"/> rejects anything malformed, and signatures are checked by the caller.
/// </summary>
internal sealed class SingleAuthorityMessage
{
    private static ReadOnlySpan<byte> SyncRequestTag => "ChainInterop/single-authority/sync/v1"u8;

    private static ReadOnlySpan<byte> BlocksTag => "ChainInterop/single-authority/blocks/v1"u8;

    private SingleAuthorityMessage(SingleAuthorityMessageKind kind, ChainId chainId)
    {
        Kind = kind;
        ChainId = chainId;
    }

    public SingleAuthorityMessageKind Kind { get; }

    public ChainId ChainId { get; }

    /// <summary>The forwarded request (<see cref="SingleAuthorityMessageKind.Forward"/>).</summary>
    public ClientRequest? Request { get; private init; }

    /// <summary>The first height asked for (<see cref="SingleAuthorityMessageKind.SyncRequest"/>).</summary>
    public ulong FromHeight { get; private init; }

    /// <summary>The follower's key (<see cref="SingleAuthorityMessageKind.SyncRequest"/>).</summary>
    public PublicKey? FollowerKey { get; private init; }

    /// <summary>The blocks (<see cref="SingleAuthorityMessageKind.Blocks"/>), lowest height first.</summary>
    public IReadOnlyList<Block> Blocks { get; private init; } = [];

    private byte[] Signature { get; init; } = [];

    public static byte[] EncodeForward(ChainId chainId, ClientRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.WriteUInt64((ulong)SingleAuthorityMessageKind.Forward);
        writer.WriteChainId(chainId);
        request.Encode(ref writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] EncodeSyncRequest(ChainId chainId, ulong fromHeight, PrivateKey followerKey)
    {
        var signature = SignedDigest.Sign(followerKey, SyncRequestTag, SyncDigest(chainId, fromHeight, followerKey.PublicKey));
        var buffer = new ArrayBufferWriter<byte>(192);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.WriteUInt64((ulong)SingleAuthorityMessageKind.SyncRequest);
        writer.WriteChainId(chainId);
        writer.WriteUInt64(fromHeight);
        writer.WritePublicKey(followerKey.PublicKey);
        writer.WriteBinary(signature);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] EncodeBlocks(ChainId chainId, IReadOnlyList<Block> blocks, PrivateKey authorityKey)
    {
        var signature = SignedDigest.Sign(authorityKey, BlocksTag, BlocksDigest(chainId, blocks));
        var buffer = new ArrayBufferWriter<byte>(1024);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteUInt64((ulong)SingleAuthorityMessageKind.Blocks);
        writer.WriteChainId(chainId);
        writer.WriteArrayHeader(blocks.Count);
        foreach (var block in blocks)
        {
            block.Encode(ref writer);
        }

        writer.WriteBinary(signature);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a message; false for anything malformed (never throws on bad bytes).</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> bytes, int maxBlocks, out SingleAuthorityMessage? message)
    {
        message = null;
        try
        {
            var reader = new CanonicalReader(bytes);
            int fields = reader.ReadArrayHeader();
            var kind = (SingleAuthorityMessageKind)reader.ReadUInt64();
            var chainId = reader.ReadChainId();
            switch (kind)
            {
                case SingleAuthorityMessageKind.Forward when fields == 3:
                    message = new SingleAuthorityMessage(kind, chainId) { Request = ClientRequest.Decode(ref reader) };
                    break;
                case SingleAuthorityMessageKind.SyncRequest when fields == 5:
                    message = new SingleAuthorityMessage(kind, chainId)
                    {
                        FromHeight = reader.ReadUInt64(),
                        FollowerKey = reader.ReadPublicKey(),
                        Signature = reader.ReadBinaryArray(),
                    };
                    break;
                case SingleAuthorityMessageKind.Blocks when fields == 4:
                    int count = reader.ReadArrayHeader();
                    if (count > maxBlocks)
                    {
                        return false;
                    }

                    var blocks = new Block[count];
                    for (int i = 0; i < count; i++)
                    {
                        blocks[i] = Block.Decode(ref reader);
                    }

                    message = new SingleAuthorityMessage(kind, chainId) { Blocks = blocks, Signature = reader.ReadBinaryArray() };
                    break;
                default:
                    return false;
            }

            reader.EnsureEnd();
            return true;
        }
        catch (CodecException)
        {
            message = null;
            return false;
        }
        catch (ArgumentException)
        {
            // A decoded value that a constructor refuses (e.g. a public key of the wrong size) is malformed input too.
            message = null;
            return false;
        }
    }

    /// <summary>Whether a sync request is signed by the key it carries.</summary>
    public bool VerifySyncRequest() =>
        Kind == SingleAuthorityMessageKind.SyncRequest && FollowerKey is not null
        && SignedDigest.Verify(FollowerKey, SyncRequestTag, SyncDigest(ChainId, FromHeight, FollowerKey), Signature);

    /// <summary>Whether a blocks message is signed by the authority.</summary>
    public bool VerifyBlocks(PublicKey authorityKey) =>
        Kind == SingleAuthorityMessageKind.Blocks && SignedDigest.Verify(authorityKey, BlocksTag, BlocksDigest(ChainId, Blocks), Signature);

    private static Hash256 SyncDigest(ChainId chainId, ulong fromHeight, PublicKey followerKey)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteUInt64((ulong)SingleAuthorityMessageKind.SyncRequest);
        writer.WriteChainId(chainId);
        writer.WriteUInt64(fromHeight);
        writer.WritePublicKey(followerKey);
        return Hash256.Compute(buffer.WrittenSpan);
    }

    private static Hash256 BlocksDigest(ChainId chainId, IReadOnlyList<Block> blocks)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (36 * blocks.Count));
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.WriteUInt64((ulong)SingleAuthorityMessageKind.Blocks);
        writer.WriteChainId(chainId);
        writer.WriteArrayHeader(blocks.Count);
        foreach (var block in blocks)
        {
            writer.WriteHash256(block.Hash);
        }

        return Hash256.Compute(buffer.WrittenSpan);
    }
}
