using ChainInterop.Ledger;
using ChainInterop.Settlement.Channels;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

public class ChannelContractTests
{
    /// <summary>A funded contract with the default channel open on chain and both endpoints ready.</summary>
    private static (ContractHarness Chain, ChannelTerms Terms, ChannelPayer Payer, ChannelProvider Provider) OpenChannel(
        long payerFunds = 10_000, TimingMode timing = TimingMode.PayAfterDelivery)
    {
        var chain = ContractHarness.Funded(payerFunds);
        var terms = Terms(timing);
        var agreement = Agree(terms);
        var receipt = chain.Ok(PayerKey, new OpenChannelCommand(agreement));
        Assert.Equal(terms.Id, receipt.ChannelId);
        return (chain, terms, Payer(agreement), ActiveProvider(agreement));
    }

    /// <summary>Puts the provider's current submission on chain, signed by the provider, and reports the receipt back.</summary>
    private static ChannelReceipt SubmitAsProvider(ContractHarness chain, ChannelProvider provider)
    {
        var receipt = chain.Run(ProviderKey, provider.Submission!);
        Assert.Equal(ChannelResultCode.Ok, provider.OnSubmissionOutcome(receipt));
        return receipt;
    }

    [Fact]
    public void Opening_a_channel_reserves_the_collateral_towards_the_preset_account_P4()
    {
        var (chain, terms, _, _) = OpenChannel();

        Assert.Equal(TransferState.Pending, chain.Contract.GetCollateralState(terms.Id));
        Assert.Equal(terms.Collateral, chain.Balance(PayerAccount).PendingDebits);
        Assert.Equal(terms.Collateral, chain.Balance(chain.Contract.CollateralAccount).PendingCredits);
        Assert.True(chain.Contract.TryGetChannel(terms.Id, out var record));
        Assert.Equal(ChannelState.Open, record.State);
        Assert.Equal(terms.DeadlineUnixMs + 10_000, record.CollateralExpiresAtUnixMs);
        chain.AssertConservation();
    }

    [Fact]
    public void Many_iterative_transactions_settle_with_one_on_chain_transaction_and_release_the_collateral_P2()
    {
        var (chain, terms, payer, provider) = OpenChannel();
        RunHonest(payer, provider, 10);
        Assert.Equal(CloseReason.MaxUnitsReached, provider.CloseReason);

        var receipt = SubmitAsProvider(chain, provider);

        Assert.Equal(ChannelResultCode.Ok, receipt.Code);
        Assert.Equal((ProviderPhase.Closed, ChannelOutcome.Settled, 1), (provider.Phase, provider.Outcome, provider.SubmissionCount));
        Assert.Equal(1, chain.Contract.ExecutedPaymentCount);
        Assert.Equal(10_000 - 1_000, chain.Posted(PayerAccount));
        Assert.Equal(1_000, chain.Posted(ProviderAccount));
        Assert.Equal(TransferState.Voided, chain.Contract.GetCollateralState(terms.Id));
        Assert.Equal(M(0), chain.Balance(PayerAccount).PendingDebits);
        Assert.True(chain.Contract.TryGetChannel(terms.Id, out var record));
        Assert.Equal((ChannelState.Settled, M(1_000)), (record.State, record.SettledAmount));
        chain.AssertConservation();
    }

    [Fact]
    public void An_earlier_iterative_transaction_cannot_be_replayed_after_close_P2()
    {
        var (chain, _, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 10);
        SubmitAsProvider(chain, provider);

        foreach (var old in new[] { signed[0], signed[4], signed[^1] })
        {
            chain.Refused(ProviderKey, new SubmitPaymentCommand(old), ChannelResultCode.ChannelNotOpen);
        }

        // The provider endpoint refuses them too: it no longer serves.
        Assert.Equal(ChannelResultCode.ChannelNotActive, provider.Receive(signed[0], T0 + 2));
        Assert.Equal(1_000, chain.Posted(ProviderAccount));
    }

    [Fact]
    public void The_chain_accepts_exactly_one_transaction_per_payer_nonce_P2()
    {
        var chain = ContractHarness.Funded();
        var first = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(10), 42, default);
        var second = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(20), 42, default);
        chain.Ok(StrangerKey, new SubmitPaymentCommand(first));
        chain.Refused(StrangerKey, new SubmitPaymentCommand(first), ChannelResultCode.NonceAlreadyUsed);
        chain.Refused(StrangerKey, new SubmitPaymentCommand(second), ChannelResultCode.NonceAlreadyUsed);
        Assert.True(chain.Contract.IsNonceUsed(PayerAccount, 42));
        Assert.Equal(10, chain.Posted(Merchant));
    }

    [Fact]
    public void A_payment_into_the_ownerless_collateral_account_is_refused_and_changes_nothing_P4()
    {
        var chain = ContractHarness.Funded();
        var into = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, chain.Contract.CollateralAccount, Cny, M(10), 43, default);
        chain.Refused(StrangerKey, new SubmitPaymentCommand(into), ChannelResultCode.UnknownAccount);
        Assert.False(chain.Contract.IsNonceUsed(PayerAccount, 43));
    }

    [Fact]
    public void A_provider_submitting_an_earlier_smaller_transaction_charges_the_payer_that_amount_and_no_more_P2()
    {
        var (chain, _, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 10);

        chain.Ok(ProviderKey, new SubmitPaymentCommand(signed[2]));
        chain.Refused(ProviderKey, new SubmitPaymentCommand(signed[^1]), ChannelResultCode.ChannelNotOpen);
        chain.Refused(ProviderKey, new ClaimCollateralCommand(signed[^1]), ChannelResultCode.ChannelNotOpen);

        Assert.Equal(10_000 - 300, chain.Posted(PayerAccount));
        Assert.True(300 <= payer.LastSignedAmount.MinorUnits);
        chain.AssertConservation();
    }

    [Fact]
    public void Only_the_provider_may_put_a_channel_transaction_or_claim_on_chain_P2()
    {
        var (chain, _, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 10);

        // The payer holding its own early transaction cannot settle the channel cheaply with it.
        chain.Refused(PayerKey, new SubmitPaymentCommand(signed[0]), ChannelResultCode.Unauthorized);
        chain.Refused(StrangerKey, new ClaimCollateralCommand(signed[^1]), ChannelResultCode.Unauthorized);
    }

    [Fact]
    public void The_contract_refuses_a_forged_or_mis_addressed_channel_transaction_P1()
    {
        var (chain, terms, _, _) = OpenChannel();
        chain.Refused(ProviderKey, new SubmitPaymentCommand(Iterative(terms, 500, key: StrangerKey)), ChannelResultCode.InvalidSignature);
        chain.Refused(ProviderKey, new SubmitPaymentCommand(Iterative(terms, 500, nonce: 8)), ChannelResultCode.WrongNonce);
        chain.Refused(ProviderKey, new SubmitPaymentCommand(Iterative(terms, 500, payee: Merchant)), ChannelResultCode.TermsMismatch);
        chain.Refused(ProviderKey, new SubmitPaymentCommand(Iterative(terms, 1_001)), ChannelResultCode.AmountOutOfRange);
        chain.Refused(ProviderKey, new SubmitPaymentCommand(Iterative(terms, 500, channel: Crypto.Hash256.Compute("x"u8))), ChannelResultCode.UnknownChannel);
    }

    [Fact]
    public void Collateral_pays_the_last_transaction_and_the_penalty_when_the_payer_used_the_nonce_elsewhere_P4()
    {
        var (chain, terms, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 10);

        // The payer, having received every unit, spends the channel's nonce on another transaction first.
        var elsewhere = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(500), terms.Nonce, default);
        chain.Ok(StrangerKey, new SubmitPaymentCommand(elsewhere));

        var refused = SubmitAsProvider(chain, provider);
        Assert.Equal(ChannelResultCode.NonceAlreadyUsed, refused.Code);
        Assert.Equal(ProviderPhase.Claiming, provider.Phase);
        var claimed = SubmitAsProvider(chain, provider);

        Assert.Equal(ChannelResultCode.Ok, claimed.Code);
        Assert.Equal((ChannelOutcome.Claimed, 2), (provider.Outcome, provider.SubmissionCount));
        Assert.Equal(1_000, chain.Posted(ProviderAccount));
        Assert.Equal(150, chain.Posted(PenaltyFund)); // 50 + 10 % of 1,000
        Assert.Equal(10_000 - 500 - 1_000 - 150, chain.Posted(PayerAccount));
        Assert.Equal(M(0), chain.Balance(PayerAccount).PendingDebits);
        Assert.Equal(TransferState.Posted, chain.Contract.GetCollateralState(terms.Id));
        Assert.True(chain.Contract.TryGetChannel(terms.Id, out var record));
        Assert.Equal((ChannelState.Claimed, ClaimReason.NonceUsedElsewhere, signed[^1].Digest), (record.State, record.ClaimReason, record.FinalTransaction));

        // One claim per channel.
        chain.Refused(ProviderKey, new ClaimCollateralCommand(signed[^1]), ChannelResultCode.ChannelNotOpen);
        chain.AssertConservation();
    }

    [Fact]
    public void Collateral_pays_when_the_payer_emptied_its_account_and_the_claim_consumes_the_nonce_P4()
    {
        var (chain, terms, payer, provider) = OpenChannel(payerFunds: 1_200);
        var signed = RunHonest(payer, provider, 10);
        // Only 50 is available besides the collateral; the payer moves it away with another nonce.
        chain.Ok(StrangerKey, new SubmitPaymentCommand(PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(50), 99, default)));

        var refused = SubmitAsProvider(chain, provider);
        Assert.Equal((ChannelResultCode.LedgerRefused, LedgerResultCode.InsufficientAssets), (refused.Code, refused.LedgerCode));
        Assert.Equal(ChannelResultCode.Ok, SubmitAsProvider(chain, provider).Code);

        Assert.True(chain.Contract.TryGetChannel(terms.Id, out var record));
        Assert.Equal(ClaimReason.PayerUnderfunded, record.ClaimReason);
        Assert.True(chain.Contract.IsNonceUsed(PayerAccount, terms.Nonce));
        Assert.Equal(1_000, chain.Posted(ProviderAccount));
        Assert.Equal(0, chain.Posted(PayerAccount));
        chain.Refused(ProviderKey, new SubmitPaymentCommand(signed[^1]), ChannelResultCode.ChannelNotOpen);
        chain.AssertConservation();
    }

    [Fact]
    public void A_claim_is_refused_while_the_transaction_can_still_be_submitted_P4()
    {
        var (chain, _, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 3);
        chain.Refused(ProviderKey, new ClaimCollateralCommand(signed[^1]), ChannelResultCode.ClaimNotAllowed);
    }

    [Fact]
    public void The_payer_cannot_spend_the_collateral_while_the_provider_may_still_claim_it_P4()
    {
        var (chain, terms, _, _) = OpenChannel();
        // 10,000 deposited, 1,150 held: the payer can move 8,850 and not one unit more.
        var tooMuch = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(8_851), 100, default);
        var refused = chain.Refused(StrangerKey, new SubmitPaymentCommand(tooMuch), ChannelResultCode.LedgerRefused);
        Assert.Equal(LedgerResultCode.InsufficientAssets, refused.LedgerCode);
        // Nor release it: only the provider's signature releases it early.
        chain.Refused(PayerKey, ReleaseCollateralCommand.Create(terms.Id, PayerKey), ChannelResultCode.InvalidSignature);
    }

    [Fact]
    public void The_collateral_returns_to_the_payer_at_the_end_of_the_claim_window_and_a_late_claim_is_refused_P4()
    {
        var (chain, terms, payer, provider) = OpenChannel();
        var signed = RunHonest(payer, provider, 10);
        chain.Ok(StrangerKey, new SubmitPaymentCommand(PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(1), terms.Nonce, default)));

        chain.Now = terms.DeadlineUnixMs + 10_000;
        chain.Contract.ApplyTime(chain.Now);
        Assert.Equal(TransferState.Expired, chain.Contract.GetCollateralState(terms.Id));
        chain.Refused(ProviderKey, new ClaimCollateralCommand(signed[^1]), ChannelResultCode.ClaimWindowClosed);
        Assert.Equal(10_000 - 1, chain.Posted(PayerAccount));
        Assert.Equal(M(0), chain.Balance(PayerAccount).PendingDebits);
        chain.AssertConservation();
    }

    [Fact]
    public void The_provider_can_release_the_collateral_early_and_only_once_P4()
    {
        var (chain, terms, _, provider) = OpenChannel();
        Assert.Equal(ChannelResultCode.Ok, provider.RequestClose());
        Assert.Equal(ChannelOutcome.NothingToSettle, provider.Outcome);

        chain.Ok(StrangerKey, ReleaseCollateralCommand.Create(terms.Id, ProviderKey));
        Assert.Equal(TransferState.Voided, chain.Contract.GetCollateralState(terms.Id));
        Assert.Equal(M(0), chain.Balance(PayerAccount).PendingDebits);
        chain.Refused(StrangerKey, ReleaseCollateralCommand.Create(terms.Id, ProviderKey), ChannelResultCode.ClaimWindowClosed);
        chain.AssertConservation();
    }

    [Fact]
    public void Opening_is_refused_for_bad_agreements_unknown_accounts_used_nonces_and_missing_funds_P4()
    {
        var chain = ContractHarness.Funded(payerFunds: 1_000);
        var terms = Terms();
        chain.Refused(PayerKey, new OpenChannelCommand(new ChannelAgreement(terms, terms.Sign(PayerKey), terms.Sign(StrangerKey))), ChannelResultCode.InvalidSignature);
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(Terms(chain: new ChainId("elsewhere")))), ChannelResultCode.WrongChain);
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(Terms(collateral: 10))), ChannelResultCode.CollateralTooSmall);
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(terms)), ChannelResultCode.LedgerRefused); // 1,150 needed, 1,000 held

        chain.Deposit(PayerAccount, 5_000);
        chain.Ok(PayerKey, new OpenChannelCommand(Agree(terms)));
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(terms)), ChannelResultCode.ChannelExists);
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(Terms(collateral: 2_000))), ChannelResultCode.ChannelExists); // same (payer, nonce)

        chain.Ok(StrangerKey, new SubmitPaymentCommand(PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(1), 8, default)));
        chain.Refused(PayerKey, new OpenChannelCommand(Agree(Terms(nonce: 8))), ChannelResultCode.NonceAlreadyUsed);
        chain.AssertConservation();
    }

    [Fact]
    public void Only_the_operator_registers_accounts_and_credits_deposits()
    {
        var chain = ContractHarness.Funded();
        chain.Refused(StrangerKey, new DepositCommand(Merchant, Cny, M(1_000_000)), ChannelResultCode.Unauthorized);
        chain.Refused(StrangerKey, new RegisterAccountCommand(new AccountId("mallory"), Bank, StrangerKey.PublicKey, [Cny]), ChannelResultCode.Unauthorized);
        chain.Refused(OperatorKey, new RegisterAccountCommand(PayerAccount, Bank, StrangerKey.PublicKey, [Cny]), ChannelResultCode.AccountExists);
        chain.Refused(OperatorKey, new RegisterAccountCommand(chain.Contract.CollateralAccount, Bank, StrangerKey.PublicKey, [Cny]), ChannelResultCode.AccountExists);
    }

    [Fact]
    public void Contract_options_without_an_operator_assets_or_a_sane_claim_window_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ChannelContract(new ChannelContractOptions { Chain = Chain }));
        var noAssets = new ChannelContractOptions { Chain = Chain, Operator = OperatorKey.PublicKey };
        Assert.Throws<ArgumentException>(() => new ChannelContract(noAssets));
        var badWindow = new ChannelContractOptions { Chain = Chain, Operator = OperatorKey.PublicKey, ClaimWindowMs = 0 };
        badWindow.Assets.Add(Cny);
        Assert.Throws<ArgumentException>(() => new ChannelContract(badWindow));
    }

    [Fact]
    public void A_payload_that_is_not_a_command_gets_a_receipt_and_changes_nothing()
    {
        var chain = ContractHarness.Funded();
        var before = chain.Contract.ComputeStateHash();
        var request = Consensus.ClientRequest.Create(StrangerKey, Chain, 1, [0x92, 0x01]);
        var receipt = chain.Contract.Execute(request, T0);
        Assert.Equal(ChannelResultCode.Malformed, receipt.Code);
        Assert.True(chain.Contract.TryGetReceipt(request.Digest, out var kept));
        Assert.Equal(receipt, kept);
        Assert.Equal(before, chain.Contract.ComputeStateHash());
    }
}
