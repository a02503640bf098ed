using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// A command of the channel settlement contract: the payload of a <see cref="Consensus.ClientRequest"/> that the
/// <see cref="ChannelContract"/> executes once committed. The set is closed: only this assembly derives from it.
/// </summary>
/// <remarks>Canonical form: <c>[kind, ...fields]</c>, <c>kind</c> the stable <see cref="ChannelCommandKind"/> number.</remarks>
public abstract class ChannelCommand : ICanonicalEncodable<ChannelCommand>
{
    private protected ChannelCommand()
    {
    }

    /// <summary>The stable tag of this command.</summary>
    public abstract ChannelCommandKind Kind { get; }

    /// <summary>The number of array elements after the kind.</summary>
    private protected abstract int FieldCount { get; }

    /// <summary>The canonical bytes: the request payload to submit.</summary>
    /// <returns>A new array.</returns>
    public byte[] ToPayload() => Canonical.Encode(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount + 1);
        writer.WriteUInt32((uint)Kind);
        EncodeFields(ref writer);
    }

    /// <summary>Reads one command of any kind.</summary>
    /// <param name="reader">The reader, positioned at the command.</param>
    /// <returns>The command.</returns>
    /// <exception cref="CodecException">The input is not a canonical channel command.</exception>
    public static ChannelCommand Decode(ref CanonicalReader reader)
    {
        long start = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count == 0)
        {
            throw new CodecException(CodecError.UnexpectedLength, start, "a channel command needs at least its kind");
        }

        long kindOffset = reader.Consumed;
        var kind = (ChannelCommandKind)reader.ReadByte();
        int expected = kind switch
        {
            ChannelCommandKind.RegisterAccount => 4,
            ChannelCommandKind.Deposit => 3,
            ChannelCommandKind.ReleaseCollateral => 2,
            ChannelCommandKind.OpenChannel or ChannelCommandKind.SubmitPayment or ChannelCommandKind.ClaimCollateral => 1,
            _ => throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown channel command kind {(int)kind}"),
        };
        if (count != expected + 1)
        {
            throw new CodecException(CodecError.UnexpectedLength, start, $"expected an array of {expected + 1} elements for {kind}, found {count}");
        }

        switch (kind)
        {
            case ChannelCommandKind.RegisterAccount:
                return RegisterAccountCommand.DecodeFields(ref reader);
            case ChannelCommandKind.Deposit:
                return new DepositCommand(reader.ReadAccountId(), reader.ReadAssetCode(), reader.ReadAmount());
            case ChannelCommandKind.OpenChannel:
                return new OpenChannelCommand(ChannelAgreement.Decode(ref reader));
            case ChannelCommandKind.SubmitPayment:
                return new SubmitPaymentCommand(PaymentTransaction.Decode(ref reader));
            case ChannelCommandKind.ClaimCollateral:
                return new ClaimCollateralCommand(PaymentTransaction.Decode(ref reader));
            default:
                return new ReleaseCollateralCommand(reader.ReadHash256(), ChannelAgreement.ReadSignature(ref reader));
        }
    }

    /// <summary>Writes the fields after the kind.</summary>
    /// <param name="writer">The writer.</param>
    private protected abstract void EncodeFields(ref CanonicalWriter writer);
}
