using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Pbft.Messages;

/// <summary>PRE-PREPARE ⟨v, n, block⟩: the primary's proposal of <paramref name="Block"/> at sequence number (height) <paramref name="Height"/>.</summary>
internal sealed record PrePrepareBody(ulong Height, Block Block) : ICanonicalEncodable<PrePrepareBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt64(Height);
        Block.Encode(ref writer);
    }

    public static PrePrepareBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        return new PrePrepareBody(reader.ReadUInt64(), Block.Decode(ref reader));
    }
}

/// <summary>PREPARE ⟨v, n, d⟩ with d the proposed block's header hash.</summary>
internal sealed record PrepareBody(ulong Height, Hash256 Digest) : ICanonicalEncodable<PrepareBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt64(Height);
        writer.WriteHash256(Digest);
    }

    public static PrepareBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        return new PrepareBody(reader.ReadUInt64(), reader.ReadHash256());
    }
}

/// <summary>COMMIT ⟨v, n, d, σ⟩ where σ is the sender's <see cref="CommitSignature"/> over d, the certificate's raw material.</summary>
internal sealed record CommitBody(ulong Height, Hash256 Digest, byte[] CommitSignature) : ICanonicalEncodable<CommitBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteUInt64(Height);
        writer.WriteHash256(Digest);
        writer.WriteBinary(CommitSignature);
    }

    public static CommitBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        return new CommitBody(reader.ReadUInt64(), reader.ReadHash256(), reader.ReadBinaryArray());
    }
}

/// <summary>
/// CHECKPOINT ⟨n, header hash⟩. <paramref name="IsAnswer"/> marks a replica's answer with its stable checkpoint to a
/// peer that is still re-sending an older one; answers are never answered (no ping-pong).
/// </summary>
internal sealed record CheckpointBody(ulong Height, Hash256 HeaderHash, bool IsAnswer = false) : ICanonicalEncodable<CheckpointBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteUInt64(Height);
        writer.WriteHash256(HeaderHash);
        writer.WriteBoolean(IsAnswer);
    }

    public static CheckpointBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        return new CheckpointBody(reader.ReadUInt64(), reader.ReadHash256(), reader.ReadBoolean());
    }
}

/// <summary>
/// VIEW-CHANGE ⟨v+1, committed tip, prepared certificate⟩. The sender's last committed header with its commit
/// certificate stands in for PBFT's stable checkpoint (it is self-proving); a replica has at most one prepared but
/// uncommitted height (tip + 1), so at most one prepared certificate: the signed PRE-PREPARE and Quorum − 1 PREPAREs.
/// </summary>
internal sealed record ViewChangeBody(BlockHeader? CommittedHeader, CommitCertificate? Certificate, byte[]? PrePrepare, byte[][] Prepares)
    : ICanonicalEncodable<ViewChangeBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        if (CommittedHeader is null || Certificate is null)
        {
            writer.WriteNil();
            writer.WriteNil();
        }
        else
        {
            CommittedHeader.Encode(ref writer);
            Certificate.Encode(ref writer);
        }

        if (PrePrepare is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteBinary(PrePrepare);
        }

        BodyCodec.WriteBinaries(ref writer, Prepares);
    }

    public static ViewChangeBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var header = reader.TryReadNil() ? null : BlockHeader.Decode(ref reader);
        var certificate = reader.TryReadNil() ? null : CommitCertificate.Decode(ref reader);
        var prePrepare = reader.TryReadNil() ? null : reader.ReadBinaryArray();
        return new ViewChangeBody(header, certificate, prePrepare, BodyCodec.ReadBinaries(ref reader, ValidatorSet.MaxValidators));
    }
}

/// <summary>NEW-VIEW ⟨v, view changes, re-proposal⟩: the Quorum VIEW-CHANGEs that justify it and, when one height was prepared, its PRE-PREPARE in the new view.</summary>
internal sealed record NewViewBody(byte[][] ViewChanges, byte[]? PrePrepare) : ICanonicalEncodable<NewViewBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        BodyCodec.WriteBinaries(ref writer, ViewChanges);
        if (PrePrepare is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteBinary(PrePrepare);
        }
    }

    public static NewViewBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        var viewChanges = BodyCodec.ReadBinaries(ref reader, ValidatorSet.MaxValidators);
        return new NewViewBody(viewChanges, reader.TryReadNil() ? null : reader.ReadBinaryArray());
    }
}

/// <summary>STATE-REQUEST ⟨from height⟩.</summary>
internal sealed record StateRequestBody(ulong FromHeight) : ICanonicalEncodable<StateRequestBody>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.WriteUInt64(FromHeight);
    }

    public static StateRequestBody Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(1);
        return new StateRequestBody(reader.ReadUInt64());
    }
}

/// <summary>STATE-RESPONSE: certified blocks in height order.</summary>
internal sealed record StateResponseBody(Block[] Blocks) : ICanonicalEncodable<StateResponseBody>
{
    /// <summary>The most blocks one response may carry on the wire (the receiver also applies its own option).</summary>
    public const int MaxBlocks = 1024;

    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(Blocks.Length);
        foreach (var block in Blocks)
        {
            block.Encode(ref writer);
        }
    }

    public static StateResponseBody Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > MaxBlocks)
        {
            throw new CodecException(CodecError.LimitExceeded, offset, $"more than {MaxBlocks} blocks");
        }

        var blocks = new Block[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = Block.Decode(ref reader);
        }

        return new StateResponseBody(blocks);
    }
}

/// <summary>A client request a backup forwards to the primary.</summary>
internal sealed record ForwardBody(ClientRequest Request) : ICanonicalEncodable<ForwardBody>
{
    public void Encode(ref CanonicalWriter writer) => Request.Encode(ref writer);

    public static ForwardBody Decode(ref CanonicalReader reader) => new(ClientRequest.Decode(ref reader));
}

internal static class BodyCodec
{
    public static void WriteBinaries(ref CanonicalWriter writer, byte[][] items)
    {
        writer.WriteArrayHeader(items.Length);
        foreach (var item in items)
        {
            writer.WriteBinary(item);
        }
    }

    public static byte[][] ReadBinaries(ref CanonicalReader reader, int maxCount)
    {
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > maxCount)
        {
            throw new CodecException(CodecError.LimitExceeded, offset, $"more than {maxCount} items");
        }

        var items = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            items[i] = reader.ReadBinaryArray();
        }

        return items;
    }
}
