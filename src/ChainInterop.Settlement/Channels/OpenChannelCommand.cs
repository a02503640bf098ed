using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// Registers a channel on chain and deposits the payer's collateral into the contract's preset collateral account
/// (P4). Anyone may submit it: the payer's signature in the agreement authorises the deposit.
/// </summary>
/// <remarks>Canonical form: <c>[3, agreement]</c>.</remarks>
public sealed class OpenChannelCommand : ChannelCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="agreement">The agreement signed by both parties.</param>
    /// <exception cref="ArgumentNullException"><paramref name="agreement"/> is null.</exception>
    public OpenChannelCommand(ChannelAgreement agreement)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        Agreement = agreement;
    }

    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.OpenChannel;

    /// <summary>The agreement.</summary>
    public ChannelAgreement Agreement { get; }

    /// <inheritdoc />
    private protected override int FieldCount => 1;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer) => Agreement.Encode(ref writer);
}
