using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Tests.Ledger;

public class TradingChainLedgerTests
{
    private static readonly ChainId Tbc = new("icc-1-tbc-a");
    private static readonly ChainId Ppc = new("ppc-bank-a");

    private static TradeRecord Record(string tx, TradeStatus status, long amount = 10_000, ulong abcTransfer = 1, string payee = "bank-b") =>
        new(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(tx)), status, Ppc, new InstitutionId("bank-a"), new InstitutionId(payee),
            new AssetCode("CNY"), Amount.FromMinorUnits(amount), TransferId.FromUInt64(abcTransfer));

    [Fact]
    public void A_transaction_moves_once_from_pending_to_committed_S2()
    {
        var tbc = new TradingChainLedger(Tbc, Ppc);
        Assert.Equal(TradeResultCode.Ok, tbc.Apply(Record("tx1", TradeStatus.Pending)));
        Assert.Equal(TradeResultCode.Ok, tbc.Apply(Record("tx1", TradeStatus.Committed, abcTransfer: 2)));
        Assert.Equal(TradeStatus.Committed, tbc.Find(Record("tx1", TradeStatus.Pending).TransactionId)!.Status);
        Assert.Equal(2, tbc.History(Record("tx1", TradeStatus.Pending).TransactionId).Count);

        Assert.Equal(TradeResultCode.AlreadyResolved, tbc.Apply(Record("tx1", TradeStatus.Cancelled, abcTransfer: 3)));
        Assert.Equal(TradeResultCode.AlreadyRecorded, tbc.Apply(Record("tx1", TradeStatus.Committed, abcTransfer: 2)));
    }

    [Fact]
    public void A_cancelled_transaction_cannot_be_committed_S2()
    {
        var tbc = new TradingChainLedger(Tbc, Ppc);
        tbc.Apply(Record("tx2", TradeStatus.Pending));
        Assert.Equal(TradeResultCode.Ok, tbc.Apply(Record("tx2", TradeStatus.Cancelled, abcTransfer: 9)));
        Assert.Equal(TradeResultCode.AlreadyResolved, tbc.Apply(Record("tx2", TradeStatus.Committed, abcTransfer: 8)));
    }

    [Fact]
    public void Records_that_do_not_belong_are_refused_and_change_nothing_S2()
    {
        var tbc = new TradingChainLedger(Tbc, Ppc);
        tbc.Apply(Record("tx3", TradeStatus.Pending));
        var before = tbc.ComputeStateHash();

        Assert.Equal(TradeResultCode.UnknownTransaction, tbc.Apply(Record("never-pending", TradeStatus.Committed)));
        Assert.Equal(TradeResultCode.ConflictingRecord, tbc.Apply(Record("tx3", TradeStatus.Committed, payee: "bank-c")));
        Assert.Equal(TradeResultCode.ConflictingRecord, tbc.Apply(Record("tx3", TradeStatus.Committed, amount: 10_001)));
        Assert.Equal(TradeResultCode.ConflictingRecord, tbc.Apply(Record("tx3", TradeStatus.Pending, amount: 5)));
        Assert.Equal(TradeResultCode.InvalidAmount, tbc.Apply(Record("tx4", TradeStatus.Pending, amount: 0)));
        Assert.Equal(TradeResultCode.WrongParticipantChain,
            tbc.Apply(Record("tx5", TradeStatus.Pending) with { ParticipantChain = new ChainId("ppc-bank-z") }));
        Assert.Equal([TradeResultCode.InvalidEntry], tbc.ApplyEntries([new byte[] { 0xc1 }]));
        Assert.Equal(before, tbc.ComputeStateHash());
    }

    [Fact]
    public void A_partial_commit_is_recorded_but_never_more_than_was_pending_S2()
    {
        var tbc = new TradingChainLedger(Tbc, Ppc);
        tbc.Apply(Record("tx6", TradeStatus.Pending, amount: 100));
        Assert.Equal(TradeResultCode.Ok, tbc.Apply(Record("tx6", TradeStatus.Committed, amount: 60, abcTransfer: 2)));
    }

    [Fact]
    public void Replicas_applying_the_same_entries_reach_the_same_state_and_records_round_trip_C2_S2()
    {
        var entries = new[]
        {
            Record("a", TradeStatus.Pending), Record("b", TradeStatus.Pending, amount: 7), Record("a", TradeStatus.Committed, abcTransfer: 5),
            Record("b", TradeStatus.Cancelled, amount: 7, abcTransfer: 6),
        }.Select(r => (ReadOnlyMemory<byte>)Canonical.Encode(r)).ToArray();

        var one = new TradingChainLedger(Tbc, Ppc);
        var two = new TradingChainLedger(Tbc, Ppc);
        one.ApplyEntries(entries);
        two.ApplyEntries(entries);
        Assert.Equal(one.ComputeStateHash(), two.ComputeStateHash());
        Assert.All(entries, e => Assert.Equal(e.ToArray(), Canonical.Encode(Canonical.Decode<TradeRecord>(e))));
    }
}
