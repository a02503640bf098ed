namespace ChainInterop.Settlement.Channels;

/// <summary>Why the contract paid a channel's provider from the collateral (P4). Stable numbers.</summary>
public enum ClaimReason
{
    /// <summary>No claim.</summary>
    None = 0,

    /// <summary>The payer used the channel's nonce on another transaction, so the iterative transaction can no longer execute.</summary>
    NonceUsedElsewhere = 1,

    /// <summary>The nonce is unused but the payer's available balance cannot pay the iterative transaction.</summary>
    PayerUnderfunded = 2,
}
