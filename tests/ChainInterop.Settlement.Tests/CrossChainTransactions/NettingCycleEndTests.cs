using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;
using static ChainInterop.Settlement.Tests.CrossChainTransactions.NettingWorld;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>The netting-mode cycle end on the ICC (SPEC S3; seed 000 Alg. 11 steps 1–3 and 12–14).</summary>
public sealed class NettingCycleEndTests
{
    private const long Time1 = 1_000_000;

    // Four PPCs, two assets. USD nets: a −130, b +20, c +150, d −40 (gross 850 in 6, net 170). EUR nets: a −40, b +40,
    // c −40, d +40 (gross 140 in 3, net 80).
    private static readonly (int Payer, int Payee, string Asset, long Amount)[] Script =
    [
        (0, 1, "USD", 300), (1, 2, "USD", 200), (2, 0, "USD", 100), (0, 2, "USD", 50), (3, 0, "USD", 120), (1, 3, "USD", 80),
        (2, 3, "EUR", 70), (3, 2, "EUR", 30), (0, 1, "EUR", 40),
    ];

    [Fact]
    public void Alg11_Step12_CycleEndPostsNetPositionsThroughTheCcpAndVoidsLeg1Reservations_S3()
    {
        var w = new NettingWorld(4, SettlementCyclePolicy.Hourly);
        var txs = StartScript(w);
        w.Run();
        Assert.All(txs, w.AssertTentative);
        AssertAbcUnmoved(w); // until the cycle end only reservations exist on the ABC

        var close = w.Close(1);
        Assert.Equal(CrossChainResultCode.Ok, close.Code);
        Assert.Equal(SettlementCycleState.Settled, w.FirstCycle.State);
        Assert.Equal(2UL, w.Icc.Cycle!.Id.Sequence);

        // The ABC moved exactly the nets (initial + net per participant and asset); the CCP ends flat; no reservation left.
        foreach (var p in w.Participants)
        {
            foreach (var asset in new[] { Usd, Eur })
            {
                Assert.Equal(w.InitialAbc(p, asset) + ExpectedNet(w, txs, p, asset), w.AbcPosted(p, asset));
            }
        }

        Assert.Equal(0, w.Icc.Ledger.GetBalance(Clearing, Usd).Posted.MinorUnits);
        Assert.Equal(0, w.Icc.Ledger.PendingCount);
        Assert.Equal(-130, ExpectedNet(w, txs, w[0], Usd)); // the script's nets, as commented above
        Assert.Equal(150, ExpectedNet(w, txs, w[2], Usd));

        // Each PPC posts its pending legs on the decision (TransferCommitted to PPC1 and PPC2 of every transaction).
        Assert.Equal(2 * txs.Length, close.Outbound.Count);
        Assert.All(close.Outbound, m => Assert.Equal(TransferMessageKind.TransferCommitted, Canonical.Decode<TransferMessage>(m.Payload).Kind));
        w.Run();
        Assert.All(txs, w.AssertCommitted);
        foreach (var p in w.Participants)
        {
            Assert.Equal(0, w.Ppcs[p].Ledger.PendingCount);
            var tbc = w.Tbcs[NettingWorld.TbcOf(p)];
            Assert.Equal(txs.Count(t => w.Started[t].Payer == p || w.Started[t].Payee == p), txs.Count(t => tbc.GetState(t) == CrossChainTransactionState.Committed));
        }
    }

    [Fact]
    public void Alg11_Step12_CompletedCycleReportsGrossAndNetFiguresAndLiquiditySaved_S3()
    {
        var w = new NettingWorld(4, SettlementCyclePolicy.Hourly);
        StartScript(w);
        w.Run();
        w.Close(1);

        var report = Assert.Single(w.Icc.CompletedCycles);
        Assert.Equal(new CycleId(IccId, 1), report.Cycle);
        Assert.Equal(4, report.ParticipantCount);
        Assert.False(report.Renetted);
        var usd = report.Assets.Single(a => a.Asset == Usd);
        Assert.Equal((6, 850L, 4, 170L, 680L), (usd.GrossCount, usd.GrossValue.MinorUnits, usd.NetCount, usd.NetValue.MinorUnits, usd.LiquiditySaved.MinorUnits));
        var eur = report.Assets.Single(a => a.Asset == Eur);
        Assert.Equal((3, 140L, 4, 80L, 60L), (eur.GrossCount, eur.GrossValue.MinorUnits, eur.NetCount, eur.NetValue.MinorUnits, eur.LiquiditySaved.MinorUnits));
        Assert.Equal(800_000, usd.LiquiditySavedPpm);
        Assert.Same(w.FirstCycle.Report, report);
    }

    [Fact]
    public void Alg11_Steps12_14_ReplayedAndDuplicatedCloseCommandsAreIdempotent_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.Hourly);
        var a = Tx(1);
        w.Start(a, w[0], w[1], Usd, 100, Time1);
        w.Run();
        Assert.Equal(CrossChainResultCode.Ok, w.Close(1).Code);
        w.Run();
        var hashes = w.StateHashes();

        // The same entry again (a replay, or a duplicate committed twice), and a Tick: nothing moves, nothing is sent.
        var again = w.Close(1);
        Assert.Equal(CrossChainResultCode.AlreadyApplied, again.Code);
        Assert.Empty(again.Outbound);
        Assert.Equal(CrossChainResultCode.Ok, w.TickIcc().Code);
        Assert.Empty(w.InFlight);
        Assert.Equal(hashes, w.StateHashes());
        Assert.Single(w.Icc.CompletedCycles);
        Assert.Equal(2UL, w.Icc.Cycle!.Id.Sequence); // a replayed close never closes the next cycle

        // A cycle not opened yet, or before the first: refused, nothing changes.
        Assert.Equal(CrossChainResultCode.UnknownCycle, w.Close(3).Code);
        Assert.Equal(CrossChainResultCode.UnknownCycle, w.Close(0).Code);
        Assert.Equal(hashes, w.StateHashes());

        // The decisions re-sent by PPC retries after the cycle end are no-ops too.
        w.TickAll();
        w.Run();
        Assert.Equal(hashes, w.StateHashes());
        w.AssertCommitted(a);
    }

    [Fact]
    public void Alg11_Steps2_3_ATransactionInFlightAtCloseFinishesBeforeNettingAndNewRequestsJoinTheNextCycle_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.Hourly);
        var a = Tx(1);
        var b = Tx(2);
        w.Start(a, w[0], w[1], Usd, 100, Time1);
        w.Run();
        w.Start(b, w[1], w[2], Usd, 60, Time1);
        w.Deliver(w.Take(TransferMessageKind.TransferRequest, b));
        var heldOffer = w.Take(TransferMessageKind.TransferOffer, b); // delayed: PPC2 has not answered, so b is in flight

        var close = w.Close(1);
        Assert.Equal(CrossChainResultCode.Ok, close.Code); // closed (Alg. 11 step 2), not settled: b is in flight (step 3)
        Assert.Empty(close.Outbound);
        Assert.Equal(SettlementCycleState.Closing, Assert.Single(w.Icc.ClosedCycles).State);
        w.AssertTentative(a);
        AssertAbcUnmoved(w);

        // A request arriving while cycle 1 closes joins cycle 2.
        var c = Tx(3);
        w.Start(c, w[2], w[0], Usd, 30, Time1);
        w.Run();
        Assert.Equal(new CycleId(IccId, 2), w.Icc.GetCycleOf(c));
        Assert.Equal(new CycleId(IccId, 1), w.Icc.GetCycleOf(b));

        // b finishes in the cycle that admitted it; the next ICC entry nets cycle 1 (a and b), not c.
        w.Deliver(heldOffer);
        w.Run();
        Assert.Equal(SettlementCycleState.Netting, w.FirstCycle.State);
        Assert.Equal(CrossChainResultCode.Ok, w.TickIcc().Code);
        w.Run();
        w.AssertCommitted(a);
        w.AssertCommitted(b);
        w.AssertTentative(c);
        Assert.Empty(w.Icc.ClosedCycles);
        Assert.Equal(w.InitialAbc(w[0], Usd) - 100, w.AbcPosted(w[0], Usd));
        Assert.Equal(w.InitialAbc(w[1], Usd) + 40, w.AbcPosted(w[1], Usd));
        Assert.Equal(w.InitialAbc(w[2], Usd) + 60, w.AbcPosted(w[2], Usd));
    }

    [Fact]
    public void Alg11_Step3_Alg12_ATransactionInFlightAtCloseCancelledByTime1IsLeftOutOfTheNet_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.Hourly);
        var a = Tx(1);
        var b = Tx(2);
        w.Start(a, w[0], w[1], Usd, 100, Time1);
        w.Run();
        w.Start(b, w[1], w[2], Usd, 60, w.Now + 500);
        w.Deliver(w.Take(TransferMessageKind.TransferRequest, b));
        w.Take(TransferMessageKind.TransferOffer, b); // lost: PPC2 never hears of b
        Assert.Equal(CrossChainResultCode.Ok, w.Close(1).Code);
        Assert.Equal(SettlementCycleState.Closing, w.FirstCycle.State);

        // Past b's Time1 the ICC's Tick cancels it (Alg. 12), which drains the cycle, and the same Tick nets it.
        w.Now += 1_000;
        var tick = w.TickIcc();
        Assert.Equal(CrossChainResultCode.Ok, tick.Code);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Icc.GetState(b));
        Assert.Equal(SettlementCycleState.Settled, w.FirstCycle.State);
        w.Run();
        w.AssertCommitted(a);
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppcs[w[1]].GetState(b));
        Assert.Equal(1, w.FirstCycle.AbandonedCount);
        Assert.Equal(1, Assert.Single(w.Icc.CompletedCycles).Assets.Single().GrossCount);
        Assert.Equal(w.InitialAbc(w[1], Usd) + 100, w.AbcPosted(w[1], Usd));
        Assert.Equal(w.InitialAbc(w[2], Usd), w.AbcPosted(w[2], Usd));
        Assert.Equal(0, w.Icc.Ledger.PendingCount);
    }

    [Fact]
    public void Alg11_Step1_TheDueTimeClosesTheCycleOnTickAndALateRequestJoinsTheNextCycle_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.ByDuration(TimeSpan.FromSeconds(10)));
        var a = Tx(1);
        w.Start(a, w[0], w[1], Usd, 100, Time1);
        w.Run();

        // A request committed at/after the due time closes cycle 1 and is admitted to cycle 2 (not refused).
        w.Now = 10_000;
        var b = Tx(2);
        w.Start(b, w[1], w[0], Usd, 30, Time1);
        w.Run();
        Assert.Equal(new CycleId(IccId, 2), w.Icc.GetCycleOf(b));
        Assert.Equal(CycleCloseReason.DueTime, w.FirstCycle.CloseReason);
        w.AssertTentative(a); // closed and drained, but netted only on the ICC's next own entry

        Assert.Equal(CrossChainResultCode.Ok, w.TickIcc().Code);
        w.Run();
        w.AssertCommitted(a);
        w.AssertTentative(b);

        // Cycle 2 is due at 20 000 (periods stay aligned): a Tick then settles b.
        w.Now = 19_999;
        w.TickIcc();
        w.AssertTentative(b);
        w.Now = 20_000;
        w.TickIcc();
        w.Run();
        w.AssertCommitted(b);
        Assert.Equal(2, w.Icc.CompletedCycles.Count);
        Assert.Equal(w.InitialAbc(w[0], Usd) - 70, w.AbcPosted(w[0], Usd));
    }

    [Fact]
    public void Alg11_Step1_TheTransactionCountPolicyClosesTheCycle_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.ByTransactionCount(2));
        var a = Tx(1);
        var b = Tx(2);
        var c = Tx(3);
        w.Start(a, w[0], w[1], Usd, 10, Time1);
        w.Start(b, w[1], w[2], Usd, 20, Time1);
        w.Start(c, w[2], w[0], Usd, 5, Time1);
        w.Run();
        Assert.Equal(CycleCloseReason.TransactionCount, w.FirstCycle.CloseReason);
        Assert.Equal(new CycleId(IccId, 2), w.Icc.GetCycleOf(c));
        w.TickIcc();
        w.Run();
        w.AssertCommitted(a);
        w.AssertCommitted(b);
        w.AssertTentative(c);
    }

    [Fact]
    public void Alg11_Step1_TheIccClosesACycleAtItsOwnTransactionCapSoTheCycleEndGroupStaysBounded_S3()
    {
        var w = new NettingWorld(2, SettlementCyclePolicy.Daily, abcFunding: 1_000_000);
        for (int i = 0; i <= IntermediaryChainApplication.MaxTransactionsPerNettingCycle; i++)
        {
            var request = new TransferRequest(Tx(i + 1), w[0], w[1], Customer, Usd, new Amount(1), AckMode.ModeI, SettlementTiming.Netting, Time1);
            var r = w.Icc.Execute(new Consensus.CrossChain.CrossChainMessage(NettingWorld.TbcOf(w[0]), IccId, (ulong)i + 1, request.ToCanonicalBytes()), w.Now);
            Assert.Equal(CrossChainResultCode.Ok, r.Code);
        }

        Assert.Equal(IntermediaryChainApplication.MaxTransactionsPerNettingCycle, w.FirstCycle.StartedCount);
        Assert.Equal(CycleCloseReason.Requested, w.FirstCycle.CloseReason);
        Assert.Equal(new CycleId(IccId, 2), w.Icc.GetCycleOf(Tx(IntermediaryChainApplication.MaxTransactionsPerNettingCycle + 1)));

        // PPC2 accepts all of cycle 1; one atomic group (16,384 voids + 2 net postings, far beyond a LinkedCommand's 64) settles it.
        for (int i = 0; i < IntermediaryChainApplication.MaxTransactionsPerNettingCycle; i++)
        {
            var accept = new TransferAccept(Tx(i + 1), Customer, Usd, new Amount(1));
            w.Icc.Execute(new Consensus.CrossChain.CrossChainMessage(NettingWorld.TbcOf(w[1]), IccId, (ulong)i + 1, accept.ToCanonicalBytes()), w.Now);
        }

        var tick = w.TickIcc();
        Assert.Equal(CrossChainResultCode.Ok, tick.Code);
        Assert.Equal(2 * IntermediaryChainApplication.MaxTransactionsPerNettingCycle, tick.Outbound.Count);
        Assert.Equal(1_000_000 - IntermediaryChainApplication.MaxTransactionsPerNettingCycle, w.AbcPosted(w[0], Usd));
        Assert.Equal(1_000_000 + IntermediaryChainApplication.MaxTransactionsPerNettingCycle, w.AbcPosted(w[1], Usd));
        Assert.Equal(1, w.Icc.Ledger.PendingCount); // the transaction of cycle 2
    }

    [Fact]
    public void Alg11_Step14_AnAbcThatRefusesTheNetGroupFlagsTheCycleForReviewAndNothingMoves_S3()
    {
        var w = new NettingWorld(4, SettlementCyclePolicy.Hourly);
        var txs = StartScript(w);
        w.Run();

        // With its leg 1 reservations intact a net debtor can always pay (its net is at most its gross paid, which the
        // voids release). So the ABC can refuse the group only if it was altered outside the protocol: here ppc-a's first
        // reservation is voided behind the ICC's back and ppc-a's USD drained, so ppc-a cannot pay its net of 130.
        var first = txs[0];
        w.Tampered.Add(first);
        Assert.Equal(LedgerResultCode.Ok, w.Icc.Ledger.Apply(new VoidCommand(TransferId.FromUInt64(90_001), IntermediaryChainApplication.LegId(first, 1)), w.Now).Code);
        var available = w.Icc.Ledger.GetBalance(AbcOf(w[0]), Usd).Available;
        Assert.Equal(LedgerResultCode.Ok, w.Icc.Ledger.Apply(new TransferCommand(TransferId.FromUInt64(90_002), AbcOf(w[0]), Outsider, Usd, available), w.Now).Code);
        var hashes = w.StateHashes();

        var close = w.Close(1);
        Assert.Equal(CrossChainResultCode.CycleUnderReview, close.Code);
        Assert.NotEqual(LedgerResultCode.Ok, close.LedgerCode);
        Assert.Empty(close.Outbound);
        Assert.Equal(hashes, w.StateHashes()); // nothing moved on any ledger
        Assert.Equal(SettlementCycleState.UnderReview, w.FirstCycle.State);
        Assert.Null(w.FirstCycle.Report);
        Assert.Empty(w.Icc.CompletedCycles);
        Assert.All(txs.Skip(1), w.AssertTentative); // every other leg still pending

        var review = Assert.Single(w.Icc.CyclesUnderReview);
        Assert.Equal(CycleReviewReason.LedgerRefused, review.Reason);
        Assert.Equal(close.LedgerCode, review.LedgerCode);
        Assert.Equal(first, review.FailedTransaction);
        Assert.Null(review.FailedInstruction);
        Assert.Equal(txs, review.Transactions);
        Assert.True(review.Outcome.IsBalanced);
        Assert.True(review.Renet!.IsBalanced); // re-netting confirms the arithmetic: the funding is at fault
        Assert.Equal(review.Outcome.Result!.Digest, review.Renet.Result!.Digest);
        Assert.Equal(review.Outcome.Result.Digest, review.Instructions!.NetResultDigest);

        // The next cycle is unaffected; replays and PPC retries change nothing; the flagged transactions wait.
        Assert.Equal(CrossChainResultCode.AlreadyApplied, w.Close(1).Code);
        w.Now += 2 * Time1;
        w.TickAll();
        w.Run();
        Assert.All(txs.Skip(1), w.AssertTentative);
        var next = Tx(99);
        w.Start(next, w[1], w[2], Usd, 5, w.Now + Time1);
        w.Run();
        w.Close(2);
        w.Run();
        w.AssertCommitted(next);
    }

    [Fact]
    public void Alg11_Step14_NettingThatFailsItsChecksTwiceFlagsTheCycleForReviewAndNothingMoves_S3()
    {
        var corrupt = new NettingEngine { AfterCompute = (_, c) => c.Paid[0] += 1 };
        var w = new NettingWorld(3, SettlementCyclePolicy.Hourly, engine: corrupt);
        var a = Tx(1);
        var b = Tx(2);
        w.Start(a, w[0], w[1], Usd, 100, Time1);
        w.Start(b, w[1], w[2], Usd, 40, Time1);
        w.Run();
        var hashes = w.StateHashes();

        var close = w.Close(1);
        Assert.Equal(CrossChainResultCode.CycleUnderReview, close.Code);
        Assert.Equal(LedgerResultCode.Ok, close.LedgerCode);
        Assert.Empty(close.Outbound);
        Assert.Equal(hashes, w.StateHashes());
        var review = Assert.Single(w.Icc.CyclesUnderReview);
        Assert.Equal(CycleReviewReason.NettingMismatch, review.Reason);
        Assert.Equal(NettingCode.ManualReview, review.Outcome.Code);
        Assert.NotNull(review.Outcome.Review);
        Assert.Null(review.Instructions);
        Assert.Equal(SettlementCycleState.UnderReview, w.FirstCycle.State);
        w.AssertTentative(a);
        w.AssertTentative(b);
    }

    [Fact]
    public void Alg4_ANettingTransferToAPpcWhoseAbcAccountLacksTheAssetIsRefusedAtOnceNotAtTheCycleEnd_S2_S3()
    {
        var w = new NettingWorld(3, SettlementCyclePolicy.Hourly, eurOnAbc: i => i != 2);
        var a = Tx(1);
        w.Start(a, w[0], w[2], Eur, 10, Time1);
        var request = w.Deliver(w.Take(TransferMessageKind.TransferRequest, a));
        Assert.Equal(CrossChainResultCode.NoAssociatedAsset, request.Code);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppcs[w[0]].GetState(a));
        Assert.Equal(0, w.FirstCycle.StartedCount);
    }

    [Fact]
    public void Alg11_EveryValidatorExecutingTheSameEntriesReachesTheSameStateAndReport_S3()
    {
        var worlds = new[] { new NettingWorld(4, SettlementCyclePolicy.Hourly), new NettingWorld(4, SettlementCyclePolicy.Hourly) };
        var closes = new List<byte[]>();
        foreach (var w in worlds)
        {
            StartScript(w);
            w.Run();
            closes.Add([.. w.Close(1).Outbound.SelectMany(m => m.Payload.ToArray())]);
            w.Run();
        }

        Assert.Equal(worlds[0].StateHashes(), worlds[1].StateHashes());
        Assert.Equal(closes[0], closes[1]);
        Assert.Equal(worlds[0].Icc.CompletedCycles[0].Digest, worlds[1].Icc.CompletedCycles[0].Digest);
    }

    [Fact]
    public void S3_CloseCycle_round_trips_through_the_canonical_codec_and_a_PPC_refuses_it()
    {
        var close = new CloseCycle(7);
        var back = Assert.IsType<CloseCycle>(Canonical.Decode<TransferMessage>(close.ToCanonicalBytes()));
        Assert.Equal(7UL, back.CycleSequence);
        Assert.Equal(TransferMessageKind.CloseCycle, back.Kind);
        Assert.True(back.TransactionId.IsZero);
        Assert.Equal(close.ToCanonicalBytes(), back.ToCanonicalBytes());

        var w = new NettingWorld(2, SettlementCyclePolicy.Hourly);
        Assert.Equal(CrossChainResultCode.Malformed, w.Ppcs[w[0]].Execute(close, w.Now).Code);
    }

    [Fact]
    public void S3_An_ICC_without_settlement_cycles_refuses_CloseCycle_and_its_Tick_is_unchanged()
    {
        var w = new TransferWorld();
        Assert.Equal(CrossChainResultCode.UnknownCycle, w.Icc.Execute(new CloseCycle(1), w.Now).Code);
        Assert.Equal(CrossChainResultCode.Ok, w.Icc.Execute(new Tick(w.Now), w.Now).Code);
        Assert.Empty(w.Icc.CompletedCycles);
    }

    private static Hash256[] StartScript(NettingWorld w)
    {
        var txs = new Hash256[Script.Length];
        for (int i = 0; i < Script.Length; i++)
        {
            var (payer, payee, asset, amount) = Script[i];
            txs[i] = Tx(100 + i);
            w.Start(txs[i], w[payer], w[payee], new AssetCode(asset), amount, Time1, i % 2 == 0 ? AckMode.ModeI : AckMode.ModeII);
        }

        return txs;
    }

    private static long ExpectedNet(NettingWorld w, IEnumerable<Hash256> txs, ChainId p, AssetCode asset)
    {
        long net = 0;
        foreach (var o in txs.Select(t => w.Started[t]).Where(o => o.Asset == asset))
        {
            net += (o.Payee == p ? o.Amount.MinorUnits : 0) - (o.Payer == p ? o.Amount.MinorUnits : 0);
        }

        return net;
    }

    private static void AssertAbcUnmoved(NettingWorld w)
    {
        foreach (var p in w.Participants)
        {
            Assert.Equal(w.InitialAbc(p, Usd), w.AbcPosted(p, Usd));
            Assert.Equal(w.InitialAbc(p, Eur), w.AbcPosted(p, Eur));
        }
    }
}
