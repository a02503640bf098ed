using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// The provider's end of an iterative payment channel (SPEC P1–P5): verifies every iterative transaction and keeps the
/// last valid one, delivers units only when the timing mode allows, stops on an end condition or an anomaly, and then
/// hands over exactly one on-chain submission — the last valid transaction — or, when the payer used the nonce
/// elsewhere or cannot pay, the collateral claim. Deterministic and sans-IO: time is an input, commands are returned,
/// not sent. Not thread-safe.
/// </summary>
/// <remarks>
/// <para>Invariants: <see cref="AcceptedAmount"/> = <see cref="PaidUnits"/> × unit price, and it is the amount of a
/// transaction the payer signed (never more); it only grows, one unit price at a time. With
/// <see cref="TimingMode.Prepay"/>, DeliveredUnits ≤ PaidUnits ≤ DeliveredUnits + 1 (nothing is delivered unpaid); with
/// <see cref="TimingMode.PayAfterDelivery"/>, PaidUnits ≤ DeliveredUnits ≤ PaidUnits + 1 (at most one unit on credit).</para>
/// <para>A refused transaction changes nothing, except that a payer-signed wrong cumulative amount stops the channel (P3).
/// Unsigned, mis-addressed or replayed messages never stop it: anybody could send those.</para>
/// </remarks>
public sealed class ChannelProvider
{
    private long _waitingSinceMs;
    private ChannelCommand? _submission;

    private ChannelProvider(ChannelAgreement agreement)
    {
        Agreement = agreement;
        ChannelId = agreement.ChannelId;
    }

    /// <summary>The agreement the channel runs under.</summary>
    public ChannelAgreement Agreement { get; }

    /// <summary>The terms.</summary>
    public ChannelTerms Terms => Agreement.Terms;

    /// <summary>The channel's id.</summary>
    public Hash256 ChannelId { get; }

    /// <summary>Where the provider stands.</summary>
    public ProviderPhase Phase { get; private set; }

    /// <summary>Why it stopped serving, or <see cref="CloseReason.None"/> while it serves.</summary>
    public CloseReason CloseReason { get; private set; }

    /// <summary>How the channel ended, once <see cref="Phase"/> is <see cref="ProviderPhase.Closed"/>.</summary>
    public ChannelOutcome Outcome { get; private set; }

    /// <summary>The code of the last on-chain outcome reported.</summary>
    public ChannelResultCode FinalCode { get; private set; }

    /// <summary>Units paid for by accepted transactions, in units.</summary>
    public long PaidUnits { get; private set; }

    /// <summary>Units delivered, in units.</summary>
    public long DeliveredUnits { get; private set; }

    /// <summary>The cumulative amount of the last valid transaction.</summary>
    public Amount AcceptedAmount { get; private set; }

    /// <summary>The last valid iterative transaction, or null before the first.</summary>
    public PaymentTransaction? LastTransaction { get; private set; }

    /// <summary>How many on-chain submissions the provider made for the channel (outcomes reported), in submissions.</summary>
    public int SubmissionCount { get; private set; }

    /// <summary>
    /// The command to put on chain now: <see cref="SubmitPaymentCommand"/> with the last valid transaction while
    /// <see cref="ProviderPhase.Settling"/>, <see cref="ClaimCollateralCommand"/> while <see cref="ProviderPhase.Claiming"/>,
    /// otherwise null. Submit it signed with the provider's key (the contract accepts it from the provider only) and
    /// report the receipt to <see cref="OnSubmissionOutcome"/>.
    /// </summary>
    public ChannelCommand? Submission => _submission;

    /// <summary>Creates the provider's endpoint after checking the agreement (terms and both signatures).</summary>
    /// <param name="agreement">The agreement.</param>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <param name="provider">The endpoint when the result is <see cref="ChannelResultCode.Ok"/>.</param>
    /// <returns><see cref="ChannelResultCode.Ok"/> or a code of <see cref="ChannelAgreement.Verify"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="agreement"/> is null.</exception>
    public static ChannelResultCode TryCreate(ChannelAgreement agreement, long nowUnixMs, out ChannelProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        var code = agreement.Verify(nowUnixMs);
        provider = code == ChannelResultCode.Ok ? new ChannelProvider(agreement) : null;
        return code;
    }

    /// <summary>
    /// Starts serving once the chain shows the channel open with its collateral (the receipt of the
    /// <see cref="OpenChannelCommand"/> is <see cref="ChannelResultCode.Ok"/>, P4).
    /// </summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, or <see cref="ChannelResultCode.WrongPhase"/> when not awaiting collateral.</returns>
    public ChannelResultCode ConfirmCollateral(long nowUnixMs)
    {
        if (Phase != ProviderPhase.AwaitingCollateral)
        {
            return ChannelResultCode.WrongPhase;
        }

        Phase = ProviderPhase.Active;
        _waitingSinceMs = nowUnixMs;
        return ChannelResultCode.Ok;
    }

    /// <summary>Decodes and checks an iterative transaction received from the wire; see <see cref="Receive(PaymentTransaction, long)"/>.</summary>
    /// <param name="encoded">The bytes received.</param>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns>As <see cref="Receive(PaymentTransaction, long)"/>, or <see cref="ChannelResultCode.Malformed"/>.</returns>
    public ChannelResultCode Receive(ReadOnlyMemory<byte> encoded, long nowUnixMs) =>
        PaymentTransaction.TryDecode(encoded, out var transaction) ? Receive(transaction, nowUnixMs) : ChannelResultCode.Malformed;

    /// <summary>
    /// Checks an iterative transaction (P1): the channel's chain, payer, payee and asset; its id; the agreed nonce; the
    /// payer's signature; a cumulative amount of exactly the last accepted one plus one unit price; and that the
    /// timing mode expects a payment now (P5). A valid one replaces the last one kept.
    /// </summary>
    /// <param name="transaction">The transaction.</param>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns><see cref="ChannelResultCode.Ok"/> when accepted; otherwise the refusal:
    /// <see cref="ChannelResultCode.ChannelNotActive"/>, <see cref="ChannelResultCode.TermsMismatch"/>,
    /// <see cref="ChannelResultCode.WrongChannel"/>, <see cref="ChannelResultCode.WrongNonce"/>,
    /// <see cref="ChannelResultCode.InvalidSignature"/>, <see cref="ChannelResultCode.Duplicate"/>,
    /// <see cref="ChannelResultCode.AmountNotIncreasing"/>, <see cref="ChannelResultCode.PaymentNotDue"/>, or
    /// <see cref="ChannelResultCode.WrongCumulativeAmount"/> (which also stops the channel, P3).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transaction"/> is null.</exception>
    public ChannelResultCode Receive(PaymentTransaction transaction, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (!IsServing(nowUnixMs))
        {
            return ChannelResultCode.ChannelNotActive;
        }

        var terms = Terms;
        if (transaction.Chain != terms.Chain || transaction.Payer != terms.Payer || transaction.Payee != terms.Provider
            || transaction.Asset != terms.Asset)
        {
            return ChannelResultCode.TermsMismatch;
        }

        if (transaction.ChannelId != ChannelId)
        {
            return ChannelResultCode.WrongChannel;
        }

        if (transaction.Nonce != terms.Nonce)
        {
            return ChannelResultCode.WrongNonce;
        }

        // The signature comes before any judgement of the amount: only what the payer signed may stop the channel.
        if (!transaction.VerifySignature(terms.PayerKey))
        {
            return ChannelResultCode.InvalidSignature;
        }

        if (transaction.Amount <= AcceptedAmount)
        {
            return LastTransaction is { } last && last.Digest == transaction.Digest
                ? ChannelResultCode.Duplicate
                : ChannelResultCode.AmountNotIncreasing;
        }

        long next = PaidUnits + 1;
        if (next > terms.UnitLimit || transaction.Amount != terms.AmountFor(next))
        {
            BeginClose(CloseReason.WrongCumulativeAmount);
            return ChannelResultCode.WrongCumulativeAmount;
        }

        bool due = terms.Timing == TimingMode.Prepay ? PaidUnits == DeliveredUnits : DeliveredUnits == next;
        if (!due)
        {
            return ChannelResultCode.PaymentNotDue;
        }

        PaidUnits = next;
        AcceptedAmount = transaction.Amount;
        LastTransaction = transaction;
        _waitingSinceMs = nowUnixMs;
        if (terms.Timing == TimingMode.PayAfterDelivery && next == terms.UnitLimit)
        {
            BeginClose(terms.UnitLimitReason);
        }

        return ChannelResultCode.Ok;
    }

    /// <summary>
    /// Decides whether the next unit may be handed over (P5): with prepay, only when covered by a transaction held; with
    /// pay-after-delivery, only when every delivered unit is paid.
    /// </summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns>The unit to deliver, or <see cref="ChannelResultCode.ChannelNotActive"/>, <see cref="ChannelResultCode.EndConditionReached"/>,
    /// <see cref="ChannelResultCode.DeliveryNotPaid"/> or <see cref="ChannelResultCode.PaymentOutstanding"/>.</returns>
    public DeliveryResult Deliver(long nowUnixMs)
    {
        if (!IsServing(nowUnixMs))
        {
            return new DeliveryResult(ChannelResultCode.ChannelNotActive, 0);
        }

        var terms = Terms;
        long next = DeliveredUnits + 1;
        if (next > terms.UnitLimit)
        {
            return new DeliveryResult(ChannelResultCode.EndConditionReached, 0);
        }

        if (terms.Timing == TimingMode.Prepay ? PaidUnits < next : PaidUnits != DeliveredUnits)
        {
            return new DeliveryResult(terms.Timing == TimingMode.Prepay ? ChannelResultCode.DeliveryNotPaid : ChannelResultCode.PaymentOutstanding, 0);
        }

        DeliveredUnits = next;
        _waitingSinceMs = nowUnixMs;
        if (terms.Timing == TimingMode.Prepay && next == terms.UnitLimit)
        {
            BeginClose(terms.UnitLimitReason);
        }

        return new DeliveryResult(ChannelResultCode.Ok, next);
    }

    /// <summary>
    /// Lets time pass: stops the channel at the deadline (P2), or when the payer has been silent for the payment timeout
    /// while a payment was awaited — a delivered unit unpaid (pay-after-delivery) or no next prepayment (prepay) (P3).
    /// </summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns>The reason the channel stopped in this call, or <see cref="CloseReason.None"/>.</returns>
    public CloseReason Tick(long nowUnixMs)
    {
        if (Phase != ProviderPhase.Active)
        {
            return CloseReason.None;
        }

        if (!IsServing(nowUnixMs))
        {
            return CloseReason;
        }

        bool awaitingPayment = Terms.Timing == TimingMode.Prepay ? PaidUnits == DeliveredUnits : DeliveredUnits > PaidUnits;
        if (awaitingPayment && (Int128)nowUnixMs - _waitingSinceMs >= Terms.PaymentTimeoutMs)
        {
            BeginClose(CloseReason.PayerTimeout);
            return CloseReason;
        }

        return CloseReason.None;
    }

    /// <summary>Stops serving at the provider's own request; the last valid transaction becomes the submission.</summary>
    /// <returns><see cref="ChannelResultCode.Ok"/>, or <see cref="ChannelResultCode.WrongPhase"/> when already stopped.</returns>
    public ChannelResultCode RequestClose()
    {
        if (Phase is not (ProviderPhase.AwaitingCollateral or ProviderPhase.Active))
        {
            return ChannelResultCode.WrongPhase;
        }

        BeginClose(CloseReason.Requested);
        return ChannelResultCode.Ok;
    }

    /// <summary>
    /// Takes the chain's receipt for <see cref="Submission"/>. A settled payment or a paid claim closes the channel. A
    /// payment refused because the payer used the nonce elsewhere (<see cref="ChannelResultCode.NonceAlreadyUsed"/>) or
    /// cannot pay (<see cref="LedgerResultCode.InsufficientAssets"/>) turns into a collateral claim (P4); a claim refused
    /// with <see cref="ChannelResultCode.ClaimNotAllowed"/> (the payer can pay after all) turns back into the payment.
    /// Anything else closes the channel as <see cref="ChannelOutcome.Failed"/>.
    /// </summary>
    /// <param name="receipt">The receipt of the request that carried <see cref="Submission"/>.</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, or <see cref="ChannelResultCode.WrongPhase"/> when the receipt is not for the current submission.</returns>
    public ChannelResultCode OnSubmissionOutcome(ChannelReceipt receipt)
    {
        if (_submission is null || receipt.Kind != _submission.Kind || receipt.ChannelId != ChannelId)
        {
            return ChannelResultCode.WrongPhase;
        }

        SubmissionCount++;
        FinalCode = receipt.Code;
        var transaction = LastTransaction!;
        if (Phase == ProviderPhase.Settling)
        {
            if (receipt.Code == ChannelResultCode.Ok)
            {
                Finish(ChannelOutcome.Settled);
            }
            else if (receipt.Code == ChannelResultCode.NonceAlreadyUsed
                || (receipt.Code == ChannelResultCode.LedgerRefused && receipt.LedgerCode == LedgerResultCode.InsufficientAssets))
            {
                Phase = ProviderPhase.Claiming;
                _submission = new ClaimCollateralCommand(transaction);
            }
            else
            {
                Finish(ChannelOutcome.Failed);
            }
        }
        else if (receipt.Code == ChannelResultCode.Ok)
        {
            Finish(ChannelOutcome.Claimed);
        }
        else if (receipt.Code == ChannelResultCode.ClaimNotAllowed)
        {
            Phase = ProviderPhase.Settling;
            _submission = new SubmitPaymentCommand(transaction);
        }
        else
        {
            Finish(ChannelOutcome.Failed);
        }

        return ChannelResultCode.Ok;
    }

    /// <summary>Whether the provider is serving at <paramref name="nowUnixMs"/>; stops it when the deadline has come.</summary>
    private bool IsServing(long nowUnixMs)
    {
        if (Phase != ProviderPhase.Active)
        {
            return false;
        }

        if (nowUnixMs >= Terms.DeadlineUnixMs)
        {
            BeginClose(CloseReason.DeadlineReached);
            return false;
        }

        return true;
    }

    private void BeginClose(CloseReason reason)
    {
        CloseReason = reason;
        if (LastTransaction is null)
        {
            Finish(ChannelOutcome.NothingToSettle);
            return;
        }

        Phase = ProviderPhase.Settling;
        _submission = new SubmitPaymentCommand(LastTransaction);
    }

    private void Finish(ChannelOutcome outcome)
    {
        Phase = ProviderPhase.Closed;
        Outcome = outcome;
        _submission = null;
    }
}
