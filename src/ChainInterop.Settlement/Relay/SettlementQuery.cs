using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Relay;

/// <summary>What a <see cref="SettlementQuery"/> asks. Stable numbers.</summary>
public enum SettlementQueryKind
{
    /// <summary>A transaction's state and reason on the chain.</summary>
    Transaction = 1,

    /// <summary>An account's balance of an asset on the chain's ledger.</summary>
    Balance = 2,
}

/// <summary>
/// A read of a settlement chain's state by one of its operators, answered in the replies (<see cref="SettlementReply"/>)
/// of the validators that executed it: the read is ordered through consensus like a command, so f + 1 matching replies
/// vouch for the state at that height (a linearizable read; it changes nothing).
/// </summary>
/// <remarks>Canonical form: <c>[1, transactionId]</c> or <c>[2, account, asset]</c>.</remarks>
public sealed class SettlementQuery : ICanonicalEncodable<SettlementQuery>
{
    private SettlementQuery(SettlementQueryKind kind, Hash256 transactionId, AccountId account, AssetCode asset)
    {
        Kind = kind;
        TransactionId = transactionId;
        Account = account;
        Asset = asset;
    }

    /// <summary>What is asked.</summary>
    public SettlementQueryKind Kind { get; }

    /// <summary>The transaction, for <see cref="SettlementQueryKind.Transaction"/>.</summary>
    public Hash256 TransactionId { get; }

    /// <summary>The account, for <see cref="SettlementQueryKind.Balance"/>.</summary>
    public AccountId Account { get; }

    /// <summary>The asset, for <see cref="SettlementQueryKind.Balance"/>.</summary>
    public AssetCode Asset { get; }

    /// <summary>Asks for a transaction's state and reason.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The query.</returns>
    public static SettlementQuery Transaction(Hash256 transactionId) => new(SettlementQueryKind.Transaction, transactionId, default, default);

    /// <summary>Asks for an account's balance of an asset.</summary>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <returns>The query.</returns>
    /// <exception cref="ArgumentException">The account or asset is the default (empty) id.</exception>
    public static SettlementQuery Balance(AccountId account, AssetCode asset)
    {
        if (account.IsDefault || asset.IsDefault)
        {
            throw new ArgumentException("A balance query names an account and an asset.");
        }

        return new(SettlementQueryKind.Balance, Hash256.Zero, account, asset);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        if (Kind == SettlementQueryKind.Transaction)
        {
            writer.WriteArrayHeader(2);
            writer.WriteUInt32((uint)Kind);
            writer.WriteHash256(TransactionId);
        }
        else
        {
            writer.WriteArrayHeader(3);
            writer.WriteUInt32((uint)Kind);
            writer.WriteAccountId(Account);
            writer.WriteAssetCode(Asset);
        }
    }

    /// <inheritdoc />
    /// <exception cref="CodecException">The bytes are not a canonical query.</exception>
    public static SettlementQuery Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        int length = reader.ReadArrayHeader();
        var kind = (SettlementQueryKind)reader.ReadUInt32();
        return (kind, length) switch
        {
            (SettlementQueryKind.Transaction, 2) => Transaction(reader.ReadHash256()),
            (SettlementQueryKind.Balance, 3) => new SettlementQuery(kind, Hash256.Zero, reader.ReadAccountId(), reader.ReadAssetCode()),
            _ => throw new CodecException(CodecError.ValueOutOfRange, offset, $"not a settlement query (kind {(int)kind}, {length} fields)"),
        };
    }
}
