using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Channels;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

/// <summary>
/// Random sequences of honest and hostile messages between the two endpoints, then through the contract, checked
/// against what the payer signed and against conservation of the asset.
/// </summary>
public class ChannelPropertyTests
{
    private const int Runs = 200;

    private enum Move
    {
        HonestStep,     // the next deliver or pay the timing mode allows, both sides
        ReplayOld,      // an old genuine transaction sent again (anyone can)
        Forged,         // the expected next amount, signed by a stranger
        WrongNonce,     // the expected next amount with another nonce, signed by a stranger
        Garbage,        // bytes that are not a transaction
        HostileAmount,  // the payer itself signs a wrong cumulative amount (only in the hostile-payer runs)
        DeliverUnasked, // the provider tries to deliver without being asked
        Wait,           // time passes
    }

    private sealed record Step(Move Move, int Arg)
    {
        public override string ToString() => $"{Move}({Arg})";
    }

    private sealed record Scenario(TimingMode Timing, bool HostilePayer, Step[] Steps)
    {
        public override string ToString() => $"{Timing} hostilePayer={HostilePayer}: {string.Join(" ", Steps.Select(s => s.ToString()))}";
    }

    private static Gen<Step> Steps(bool hostilePayer) => Gen.Frequency(
        (12, Gen.Constant(new Step(Move.HonestStep, 0))),
        (2, Gen.Choose(0, 50).Select(i => new Step(Move.ReplayOld, i))),
        (2, Gen.Constant(new Step(Move.Forged, 0))),
        (1, Gen.Constant(new Step(Move.WrongNonce, 0))),
        (1, Gen.Choose(0, 40).Select(i => new Step(Move.Garbage, i))),
        (hostilePayer ? 2 : 0, Gen.Choose(-250, 250).Select(i => new Step(Move.HostileAmount, i))),
        (2, Gen.Constant(new Step(Move.DeliverUnasked, 0))),
        (2, Gen.Choose(0, 6_000).Select(i => new Step(Move.Wait, i))));

    private static readonly Gen<Scenario> Scenarios =
        from timing in Gen.Elements(TimingMode.PayAfterDelivery, TimingMode.Prepay)
        from hostile in Gen.Elements(false, true)
        from count in Gen.Choose(0, 40)
        from steps in Gen.ArrayOf(Steps(hostile), count)
        select new Scenario(timing, hostile, steps);

    /// <summary>Shrinks to fewer steps (the timing mode and the payer's honesty stay).</summary>
    private static readonly Arbitrary<Scenario> ScenarioArb = Arb.From(Scenarios, s => Shrink.Array(s.Steps).Select(steps => s with { Steps = steps }));

    /// <summary>An odd gamma for FsCheck's SplitMix generator, so the sampled cases below depend only on the seed.</summary>
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// Plays cases of <paramref name="cases"/> (fixed seeds) until <paramref name="enough"/> holds for the endings seen
    /// (at most 1,000 cases) and returns those endings: the properties' checks were not vacuous.
    /// </summary>
    private static HashSet<TEnding> EndingsReached<TCase, TEnding>(Gen<TCase> cases, Func<TCase, TEnding> play, Func<HashSet<TEnding>, bool> enough)
    {
        var seen = new HashSet<TEnding>();
        for (ulong seed = 1; seed <= 10 && !enough(seen); seed++)
        {
            foreach (var c in cases.Sample(100, new Rnd(seed, Gamma), 50))
            {
                seen.Add(play(c));
                if (enough(seen))
                {
                    break;
                }
            }
        }

        return seen;
    }

    [Property(MaxTest = Runs)]
    public Property Whatever_the_messages_the_provider_never_holds_more_than_the_payer_signed_and_the_chain_conserves_money_P1_P2_P3_P5() =>
        Prop.ForAll(ScenarioArb, scenario => { PlayAndSettle(scenario); });

    private static readonly (CloseReason, ChannelOutcome)[] InterestingEndings =
    [
        (CloseReason.WrongCumulativeAmount, ChannelOutcome.Settled),
        (CloseReason.PayerTimeout, ChannelOutcome.Settled),
        (CloseReason.Requested, ChannelOutcome.Settled),
    ];

    [Fact]
    public void The_message_scenarios_reach_the_interesting_endings_P1_P2_P3_P5()
    {
        var outcomes = EndingsReached(Scenarios, PlayAndSettle, seen => InterestingEndings.All(seen.Contains));

        // The runs reached the interesting endings, so the property's checks were not vacuous.
        Assert.Contains((CloseReason.WrongCumulativeAmount, ChannelOutcome.Settled), outcomes);
        Assert.Contains((CloseReason.PayerTimeout, ChannelOutcome.Settled), outcomes);
        Assert.Contains((CloseReason.Requested, ChannelOutcome.Settled), outcomes);
    }

    /// <summary>Plays the scenario between the endpoints, then settles on a chain, checking after every step; returns how the provider closed.</summary>
    private static (CloseReason, ChannelOutcome) PlayAndSettle(Scenario scenario)
    {
        var terms = Terms(scenario.Timing, maxUnits: 12);
        var agreement = Agree(terms);
        var payer = Payer(agreement);
        var provider = ActiveProvider(agreement);
        var payerSigned = new List<PaymentTransaction>();
        long now = T0 + 1;

        foreach (var step in scenario.Steps)
        {
            Play(step, terms, payer, provider, payerSigned, ref now);

            // The provider only ever holds one of the payer's own transactions, of exactly PaidUnits units.
            Assert.Equal(terms.UnitPrice.MinorUnits * provider.PaidUnits, provider.AcceptedAmount.MinorUnits);
            Assert.True(provider.LastTransaction is null || payerSigned.Any(t => t.Digest == provider.LastTransaction.Digest));
            Assert.True(provider.AcceptedAmount <= payer.LastSignedAmount || scenario.HostilePayer);
            // Exposure per timing mode (P5): nothing delivered unpaid in prepay, at most one unit on credit otherwise.
            if (terms.Timing == TimingMode.Prepay)
            {
                Assert.InRange(provider.PaidUnits - provider.DeliveredUnits, 0, 1);
                Assert.InRange(payer.PaidUnits - payer.DeliveredUnits, 0, 1);
            }
            else
            {
                Assert.InRange(provider.DeliveredUnits - provider.PaidUnits, 0, 1);
                Assert.InRange(payer.DeliveredUnits - payer.PaidUnits, 0, 1);
            }
        }

        // Close, and put whatever the provider submits on a chain.
        provider.RequestClose();
        var chain = ContractHarness.Funded(payerFunds: 50_000);
        chain.Ok(PayerKey, new OpenChannelCommand(agreement));
        int submissions = 0;
        while (provider.Submission is { } submission)
        {
            Assert.Equal(ChannelResultCode.Ok, provider.OnSubmissionOutcome(chain.Run(ProviderKey, submission)));
            submissions++;
        }

        Assert.Equal(provider.LastTransaction is null ? 0 : 1, submissions);
        long charged = 50_000 - chain.Posted(PayerAccount);
        Assert.Equal(provider.AcceptedAmount.MinorUnits, charged);
        Assert.Equal(charged, chain.Posted(ProviderAccount));
        Assert.True(scenario.HostilePayer || charged <= payer.LastSignedAmount.MinorUnits);
        chain.AssertConservation();
        return (provider.CloseReason, provider.Outcome);
    }

    private static void Play(Step step, ChannelTerms terms, ChannelPayer payer, ChannelProvider provider, List<PaymentTransaction> payerSigned, ref long now)
    {
        switch (step.Move)
        {
            case Move.HonestStep:
                bool payFirst = terms.Timing == TimingMode.Prepay ? payer.PaidUnits == payer.DeliveredUnits : payer.DeliveredUnits > payer.PaidUnits;
                if (payFirst)
                {
                    var paid = payer.Pay(now);
                    if (paid.Transaction is { } tx)
                    {
                        payerSigned.Add(tx);
                        provider.Receive(Canonical.Encode(tx), now);
                    }
                }
                else
                {
                    var delivered = provider.Deliver(now);
                    if (delivered.Code == ChannelResultCode.Ok)
                    {
                        payer.OnDelivered(delivered.UnitIndex);
                    }
                }

                break;
            case Move.ReplayOld when payerSigned.Count > 0:
                provider.Receive(payerSigned[step.Arg % payerSigned.Count], now);
                break;
            case Move.Forged:
                provider.Receive(Iterative(terms, NextAmount(terms, provider), key: StrangerKey), now);
                break;
            case Move.WrongNonce:
                provider.Receive(Iterative(terms, NextAmount(terms, provider), nonce: terms.Nonce + 1, key: StrangerKey), now);
                break;
            case Move.Garbage:
                provider.Receive(Hash256.Compute(BitConverter.GetBytes(step.Arg)).ToArray().AsMemory(0, step.Arg % 33), now);
                break;
            case Move.HostileAmount:
                var hostile = Iterative(terms, Math.Max(1, NextAmount(terms, provider) + step.Arg));
                payerSigned.Add(hostile);
                provider.Receive(hostile, now);
                break;
            case Move.DeliverUnasked:
                var unasked = provider.Deliver(now);
                if (unasked.Code == ChannelResultCode.Ok)
                {
                    payer.OnDelivered(unasked.UnitIndex);
                }

                break;
            case Move.Wait:
                now += step.Arg;
                provider.Tick(now);
                break;
        }
    }

    private static long NextAmount(ChannelTerms terms, ChannelProvider provider) => terms.UnitPrice.MinorUnits * (provider.PaidUnits + 1);

    // ---- the contract ---------------------------------------------------------------------------------------------

    private enum ChainMove
    {
        ProviderSubmits,   // the provider submits iterative transaction #Arg (not necessarily the last)
        ProviderClaims,    // the provider claims with iterative transaction #Arg
        PayerSubmits,      // the payer tries to put its own early transaction on chain
        PayerDoubleUses,   // the payer spends the channel's nonce on a transfer to a merchant
        PayerDrains,       // the payer moves all its available funds away with a fresh nonce
        ProviderReleases,  // the provider releases the collateral
        Wait,              // block time passes
    }

    private sealed record ChainStep(ChainMove Move, int Arg)
    {
        public override string ToString() => $"{Move}({Arg})";
    }

    private static readonly Gen<ChainStep[]> ChainSteps = Gen.Choose(0, 10).SelectMany(n => Gen.ArrayOf(
        Gen.Frequency(
            (4, Gen.Choose(0, 9).Select(i => new ChainStep(ChainMove.ProviderSubmits, i))),
            (4, Gen.Choose(0, 9).Select(i => new ChainStep(ChainMove.ProviderClaims, i))),
            (1, Gen.Choose(0, 9).Select(i => new ChainStep(ChainMove.PayerSubmits, i))),
            (2, Gen.Choose(1, 3_000).Select(i => new ChainStep(ChainMove.PayerDoubleUses, i))),
            (1, Gen.Choose(0, 1).Select(i => new ChainStep(ChainMove.PayerDrains, i))),
            (1, Gen.Constant(new ChainStep(ChainMove.ProviderReleases, 0))),
            (2, Gen.Choose(0, 80_000).Select(i => new ChainStep(ChainMove.Wait, i)))),
        n));

    private static readonly Arbitrary<ChainStep[]> ChainStepArb = Arb.From(ChainSteps, steps => Shrink.Array(steps));

    /// <summary>One channel's terms and agreement with the ten iterative transactions its payer signed, made once.</summary>
    private static readonly Lazy<(ChannelTerms Terms, ChannelAgreement Agreement, List<PaymentTransaction> Signed)> TenSigned = new(() =>
    {
        var terms = Terms();
        var agreement = Agree(terms);
        return (terms, agreement, RunHonest(Payer(agreement), ActiveProvider(agreement), 10));
    });

    [Property(MaxTest = Runs)]
    public Property Whatever_is_submitted_the_payer_pays_at_most_its_last_signed_amount_and_a_penalty_only_for_its_own_fault_P2_P4() =>
        Prop.ForAll(ChainStepArb, steps => { PlayOnChain(steps); });

    [Fact]
    public void The_chain_scripts_reach_every_kind_of_ending_P2_P4()
    {
        (ChannelState, ClaimReason, TransferState?)[] kinds =
        [
            (ChannelState.Settled, ClaimReason.None, TransferState.Voided),
            (ChannelState.Claimed, ClaimReason.NonceUsedElsewhere, TransferState.Posted),
            (ChannelState.Claimed, ClaimReason.PayerUnderfunded, TransferState.Posted),
        ];
        var endings = EndingsReached(ChainSteps, PlayOnChain, seen => kinds.All(seen.Contains) && seen.Any(e => e.Item3 == TransferState.Expired));

        // The runs reached every kind of ending, so the property's checks were not vacuous.
        Assert.Contains((ChannelState.Settled, ClaimReason.None, TransferState.Voided), endings);
        Assert.Contains((ChannelState.Claimed, ClaimReason.NonceUsedElsewhere, TransferState.Posted), endings);
        Assert.Contains((ChannelState.Claimed, ClaimReason.PayerUnderfunded, TransferState.Posted), endings);
        Assert.Contains(endings, e => e.Item3 == TransferState.Expired);
    }

    /// <summary>Runs the steps against the contract, checking after every one; returns the channel's final state.</summary>
    private static (ChannelState, ClaimReason, TransferState?) PlayOnChain(ChainStep[] steps)
    {
        var (terms, agreement, signed) = TenSigned.Value;
        long lastSigned = signed[^1].Amount.MinorUnits;
        var chain = ContractHarness.Funded(payerFunds: 5_000);
        chain.Ok(PayerKey, new OpenChannelCommand(agreement));
        bool payerAtFault = false;
        ulong freshNonce = 1_000;
        foreach (var step in steps)
        {
            switch (step.Move)
            {
                case ChainMove.ProviderSubmits:
                    chain.Run(ProviderKey, new SubmitPaymentCommand(signed[step.Arg]));
                    break;
                case ChainMove.ProviderClaims:
                    chain.Run(ProviderKey, new ClaimCollateralCommand(signed[step.Arg]));
                    break;
                case ChainMove.PayerSubmits:
                    chain.Run(PayerKey, new SubmitPaymentCommand(signed[step.Arg]));
                    break;
                case ChainMove.PayerDoubleUses:
                    var elsewhere = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(step.Arg), terms.Nonce, default);
                    payerAtFault |= chain.Run(StrangerKey, new SubmitPaymentCommand(elsewhere)).IsSuccess;
                    break;
                case ChainMove.PayerDrains:
                    var available = chain.Balance(PayerAccount).Available.MinorUnits;
                    if (available > 0)
                    {
                        var drain = PaymentTransaction.Create(PayerKey, Chain, PayerAccount, Merchant, Cny, M(available), freshNonce++, default);
                        payerAtFault |= chain.Run(StrangerKey, new SubmitPaymentCommand(drain)).IsSuccess;
                    }

                    break;
                case ChainMove.ProviderReleases:
                    chain.Run(StrangerKey, ReleaseCollateralCommand.Create(terms.Id, ProviderKey));
                    break;
                case ChainMove.Wait:
                    chain.Now += step.Arg;
                    chain.Contract.ApplyTime(chain.Now);
                    break;
            }

            chain.AssertConservation();
            Assert.True(chain.Contract.TryGetChannel(terms.Id, out var record));
            long toProvider = chain.Posted(ProviderAccount);
            long penalty = chain.Posted(PenaltyFund);
            Assert.InRange(toProvider, 0, lastSigned);
            Assert.Equal(record.Penalty.MinorUnits, penalty);
            Assert.True(penalty == 0 || (payerAtFault && record.State == ChannelState.Claimed), "a penalty without the payer's fault");
            Assert.True(record.State != ChannelState.Open || toProvider == 0);
            // The payer lost exactly what the provider, the penalty fund and the merchant gained.
            Assert.Equal(5_000 - chain.Posted(PayerAccount), toProvider + penalty + chain.Posted(Merchant));
            Assert.Equal(record.State == ChannelState.Open && chain.Contract.GetCollateralState(terms.Id) == TransferState.Pending
                ? terms.Collateral.MinorUnits : 0, chain.Balance(PayerAccount).PendingDebits.MinorUnits);
        }

        Assert.True(chain.Contract.TryGetChannel(terms.Id, out var final));
        return (final.State, final.ClaimReason, chain.Contract.GetCollateralState(terms.Id));
    }
}
