using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// The first phase of a two-phase transfer (seed 000 S2: the leg becomes <i>pending</i>): moves the amount into the
/// debit account's pending debits and the credit account's pending credits. A later <see cref="PostCommand"/> commits
/// it, a <see cref="VoidCommand"/> cancels it, and the first block whose time is at or after
/// <see cref="ExpiresAtUnixMs"/> releases it (seed 000 Alg. 12).
/// </summary>
/// <remarks>Canonical form: <c>[5, id, debit, credit, asset, amount, expiresAtUnixMs]</c>.</remarks>
public sealed class ReserveCommand : TwoAccountCommand
{
    internal const int EncodedFieldCount = 7;

    /// <summary>Creates the command.</summary>
    /// <param name="id">The reservation's id (not zero); posts and voids name it.</param>
    /// <param name="debit">The account that pays.</param>
    /// <param name="credit">The account that receives.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <param name="expiresAtUnixMs">The block time (Unix milliseconds) from which the reservation is released; must be after the block time it is applied at.</param>
    /// <exception cref="ArgumentException">An account or the asset is <c>default</c>.</exception>
    public ReserveCommand(TransferId id, AccountId debit, AccountId credit, AssetCode asset, Amount amount, long expiresAtUnixMs)
        : base(id, debit, credit, asset, amount)
    {
        ExpiresAtUnixMs = expiresAtUnixMs;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Reserve;

    /// <summary>The block time (Unix milliseconds) from which the reservation is released.</summary>
    public long ExpiresAtUnixMs { get; }

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        base.EncodeFields(ref writer);
        writer.WriteInt64(ExpiresAtUnixMs);
    }
}
