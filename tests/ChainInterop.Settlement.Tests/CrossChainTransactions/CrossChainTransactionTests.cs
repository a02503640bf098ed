using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.CrossChainTransactions.TransferWorld;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

public sealed class CrossChainTransactionTests
{
    [Fact]
    public void Alg10_commit_posts_both_legs_and_records_the_trade_in_TBC1_and_TBC2_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(1);
        Assert.Equal(CrossChainResultCode.Ok, w.Start(tx, new Amount(100), 5_000).Code);
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Committed);
        Assert.Equal(900, w.Posted(w.Ppc1.Ledger, Alice, Usd));
        Assert.Equal(100, w.Posted(w.Ppc2.Ledger, Bob, Usd));
        Assert.Equal(400, w.Posted(w.Icc.Ledger, AbcPpc1, Usd));
        Assert.Equal(100, w.Posted(w.Icc.Ledger, AbcPpc2, Usd));
        Assert.Equal(0, w.Posted(w.Icc.Ledger, Clearing, Usd));
        // Each PPC's TBC recorded the trade, pending then committed (seed 000 [0015]); balances moved only on the ABC.
        Assert.Equal([TradeStatus.Pending, TradeStatus.Committed], w.Tbc1.Records.History(tx).Select(r => r.Status));
        Assert.Equal([TradeStatus.Pending, TradeStatus.Committed], w.Tbc2.Records.History(tx).Select(r => r.Status));
    }

    [Fact]
    public void ModeII_the_ICC_acks_PPC1_while_it_contacts_PPC2_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(2);
        w.Start(tx, new Amount(10), 5_000, mode: AckMode.ModeII);
        var r = w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        Assert.Equal(CrossChainTransactionState.Tentative, r.State);
        Assert.Equal([TransferMessageKind.PendingAck, TransferMessageKind.TransferOffer], r.Outbound.Select(Kind).ToArray());
        Assert.Equal([Tbc1Id, Tbc2Id], r.Outbound.Select(m => m.Destination).ToArray()); // each through the PPC's TBC
        w.Deliver(w.Take(TransferMessageKind.PendingAck, Ppc1Id));
        Assert.True(w.Ppc1.WasAcknowledged(tx));
        Assert.Equal(CrossChainTransactionState.Pending, w.Ppc1.GetState(tx));
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Committed);
    }

    [Fact]
    public void Alg4_ICC_refuses_a_request_from_a_PPC_without_the_asset_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(3);
        w.Start(tx, new Amount(10), 5_000, asset: Eur, payee: Carol);
        var r = w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        Assert.Equal(CrossChainResultCode.NoAssociatedAsset, r.Code);
        Assert.Equal(TransferFailureReason.NoAssociatedAsset, r.Reason);
        Assert.Equal(CrossChainTransactionState.Failed, r.State);
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
        Assert.Equal(1_000, w.Ppc1.Ledger.GetBalance(Alice, Eur).Available.MinorUnits);
    }

    [Fact]
    public void Alg4_ICC_refuses_a_request_beyond_PPC1s_ABC_balance_as_insufficient_assets_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(4);
        w.Start(tx, new Amount(600), 5_000);
        var r = w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        Assert.Equal(CrossChainResultCode.InsufficientAssets, r.Code);
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
        Assert.Equal(1_000, w.Ppc1.Ledger.GetBalance(Alice, Usd).Available.MinorUnits);
    }

    [Fact]
    public void Alg4_ICC_refuses_a_request_whose_sender_is_not_the_payer_as_a_verification_failure_S2()
    {
        var w = new TransferWorld();
        var forged = new TransferRequest(Tx(5), Ppc1Id, Ppc2Id, Bob, Usd, new Amount(10), AckMode.ModeI, SettlementTiming.RealTime, 5_000);
        var r = w.Deliver(new CrossChainMessage(Ppc2Id, IccId, 1, forged.ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.VerificationFailed, r.Code);
        Assert.Empty(r.Outbound);
        Assert.Null(w.Icc.GetState(Tx(5)));
        Assert.Equal(500, w.Icc.Ledger.GetBalance(AbcPpc1, Usd).Available.MinorUnits);
    }

    [Fact]
    public void A_transfer_message_refuses_a_zero_id_an_amount_that_is_not_positive_and_an_undefined_mode_S2()
    {
        Assert.Throws<ArgumentException>(() => new StartTransfer(Hash256.Zero, IccId, Alice, Ppc2Id, Bob, Usd, new Amount(1), AckMode.ModeI, SettlementTiming.RealTime, 5_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StartTransfer(Tx(40), IccId, Alice, Ppc2Id, Bob, Usd, new Amount(-1), AckMode.ModeI, SettlementTiming.RealTime, 5_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferRequest(Tx(40), Ppc1Id, Ppc2Id, Bob, Usd, Amount.Zero, AckMode.ModeI, SettlementTiming.RealTime, 5_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferOffer(Tx(40), Ppc1Id, Bob, Usd, new Amount(-5), 5_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TransferAccept(Tx(40), Bob, Usd, Amount.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StartTransfer(Tx(40), IccId, Alice, Ppc2Id, Bob, Usd, new Amount(1), (AckMode)9, SettlementTiming.RealTime, 5_000));
        Assert.Throws<ArgumentException>(() => new TransferCommitted(Hash256.Zero));
        Assert.Equal(Hash256.Zero, new Tick(5).TransactionId); // a Tick concerns every transaction
    }

    [Fact]
    public void Bytes_that_carry_a_zero_id_or_a_negative_amount_do_not_decode_S2()
    {
        // Write the canonical form by hand, as a forger would (the constructors refuse these values).
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(2 + 3);
        writer.WriteUInt32((uint)TransferMessageKind.TransferAccept);
        writer.WriteHash256(Tx(41));
        writer.WriteAccountId(Bob);
        writer.WriteAssetCode(Usd);
        writer.WriteAmount(new Amount(-10));
        var e = Assert.Throws<CodecException>(() => Canonical.Decode<TransferMessage>(buffer.WrittenMemory));
        Assert.Equal(CodecError.ValueOutOfRange, e.Error);

        var zero = new TransferCommitted(Tx(42)).ToCanonicalBytes();
        Assert.Equal(Tx(42), Canonical.Decode<TransferMessage>(zero).TransactionId); // the id is the last 32 bytes
        Assert.True(zero.AsSpan(zero.Length - 32).SequenceEqual(Tx(42).ToArray()));
        zero.AsSpan(zero.Length - 32).Clear();
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<TransferMessage>(zero)).Error);
    }

    [Fact]
    public void Alg4_ICC_refuses_a_request_for_a_bank_it_does_not_link_at_once_and_a_later_copy_stays_refused_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(30);
        var stranger = new ChainId("ppc3");
        var started = w.Ppc1.Execute(new StartTransfer(tx, IccId, Alice, stranger, Bob, Usd, new Amount(10), AckMode.ModeI, SettlementTiming.RealTime, 9_000).ToCanonicalBytes(), w.Now);
        var request = Assert.Single(started.Outbound);
        var refused = w.Deliver(request);
        Assert.Equal((CrossChainTransactionState.Failed, TransferFailureReason.UnknownParticipant), (refused.State, refused.Reason));
        var cancel = Assert.Single(refused.Outbound);
        Assert.Equal((Tbc1Id, TransferMessageKind.TransferCancelled), (cancel.Destination, Kind(cancel)));
        w.Deliver(cancel);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppc1.GetState(tx));
        Assert.Equal(TransferFailureReason.UnknownParticipant, w.Ppc1.GetReason(tx));
        Assert.Equal(1_000, w.Ppc1.Ledger.GetBalance(Alice, Usd).Available.MinorUnits);

        // The bank joins later; a late copy of the request (a resend under a new sequence) must not reserve leg 1 now
        // that PPC1 released its own leg: the ICC answers with the decision it recorded.
        w.Icc.Link(stranger, AbcPpc2, new ChainId("icc.tbc-stranger"));
        var late = w.Deliver(new CrossChainMessage(Ppc1Id, IccId, 99, request.Payload.ToArray()));
        Assert.Equal((CrossChainResultCode.AlreadyApplied, CrossChainTransactionState.Failed), (late.Code, late.State));
        Assert.Equal(500, w.Icc.Ledger.GetBalance(AbcPpc1, Usd).Available.MinorUnits);
        Assert.All(late.Outbound, m => Assert.Equal(TransferMessageKind.TransferCancelled, Kind(m)));
    }

    [Fact]
    public void Alg3_PPC2_rejects_an_unknown_payee_and_every_leg_is_voided_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(6);
        w.Start(tx, new Amount(10), 5_000, payee: new AccountId("nobody"));
        w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        var r = w.Deliver(w.Take(TransferMessageKind.TransferOffer, Ppc2Id));
        Assert.Equal(CrossChainResultCode.Rejected, r.Code);
        Assert.Equal(TransferFailureReason.UnknownPayee, r.Reason);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Failed, w.Icc.GetState(tx));
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppc2.GetState(tx));
        Assert.Equal(500, w.Icc.Ledger.GetBalance(AbcPpc1, Usd).Available.MinorUnits);
    }

    [Fact]
    public void Alg12_a_late_accept_after_Time1_cancels_and_releases_both_legs_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(7);
        w.Start(tx, new Amount(100), 2_000);
        w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        w.Deliver(w.Take(TransferMessageKind.TransferOffer, Ppc2Id));
        var accept = w.Take(TransferMessageKind.TransferAccept, IccId);
        w.Now = 2_001;
        var r = w.Deliver(accept);
        Assert.Equal(CrossChainResultCode.Cancelled, r.Code);
        Assert.Equal(TransferFailureReason.TimedOut, r.Reason);
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppc2.GetState(tx));
        Assert.Equal(1_000, w.Ppc2.Ledger.GetBalance(Transit, Usd).Available.MinorUnits);
        Assert.Equal(TradeStatus.Cancelled, w.Tbc1.GetTrade(tx)!.Status);

        // The replayed accept is a no-op that re-emits the decision.
        var again = w.Deliver(accept);
        Assert.Equal(CrossChainResultCode.AlreadyApplied, again.Code);
        Assert.All(again.Outbound, m => Assert.Equal(TransferMessageKind.TransferCancelled, Kind(m)));
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
    }

    [Fact]
    public void Alg12_PPC1_asks_to_cancel_only_the_ICC_clock_decides_and_a_Tick_cancels_an_abandoned_transfer_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(8);
        w.Start(tx, new Amount(100), 2_000);
        w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        w.InFlight.Clear(); // the offer is lost; PPC2 never answers
        var early = w.Deliver(new CrossChainMessage(Ppc1Id, IccId, 99, new CancelRequest(tx, 0).ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.NotYetDue, early.Code);
        Assert.Equal(CrossChainTransactionState.Pending, w.Ppc1.GetState(tx));
        w.Now = 2_500;
        var ppcTick = w.Ppc1.Execute(new Tick(w.Now), w.Now);
        Assert.Equal(TransferMessageKind.CancelRequest, Kind(Assert.Single(ppcTick.Outbound)));
        Assert.Equal(CrossChainTransactionState.Pending, w.Ppc1.GetState(tx)); // never voids on its own
        var iccTick = w.Icc.Execute(new Tick(w.Now), w.Now);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Icc.GetState(tx));
        w.Emit(iccTick.Outbound);
        w.Emit(ppcTick.Outbound);
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Cancelled);
    }

    [Fact]
    public void Alg12_a_cancel_request_after_the_commit_re_emits_the_commit_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(9);
        w.Start(tx, new Amount(100), 2_000);
        w.Run();
        w.Now = 9_000;
        var r = w.Deliver(new CrossChainMessage(Ppc1Id, IccId, 99, new CancelRequest(tx, 0).ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.AlreadyApplied, r.Code);
        Assert.All(r.Outbound, m => Assert.Equal(TransferMessageKind.TransferCommitted, Kind(m)));
        w.TickAll();
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Committed);
    }

    [Fact]
    public void S2_a_lost_offer_is_retried_and_duplicates_and_reordering_change_nothing()
    {
        var w = new TransferWorld();
        var tx = Tx(10);
        w.Start(tx, new Amount(100), 5_000);
        var request = w.Take(TransferMessageKind.TransferRequest, IccId);
        w.Deliver(request);
        w.Take(TransferMessageKind.TransferOffer, Ppc2Id); // lost
        Assert.Equal(CrossChainResultCode.AlreadyApplied, w.Deliver(request).Code); // duplicate re-emits the offer
        w.TickAll(); // PPC1 retries its request
        var offers = w.InFlight.Where(m => Kind(m) == TransferMessageKind.TransferOffer).ToList();
        Assert.NotEmpty(offers);
        // Deliver in reverse order, each twice.
        foreach (var m in w.InFlight.AsEnumerable().Reverse().ToList())
        {
            w.Deliver(m);
            w.Deliver(m);
        }

        w.InFlight.RemoveAll(_ => true);
        w.TickAll();
        w.Run();
        w.AssertFinal(tx, CrossChainTransactionState.Committed);
        Assert.Equal(TradeStatus.Committed, w.Tbc1.GetTrade(tx)!.Status);
        Assert.Equal(100, w.Posted(w.Ppc2.Ledger, Bob, Usd));
    }

    [Fact]
    public void Alg11_netting_accept_marks_Tentative_and_hands_the_gross_obligation_to_the_cycle_S2()
    {
        var cycle = new SettlementCycle(new CycleId(IccId, 1), SettlementCyclePolicy.Hourly, 0);
        var w = new TransferWorld(cycle);
        var tx = Tx(11);
        w.Start(tx, new Amount(100), 5_000, timing: SettlementTiming.Netting);
        var r = w.Deliver(w.Take(TransferMessageKind.TransferRequest, IccId));
        Assert.Equal(CrossChainTransactionState.PreTentative, r.State);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Tentative, w.Icc.GetState(tx));
        var obligation = Assert.Single(cycle.Obligations);
        Assert.Equal(new GrossObligation(tx, Ppc1Id, Ppc2Id, Usd, new Amount(100)), obligation);
        Assert.Equal([Ledger.TransferState.Pending, Ledger.TransferState.Pending, Ledger.TransferState.Pending], w.LegStates(tx));
        w.Now = 9_000;
        w.TickAll(); // past Time1 an accepted netting transfer waits for the cycle end, it is not cancelled
        w.Run();
        Assert.Equal(CrossChainTransactionState.Tentative, w.Icc.GetState(tx));
        Assert.Equal(CrossChainTransactionState.Pending, w.Ppc1.GetState(tx));
    }

    [Fact]
    public void Alg12_a_cancel_planted_by_another_chain_for_an_id_cannot_freeze_the_real_payers_funds_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(21);
        // PPC2 (linked to the ICC) cancels an id nobody used yet: the ICC keeps a tombstone owned by PPC2.
        w.Deliver(new CrossChainMessage(Ppc2Id, IccId, 1_000, new CancelRequest(tx, 0).ToCanonicalBytes()));
        w.InFlight.Clear();

        // PPC1 then uses that id: the ICC refuses it but tells PPC1, which releases its pending leg.
        w.Start(tx, new Amount(100), 5_000);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppc1.GetState(tx));
        Assert.Equal(0, w.Ppc1.Ledger.GetBalance(Alice, Usd).PendingDebits.MinorUnits);
        w.Check();
    }

    [Fact]
    public void Alg11_a_reject_after_an_accepted_netting_transfer_is_refused_so_the_cycle_never_settles_voided_legs_S2()
    {
        var cycle = new SettlementCycle(new CycleId(IccId, 1), SettlementCyclePolicy.Hourly, 0);
        var w = new TransferWorld(cycle);
        var tx = Tx(22);
        w.Start(tx, new Amount(100), 5_000, timing: SettlementTiming.Netting);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Tentative, w.Icc.GetState(tx));

        var reject = w.Deliver(new CrossChainMessage(Ppc2Id, IccId, 1_000, new TransferReject(tx, TransferFailureReason.UnknownPayee).ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.AwaitingCycleEnd, reject.Code);
        Assert.Empty(reject.Outbound);
        Assert.Equal(CrossChainTransactionState.Tentative, w.Icc.GetState(tx));
        Assert.Single(cycle.Obligations);
        Assert.All(w.LegStates(tx), state => Assert.Equal(Ledger.TransferState.Pending, state));
    }

    [Fact]
    public void A_bank_takes_offers_and_decisions_only_from_intermediaries_it_linked_S1_S2()
    {
        var w = new TransferWorld();
        var tx = Tx(23);
        var stranger = new ChainId("icc-rogue");
        var offer = w.Ppc2.Execute(new CrossChainMessage(stranger, Ppc2Id, 1, new TransferOffer(tx, Ppc1Id, Bob, Usd, new Amount(5), 9_000).ToCanonicalBytes()), w.Now);
        Assert.Equal(CrossChainResultCode.VerificationFailed, offer.Code);
        Assert.Null(w.Ppc2.GetState(tx));
        var start = w.Ppc1.Execute(new StartTransfer(tx, stranger, Alice, Ppc2Id, Bob, Usd, new Amount(5), AckMode.ModeI, SettlementTiming.RealTime, 9_000).ToCanonicalBytes(), w.Now);
        // Refused at once with its cause, nothing reserved (issue 15: it used to vanish without a state).
        Assert.Equal((CrossChainResultCode.VerificationFailed, TransferFailureReason.UnknownIntermediary), (start.Code, start.Reason));
        Assert.Equal(CrossChainTransactionState.Failed, w.Ppc1.GetState(tx));
        Assert.Empty(start.Outbound);
        Assert.Equal(0, w.Ppc1.Ledger.GetBalance(Alice, Usd).PendingDebits.MinorUnits);
    }

    [Fact]
    public void S2_every_message_kind_round_trips_through_the_canonical_codec()
    {
        var tx = Tx(12);
        TransferMessage[] all =
        [
            new StartTransfer(tx, IccId, Alice, Ppc2Id, Bob, Usd, new Amount(5), AckMode.ModeII, SettlementTiming.Netting, 77),
            new TransferRequest(tx, Ppc1Id, Ppc2Id, Bob, Usd, new Amount(5), AckMode.ModeI, SettlementTiming.RealTime, 77),
            new PendingAck(tx), new TransferOffer(tx, Ppc1Id, Bob, Usd, new Amount(5), 77),
            new TransferAccept(tx, Bob, Usd, new Amount(5)), new TransferReject(tx, TransferFailureReason.UnknownPayee),
            new TransferCommitted(tx), new TransferCancelled(tx, TransferFailureReason.TimedOut), new CancelRequest(tx, 77), new Tick(42),
        ];
        foreach (var m in all)
        {
            var bytes = m.ToCanonicalBytes();
            var back = Canonical.Decode<TransferMessage>(bytes);
            Assert.Equal(m.Kind, back.Kind);
            Assert.Equal(m.TransactionId, back.TransactionId);
            Assert.Equal(bytes, back.ToCanonicalBytes());
        }

        Assert.Throws<CodecException>(() => Canonical.Decode<TransferMessage>(new byte[] { 0x92, 0x63, 0xc0 }));

        // Undefined enum values are refused, not carried into the state machines.
        // The constructors refuse them, so patch valid encodings: [..., ackMode 1, timing 1, time1 77] and [..., reason 4].
        var request = new TransferRequest(tx, Ppc1Id, Ppc2Id, Bob, Usd, new Amount(5), AckMode.ModeI, SettlementTiming.RealTime, 77).ToCanonicalBytes();
        Assert.Equal(new byte[] { 0x01, 0x01, 0x4d }, request[^3..]);
        var reject = new TransferReject(tx, TransferFailureReason.UnknownPayee).ToCanonicalBytes();
        Assert.Equal(0x04, reject[^1]);
        foreach (var (bytes, at, value) in new[] { (request, 3, (byte)0x07), (request, 2, (byte)0x00), (reject, 1, (byte)0x7f) })
        {
            var bad = bytes.ToArray();
            bad[^at] = value;
            Assert.Throws<CodecException>(() => Canonical.Decode<TransferMessage>(bad));
        }

        var w = new TransferWorld();
        Assert.Equal(CrossChainResultCode.Malformed, w.Icc.Execute(new CrossChainMessage(Ppc1Id, IccId, 1, [0x01, 0x02]), 1).Code);
    }
}
