namespace ChainInterop.Ledger;

/// <summary>
/// The stable tag that starts every encoded <see cref="LedgerCommand"/> (<c>[kind, ...fields]</c>). The numbers are
/// part of the wire format and of the state hash: never renumber or reuse one.
/// </summary>
public enum LedgerCommandKind
{
    /// <summary>Not a command; never encoded.</summary>
    None = 0,

    /// <summary><see cref="OpenAccountCommand"/>.</summary>
    OpenAccount = 1,

    /// <summary><see cref="IssueCommand"/>.</summary>
    Issue = 2,

    /// <summary><see cref="RedeemCommand"/>.</summary>
    Redeem = 3,

    /// <summary><see cref="TransferCommand"/>.</summary>
    Transfer = 4,

    /// <summary><see cref="ReserveCommand"/>.</summary>
    Reserve = 5,

    /// <summary><see cref="PostCommand"/>.</summary>
    Post = 6,

    /// <summary><see cref="VoidCommand"/>.</summary>
    Void = 7,

    /// <summary><see cref="LinkedCommand"/>.</summary>
    Linked = 8,
}
