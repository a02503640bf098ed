namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The outcome of a payment-channel step, off chain (payer, provider) or on chain (<see cref="ChannelContract"/>).
/// The numbers are stable (they appear in receipts and logs of every validator): never renumber or reuse one. Every
/// code but <see cref="Ok"/> is a refusal, and a refusal changes nothing, except where a code's description says the
/// provider stops the channel (P3).
/// </summary>
public enum ChannelResultCode
{
    /// <summary>Done.</summary>
    Ok = 0,

    // ---- terms and signatures (both sides and the contract) ----------------------------------------------------

    /// <summary>The bytes are not one canonical message of the expected type, or are over the size limit.</summary>
    Malformed = 1,

    /// <summary>A signature does not verify under the key it must come from.</summary>
    InvalidSignature = 2,

    /// <summary>The terms are unusable: a missing field, a non-positive price, count or total, a bad penalty rule.</summary>
    InvalidTerms = 3,

    /// <summary>The collateral does not cover the maximum total plus the penalty on it, so a claim could not be paid in full.</summary>
    CollateralTooSmall = 4,

    /// <summary>The deadline is not in the future.</summary>
    DeadlinePassed = 5,

    /// <summary>The key given does not belong to this role of the channel (e.g. a payer key that is not the terms' payer key).</summary>
    WrongKey = 6,

    // ---- iterative transactions at the provider (P1) -------------------------------------------------------------

    /// <summary>The transaction is for another chain, payer, payee or asset than the channel's.</summary>
    TermsMismatch = 10,

    /// <summary>The transaction names another channel.</summary>
    WrongChannel = 11,

    /// <summary>The transaction carries another sequence number (nonce) than the one agreed.</summary>
    WrongNonce = 12,

    /// <summary>The cumulative amount is not above the last accepted one: an old transaction replayed. Nothing changes.</summary>
    AmountNotIncreasing = 13,

    /// <summary>
    /// The payer signed a cumulative amount above the last accepted one but not the last plus exactly one unit price.
    /// P3 anomaly: the transaction is refused and the provider stops the channel to submit the last correct one.
    /// </summary>
    WrongCumulativeAmount = 14,

    /// <summary>The very transaction accepted last, received again. Nothing changes.</summary>
    Duplicate = 15,

    /// <summary>A payment arrived that the timing mode does not expect yet (P5).</summary>
    PaymentNotDue = 16,

    // ---- delivery and payment timing (P5) ------------------------------------------------------------------------

    /// <summary>Prepay: the unit is not covered by a transaction the provider holds, so it is not delivered.</summary>
    DeliveryNotPaid = 20,

    /// <summary>Pay after delivery: the last delivered unit is not paid yet, so the next one is not delivered.</summary>
    PaymentOutstanding = 21,

    /// <summary>The delivered unit is not the next one expected.</summary>
    UnexpectedUnit = 22,

    /// <summary>An end condition holds (count, total or deadline): no more units or payments.</summary>
    EndConditionReached = 23,

    /// <summary>The endpoint is not serving: collateral not confirmed yet, or the channel is closing or closed.</summary>
    ChannelNotActive = 24,

    /// <summary>The operation does not fit the endpoint's phase (e.g. a submission outcome when nothing was submitted).</summary>
    WrongPhase = 25,

    // ---- settlement contract (P2, P4) ----------------------------------------------------------------------------

    /// <summary>The command needs a signer it was not submitted by (the operator, or the channel's provider).</summary>
    Unauthorized = 40,

    /// <summary>An account named is not registered, or cannot sign (no key).</summary>
    UnknownAccount = 41,

    /// <summary>The account is already registered.</summary>
    AccountExists = 42,

    /// <summary>The payer already used this sequence number on chain: exactly one transaction per (payer, nonce) (P2).</summary>
    NonceAlreadyUsed = 43,

    /// <summary>No channel with this id is registered on chain.</summary>
    UnknownChannel = 44,

    /// <summary>A channel with this id, or an open channel on the same (payer, nonce), exists already.</summary>
    ChannelExists = 45,

    /// <summary>The channel was settled or claimed already.</summary>
    ChannelNotOpen = 46,

    /// <summary>The amount is outside the channel's limits (zero, negative or above the maximum total).</summary>
    AmountOutOfRange = 47,

    /// <summary>
    /// A collateral claim (P4) while the nonce is unused and the payer can pay: submit the transaction instead.
    /// </summary>
    ClaimNotAllowed = 48,

    /// <summary>The collateral is no longer held (released by settlement, by the provider, or at the end of the claim window).</summary>
    ClaimWindowClosed = 49,

    /// <summary>The account ledger refused the money movement; the receipt's ledger code says why (e.g. insufficient assets).</summary>
    LedgerRefused = 50,

    /// <summary>A table of the contract is full.</summary>
    LimitExceeded = 51,

    /// <summary>The request is for another chain than the contract's.</summary>
    WrongChain = 52,
}
