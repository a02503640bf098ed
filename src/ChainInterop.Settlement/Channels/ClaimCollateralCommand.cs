using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The provider presents the last valid iterative transaction to be paid from the collateral (P4), because the payer
/// used the channel's nonce on another transaction or cannot pay it.
/// </summary>
/// <remarks>Canonical form: <c>[5, transaction]</c>.</remarks>
public sealed class ClaimCollateralCommand : ChannelCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="transaction">The last valid iterative transaction of the channel.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transaction"/> is null.</exception>
    public ClaimCollateralCommand(PaymentTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Transaction = transaction;
    }

    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.ClaimCollateral;

    /// <summary>The iterative transaction.</summary>
    public PaymentTransaction Transaction { get; }

    /// <inheritdoc />
    private protected override int FieldCount => 1;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer) => Transaction.Encode(ref writer);
}
