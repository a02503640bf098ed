using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The payer's end of an iterative payment channel (SPEC P1, P5): signs, one unit at a time, a complete chain
/// transaction paying the cumulative amount with the agreed nonce, and only when the timing mode allows it.
/// Deterministic and sans-IO: time is an input, messages are returned, not sent. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>Invariants: <see cref="LastSignedAmount"/> = <see cref="PaidUnits"/> × unit price ≤ the terms' maximum total;
/// with <see cref="TimingMode.PayAfterDelivery"/>, PaidUnits ≤ DeliveredUnits ≤ PaidUnits + 1 (it never pays for a unit
/// it has not received); with <see cref="TimingMode.Prepay"/>, DeliveredUnits ≤ PaidUnits ≤ DeliveredUnits + 1 (it
/// prepays at most one unit ahead).</para>
/// <para>The payer holds the private key only to sign; the caller owns and disposes it.</para>
/// </remarks>
public sealed class ChannelPayer
{
    private readonly PrivateKey _key;

    private ChannelPayer(ChannelAgreement agreement, PrivateKey key)
    {
        Agreement = agreement;
        ChannelId = agreement.ChannelId;
        _key = key;
    }

    /// <summary>The agreement the channel runs under.</summary>
    public ChannelAgreement Agreement { get; }

    /// <summary>The terms.</summary>
    public ChannelTerms Terms => Agreement.Terms;

    /// <summary>The channel's id.</summary>
    public Hash256 ChannelId { get; }

    /// <summary>Units paid for, in units.</summary>
    public long PaidUnits { get; private set; }

    /// <summary>Units received, in units.</summary>
    public long DeliveredUnits { get; private set; }

    /// <summary>The cumulative amount of the last transaction signed: the most the payer can ever be charged without fault (P2).</summary>
    public Amount LastSignedAmount { get; private set; }

    /// <summary>The last transaction signed, to resend when it may have been lost; null before the first.</summary>
    public PaymentTransaction? LastTransaction { get; private set; }

    /// <summary>Why the payer stopped, or <see cref="CloseReason.None"/> while it pays.</summary>
    public CloseReason CloseReason { get; private set; }

    /// <summary>Creates the payer's endpoint after checking the agreement and that <paramref name="payerKey"/> is the terms' payer key.</summary>
    /// <param name="agreement">The agreement signed by both parties.</param>
    /// <param name="payerKey">The payer's private key (kept for signing; the caller still owns it).</param>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <param name="payer">The endpoint when the result is <see cref="ChannelResultCode.Ok"/>.</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, a code of <see cref="ChannelAgreement.Verify"/>, or <see cref="ChannelResultCode.WrongKey"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ChannelResultCode TryCreate(ChannelAgreement agreement, PrivateKey payerKey, long nowUnixMs, out ChannelPayer? payer)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(payerKey);
        payer = null;
        var code = agreement.Verify(nowUnixMs);
        if (code != ChannelResultCode.Ok)
        {
            return code;
        }

        if (payerKey.PublicKey != agreement.Terms.PayerKey)
        {
            return ChannelResultCode.WrongKey;
        }

        payer = new ChannelPayer(agreement, payerKey);
        return ChannelResultCode.Ok;
    }

    /// <summary>
    /// Signs the iterative transaction for the next unit when it is due: with pay-after-delivery, for a unit received
    /// and not yet paid; with prepay, for the unit after the last one received, once every prepaid unit has arrived.
    /// </summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns>The transaction, or <see cref="ChannelResultCode.ChannelNotActive"/>, <see cref="ChannelResultCode.EndConditionReached"/>
    /// (count, total or deadline; the payer stops) or <see cref="ChannelResultCode.PaymentNotDue"/>.</returns>
    public PaymentResult Pay(long nowUnixMs)
    {
        if (CloseReason != CloseReason.None)
        {
            return new PaymentResult(ChannelResultCode.ChannelNotActive, null);
        }

        var terms = Terms;
        if (nowUnixMs >= terms.DeadlineUnixMs)
        {
            CloseReason = CloseReason.DeadlineReached;
            return new PaymentResult(ChannelResultCode.EndConditionReached, null);
        }

        long next = PaidUnits + 1;
        if (next > terms.UnitLimit)
        {
            CloseReason = terms.UnitLimitReason;
            return new PaymentResult(ChannelResultCode.EndConditionReached, null);
        }

        bool due = terms.Timing == TimingMode.Prepay ? DeliveredUnits == PaidUnits : DeliveredUnits >= next;
        if (!due)
        {
            return new PaymentResult(ChannelResultCode.PaymentNotDue, null);
        }

        var amount = terms.AmountFor(next);
        var transaction = PaymentTransaction.Create(_key, terms.Chain, terms.Payer, terms.Provider, terms.Asset, amount, terms.Nonce, ChannelId);
        PaidUnits = next;
        LastSignedAmount = amount;
        LastTransaction = transaction;
        if (terms.Timing == TimingMode.PayAfterDelivery && next == terms.UnitLimit)
        {
            CloseReason = terms.UnitLimitReason;
        }

        return new PaymentResult(ChannelResultCode.Ok, transaction);
    }

    /// <summary>Records that unit <paramref name="unitIndex"/> arrived.</summary>
    /// <param name="unitIndex">The unit's 1-based index.</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, or <see cref="ChannelResultCode.ChannelNotActive"/>,
    /// <see cref="ChannelResultCode.UnexpectedUnit"/> (not the next unit, or beyond the limit),
    /// <see cref="ChannelResultCode.DeliveryNotPaid"/> (prepay: not prepaid) or
    /// <see cref="ChannelResultCode.PaymentOutstanding"/> (pay-after-delivery: the previous unit is not paid yet).</returns>
    public ChannelResultCode OnDelivered(long unitIndex)
    {
        if (CloseReason != CloseReason.None)
        {
            return ChannelResultCode.ChannelNotActive;
        }

        var terms = Terms;
        if (unitIndex != DeliveredUnits + 1 || unitIndex > terms.UnitLimit)
        {
            return ChannelResultCode.UnexpectedUnit;
        }

        if (terms.Timing == TimingMode.Prepay && unitIndex > PaidUnits)
        {
            return ChannelResultCode.DeliveryNotPaid;
        }

        if (terms.Timing == TimingMode.PayAfterDelivery && DeliveredUnits != PaidUnits)
        {
            return ChannelResultCode.PaymentOutstanding;
        }

        DeliveredUnits = unitIndex;
        if (terms.Timing == TimingMode.Prepay && unitIndex == terms.UnitLimit)
        {
            CloseReason = terms.UnitLimitReason;
        }

        return ChannelResultCode.Ok;
    }

    /// <summary>Stops paying (<see cref="CloseReason.Requested"/>); later calls are refused.</summary>
    public void Close()
    {
        if (CloseReason == CloseReason.None)
        {
            CloseReason = CloseReason.Requested;
        }
    }
}
