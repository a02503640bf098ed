namespace ChainInterop.Settlement.Netting;

/// <summary>
/// The outcome of one input to a <see cref="SettlementCycle"/>. The numbers are stable (they appear in logs and
/// protocol messages): never renumber or reuse one. Every code but <see cref="Ok"/>, <see cref="AlreadyStarted"/> and
/// <see cref="AlreadyFinished"/> is a refusal that changed nothing (except that a newer committed time is always taken).
/// </summary>
public enum CycleResultCode
{
    /// <summary>Applied.</summary>
    Ok = 0,

    /// <summary>The transaction is already in flight in this cycle: a repeated start, idempotent.</summary>
    AlreadyStarted = 1,

    /// <summary>The transaction already finished in this cycle with this same outcome: a repeated finish, idempotent.</summary>
    AlreadyFinished = 2,

    /// <summary>The cycle no longer admits transactions (it is closing or later): start the transaction in the next cycle.</summary>
    CycleClosed = 3,

    /// <summary><see cref="SettlementCyclePolicy.MaxInFlightTransactions"/> transactions are in flight already.</summary>
    InFlightLimitReached = 4,

    /// <summary>A finish or abandon for a transaction this cycle never started.</summary>
    UnknownTransaction = 5,

    /// <summary>The transaction already finished in this cycle with another outcome (other obligation, or abandoned vs. tentative).</summary>
    ConflictingOutcome = 6,

    /// <summary>The obligation was refused (see <see cref="CycleResult.Obligation"/>); the transaction stays in flight until it is finished with a valid obligation or abandoned.</summary>
    ObligationRefused = 7,

    /// <summary>The committed time is earlier than one this cycle has already seen.</summary>
    ClockRegressed = 8,

    /// <summary>The transaction id is zero.</summary>
    InvalidTransactionId = 9,
}
