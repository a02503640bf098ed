namespace ChainInterop.Ledger;

/// <summary>What caused a <see cref="Posting"/>. Stable numbers (they are part of the snapshot).</summary>
public enum PostingKind
{
    /// <summary>Not a posting; never recorded.</summary>
    None = 0,

    /// <summary>An <see cref="IssueCommand"/> credited the account.</summary>
    Issue = 1,

    /// <summary>A <see cref="RedeemCommand"/> debited the account.</summary>
    Redeem = 2,

    /// <summary>A <see cref="TransferCommand"/>.</summary>
    Transfer = 3,

    /// <summary>A <see cref="ReserveCommand"/> moved funds into pending.</summary>
    Reserve = 4,

    /// <summary>A <see cref="PostCommand"/> committed a reservation.</summary>
    Post = 5,

    /// <summary>A <see cref="VoidCommand"/> released a reservation.</summary>
    Void = 6,

    /// <summary>A block time reached a reservation's expiry and released it.</summary>
    Expire = 7,
}
