namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The outcome of recording one <see cref="GrossObligation"/> in a <see cref="GrossObligationBook"/>. The numbers are
/// stable (they appear in logs and in <see cref="CycleResult"/>): never renumber or reuse one. A refused obligation
/// changes nothing.
/// </summary>
public enum ObligationCode
{
    /// <summary>Recorded.</summary>
    Ok = 0,

    /// <summary>The identical obligation (same transaction, same fields) is already recorded: idempotent, nothing changed.</summary>
    AlreadyRecorded = 1,

    /// <summary>The transaction id is already recorded with different fields.</summary>
    DuplicateTransaction = 2,

    /// <summary>The amount is zero or negative.</summary>
    InvalidAmount = 3,

    /// <summary>The payer and the payee are the same participant chain.</summary>
    SameParticipant = 4,

    /// <summary>The transaction id is zero, or the payer, payee or asset is <c>default</c>.</summary>
    MissingField = 5,

    /// <summary>The book already names <see cref="GrossObligationBook.MaxParticipantsPerCycle"/> participants.</summary>
    ParticipantLimitExceeded = 6,

    /// <summary>The book already names <see cref="GrossObligationBook.MaxAssetsPerCycle"/> assets.</summary>
    AssetLimitExceeded = 7,

    /// <summary>The book already holds <see cref="GrossObligationBook.MaxObligationsPerCycle"/> obligations.</summary>
    ObligationLimitExceeded = 8,

    /// <summary>The payer or payee is the cycle's intermediary chain, which takes part only as central counterparty.</summary>
    IntermediaryAsParticipant = 9,

    /// <summary>The amount would take the asset's gross value in the book beyond the 64-bit range.</summary>
    GrossValueOverflow = 10,
}
