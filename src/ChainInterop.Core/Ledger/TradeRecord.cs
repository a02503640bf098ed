using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Ledger;

/// <summary>
/// One entry of a trading chain (TBC): a step of a cross-chain transaction between the intermediary and the
/// participant chain the TBC links. Balances are never here: the record names the ABC transfer that moved (or
/// reserved) the money, so transaction records and balances live apart (seed 000 [0082]).
/// </summary>
/// <remarks>Canonical form: <c>[transactionId, status, participantChain, payer, payee, asset, amount, abcTransferId]</c>.</remarks>
public sealed record TradeRecord(
    Hash256 TransactionId,
    TradeStatus Status,
    ChainId ParticipantChain,
    InstitutionId Payer,
    InstitutionId Payee,
    AssetCode Asset,
    Amount Amount,
    TransferId AbcTransfer) : ICanonicalEncodable<TradeRecord>
{
    private const int FieldCount = 8;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteHash256(TransactionId);
        writer.WriteUInt32((uint)Status);
        writer.WriteChainId(ParticipantChain);
        writer.WriteInstitutionId(Payer);
        writer.WriteInstitutionId(Payee);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        AbcTransfer.Encode(ref writer);
    }

    /// <inheritdoc />
    public static TradeRecord Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        var transactionId = reader.ReadHash256();
        long statusOffset = reader.Consumed;
        var status = (TradeStatus)reader.ReadUInt32();
        if (!Enum.IsDefined(status))
        {
            throw CanonicalPrimitives.Invalid(statusOffset, "trade status");
        }

        return new TradeRecord(
            transactionId,
            status,
            reader.ReadChainId(),
            reader.ReadInstitutionId(),
            reader.ReadInstitutionId(),
            reader.ReadAssetCode(),
            reader.ReadAmount(),
            TransferId.Decode(ref reader));
    }
}
