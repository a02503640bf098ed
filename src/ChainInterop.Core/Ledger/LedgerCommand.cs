using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// A command of the account chain (ABC, seed 000): one block entry that opens an account or moves, reserves, commits
/// or releases money. Commands are plain data; <see cref="AccountLedger.Apply"/> decides their outcome.
/// </summary>
/// <remarks>
/// Canonical form: <c>[kind, ...fields]</c>, where <c>kind</c> is the stable <see cref="LedgerCommandKind"/> number.
/// <see cref="Decode"/> reads any command; it throws only <see cref="CodecException"/>, whatever the bytes.
/// The set of commands is closed: only this assembly derives from this class.
/// </remarks>
public abstract class LedgerCommand : ICanonicalEncodable<LedgerCommand>
{
    private protected LedgerCommand()
    {
    }

    /// <summary>The stable tag of this command.</summary>
    public abstract LedgerCommandKind Kind { get; }

    /// <summary>The number of array elements in the encoding, kind included.</summary>
    private protected abstract int FieldCount { get; }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteUInt32((uint)Kind);
        EncodeFields(ref writer);
    }

    /// <summary>Writes the fields after the kind.</summary>
    /// <param name="writer">The writer.</param>
    private protected abstract void EncodeFields(ref CanonicalWriter writer);

    /// <summary>Reads one command of any kind.</summary>
    /// <param name="reader">The reader, positioned at the command.</param>
    /// <returns>The command.</returns>
    /// <exception cref="CodecException">The input is not a canonical ledger command.</exception>
    public static LedgerCommand Decode(ref CanonicalReader reader) => DecodeAny(ref reader, allowLinked: true);

    /// <summary>The canonical bytes of this command.</summary>
    /// <returns>A new array.</returns>
    public byte[] ToCanonicalBytes() => Canonical.Encode(this);

    private static LedgerCommand DecodeAny(ref CanonicalReader reader, bool allowLinked)
    {
        long start = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count == 0)
        {
            throw new CodecException(CodecError.UnexpectedLength, start, "a ledger command needs at least its kind");
        }

        long kindOffset = reader.Consumed;
        var kind = (LedgerCommandKind)reader.ReadByte();
        int expected = kind switch
        {
            LedgerCommandKind.OpenAccount => OpenAccountCommand.EncodedFieldCount,
            LedgerCommandKind.Issue or LedgerCommandKind.Redeem => SingleAccountCommand.EncodedFieldCount,
            LedgerCommandKind.Transfer => TransferCommand.EncodedFieldCount,
            LedgerCommandKind.Reserve => ReserveCommand.EncodedFieldCount,
            LedgerCommandKind.Post => PostCommand.EncodedFieldCount,
            LedgerCommandKind.Void => VoidCommand.EncodedFieldCount,
            LedgerCommandKind.Linked => LinkedCommand.EncodedFieldCount,
            _ => throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown ledger command kind {(int)kind}"),
        };
        if (count != expected)
        {
            throw new CodecException(CodecError.UnexpectedLength, start, $"expected an array of {expected} elements for {kind}, found {count}");
        }

        switch (kind)
        {
            case LedgerCommandKind.OpenAccount:
                return OpenAccountCommand.DecodeFields(ref reader);
            case LedgerCommandKind.Issue:
            case LedgerCommandKind.Redeem:
                return SingleAccountCommand.DecodeFields(kind, ref reader);
            case LedgerCommandKind.Transfer:
            case LedgerCommandKind.Reserve:
                return TwoAccountCommand.DecodeFields(kind, ref reader);
            case LedgerCommandKind.Post:
                var id = TransferId.Decode(ref reader);
                var pending = TransferId.Decode(ref reader);
                Amount? amount = reader.TryReadNil() ? null : reader.ReadAmount();
                return new PostCommand(id, pending, amount);
            case LedgerCommandKind.Void:
                return new VoidCommand(TransferId.Decode(ref reader), TransferId.Decode(ref reader));
            default:
                if (!allowLinked)
                {
                    throw new CodecException(CodecError.ValueOutOfRange, kindOffset, "a linked group cannot contain another linked group");
                }

                long listOffset = reader.Consumed;
                int n = reader.ReadArrayHeader();
                if (n > LinkedCommand.MaxLinkedCommands)
                {
                    throw new CodecException(
                        CodecError.LimitExceeded, listOffset, $"a linked group holds at most {LinkedCommand.MaxLinkedCommands} commands, found {n}");
                }

                var commands = new LedgerCommand[n];
                for (int i = 0; i < n; i++)
                {
                    commands[i] = DecodeAny(ref reader, allowLinked: false);
                }

                return new LinkedCommand(commands);
        }
    }
}
