using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Channels;

/// <summary>A channel as the <see cref="ChannelContract"/> knows it: its terms, its collateral reservation and how it ended.</summary>
public sealed class ChannelRecord
{
    internal ChannelRecord(ChannelTerms terms, TransferId collateralId, long openedAtUnixMs, long collateralExpiresAtUnixMs)
    {
        Terms = terms;
        Id = terms.Id;
        CollateralId = collateralId;
        OpenedAtUnixMs = openedAtUnixMs;
        CollateralExpiresAtUnixMs = collateralExpiresAtUnixMs;
        State = ChannelState.Open;
    }

    /// <summary>The channel's id.</summary>
    public Hash256 Id { get; }

    /// <summary>The agreed terms.</summary>
    public ChannelTerms Terms { get; }

    /// <summary>The ledger reservation holding the collateral (payer → preset collateral account).</summary>
    public TransferId CollateralId { get; }

    /// <summary>The block time the channel was opened at (Unix milliseconds).</summary>
    public long OpenedAtUnixMs { get; }

    /// <summary>The end of the claim window: the first block at or after this time releases the collateral to the payer (Unix milliseconds).</summary>
    public long CollateralExpiresAtUnixMs { get; }

    /// <summary>Open, settled or claimed.</summary>
    public ChannelState State { get; internal set; }

    /// <summary>When settled, the amount of the transaction executed.</summary>
    public Amount SettledAmount { get; internal set; }

    /// <summary>When claimed, the amount paid to the provider from the collateral.</summary>
    public Amount ClaimedAmount { get; internal set; }

    /// <summary>When claimed, the penalty paid to the penalty recipient from the collateral.</summary>
    public Amount Penalty { get; internal set; }

    /// <summary>When claimed, why.</summary>
    public ClaimReason ClaimReason { get; internal set; }

    /// <summary>The digest of the iterative transaction that settled or was claimed; zero while open.</summary>
    public Hash256 FinalTransaction { get; internal set; }
}
