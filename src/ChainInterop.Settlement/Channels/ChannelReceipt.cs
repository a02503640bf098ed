using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Channels;

/// <summary>What the <see cref="ChannelContract"/> did with one committed request: identical on every validator, and the result its replies carry.</summary>
/// <param name="RequestDigest">The request's digest (<see cref="ClientRequest.Digest"/>).</param>
/// <param name="Kind">The command's kind; <see cref="ChannelCommandKind.None"/> when it could not be decoded.</param>
/// <param name="Code">The outcome.</param>
/// <param name="LedgerCode">When <paramref name="Code"/> is <see cref="ChannelResultCode.LedgerRefused"/>, why the ledger refused; otherwise <see cref="LedgerResultCode.Ok"/>.</param>
/// <param name="ChannelId">The channel concerned, or zero.</param>
/// <remarks>Canonical form: <c>[requestDigest, kind, code, ledgerCode, channelId]</c>.</remarks>
public readonly record struct ChannelReceipt(
    Hash256 RequestDigest, ChannelCommandKind Kind, ChannelResultCode Code, LedgerResultCode LedgerCode, Hash256 ChannelId) : ICanonicalEncodable<ChannelReceipt>
{
    /// <summary>Whether the command was executed.</summary>
    public bool IsSuccess => Code == ChannelResultCode.Ok;

    /// <summary>Reads the receipt a channel chain's reply carries.</summary>
    /// <param name="reply">The reply (accepted by f + 1 matching replies).</param>
    /// <returns>The receipt.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is null.</exception>
    /// <exception cref="CodecException">The reply carries no channel receipt.</exception>
    public static ChannelReceipt Read(ClientReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Canonical.Decode<ChannelReceipt>(reply.Result);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.WriteHash256(RequestDigest);
        writer.WriteUInt32((uint)Kind);
        writer.WriteUInt32((uint)Code);
        writer.WriteUInt32((uint)LedgerCode);
        writer.WriteHash256(ChannelId);
    }

    /// <inheritdoc />
    public static ChannelReceipt Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(5);
        return new ChannelReceipt(
            reader.ReadHash256(),
            NettingCodec.ReadEnum<ChannelCommandKind>(ref reader, "channel command kind"),
            NettingCodec.ReadEnum<ChannelResultCode>(ref reader, "channel result code"),
            NettingCodec.ReadEnum<LedgerResultCode>(ref reader, "ledger result code"),
            reader.ReadHash256());
    }
}
