using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Channels;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

public class ChannelProviderTests
{
    private static (ChannelTerms Terms, ChannelPayer Payer, ChannelProvider Provider) Open(TimingMode timing = TimingMode.PayAfterDelivery, long maxUnits = 10)
    {
        var terms = Terms(timing, maxUnits);
        var agreement = Agree(terms);
        return (terms, Payer(agreement), ActiveProvider(agreement));
    }

    /// <summary>Refused, with everything the provider keeps unchanged (and the channel still serving).</summary>
    private static void RefusedWithoutEffect(ChannelProvider provider, PaymentTransaction transaction, ChannelResultCode expected, long now = T0 + 1)
    {
        var (amount, last, paid, delivered, phase) = (provider.AcceptedAmount, provider.LastTransaction, provider.PaidUnits, provider.DeliveredUnits, provider.Phase);
        Assert.Equal(expected, provider.Receive(transaction, now));
        Assert.Equal(amount, provider.AcceptedAmount);
        Assert.Same(last, provider.LastTransaction);
        Assert.Equal(paid, provider.PaidUnits);
        Assert.Equal(delivered, provider.DeliveredUnits);
        Assert.Equal(phase, provider.Phase);
    }

    [Fact]
    public void Provider_accepts_each_iterative_transaction_that_adds_exactly_one_unit_and_keeps_the_last_P1()
    {
        var (terms, payer, provider) = Open();
        var signed = RunHonest(payer, provider, 4);

        Assert.Equal([100, 200, 300, 400], signed.Select(t => t.Amount.MinorUnits));
        Assert.All(signed, t => Assert.Equal(terms.Nonce, t.Nonce));
        Assert.All(signed, t => Assert.Equal(terms.Id, t.ChannelId));
        Assert.Equal(signed[^1].Digest, provider.LastTransaction!.Digest);
        Assert.Equal(M(400), provider.AcceptedAmount);
        Assert.Equal(4, provider.PaidUnits);
        Assert.Equal(ProviderPhase.Active, provider.Phase);
    }

    [Fact]
    public void Provider_refuses_a_forged_signature_P1()
    {
        var (terms, payer, provider) = Open();
        RunHonest(payer, provider, 1);
        provider.Deliver(T0 + 2);
        RefusedWithoutEffect(provider, Iterative(terms, 200, key: StrangerKey), ChannelResultCode.InvalidSignature);
    }

    [Fact]
    public void Provider_refuses_a_cumulative_amount_that_does_not_grow_P1()
    {
        var (terms, payer, provider) = Open();
        var signed = RunHonest(payer, provider, 3);
        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(provider.Deliver(T0 + 2).UnitIndex));

        // An old transaction replayed (lower) and the last one sent again (equal): refused, and the channel keeps serving
        // because anyone could replay them.
        RefusedWithoutEffect(provider, signed[0], ChannelResultCode.AmountNotIncreasing);
        RefusedWithoutEffect(provider, signed[2], ChannelResultCode.Duplicate);
        Assert.Equal(ChannelResultCode.Ok, provider.Receive(payer.Pay(T0 + 3).Transaction!, T0 + 3));
    }

    [Fact]
    public void Provider_refuses_a_different_nonce_P1()
    {
        var (terms, payer, provider) = Open();
        provider.Deliver(T0 + 1);
        RefusedWithoutEffect(provider, Iterative(terms, 100, nonce: terms.Nonce + 1), ChannelResultCode.WrongNonce);
    }

    [Fact]
    public void Provider_refuses_a_transaction_of_another_channel_or_payee_P1()
    {
        var (terms, _, provider) = Open();
        provider.Deliver(T0 + 1);
        RefusedWithoutEffect(provider, Iterative(terms, 100, channel: Hash256.Compute("other"u8)), ChannelResultCode.WrongChannel);
        RefusedWithoutEffect(provider, Iterative(terms, 100, payee: Merchant), ChannelResultCode.TermsMismatch);
    }

    [Fact]
    public void Provider_refuses_bytes_that_are_not_one_transaction()
    {
        var (terms, _, provider) = Open();
        provider.Deliver(T0 + 1);
        var bytes = Canonical.Encode(Iterative(terms, 100));
        Assert.Equal(ChannelResultCode.Malformed, provider.Receive(bytes.AsMemory(0, bytes.Length - 1), T0 + 1));
        Assert.Equal(ChannelResultCode.Malformed, provider.Receive(bytes.Concat(new byte[] { 0 }).ToArray(), T0 + 1));
        Assert.Equal(ChannelResultCode.Malformed, provider.Receive(new byte[PaymentTransaction.MaxEncodedSizeBytes + 1], T0 + 1));
        Assert.Equal(0, provider.PaidUnits);
    }

    [Fact]
    public void Provider_stops_and_settles_the_last_correct_transaction_on_a_wrong_cumulative_amount_P3()
    {
        var (terms, payer, provider) = Open();
        var signed = RunHonest(payer, provider, 2);
        provider.Deliver(T0 + 2);

        // The payer signs 250 instead of 300: a genuine but wrong amount.
        Assert.Equal(ChannelResultCode.WrongCumulativeAmount, provider.Receive(Iterative(terms, 250), T0 + 3));

        Assert.Equal(ProviderPhase.Settling, provider.Phase);
        Assert.Equal(CloseReason.WrongCumulativeAmount, provider.CloseReason);
        var submission = Assert.IsType<SubmitPaymentCommand>(provider.Submission);
        Assert.Equal(signed[^1].Digest, submission.Transaction.Digest);
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Deliver(T0 + 4).Code);
    }

    [Fact]
    public void Provider_stops_and_settles_the_last_correct_transaction_when_the_payer_times_out_P3()
    {
        var (terms, payer, provider) = Open();
        var signed = RunHonest(payer, provider, 3);
        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(provider.Deliver(T0 + 10).UnitIndex)); // unit 4: payment due from now

        Assert.Equal(CloseReason.None, provider.Tick(T0 + 10 + terms.PaymentTimeoutMs - 1));
        Assert.Equal(CloseReason.PayerTimeout, provider.Tick(T0 + 10 + terms.PaymentTimeoutMs));

        Assert.Equal(signed[^1].Digest, Assert.IsType<SubmitPaymentCommand>(provider.Submission).Transaction.Digest);
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Receive(payer.Pay(T0 + 20_000).Transaction!, T0 + 20_000));
    }

    [Fact]
    public void Provider_stops_when_the_agreed_count_is_reached_and_submits_only_the_last_P2()
    {
        var (_, payer, provider) = Open(maxUnits: 5);
        var signed = RunHonest(payer, provider, 5);

        Assert.Equal(CloseReason.MaxUnitsReached, provider.CloseReason);
        Assert.Equal(CloseReason.MaxUnitsReached, payer.CloseReason);
        Assert.Equal(signed[^1].Digest, Assert.IsType<SubmitPaymentCommand>(provider.Submission).Transaction.Digest);
        Assert.Equal(M(500), provider.AcceptedAmount);
    }

    [Fact]
    public void Provider_stops_when_one_more_unit_would_exceed_the_agreed_total_P2()
    {
        var terms = Terms(maxUnits: 100, maxTotal: 350);
        var agreement = Agree(terms);
        var provider = ActiveProvider(agreement);
        var signed = RunHonest(Payer(agreement), provider, 3);

        Assert.Equal(3, terms.UnitLimit);
        Assert.Equal(CloseReason.MaxTotalReached, provider.CloseReason);
        Assert.Equal(signed[^1].Digest, Assert.IsType<SubmitPaymentCommand>(provider.Submission).Transaction.Digest);
    }

    [Fact]
    public void Provider_stops_at_the_deadline_P2()
    {
        var (terms, payer, provider) = Open();
        RunHonest(payer, provider, 2);
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Deliver(terms.DeadlineUnixMs).Code);
        Assert.Equal(CloseReason.DeadlineReached, provider.CloseReason);
        Assert.Equal(M(200), Assert.IsType<SubmitPaymentCommand>(provider.Submission).Transaction.Amount);
    }

    [Fact]
    public void Prepay_provider_delivers_unit_k_only_while_holding_a_transaction_covering_k_units_P5()
    {
        var (_, payer, provider) = Open(TimingMode.Prepay);
        Assert.Equal(ChannelResultCode.DeliveryNotPaid, provider.Deliver(T0 + 1).Code);

        var first = payer.Pay(T0 + 1);
        Assert.Equal(ChannelResultCode.Ok, provider.Receive(first.Transaction!, T0 + 1));
        var unit = provider.Deliver(T0 + 2);
        Assert.Equal((ChannelResultCode.Ok, 1L), (unit.Code, unit.UnitIndex));
        Assert.Equal(ChannelResultCode.DeliveryNotPaid, provider.Deliver(T0 + 3).Code);
        Assert.True(provider.DeliveredUnits <= provider.PaidUnits);
    }

    [Fact]
    public void Pay_after_delivery_provider_extends_credit_for_one_unit_only_P5()
    {
        var (_, payer, provider) = Open();
        Assert.Equal(ChannelResultCode.Ok, provider.Deliver(T0 + 1).Code);
        Assert.Equal(ChannelResultCode.PaymentOutstanding, provider.Deliver(T0 + 2).Code);

        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(1));
        Assert.Equal(ChannelResultCode.Ok, provider.Receive(payer.Pay(T0 + 3).Transaction!, T0 + 3));
        Assert.Equal(ChannelResultCode.Ok, provider.Deliver(T0 + 4).Code);
    }

    [Fact]
    public void Provider_refuses_a_payment_the_timing_mode_does_not_expect_yet_P5()
    {
        var (terms, _, provider) = Open();
        // Pay-after-delivery: nothing delivered, so a (correct-looking) payment for unit 1 is not due.
        RefusedWithoutEffect(provider, Iterative(terms, 100), ChannelResultCode.PaymentNotDue);
    }

    [Fact]
    public void Provider_serves_nothing_before_the_collateral_is_confirmed_on_chain_P4()
    {
        var terms = Terms();
        Assert.Equal(ChannelResultCode.Ok, ChannelProvider.TryCreate(Agree(terms), T0, out var provider));
        Assert.Equal(ProviderPhase.AwaitingCollateral, provider!.Phase);
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Deliver(T0).Code);
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Receive(Iterative(terms, 100), T0));
        Assert.Equal(ChannelResultCode.Ok, provider.ConfirmCollateral(T0));
        Assert.Equal(ChannelResultCode.WrongPhase, provider.ConfirmCollateral(T0));
    }

    [Fact]
    public void Provider_refuses_an_agreement_the_payer_did_not_sign_P4()
    {
        var terms = Terms();
        var forged = new ChannelAgreement(terms, terms.Sign(StrangerKey), terms.Sign(ProviderKey));
        Assert.Equal(ChannelResultCode.InvalidSignature, ChannelProvider.TryCreate(forged, T0, out var provider));
        Assert.Null(provider);
    }

    [Fact]
    public void Provider_turns_a_nonce_already_used_into_a_collateral_claim_and_stops_after_one_claim_P4()
    {
        var (_, payer, provider) = Open(maxUnits: 2);
        var signed = RunHonest(payer, provider, 2);
        var submission = Assert.IsType<SubmitPaymentCommand>(provider.Submission);

        Assert.Equal(ChannelResultCode.Ok, provider.OnSubmissionOutcome(Receipt(submission.Kind, ChannelResultCode.NonceAlreadyUsed, provider.ChannelId)));
        Assert.Equal(ProviderPhase.Claiming, provider.Phase);
        Assert.Equal(signed[^1].Digest, Assert.IsType<ClaimCollateralCommand>(provider.Submission).Transaction.Digest);

        Assert.Equal(ChannelResultCode.Ok, provider.OnSubmissionOutcome(Receipt(ChannelCommandKind.ClaimCollateral, ChannelResultCode.Ok, provider.ChannelId)));
        Assert.Equal((ProviderPhase.Closed, ChannelOutcome.Claimed, 2), (provider.Phase, provider.Outcome, provider.SubmissionCount));
        Assert.Null(provider.Submission);
        Assert.Equal(ChannelResultCode.WrongPhase, provider.OnSubmissionOutcome(Receipt(ChannelCommandKind.ClaimCollateral, ChannelResultCode.Ok, provider.ChannelId)));
    }

    [Fact]
    public void A_channel_closed_before_any_payment_has_nothing_to_submit()
    {
        var (_, _, provider) = Open();
        Assert.Equal(ChannelResultCode.Ok, provider.RequestClose());
        Assert.Equal((ProviderPhase.Closed, ChannelOutcome.NothingToSettle), (provider.Phase, provider.Outcome));
        Assert.Null(provider.Submission);
    }

    private static ChannelReceipt Receipt(ChannelCommandKind kind, ChannelResultCode code, Hash256 channel) =>
        new(Hash256.Zero, kind, code, Ledger.LedgerResultCode.Ok, channel);
}
