using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// A payer-signed chain transaction: transfer <see cref="Amount"/> of <see cref="Asset"/> from <see cref="Payer"/> to
/// <see cref="Payee"/>, valid once for the payer's sequence number <see cref="Nonce"/>. In a channel it is an
/// <i>iterative transaction</i> (P1): <see cref="Amount"/> is the cumulative total so far, <see cref="Nonce"/> the
/// agreed one and <see cref="ChannelId"/> the channel's id; outside a channel <see cref="ChannelId"/> is zero.
/// </summary>
/// <remarks>
/// <para>Canonical form: <c>[chain, payer, payee, asset, amount, nonce, channelId, signature]</c>; the signature is a
/// <see cref="SignedDigest"/> under "ChainInterop/payment/v1" of <see cref="Digest"/>, the SHA-256 of the first seven
/// fields as an array.</para>
/// <para>The <see cref="ChannelContract"/> executes it when submitted with <see cref="SubmitPaymentCommand"/> and
/// accepts exactly one transaction per (payer, nonce).</para>
/// </remarks>
public sealed class PaymentTransaction : ICanonicalEncodable<PaymentTransaction>
{
    /// <summary>The largest encoded transaction accepted from the wire, in bytes.</summary>
    public const int MaxEncodedSizeBytes = 1024;

    private const int BodyFieldCount = 7;

    private readonly byte[] _signature;

    private PaymentTransaction(
        ChainId chain, AccountId payer, AccountId payee, AssetCode asset, Amount amount, ulong nonce, Hash256 channelId, byte[] signature, Hash256 digest)
    {
        Chain = chain;
        Payer = payer;
        Payee = payee;
        Asset = asset;
        Amount = amount;
        Nonce = nonce;
        ChannelId = channelId;
        _signature = signature;
        Digest = digest;
    }

    private static ReadOnlySpan<byte> SigningDomain => "ChainInterop/payment/v1"u8;

    /// <summary>The chain the transaction is valid on.</summary>
    public ChainId Chain { get; }

    /// <summary>The account that pays (and signs).</summary>
    public AccountId Payer { get; }

    /// <summary>The account that receives.</summary>
    public AccountId Payee { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount; in a channel, the cumulative amount owed so far.</summary>
    public Amount Amount { get; }

    /// <summary>The payer's sequence number: the chain executes one transaction per (payer, nonce).</summary>
    public ulong Nonce { get; }

    /// <summary>The channel this iterative transaction belongs to, or zero for a plain transfer.</summary>
    public Hash256 ChannelId { get; }

    /// <summary>The payer's signature.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <summary>SHA-256 of the signed fields: names the transaction.</summary>
    public Hash256 Digest { get; }

    /// <summary>Creates and signs a transaction.</summary>
    /// <param name="payerKey">The payer's private key.</param>
    /// <param name="chain">The chain.</param>
    /// <param name="payer">The paying account.</param>
    /// <param name="payee">The receiving account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount.</param>
    /// <param name="nonce">The payer's sequence number.</param>
    /// <param name="channelId">The channel, or <see cref="Hash256.Zero"/>.</param>
    /// <returns>The signed transaction.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payerKey"/> is null.</exception>
    /// <exception cref="ArgumentException">An id or the asset is <c>default</c>.</exception>
    public static PaymentTransaction Create(
        PrivateKey payerKey, ChainId chain, AccountId payer, AccountId payee, AssetCode asset, Amount amount, ulong nonce, Hash256 channelId)
    {
        ArgumentNullException.ThrowIfNull(payerKey);
        var digest = ComputeDigest(chain, payer, payee, asset, amount, nonce, channelId);
        return new PaymentTransaction(chain, payer, payee, asset, amount, nonce, channelId, SignedDigest.Sign(payerKey, SigningDomain, digest), digest);
    }

    /// <summary>Decodes a transaction received from the wire.</summary>
    /// <param name="encoded">The bytes, at most <see cref="MaxEncodedSizeBytes"/>.</param>
    /// <param name="transaction">The transaction when the bytes are exactly one canonical transaction.</param>
    /// <returns>Whether they were; never throws on bad bytes.</returns>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PaymentTransaction? transaction)
    {
        transaction = null;
        if (encoded.Length > MaxEncodedSizeBytes)
        {
            return false;
        }

        try
        {
            transaction = Canonical.Decode<PaymentTransaction>(encoded);
            return true;
        }
        catch (CodecException)
        {
            return false;
        }
    }

    /// <summary>Whether the signature is <paramref name="payerKey"/>'s signature of <see cref="Digest"/>.</summary>
    /// <param name="payerKey">The payer's public key.</param>
    /// <returns>True when it verifies; never throws on a malformed signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="payerKey"/> is null.</exception>
    public bool VerifySignature(PublicKey payerKey) => SignedDigest.Verify(payerKey, SigningDomain, Digest, _signature);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(BodyFieldCount + 1);
        WriteBody(ref writer, Chain, Payer, Payee, Asset, Amount, Nonce, ChannelId);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static PaymentTransaction Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(BodyFieldCount + 1);
        var chain = reader.ReadChainId();
        var payer = reader.ReadAccountId();
        var payee = reader.ReadAccountId();
        var asset = reader.ReadAssetCode();
        var amount = reader.ReadAmount();
        ulong nonce = reader.ReadUInt64();
        var channelId = reader.ReadHash256();
        var signature = ChannelAgreement.ReadSignature(ref reader);
        return new PaymentTransaction(chain, payer, payee, asset, amount, nonce, channelId, signature,
            ComputeDigest(chain, payer, payee, asset, amount, nonce, channelId));
    }

    /// <summary>A short description (never the signature).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Payer}->{Payee} {Amount} {Asset} nonce {Nonce}";

    private static void WriteBody(
        ref CanonicalWriter writer, ChainId chain, AccountId payer, AccountId payee, AssetCode asset, Amount amount, ulong nonce, Hash256 channelId)
    {
        writer.WriteChainId(chain);
        writer.WriteAccountId(payer);
        writer.WriteAccountId(payee);
        writer.WriteAssetCode(asset);
        writer.WriteAmount(amount);
        writer.WriteUInt64(nonce);
        writer.WriteHash256(channelId);
    }

    private static Hash256 ComputeDigest(
        ChainId chain, AccountId payer, AccountId payee, AssetCode asset, Amount amount, ulong nonce, Hash256 channelId)
    {
        // The body is at most a few hundred bytes (ids are at most 64 characters): one small buffer, hashed in place.
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(BodyFieldCount);
        WriteBody(ref writer, chain, payer, payee, asset, amount, nonce, channelId);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
