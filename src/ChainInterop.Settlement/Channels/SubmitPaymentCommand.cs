using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// Puts a payer-signed transaction on chain (P2): a plain transfer, or a channel's last iterative transaction, which
/// only the channel's provider may submit.
/// </summary>
/// <remarks>Canonical form: <c>[4, transaction]</c>.</remarks>
public sealed class SubmitPaymentCommand : ChannelCommand
{
    /// <summary>Creates the command.</summary>
    /// <param name="transaction">The transaction.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transaction"/> is null.</exception>
    public SubmitPaymentCommand(PaymentTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Transaction = transaction;
    }

    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.SubmitPayment;

    /// <summary>The transaction.</summary>
    public PaymentTransaction Transaction { get; }

    /// <inheritdoc />
    private protected override int FieldCount => 1;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer) => Transaction.Encode(ref writer);
}
