using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The provider gives up its claim on a channel's collateral, which goes back to the payer at once instead of at the
/// end of the claim window (e.g. a channel that ended with nothing to settle).
/// </summary>
/// <remarks>Canonical form: <c>[6, channelId, providerSignature]</c>; the signature is a <see cref="SignedDigest"/>
/// under "ChainInterop/channel-release/v1" of the channel id.</remarks>
public sealed class ReleaseCollateralCommand : ChannelCommand
{
    private readonly byte[] _signature;

    internal ReleaseCollateralCommand(Hash256 channelId, byte[] signature)
    {
        ChannelId = channelId;
        _signature = signature;
    }

    private static ReadOnlySpan<byte> SigningDomain => "ChainInterop/channel-release/v1"u8;

    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.ReleaseCollateral;

    /// <summary>The channel.</summary>
    public Hash256 ChannelId { get; }

    /// <summary>The provider's signature.</summary>
    public ReadOnlyMemory<byte> Signature => _signature;

    /// <inheritdoc />
    private protected override int FieldCount => 2;

    /// <summary>Creates the command signed by the provider.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="providerKey">The provider's private key.</param>
    /// <returns>The command.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="providerKey"/> is null.</exception>
    public static ReleaseCollateralCommand Create(Hash256 channelId, PrivateKey providerKey) =>
        new(channelId, SignedDigest.Sign(providerKey, SigningDomain, channelId));

    /// <summary>Whether the signature is <paramref name="providerKey"/>'s release of <see cref="ChannelId"/>.</summary>
    /// <param name="providerKey">The channel's provider key.</param>
    /// <returns>True when it verifies.</returns>
    public bool VerifySignature(PublicKey providerKey) => SignedDigest.Verify(providerKey, SigningDomain, ChannelId, _signature);

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteHash256(ChannelId);
        writer.WriteBinary(_signature);
    }
}
