using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// Commits a reservation (seed 000 Alg. 10): the whole reserved amount when <see cref="Amount"/> is null, otherwise
/// that part of it, and the remainder is released.
/// </summary>
/// <remarks>Canonical form: <c>[6, id, pendingId, amount | nil]</c>.</remarks>
public sealed class PostCommand : LedgerCommand
{
    internal const int EncodedFieldCount = 4;

    /// <summary>Creates the command.</summary>
    /// <param name="id">This command's own id (not zero).</param>
    /// <param name="pendingId">The id of the <see cref="ReserveCommand"/> to commit.</param>
    /// <param name="amount">The amount to commit (positive, at most the reserved amount), or null for all of it.</param>
    public PostCommand(TransferId id, TransferId pendingId, Amount? amount = null)
    {
        Id = id;
        PendingId = pendingId;
        Amount = amount;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Post;

    /// <summary>This command's own id.</summary>
    public TransferId Id { get; }

    /// <summary>The reservation to commit.</summary>
    public TransferId PendingId { get; }

    /// <summary>The amount to commit, or null for the whole reservation.</summary>
    public Amount? Amount { get; }

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Id.Encode(ref writer);
        PendingId.Encode(ref writer);
        if (Amount is { } amount)
        {
            writer.WriteAmount(amount);
        }
        else
        {
            writer.WriteNil();
        }
    }
}
