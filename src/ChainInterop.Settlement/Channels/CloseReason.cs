namespace ChainInterop.Settlement.Channels;

/// <summary>Why a channel endpoint stopped serving or paying. Stable numbers.</summary>
public enum CloseReason
{
    /// <summary>Still open.</summary>
    None = 0,

    /// <summary>End condition (P2): the agreed number of units was delivered and paid.</summary>
    MaxUnitsReached = 1,

    /// <summary>End condition (P2): one more unit would take the cumulative amount over the agreed maximum total.</summary>
    MaxTotalReached = 2,

    /// <summary>End condition (P2): the agreed deadline passed.</summary>
    DeadlineReached = 3,

    /// <summary>Anomaly (P3): a payment that was due did not arrive within the agreed payment timeout.</summary>
    PayerTimeout = 4,

    /// <summary>Anomaly (P3): the payer signed an iterative transaction with a wrong cumulative amount.</summary>
    WrongCumulativeAmount = 5,

    /// <summary>The endpoint's owner asked to stop.</summary>
    Requested = 6,
}
