namespace ChainInterop.Ledger;

/// <summary>One change of one account's balance of one asset, in its history.</summary>
/// <param name="Sequence">Ledger-wide sequence number, increasing from 1 in the order changes were applied.</param>
/// <param name="TransferId">The command that caused the change (for <see cref="PostingKind.Expire"/>, the reservation).</param>
/// <param name="Kind">What caused the change.</param>
/// <param name="Side">Whether the account paid or received.</param>
/// <param name="Asset">The asset.</param>
/// <param name="PostedDelta">The change of <see cref="Balance.Posted"/>.</param>
/// <param name="PendingDelta">The change of the account's pending amount on its <paramref name="Side"/>
/// (<see cref="Balance.PendingDebits"/> or <see cref="Balance.PendingCredits"/>).</param>
/// <param name="Counterparty">The other account, or <c>default</c> for <see cref="PostingKind.Issue"/> and <see cref="PostingKind.Redeem"/>.</param>
/// <param name="PendingId">The reservation that was committed, released or expired; zero otherwise.</param>
/// <param name="BlockTimeUnixMs">The time of the block that applied the change.</param>
public readonly record struct Posting(
    long Sequence,
    TransferId TransferId,
    PostingKind Kind,
    PostingSide Side,
    AssetCode Asset,
    Amount PostedDelta,
    Amount PendingDelta,
    AccountId Counterparty,
    TransferId PendingId,
    long BlockTimeUnixMs);
