using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Pbft.Messages;

/// <summary>The kinds of PBFT message; each signs under its own domain tag.</summary>
internal enum PbftMessageKind : byte
{
    PrePrepare = 1,
    Prepare = 2,
    Commit = 3,
    Checkpoint = 4,
    ViewChange = 5,
    NewView = 6,
    StateRequest = 7,
    StateResponse = 8,
    Forward = 9,
}

/// <summary>
/// The one envelope every PBFT message travels in: <c>[chainId, kind, view, sender, body, signature]</c>. The
/// signature is a <see cref="SignedDigest"/> under a per-kind domain tag over SHA-256 of the canonical
/// <c>[chainId, kind, view, sender, body]</c>, so a signed PREPARE can never be replayed as a COMMIT.
/// </summary>
/// <remarks>The body holds the canonical bytes of the kind's body record (see <c>PbftBodies.cs</c>).</remarks>
internal sealed class PbftMessage : ICanonicalEncodable<PbftMessage>
{
    private PbftMessage(ChainId chainId, PbftMessageKind kind, ulong view, NodeId sender, byte[] body, byte[] signature)
    {
        ChainId = chainId;
        Kind = kind;
        View = view;
        Sender = sender;
        Body = body;
        Signature = signature;
    }

    public ChainId ChainId { get; }

    public PbftMessageKind Kind { get; }

    public ulong View { get; }

    public NodeId Sender { get; }

    public byte[] Body { get; }

    public byte[] Signature { get; }

    public static PbftMessage Create<TBody>(PrivateKey key, ChainId chainId, PbftMessageKind kind, ulong view, TBody body)
        where TBody : ICanonicalEncodable<TBody>
    {
        var sender = NodeId.FromPublicKey(key.PublicKey);
        var bodyBytes = Canonical.Encode(body);
        var digest = ComputeDigest(chainId, kind, view, sender, bodyBytes);
        return new PbftMessage(chainId, kind, view, sender, bodyBytes, SignedDigest.Sign(key, DomainTag(kind), digest));
    }

    public bool Verify(PublicKey key) =>
        SignedDigest.Verify(key, DomainTag(Kind), ComputeDigest(ChainId, Kind, View, Sender, Body), Signature);

    public TBody DecodeBody<TBody>()
        where TBody : ICanonicalEncodable<TBody> => Canonical.Decode<TBody>(Body);

    public byte[] ToBytes() => Canonical.Encode(this);

    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(6);
        WriteUnsigned(ref writer, ChainId, Kind, View, Sender, Body);
        writer.WriteBinary(Signature);
    }

    public static PbftMessage Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(6);
        var chainId = reader.ReadChainId();
        long kindOffset = reader.Consumed;
        byte kind = reader.ReadByte();
        if (kind is < (byte)PbftMessageKind.PrePrepare or > (byte)PbftMessageKind.Forward)
        {
            throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown PBFT message kind {kind}");
        }

        return new PbftMessage(chainId, (PbftMessageKind)kind, reader.ReadUInt64(), reader.ReadNodeId(), reader.ReadBinaryArray(), reader.ReadBinaryArray());
    }

    private static ReadOnlySpan<byte> DomainTag(PbftMessageKind kind) => kind switch
    {
        PbftMessageKind.PrePrepare => "ChainInterop/pbft/pre-prepare/v1"u8,
        PbftMessageKind.Prepare => "ChainInterop/pbft/prepare/v1"u8,
        PbftMessageKind.Commit => "ChainInterop/pbft/commit/v1"u8,
        PbftMessageKind.Checkpoint => "ChainInterop/pbft/checkpoint/v1"u8,
        PbftMessageKind.ViewChange => "ChainInterop/pbft/view-change/v1"u8,
        PbftMessageKind.NewView => "ChainInterop/pbft/new-view/v1"u8,
        PbftMessageKind.StateRequest => "ChainInterop/pbft/state-request/v1"u8,
        PbftMessageKind.StateResponse => "ChainInterop/pbft/state-response/v1"u8,
        PbftMessageKind.Forward => "ChainInterop/pbft/forward/v1"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void WriteUnsigned(ref CanonicalWriter writer, ChainId chainId, PbftMessageKind kind, ulong view, NodeId sender, byte[] body)
    {
        writer.WriteChainId(chainId);
        writer.WriteUInt32((uint)kind);
        writer.WriteUInt64(view);
        writer.WriteNodeId(sender);
        writer.WriteBinary(body);
    }

    private static Hash256 ComputeDigest(ChainId chainId, PbftMessageKind kind, ulong view, NodeId sender, byte[] body)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + body.Length);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(5);
        WriteUnsigned(ref writer, chainId, kind, view, sender, body);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
