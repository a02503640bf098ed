namespace ChainInterop.Settlement.Channels;

/// <summary>
/// When the payer pays for a unit relative to receiving it (SPEC P5, seed 004 [0011]–[0014]). Stable numbers: they are
/// part of the signed <see cref="ChannelTerms"/>.
/// </summary>
public enum TimingMode
{
    /// <summary>
    /// Pay after delivery: the payer signs the iterative transaction for unit k only after receiving unit k, and the
    /// provider delivers unit k + 1 only once unit k is paid. The provider's exposure is one unit.
    /// </summary>
    PayAfterDelivery = 1,

    /// <summary>
    /// Prepay: the provider delivers unit k only after holding an iterative transaction that covers k units, and the
    /// payer prepays unit k + 1 only once unit k has arrived. The payer's exposure is one unit.
    /// </summary>
    Prepay = 2,
}
