namespace ChainInterop.Ledger;

/// <summary>The outcome of applying a <see cref="TradeRecord"/> to a trading chain. Values are stable codes.</summary>
public enum TradeResultCode
{
    /// <summary>Recorded.</summary>
    Ok = 0,

    /// <summary>The identical record was already there (idempotent resubmission); nothing changed.</summary>
    AlreadyRecorded = 1,

    /// <summary>The record names another participant chain than the one this TBC links.</summary>
    WrongParticipantChain = 2,

    /// <summary>A commit or cancel for a transaction this TBC never saw pending.</summary>
    UnknownTransaction = 3,

    /// <summary>The transaction is already committed or cancelled; its outcome cannot change.</summary>
    AlreadyResolved = 4,

    /// <summary>The record disagrees with the pending record (other parties or asset, or more than the pending amount).</summary>
    ConflictingRecord = 5,

    /// <summary>The amount is not positive.</summary>
    InvalidAmount = 6,

    /// <summary>A block entry that is not a trade record.</summary>
    InvalidEntry = 7,
}
