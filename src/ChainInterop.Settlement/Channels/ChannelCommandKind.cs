namespace ChainInterop.Settlement.Channels;

/// <summary>The stable tag of a <see cref="ChannelCommand"/> (the first element of its canonical form). Never renumber.</summary>
public enum ChannelCommandKind
{
    /// <summary>Not a command (a receipt for an entry that could not be decoded).</summary>
    None = 0,

    /// <summary><see cref="RegisterAccountCommand"/>.</summary>
    RegisterAccount = 1,

    /// <summary><see cref="DepositCommand"/>.</summary>
    Deposit = 2,

    /// <summary><see cref="OpenChannelCommand"/>.</summary>
    OpenChannel = 3,

    /// <summary><see cref="SubmitPaymentCommand"/>.</summary>
    SubmitPayment = 4,

    /// <summary><see cref="ClaimCollateralCommand"/>.</summary>
    ClaimCollateral = 5,

    /// <summary><see cref="ReleaseCollateralCommand"/>.</summary>
    ReleaseCollateral = 6,
}
