namespace ChainInterop.Ledger;

/// <summary>The state of an applied transfer. Stable numbers (they are part of the snapshot).</summary>
public enum TransferState
{
    /// <summary>Not a reservation: applied once and final (issue, redeem, transfer, post, void).</summary>
    Final = 0,

    /// <summary>A reservation whose funds are held.</summary>
    Pending = 1,

    /// <summary>A reservation committed by a <see cref="PostCommand"/>.</summary>
    Posted = 2,

    /// <summary>A reservation cancelled by a <see cref="VoidCommand"/>.</summary>
    Voided = 3,

    /// <summary>A reservation released because a block time reached its expiry.</summary>
    Expired = 4,
}
