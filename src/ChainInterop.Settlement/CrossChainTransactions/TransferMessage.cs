using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// One step of a cross-chain transaction (seed 000 Alg. 1–4, 10, 12): a chain's own command, or the payload of a
/// <see cref="ChainInterop.Consensus.CrossChain.CrossChainMessage"/> between a PPC and its ICC. Every message carries the
/// transaction id, by which every handler is idempotent.
/// </summary>
/// <remarks>Canonical form: <c>[kind, transactionId, fields…]</c>.</remarks>
public abstract class TransferMessage : ICanonicalEncodable<TransferMessage>
{
    /// <summary>Decodes a committed entry or a delivered message's payload; false for bytes that are not a transfer message.</summary>
    internal static bool TryDecode(ReadOnlyMemory<byte> bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TransferMessage? message)
    {
        try
        {
            message = Canonical.Decode<TransferMessage>(bytes);
            return true;
        }
        catch (CodecException)
        {
            message = null;
            return false;
        }
    }

    /// <exception cref="ArgumentException"><paramref name="transactionId"/> is zero for a message about one transaction.</exception>
    private protected TransferMessage(Hash256 transactionId, bool concernsOneTransaction = true)
    {
        if (concernsOneTransaction && transactionId.IsZero)
        {
            throw new ArgumentException("A transfer message names its transaction: the id must not be zero.", nameof(transactionId));
        }

        TransactionId = transactionId;
    }

    /// <summary>The message kind.</summary>
    public abstract TransferMessageKind Kind { get; }

    /// <summary>The cross-chain transaction (zero only for a <see cref="Tick"/> or a <see cref="CloseCycle"/>, which concern every transaction).</summary>
    public Hash256 TransactionId { get; }

    private protected abstract int FieldCount { get; }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2 + FieldCount);
        writer.WriteUInt32((uint)Kind);
        writer.WriteHash256(TransactionId);
        EncodeFields(ref writer);
    }

    /// <inheritdoc />
    /// <exception cref="CodecException">The bytes are not a canonical transfer message.</exception>
    public static TransferMessage Decode(ref CanonicalReader reader)
    {
        long start = reader.Consumed;
        int count = reader.ReadArrayHeader();
        long kindOffset = reader.Consumed;
        var kind = (TransferMessageKind)reader.ReadUInt32();
        var tx = reader.ReadHash256();
        TransferMessage message;
        try
        {
            message = DecodeFields(ref reader, kind, tx, kindOffset);
        }
        catch (ArgumentException e)
        {
            // Well-formed bytes whose values a message refuses (a zero id, an amount that is not positive).
            throw new CodecException(CodecError.ValueOutOfRange, start, e.Message);
        }

        if (count != 2 + message.FieldCount)
        {
            throw new CodecException(CodecError.ValueOutOfRange, start, $"a {kind} has {2 + message.FieldCount} fields, not {count}");
        }

        return message;
    }

    /// <summary>The canonical bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] ToCanonicalBytes() => Canonical.Encode(this);

    /// <summary>Checks an amount a message carries: a transfer moves a positive amount.</summary>
    /// <param name="amount">The amount.</param>
    /// <param name="name">The parameter's name.</param>
    /// <returns><paramref name="amount"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The amount is zero or negative.</exception>
    private protected static Amount Positive(Amount amount, string name) =>
        amount.IsPositive ? amount : throw new ArgumentOutOfRangeException(name, amount.MinorUnits, "A transfer's amount must be positive.");

    /// <summary>Checks an enum value a message carries.</summary>
    /// <typeparam name="TEnum">The enum.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="name">The parameter's name.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the enum's members.</exception>
    private protected static TEnum Defined<TEnum>(TEnum value, string name)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"Not a {typeof(TEnum).Name}.");

    private protected abstract void EncodeFields(ref CanonicalWriter writer);

    private static TransferMessage DecodeFields(ref CanonicalReader reader, TransferMessageKind kind, Hash256 tx, long kindOffset) =>
        kind switch
        {
            TransferMessageKind.StartTransfer => new StartTransfer(tx, reader.ReadChainId(), reader.ReadAccountId(),
                reader.ReadChainId(), reader.ReadAccountId(), reader.ReadAssetCode(), reader.ReadAmount(),
                NettingCodec.ReadEnum<AckMode>(ref reader, "acknowledgement mode"), NettingCodec.ReadEnum<SettlementTiming>(ref reader, "settlement timing"), reader.ReadInt64()),
            TransferMessageKind.TransferRequest => new TransferRequest(tx, reader.ReadChainId(), reader.ReadChainId(),
                reader.ReadAccountId(), reader.ReadAssetCode(), reader.ReadAmount(), NettingCodec.ReadEnum<AckMode>(ref reader, "acknowledgement mode"),
                NettingCodec.ReadEnum<SettlementTiming>(ref reader, "settlement timing"), reader.ReadInt64()),
            TransferMessageKind.PendingAck => new PendingAck(tx),
            TransferMessageKind.TransferOffer => new TransferOffer(tx, reader.ReadChainId(), reader.ReadAccountId(),
                reader.ReadAssetCode(), reader.ReadAmount(), reader.ReadInt64()),
            TransferMessageKind.TransferAccept => new TransferAccept(tx, reader.ReadAccountId(), reader.ReadAssetCode(), reader.ReadAmount()),
            TransferMessageKind.TransferReject => new TransferReject(tx, NettingCodec.ReadEnum<TransferFailureReason>(ref reader, "failure reason")),
            TransferMessageKind.TransferCommitted => new TransferCommitted(tx),
            TransferMessageKind.TransferCancelled => new TransferCancelled(tx, NettingCodec.ReadEnum<TransferFailureReason>(ref reader, "failure reason")),
            TransferMessageKind.CancelRequest => new CancelRequest(tx, reader.ReadInt64()),
            TransferMessageKind.Tick => new Tick(reader.ReadInt64()),
            TransferMessageKind.CloseCycle => new CloseCycle(reader.ReadUInt64()),
            _ => throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown transfer message kind {(int)kind}"),
        };
}
