namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// Why a voucher step was refused (SPEC V1–V4). The numbers are stable and grouped by phase: 1xx audit (V1),
/// 2xx transaction voucher and signatures (V2), 3xx retention (V3), 4xx clearing and the voucher ledger (V4),
/// 9xx protocol hygiene. They appear in signed rejections, so they never change meaning.
/// </summary>
public enum VoucherFailure
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>V1: the request is malformed (non-positive amount, no destination, an institution named twice, the user's institution not involved…).</summary>
    InvalidRequest = 101,

    /// <summary>V1/V2: the user is not known to the institution that must vouch for it.</summary>
    UnknownUser = 102,

    /// <summary>V1: the originator's own user is not entitled to this payment-settlement service.</summary>
    NotEntitled = 103,

    /// <summary>V1/V2: the amount is above the user's per-transaction limit.</summary>
    AmountOverLimit = 104,

    /// <summary>V1/V2: the asset address does not belong to the user.</summary>
    AssetAddressMismatch = 105,

    /// <summary>V1–V4: an institution is not in the institution directory (the trust root).</summary>
    UnknownInstitution = 106,

    /// <summary>V1/V4: an institution has no settlement account on the ledger.</summary>
    NoSettlementAccount = 107,

    /// <summary>V1/V2/V4: an account does not hold the asset ("no associated asset").</summary>
    NoAssociatedAsset = 108,

    /// <summary>V1/V2/V4: the paying account's available balance is below the amount ("insufficient assets").</summary>
    InsufficientAssets = 109,

    /// <summary>V2: the voucher's id is not the SHA-256 of its body: it was changed after the id was computed.</summary>
    IdMismatch = 201,

    /// <summary>V2–V4: a required signature is absent.</summary>
    MissingSignature = 202,

    /// <summary>V2–V4: a signature does not verify under the signer's registered key (forged or altered).</summary>
    InvalidSignature = 203,

    /// <summary>V2–V4: a signature comes from an institution that has no part in signing this voucher.</summary>
    UnexpectedSigner = 204,

    /// <summary>V2: a voucher or message was already processed (replay).</summary>
    Replayed = 205,

    /// <summary>V2: the voucher is older than the replay window, or dated too far in the future.</summary>
    Stale = 206,

    /// <summary>V2/V3: the message is for a voucher in which this institution has no part in that role.</summary>
    NotAddressedToUs = 207,

    /// <summary>V2: a destination institution rejected the voucher (the user's request is refused).</summary>
    RejectedByDestination = 208,

    /// <summary>V2: an auxiliary institution refused to confirm the request.</summary>
    AuxiliaryRefused = 209,

    /// <summary>V2: an auxiliary institution did not answer in time.</summary>
    AuxiliaryTimeout = 210,

    /// <summary>V2: a destination institution did not answer in time.</summary>
    DestinationTimeout = 211,

    /// <summary>V3: the third party did not deliver the retention and clearing-relation vouchers in time.</summary>
    ThirdPartyTimeout = 301,

    /// <summary>V3: a destination institution refused to confirm the voucher to the third party.</summary>
    ConfirmationRefused = 302,

    /// <summary>V3: a destination institution did not confirm or co-sign in time.</summary>
    ConfirmationTimeout = 303,

    /// <summary>V3/V4: the clearing relation is not the one the transaction voucher and fee schedule give.</summary>
    RelationMismatch = 304,

    /// <summary>V3: the institution did not co-sign the transaction voucher this refers to.</summary>
    NotCoSignedByUs = 305,

    /// <summary>V3/V4: the named third party is not a retention institution in the directory.</summary>
    NotARetentionInstitution = 306,

    /// <summary>V3/V4: the vouchers do not refer to each other (ids, parties or the transaction voucher differ).</summary>
    LinkMismatch = 307,

    /// <summary>V4: a clearing voucher with this id, or for this relation and payer, is already on the ledger.</summary>
    Duplicate = 401,

    /// <summary>V4: the clearing voucher's transfers are not the payer's obligations in the relation.</summary>
    TransfersMismatch = 402,

    /// <summary>V4: the asset-source records do not come from the payer's settlement account or do not add up to the transfers.</summary>
    SourceMismatch = 403,

    /// <summary>V4: a ledger entry is not a decodable clearing publication.</summary>
    Malformed = 404,

    /// <summary>V4: a net position would leave the 64-bit range.</summary>
    AmountOverflow = 405,

    /// <summary>V4: the evidence lacks the clearing voucher of a payer.</summary>
    ClearingMissing = 406,

    /// <summary>V4: a clearing voucher of the evidence is not in a certified block of the voucher ledger chain.</summary>
    NotOnLedger = 407,

    /// <summary>V4: the institution owes nothing in this relation, so it has no clearing voucher to make.</summary>
    NothingToClear = 408,

    /// <summary>The flow or voucher is not known here (never started, already finished, or timed out).</summary>
    UnknownFlow = 901,

    /// <summary>The message is not one this role accepts.</summary>
    UnexpectedMessage = 902,

    /// <summary>A bounded table (open flows, replay memory, ledger records) is full.</summary>
    CapacityExceeded = 903,
}
