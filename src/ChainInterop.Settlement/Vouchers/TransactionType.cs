namespace ChainInterop.Settlement.Vouchers;

/// <summary>The kind of payment a transaction voucher records (seed 001 table 1, 交易类型). Stable numbers.</summary>
public enum TransactionType
{
    /// <summary>A purchase (消费) paid from the user's account: the user's institution pays.</summary>
    Purchase = 1,

    /// <summary>A cash withdrawal at an ATM (ATM取款): the user's institution pays.</summary>
    AtmWithdrawal = 2,

    /// <summary>A deposit (存款) into the user's account: the user's institution is paid.</summary>
    Deposit = 3,

    /// <summary>A securities transfer (证券转移) out of the user's account: the user's institution pays.</summary>
    SecuritiesTransfer = 4,
}

/// <summary>The part an institution plays in one transaction voucher. Stable numbers.</summary>
public enum ParticipantRole
{
    /// <summary>The institution that received the user's request, audits it and signs the voucher first (发起机构).</summary>
    Originator = 1,

    /// <summary>An institution that checks the voucher's legality and co-signs or rejects it (目的机构).</summary>
    Destination = 2,

    /// <summary>An institution whose confirmation a destination waits for before deciding (辅助机构); it does not sign the voucher.</summary>
    Auxiliary = 3,
}

/// <summary>One institution involved in a transaction voucher and its part.</summary>
/// <param name="Institution">The institution.</param>
/// <param name="Role">Its part.</param>
public readonly record struct VoucherParticipant(InstitutionId Institution, ParticipantRole Role);
