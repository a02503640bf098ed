using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>Cancels a reservation and releases its funds (seed 000 Alg. 12).</summary>
/// <remarks>Canonical form: <c>[7, id, pendingId]</c>.</remarks>
public sealed class VoidCommand : LedgerCommand
{
    internal const int EncodedFieldCount = 3;

    /// <summary>Creates the command.</summary>
    /// <param name="id">This command's own id (not zero).</param>
    /// <param name="pendingId">The id of the <see cref="ReserveCommand"/> to cancel.</param>
    public VoidCommand(TransferId id, TransferId pendingId)
    {
        Id = id;
        PendingId = pendingId;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.Void;

    /// <summary>This command's own id.</summary>
    public TransferId Id { get; }

    /// <summary>The reservation to cancel.</summary>
    public TransferId PendingId { get; }

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        Id.Encode(ref writer);
        PendingId.Encode(ref writer);
    }
}
