using System.Runtime.CompilerServices;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// What a payer and a provider agree on to open an iterative payment channel (SPEC P1–P5, seed 004): the chain and
/// the payer's sequence number (nonce) every iterative transaction carries, the asset and the price of one unit, the
/// end conditions (count, total, deadline), the timing mode, the payment timeout, and the collateral with its penalty
/// rule. The channel's id is the SHA-256 of the canonical encoding, so the id binds every term.
/// </summary>
/// <remarks>
/// <para>Canonical form: <c>[chain, payer, payerKey, provider, providerKey, asset, nonce, unitPrice, maxUnits, maxTotal,
/// deadlineUnixMs, timing, paymentTimeoutMs, collateral, penaltyFixed, penaltyBasisPoints, penaltyRecipient]</c>.</para>
/// <para>Each party signs <see cref="Id"/> with <see cref="Sign"/> (a <see cref="SignedDigest"/> under
/// "ChainInterop/channel-terms/v1"); both signatures make a <see cref="ChannelAgreement"/>.</para>
/// </remarks>
public sealed class ChannelTerms : ICanonicalEncodable<ChannelTerms>
{
    private const int FieldCount = 17;

    private StrongBox<Hash256>? _id;

    private static ReadOnlySpan<byte> SigningDomain => "ChainInterop/channel-terms/v1"u8;

    /// <summary>The chain the iterative transactions are valid on.</summary>
    public required ChainId Chain { get; init; }

    /// <summary>The payer's account on that chain.</summary>
    public required AccountId Payer { get; init; }

    /// <summary>The payer's public key: the key its account is registered with, which signs every iterative transaction.</summary>
    public required PublicKey PayerKey { get; init; }

    /// <summary>The provider's account: the payee of every iterative transaction.</summary>
    public required AccountId Provider { get; init; }

    /// <summary>The provider's public key: the only submitter the contract accepts the channel's payment and claim from.</summary>
    public required PublicKey ProviderKey { get; init; }

    /// <summary>The asset paid.</summary>
    public required AssetCode Asset { get; init; }

    /// <summary>The payer's on-chain sequence number that every iterative transaction carries (P1); the chain accepts one transaction per (payer, nonce) (P2).</summary>
    public required ulong Nonce { get; init; }

    /// <summary>The amount due for one delivered unit (service step); every iterative transaction adds exactly this.</summary>
    public required Amount UnitPrice { get; init; }

    /// <summary>End condition: the most units, in units.</summary>
    public required long MaxUnits { get; init; }

    /// <summary>End condition: the most the payer pays in total.</summary>
    public required Amount MaxTotal { get; init; }

    /// <summary>End condition: no unit is delivered or paid at or after this time (Unix milliseconds).</summary>
    public required long DeadlineUnixMs { get; init; }

    /// <summary>When the payer pays relative to delivery (P5).</summary>
    public required TimingMode Timing { get; init; }

    /// <summary>How long a due payment may be late before the provider stops (P3), in milliseconds.</summary>
    public required long PaymentTimeoutMs { get; init; }

    /// <summary>What the payer holds in the contract's preset collateral account while the channel is open (P4).</summary>
    public required Amount Collateral { get; init; }

    /// <summary>What a claim proving the payer at fault takes from the collateral on top of the amount due (P4).</summary>
    public required PenaltyRule Penalty { get; init; }

    /// <summary>The account that receives a penalty.</summary>
    public required AccountId PenaltyRecipient { get; init; }

    /// <summary>The channel's id: SHA-256 of the canonical encoding of these terms.</summary>
    /// <exception cref="ArgumentException">A field is <c>default</c> or null (see <see cref="Check"/>).</exception>
    public Hash256 Id
    {
        get
        {
            // StrongBox: publishing the reference is atomic, so a racing reader never sees a torn digest.
            var box = _id;
            if (box is null)
            {
                box = new StrongBox<Hash256>(Hash256.Compute(Canonical.Encode(this)));
                _id = box;
            }

            return box.Value;
        }
    }

    /// <summary>
    /// The most units the channel can carry, in units: <see cref="MaxUnits"/>, or fewer when <see cref="MaxTotal"/>
    /// runs out first. The amount for any count up to this fits in 64 bits.
    /// </summary>
    public long UnitLimit => UnitPrice.IsPositive ? Math.Min(MaxUnits, MaxTotal.MinorUnits / UnitPrice.MinorUnits) : 0;

    /// <summary>The end condition that <see cref="UnitLimit"/> stands for.</summary>
    public CloseReason UnitLimitReason =>
        UnitPrice.IsPositive && MaxTotal.MinorUnits / UnitPrice.MinorUnits < MaxUnits ? CloseReason.MaxTotalReached : CloseReason.MaxUnitsReached;

    /// <summary>The cumulative amount due for <paramref name="units"/> units.</summary>
    /// <param name="units">0 to <see cref="UnitLimit"/>.</param>
    /// <returns><paramref name="units"/> × <see cref="UnitPrice"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is outside 0 to <see cref="UnitLimit"/>.</exception>
    public Amount AmountFor(long units)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(units, UnitLimit);
        return new Amount(checked(units * UnitPrice.MinorUnits));
    }

    /// <summary>
    /// Checks the terms as both parties and the contract do before relying on them: every field set, positive price,
    /// count, total and timeout, a valid penalty rule, distinct payer and provider, a collateral that covers the
    /// largest claim plus its penalty, and a deadline after <paramref name="nowUnixMs"/>.
    /// </summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds): the endpoint's clock, or the block time on chain.</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, <see cref="ChannelResultCode.InvalidTerms"/>,
    /// <see cref="ChannelResultCode.CollateralTooSmall"/> or <see cref="ChannelResultCode.DeadlinePassed"/>.</returns>
    public ChannelResultCode Check(long nowUnixMs)
    {
        if (Chain.IsDefault || Payer.IsDefault || Provider.IsDefault || Asset.IsDefault || PenaltyRecipient.IsDefault
            || PayerKey is null || ProviderKey is null || Payer == Provider || PayerKey == ProviderKey
            || !UnitPrice.IsPositive || MaxUnits <= 0 || MaxTotal < UnitPrice || PaymentTimeoutMs <= 0
            || Collateral.IsNegative || !Penalty.IsValid || !Enum.IsDefined(Timing))
        {
            return ChannelResultCode.InvalidTerms;
        }

        var largestClaim = AmountFor(UnitLimit);
        if (!Penalty.TryCompute(largestClaim, out var penalty) || !largestClaim.TryAdd(penalty, out var needed) || Collateral < needed)
        {
            return ChannelResultCode.CollateralTooSmall;
        }

        return DeadlineUnixMs > nowUnixMs ? ChannelResultCode.Ok : ChannelResultCode.DeadlinePassed;
    }

    /// <summary>Signs <see cref="Id"/>: the payer's or the provider's consent to these terms.</summary>
    /// <param name="key">The signer's private key.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A field is <c>default</c> or null.</exception>
    public byte[] Sign(PrivateKey key) => SignedDigest.Sign(key, SigningDomain, Id);

    /// <summary>Whether <paramref name="signature"/> is <paramref name="key"/>'s consent to these terms.</summary>
    /// <param name="key">The claimed signer.</param>
    /// <param name="signature">The signature.</param>
    /// <returns>True when it verifies; never throws on a malformed signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool VerifySignature(PublicKey key, ReadOnlySpan<byte> signature) => SignedDigest.Verify(key, SigningDomain, Id, signature);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteChainId(Chain);
        writer.WriteAccountId(Payer);
        writer.WritePublicKey(PayerKey ?? throw new ArgumentException("The payer key must be set."));
        writer.WriteAccountId(Provider);
        writer.WritePublicKey(ProviderKey ?? throw new ArgumentException("The provider key must be set."));
        writer.WriteAssetCode(Asset);
        writer.WriteUInt64(Nonce);
        writer.WriteAmount(UnitPrice);
        writer.WriteInt64(MaxUnits);
        writer.WriteAmount(MaxTotal);
        writer.WriteInt64(DeadlineUnixMs);
        writer.WriteUInt32((uint)Timing);
        writer.WriteInt64(PaymentTimeoutMs);
        writer.WriteAmount(Collateral);
        writer.WriteAmount(Penalty.Fixed);
        writer.WriteInt32(Penalty.BasisPoints);
        writer.WriteAccountId(PenaltyRecipient);
    }

    /// <inheritdoc />
    public static ChannelTerms Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        return new ChannelTerms
        {
            Chain = reader.ReadChainId(),
            Payer = reader.ReadAccountId(),
            PayerKey = reader.ReadPublicKey(),
            Provider = reader.ReadAccountId(),
            ProviderKey = reader.ReadPublicKey(),
            Asset = reader.ReadAssetCode(),
            Nonce = reader.ReadUInt64(),
            UnitPrice = reader.ReadAmount(),
            MaxUnits = reader.ReadInt64(),
            MaxTotal = reader.ReadAmount(),
            DeadlineUnixMs = reader.ReadInt64(),
            Timing = ReadTiming(ref reader),
            PaymentTimeoutMs = reader.ReadInt64(),
            Collateral = reader.ReadAmount(),
            Penalty = new PenaltyRule(reader.ReadAmount(), reader.ReadInt32()),
            PenaltyRecipient = reader.ReadAccountId(),
        };
    }

    private static TimingMode ReadTiming(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        var timing = (TimingMode)reader.ReadByte();
        return Enum.IsDefined(timing) ? timing : throw new CodecException(CodecError.ValueOutOfRange, offset, $"unknown timing mode {(int)timing}");
    }
}
