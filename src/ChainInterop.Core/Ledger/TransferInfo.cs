namespace ChainInterop.Ledger;

/// <summary>What the ledger remembers about an applied command that has an id.</summary>
/// <param name="Id">The id.</param>
/// <param name="Kind">The command kind.</param>
/// <param name="State">For a reservation, whether it is pending or how it was resolved; otherwise <see cref="TransferState.Final"/>.</param>
/// <param name="Debit">The account that paid, or <c>default</c> (issue, post, void).</param>
/// <param name="Credit">The account that received, or <c>default</c> (redeem, post, void).</param>
/// <param name="Asset">The asset, or <c>default</c> (post, void).</param>
/// <param name="Amount">The amount; for a post, the amount committed.</param>
/// <param name="ExpiresAtUnixMs">A reservation's expiry; zero otherwise.</param>
/// <param name="PendingId">For a post or void, the reservation; zero otherwise.</param>
public readonly record struct TransferInfo(
    TransferId Id,
    LedgerCommandKind Kind,
    TransferState State,
    AccountId Debit,
    AccountId Credit,
    AssetCode Asset,
    Amount Amount,
    long ExpiresAtUnixMs,
    TransferId PendingId);
