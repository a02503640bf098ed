namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>The kind of a <see cref="TransferMessage"/>: the first field of its canonical form. Stable numbers.</summary>
public enum TransferMessageKind
{
    /// <summary><see cref="StartTransfer"/>: a PPC's own client command (Alg. 1 (1)–(3)).</summary>
    StartTransfer = 1,

    /// <summary><see cref="TransferRequest"/>: PPC1 → ICC (Alg. 1, Alg. 2).</summary>
    TransferRequest = 2,

    /// <summary><see cref="PendingAck"/>: ICC → PPC1 in Mode II (2a).</summary>
    PendingAck = 3,

    /// <summary><see cref="TransferOffer"/>: ICC → PPC2 (2 / 2b).</summary>
    TransferOffer = 4,

    /// <summary><see cref="TransferAccept"/>: PPC2 → ICC with its proof of ability (Alg. 3).</summary>
    TransferAccept = 5,

    /// <summary><see cref="TransferReject"/>: PPC2 → ICC (Alg. 3 (3)).</summary>
    TransferReject = 6,

    /// <summary><see cref="TransferCommitted"/>: ICC → PPC1 and PPC2 (4a, 4b; Alg. 10).</summary>
    TransferCommitted = 7,

    /// <summary><see cref="TransferCancelled"/>: ICC → PPC1 and PPC2 (Alg. 12).</summary>
    TransferCancelled = 8,

    /// <summary><see cref="CancelRequest"/>: PPC1 → ICC once its own Time1 passed (Alg. 12).</summary>
    CancelRequest = 9,

    /// <summary><see cref="Tick"/>: a chain's own periodic time entry.</summary>
    Tick = 10,

    /// <summary><see cref="CloseCycle"/>: the ICC's own entry that closes a settlement cycle and settles the ready ones (Alg. 11).</summary>
    CloseCycle = 11,
}

/// <summary>How the ICC acknowledges a transfer request (S2). Stable numbers.</summary>
public enum AckMode
{
    /// <summary>Mode I: PPC1 hears only the decision.</summary>
    ModeI = 1,

    /// <summary>Mode II: the ICC also sends PPC1 a <see cref="PendingAck"/> while it contacts PPC2 (2a).</summary>
    ModeII = 2,
}

/// <summary>When the ICC settles a transfer on the ABC (S2). Stable numbers.</summary>
public enum SettlementTiming
{
    /// <summary>Real time: both ABC legs are posted when PPC2 accepts (Alg. 10).</summary>
    RealTime = 1,

    /// <summary>Netting: the accepted transfer becomes a gross obligation of the current settlement cycle (Alg. 11).</summary>
    Netting = 2,
}

/// <summary>The state of a cross-chain transaction on one chain (S2). Stable numbers.</summary>
public enum CrossChainTransactionState
{
    /// <summary>A PPC holds a pending leg and waits for the ICC's decision.</summary>
    Pending = 1,

    /// <summary>ICC, netting mode: leg 1 is reserved, PPC2 has not accepted yet.</summary>
    PreTentative = 2,

    /// <summary>ICC: leg 1 is reserved (real time), or PPC2 accepted and the obligation waits for the cycle end (netting).</summary>
    Tentative = 3,

    /// <summary>All legs are posted (real time) on this chain.</summary>
    Committed = 4,

    /// <summary>The transaction was refused (verification, asset, balance, or PPC2's reject); every leg is voided.</summary>
    Failed = 5,

    /// <summary>The transaction timed out or was cancelled (Alg. 12); every leg is voided.</summary>
    Cancelled = 6,
}

/// <summary>Why PPC2 refused an offer, or why the ICC failed or cancelled a transaction. Stable numbers.</summary>
public enum TransferFailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>The sender is not the chain the transaction names, or not linked to the ICC (Alg. 4 verification).</summary>
    VerificationFailed = 1,

    /// <summary>An account does not hold the asset (Alg. 4 "no associated asset").</summary>
    NoAssociatedAsset = 2,

    /// <summary>An available balance is below the amount (Alg. 4 "insufficient assets").</summary>
    InsufficientAssets = 3,

    /// <summary>PPC2 has no such payee account (Alg. 4).</summary>
    UnknownPayee = 4,

    /// <summary>A chain on the way does not handle the asset (the PPC has no transit account for it).</summary>
    UnsupportedAsset = 5,

    /// <summary>The ledger refused the leg for another reason (see the result's ledger code).</summary>
    LedgerRefused = 6,

    /// <summary>PPC2 rejected the offer for a reason it did not name (a named one, e.g. <see cref="UnknownPayee"/>, is passed on as is).</summary>
    RejectedByPayee = 7,

    /// <summary>The ICC's committed block time passed Time1 before the transaction committed (Alg. 12).</summary>
    TimedOut = 8,

    /// <summary>Netting mode: the current settlement cycle refused the transaction.</summary>
    CycleRefused = 9,

    /// <summary>Time1 lies further in the past than the chain's retention period: only a replay can carry it.</summary>
    Expired = 10,

    /// <summary>PPC1 has no such payer account.</summary>
    UnknownPayer = 11,

    /// <summary>The ICC links no such payee chain (the bank is not a participant of this intermediary).</summary>
    UnknownParticipant = 12,

    /// <summary>PPC1 is not linked to the intermediary the transfer names.</summary>
    UnknownIntermediary = 13,
}

/// <summary>The outcome of executing one entry on a chain application. Stable numbers.</summary>
public enum CrossChainResultCode
{
    /// <summary>Executed; state changed.</summary>
    Ok = 0,

    /// <summary>A duplicate or replay: nothing changed (a decision may be re-emitted).</summary>
    AlreadyApplied = 1,

    /// <summary>The entry names a transaction this chain does not know.</summary>
    UnknownTransaction = 2,

    /// <summary>The sender or the content does not match the transaction (Alg. 4 verification failure); nothing changed.</summary>
    VerificationFailed = 3,

    /// <summary>Refused: an account does not hold the asset; the transaction failed.</summary>
    NoAssociatedAsset = 4,

    /// <summary>Refused: insufficient available balance; the transaction failed.</summary>
    InsufficientAssets = 5,

    /// <summary>Refused for another ledger reason (see <see cref="CrossChainExecution.LedgerCode"/>); the transaction failed.</summary>
    LedgerRefused = 6,

    /// <summary>The payload could not be decoded, or the message does not belong on this chain; nothing changed.</summary>
    Malformed = 7,

    /// <summary>A cancel was asked before the ICC's committed time passed Time1; nothing changed, ask again later.</summary>
    NotYetDue = 8,

    /// <summary>The transaction was cancelled or failed by this entry.</summary>
    Cancelled = 9,

    /// <summary>PPC2 rejected the offer (a <see cref="TransferReject"/> was emitted).</summary>
    Rejected = 10,

    /// <summary>Netting: the transaction is tentative and waits for the settlement cycle's end.</summary>
    AwaitingCycleEnd = 11,

    /// <summary>A <see cref="CloseCycle"/> names a cycle this ICC has not opened yet, or the ICC runs no settlement cycles; nothing changed.</summary>
    UnknownCycle = 12,

    /// <summary>
    /// The entry flagged at least one settlement cycle for manual review (Alg. 11 step 14): its netting failed its
    /// checks twice, or the ABC refused the net postings; nothing moved and its transactions stay tentative.
    /// </summary>
    CycleUnderReview = 13,

    /// <summary>
    /// The entry concerns a transaction whose Time1 lies further in the past than the retention period (a replay of one
    /// the chain may have forgotten): nothing changes and nothing is answered (its decision, if any, is on its way).
    /// </summary>
    Expired = 14,
}

/// <summary>Why an ICC flagged a settlement cycle for manual review (Alg. 11 step 14). Stable numbers.</summary>
public enum CycleReviewReason
{
    /// <summary>The netting engine's computation and its re-net both failed their checks (see <see cref="Netting.NettingOutcome.Review"/>).</summary>
    NettingMismatch = 1,

    /// <summary>
    /// The net result balanced (and re-netting confirmed it), but the ABC refused the cycle-end group (e.g. a net debtor
    /// lacks the balance, or a leg 1 reservation is no longer pending): nothing moved.
    /// </summary>
    LedgerRefused = 2,
}
