using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using static ChainInterop.Settlement.Tests.CrossChainTransactions.TransferWorld;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>
/// Decided transactions are forgotten after the retention period, so a chain's memory stays bounded over its lifetime,
/// and forgetting never lets a transaction run twice or be decided twice: anything naming a Time1 older than the
/// retention period is a replay and changes nothing (S2).
/// </summary>
public class RetentionTests
{
    private const long Retention = 10_000;

    [Fact]
    public void Decided_transactions_are_forgotten_after_the_retention_period_and_their_replays_change_nothing_S2()
    {
        var w = new TransferWorld(retentionMs: Retention);
        var tx = Tx(1);
        w.Start(tx, new Amount(100), time1Ms: 5_000);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Committed, w.Ppc1.GetState(tx));
        long alice = w.Posted(w.Ppc1.Ledger, Alice, Usd);

        // Not yet: Time1 (5 s) + retention (10 s) is still ahead.
        w.Now = 14_000;
        w.TickAll();
        w.Run();
        Assert.NotNull(w.Ppc1.GetState(tx));
        Assert.NotNull(w.Icc.GetState(tx));

        w.Now = 16_000;
        w.TickAll();
        w.Run();
        Assert.Null(w.Ppc1.GetState(tx));
        Assert.Null(w.Ppc2.GetState(tx));
        Assert.Null(w.Icc.GetState(tx));

        // A replayed start, request, offer or cancel of the forgotten transaction: refused as expired, nothing moves.
        var start = w.Start(tx, new Amount(100), time1Ms: 5_000);
        Assert.Equal(CrossChainResultCode.Expired, start.Code);
        Assert.Empty(start.Outbound);
        var request = new TransferRequest(tx, Ppc1Id, Ppc2Id, Bob, Usd, new Amount(100), AckMode.ModeI, SettlementTiming.RealTime, 5_000);
        var atIcc = w.Deliver(new CrossChainMessage(Ppc1Id, IccId, 500, request.ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.Expired, atIcc.Code);
        Assert.Empty(atIcc.Outbound);
        var cancel = w.Deliver(new CrossChainMessage(Ppc1Id, IccId, 501, new CancelRequest(tx, 5_000).ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.Expired, cancel.Code);
        Assert.Empty(cancel.Outbound);
        Assert.Null(w.Icc.GetState(tx)); // no tombstone that could contradict the forgotten commit
        var offer = new TransferOffer(tx, Ppc1Id, Bob, Usd, new Amount(100), 5_000);
        var atPpc2 = w.Deliver(new CrossChainMessage(IccId, Ppc2Id, 500, offer.ToCanonicalBytes()));
        Assert.Equal(CrossChainResultCode.Expired, atPpc2.Code);
        Assert.Empty(atPpc2.Outbound);

        Assert.Equal(alice, w.Posted(w.Ppc1.Ledger, Alice, Usd));
        Assert.Equal(0, w.Ppc1.Ledger.PendingCount + w.Ppc2.Ledger.PendingCount + w.Icc.Ledger.PendingCount);
    }

    [Fact]
    public void A_pending_transaction_is_never_forgotten_however_old_S2()
    {
        var w = new TransferWorld(retentionMs: Retention);
        var tx = Tx(2);
        w.Start(tx, new Amount(100), time1Ms: 5_000);
        w.InFlight.Clear(); // the request is lost for now

        w.Now = 100_000;
        w.TickAll();
        Assert.Equal(CrossChainTransactionState.Pending, w.Ppc1.GetState(tx));
    }

    [Fact]
    public void A_start_whose_Time1_is_older_than_half_the_retention_period_is_refused_Alg1()
    {
        var w = new TransferWorld(retentionMs: Retention);
        w.Now = 20_000;
        var old = w.Start(Tx(3), new Amount(10), time1Ms: 20_000 - (Retention / 2) - 1);
        Assert.Equal(CrossChainResultCode.Expired, old.Code);
        Assert.Equal(TransferFailureReason.Expired, old.Reason);
        Assert.Null(w.Ppc1.GetState(Tx(3)));

        // Already past but recent: accepted, and the ICC cancels it on its committed clock (Alg. 12).
        var recent = w.Start(Tx(4), new Amount(10), time1Ms: 19_000);
        Assert.Equal(CrossChainResultCode.Ok, recent.Code);
        w.Run();
        Assert.Equal(CrossChainTransactionState.Cancelled, w.Ppc1.GetState(Tx(4)));
    }
}
