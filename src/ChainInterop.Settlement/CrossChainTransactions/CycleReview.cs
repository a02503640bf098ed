using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// A settlement cycle an ICC flagged for manual review at its end (seed 000 Alg. 11 step 14; SPEC S3), with the evidence
/// an operator needs. Nothing of the cycle moved on the ABC: every leg 1 reservation is still pending, the PPCs' legs are
/// still pending, and every transaction of the cycle stays <see cref="CrossChainTransactionState.Tentative"/>.
/// </summary>
/// <param name="Cycle">The cycle.</param>
/// <param name="Reason">Why it was flagged.</param>
/// <param name="Outcome">The netting engine's outcome; for <see cref="CycleReviewReason.NettingMismatch"/> its <see cref="NettingOutcome.Review"/> holds both computations and their mismatches.</param>
/// <param name="Renet">For <see cref="CycleReviewReason.LedgerRefused"/>, the re-net from the gross records that confirmed (or contradicted) the result; otherwise null.</param>
/// <param name="Instructions">For <see cref="CycleReviewReason.LedgerRefused"/>, the CCP instructions the ABC refused to post; otherwise null.</param>
/// <param name="LedgerCode">For <see cref="CycleReviewReason.LedgerRefused"/>, the ledger's code for the member that failed; otherwise <see cref="LedgerResultCode.Ok"/>.</param>
/// <param name="FailedTransaction">When the failing member voids a leg 1 reservation, its transaction; otherwise null.</param>
/// <param name="FailedInstruction">When the failing member posts a CCP instruction, that instruction; otherwise null.</param>
/// <param name="Transactions">The cycle's tentative transactions, in the order their obligations were recorded.</param>
/// <param name="FlaggedAtMs">The ICC block time (Unix ms) of the entry that flagged the cycle.</param>
public sealed record CycleReview(
    CycleId Cycle,
    CycleReviewReason Reason,
    NettingOutcome Outcome,
    NettingOutcome? Renet,
    SettlementInstructionSet? Instructions,
    LedgerResultCode LedgerCode,
    Hash256? FailedTransaction,
    SettlementInstruction? FailedInstruction,
    IReadOnlyList<Hash256> Transactions,
    long FlaggedAtMs);
