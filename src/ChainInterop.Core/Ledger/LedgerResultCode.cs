namespace ChainInterop.Ledger;

/// <summary>
/// The outcome of applying one <see cref="LedgerCommand"/>. The numbers are stable (they appear in receipts and logs
/// of every replica): never renumber or reuse one. Every code but <see cref="Ok"/> and <see cref="AlreadyApplied"/> is
/// a failure, and a failed command changes nothing: no balance, no history, no id consumed.
/// </summary>
public enum LedgerResultCode
{
    /// <summary>Applied.</summary>
    Ok = 0,

    /// <summary>The exact same command (same id, same fields) was applied before: idempotent, nothing changed.</summary>
    AlreadyApplied = 1,

    /// <summary>The id was used before by a command with different fields (or, inside a <see cref="LinkedCommand"/>,
    /// by a command outside the group).</summary>
    DuplicateId = 2,

    /// <summary>An account named by the command does not exist.</summary>
    UnknownAccount = 3,

    /// <summary><see cref="OpenAccountCommand"/> for an account that already exists.</summary>
    AccountExists = 4,

    /// <summary>An account does not hold the asset (seed 000 Alg. 4 "no associated asset").</summary>
    NoAssociatedAsset = 5,

    /// <summary>The debited account's available balance is below the amount (seed 000 Alg. 4 "insufficient assets").</summary>
    InsufficientAssets = 6,

    /// <summary>The amount is zero or negative.</summary>
    InvalidAmount = 7,

    /// <summary>The debit and credit accounts are the same.</summary>
    SameAccount = 8,

    /// <summary><see cref="PostCommand"/> or <see cref="VoidCommand"/> names a pending id that does not exist.</summary>
    UnknownPending = 9,

    /// <summary>The reservation was already posted or voided.</summary>
    AlreadyResolved = 10,

    /// <summary>The reservation expired (its funds were released), or a new reservation's expiry is not after the block time.</summary>
    Expired = 11,

    /// <summary>A partial post asks for more than was reserved.</summary>
    AmountExceedsPending = 12,

    /// <summary>The credit would take a balance beyond the 64-bit range.</summary>
    BalanceOverflow = 13,

    /// <summary>This member of a <see cref="LinkedCommand"/> was not applied because another member failed.</summary>
    LinkedCommandFailed = 14,

    /// <summary><see cref="PostCommand"/> or <see cref="VoidCommand"/> names a transfer that is not a reservation.</summary>
    NotPending = 15,

    /// <summary>The command is malformed: zero id, empty linked group, no or duplicate assets, negative credit limit, too many assets.</summary>
    InvalidCommand = 16,

    /// <summary>The ledger holds <see cref="AccountLedger.MaxAccounts"/> accounts already.</summary>
    LimitExceeded = 17,
}
