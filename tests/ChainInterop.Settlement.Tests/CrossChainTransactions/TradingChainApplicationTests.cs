using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>
/// A trading chain (TBC) between a PPC and its intermediary's ABC (seed 000 [0013]–[0015], Alg. 1–2): every message
/// passes through it, committed there first, and it keeps its PPC's transaction records.
/// </summary>
public sealed class TradingChainApplicationTests
{
    private static readonly ChainId Tbc = new("icc-1.tbc1");
    private static readonly ChainId Abc = new("icc-1");
    private static readonly ChainId Ppc = new("bank-a");
    private static readonly ChainId OtherPpc = new("bank-b");
    private static readonly AssetCode Usd = new("USD");
    private static readonly AccountId Bob = new("bob");
    private const long Now = 1_000_000;
    private const long Retention = 60_000;

    private readonly TradingChainApplication _tbc = new(Tbc, Abc, Ppc, Retention);
    private ulong _sequence;

    [Fact]
    public void A_PPCs_request_is_recorded_pending_and_passed_to_the_ABC_unchanged_Alg1()
    {
        var tx = Tx(1);
        var request = Request(tx);

        var result = _tbc.Execute(From(Ppc, request), Now);

        Assert.Equal((CrossChainResultCode.Ok, CrossChainTransactionState.Pending), (result.Code, result.State));
        var sent = Assert.Single(result.Outbound);
        Assert.Equal((Tbc, Abc, 0UL), (sent.Source, sent.Destination, sent.Sequence));
        Assert.Equal(request.ToCanonicalBytes(), sent.Payload.ToArray());
        var record = _tbc.GetTrade(tx)!;
        Assert.Equal((TradeStatus.Pending, Ppc, new InstitutionId("bank-a"), new InstitutionId("bank-b"), 250L), (record.Status, record.ParticipantChain, record.Payer, record.Payee, record.Amount.MinorUnits));
        Assert.Equal(IntermediaryChainApplication.LegId(tx, 1), record.AbcTransfer);

        // A retry passes on again (the ABC answers retries), the record stays as it is.
        var retry = _tbc.Execute(From(Ppc, request), Now + 10);
        Assert.Equal(1UL, Assert.Single(retry.Outbound).Sequence);
        Assert.Single(_tbc.Records.History(tx));
    }

    [Fact]
    public void An_offer_from_the_ABC_is_recorded_on_the_payees_TBC_and_its_decision_closes_it_Alg2()
    {
        var tx = Tx(2);
        var offer = new TransferOffer(tx, OtherPpc, Bob, Usd, new Amount(40), Now + 5_000);

        var passed = _tbc.Execute(From(Abc, offer), Now);
        Assert.Equal((Tbc, Ppc), (Assert.Single(passed.Outbound).Source, passed.Outbound[0].Destination));
        Assert.Equal((TradeStatus.Pending, new InstitutionId("bank-b"), new InstitutionId("bank-a")), (_tbc.GetTrade(tx)!.Status, _tbc.GetTrade(tx)!.Payer, _tbc.GetTrade(tx)!.Payee));
        Assert.Equal(IntermediaryChainApplication.LegId(tx, 2), _tbc.GetTrade(tx)!.AbcTransfer);

        // PPC2's answer goes to the ABC; the ABC's decision closes the record and goes to PPC2.
        Assert.Equal(Abc, Assert.Single(_tbc.Execute(From(Ppc, new TransferAccept(tx, Bob, Usd, new Amount(40))), Now + 1).Outbound).Destination);
        var decided = _tbc.Execute(From(Abc, new TransferCommitted(tx)), Now + 2);
        Assert.Equal(CrossChainTransactionState.Committed, decided.State);
        Assert.Equal(Ppc, Assert.Single(decided.Outbound).Destination);
        Assert.Equal([TradeStatus.Pending, TradeStatus.Committed], _tbc.Records.History(tx).Select(r => r.Status));

        // A repeated decision passes on again and records nothing more.
        Assert.Single(_tbc.Execute(From(Abc, new TransferCommitted(tx)), Now + 3).Outbound);
        Assert.Equal(2, _tbc.Records.History(tx).Count);
    }

    [Fact]
    public void A_cancellation_closes_the_record_as_cancelled_and_one_for_an_unknown_transaction_still_reaches_the_PPC_Alg12()
    {
        var tx = Tx(3);
        _tbc.Execute(From(Ppc, Request(tx)), Now);
        Assert.Equal(Abc, Assert.Single(_tbc.Execute(From(Ppc, new CancelRequest(tx, Now + 5_000)), Now + 6_000).Outbound).Destination);
        Assert.Equal(CrossChainTransactionState.Cancelled, _tbc.Execute(From(Abc, new TransferCancelled(tx, TransferFailureReason.TimedOut)), Now + 6_001).State);

        // The ABC cancelled a transaction whose request never reached this TBC: PPC1 must still hear of it.
        var unknown = _tbc.Execute(From(Abc, new TransferCancelled(Tx(4), TransferFailureReason.TimedOut)), Now + 7_000);
        Assert.Equal(Ppc, Assert.Single(unknown.Outbound).Destination);
        Assert.Null(_tbc.GetTrade(Tx(4)));
    }

    [Fact]
    public void A_cancellation_that_overtakes_its_offer_leaves_no_pending_record_when_the_offer_arrives()
    {
        // Messages between chains arrive in any order: the ABC's cancel reached this TBC before its offer did.
        var tx = Tx(7);
        Assert.Single(_tbc.Execute(From(Abc, new TransferCancelled(tx, TransferFailureReason.TimedOut)), Now).Outbound);
        var late = _tbc.Execute(From(Abc, new TransferOffer(tx, OtherPpc, Bob, Usd, new Amount(40), Now + 5_000)), Now + 1);

        Assert.Equal(CrossChainTransactionState.Cancelled, late.State);
        Assert.Single(late.Outbound); // PPC2 still hears of it (its own tombstone makes it reserve nothing)
        Assert.Equal([TradeStatus.Pending, TradeStatus.Cancelled], _tbc.Records.History(tx).Select(r => r.Status));
    }

    public static TheoryData<string> WrongSenders => new() { "offer from the PPC", "decision from the PPC", "request from the ABC", "request for another payer", "stranger chain", "not a transfer message" };

    [Theory]
    [MemberData(nameof(WrongSenders))]
    public void A_message_the_wrong_side_sends_is_refused_and_not_passed_on(string name)
    {
        var tx = Tx(5);
        var message = name switch
        {
            "offer from the PPC" => From(Ppc, new TransferOffer(tx, OtherPpc, Bob, Usd, new Amount(1), Now + 5_000)),
            "decision from the PPC" => From(Ppc, new TransferCommitted(tx)),
            "request from the ABC" => From(Abc, Request(tx)),
            "request for another payer" => From(Ppc, new TransferRequest(tx, OtherPpc, Ppc, Bob, Usd, new Amount(1), AckMode.ModeI, SettlementTiming.RealTime, Now + 5_000)),
            "stranger chain" => From(new ChainId("bank-z"), Request(tx)),
            _ => new CrossChainMessage(Ppc, Tbc, _sequence++, [0x91, 0x01]),
        };

        var result = _tbc.Execute(message, Now);

        Assert.NotEqual(CrossChainResultCode.Ok, result.Code);
        Assert.Empty(result.Outbound);
        Assert.Equal(0, _tbc.Records.TransactionCount);
    }

    [Fact]
    public void A_transaction_is_forgotten_once_its_retention_ran_out_and_a_replay_of_it_is_not_passed_on()
    {
        var tx = Tx(6);
        _tbc.Execute(From(Ppc, Request(tx, time1Ms: Now + 1_000)), Now);
        _tbc.Execute(From(Abc, new TransferCommitted(tx)), Now + 10);

        _tbc.Execute(new Tick(Now + 1_000 + Retention), Now + 1_000 + Retention);
        Assert.NotNull(_tbc.GetTrade(tx)); // not yet: the period is counted from Time1
        _tbc.Execute(new Tick(Now + 1_001 + Retention), Now + 1_001 + Retention);
        Assert.Null(_tbc.GetTrade(tx));

        var replay = _tbc.Execute(From(Ppc, Request(tx, time1Ms: Now + 1_000)), Now + 2_000 + Retention);
        Assert.Equal(CrossChainResultCode.Expired, replay.Code);
        Assert.Empty(replay.Outbound);
    }

    [Fact]
    public void A_TBC_restored_from_a_snapshot_goes_on_exactly_as_the_original_and_refuses_damaged_bytes_C5()
    {
        var script = new List<(CrossChainMessage Message, long At)>();
        for (int i = 0; i < 12; i++)
        {
            var tx = Tx(100 + i);
            script.Add((From(Ppc, Request(tx)), Now + (i * 10)));
            script.Add((From(Abc, new TransferOffer(Tx(200 + i), OtherPpc, Bob, Usd, new Amount(5 + i), Now + 5_000)), Now + (i * 10) + 1));
            script.Add((From(Abc, i % 3 == 0 ? new TransferCancelled(tx, TransferFailureReason.TimedOut) : new TransferCommitted(tx)), Now + (i * 10) + 2));
        }

        var original = new TradingChainApplication(Tbc, Abc, Ppc, Retention);
        var results = script.Select(s => Encode(original.Execute(s.Message, s.At))).ToList();
        byte[] final = Snapshot(original);

        var replayed = new TradingChainApplication(Tbc, Abc, Ppc, Retention);
        for (int cut = 0; cut < script.Count; cut++)
        {
            replayed.Execute(script[cut].Message, script[cut].At);
            byte[] bytes = Snapshot(replayed);
            var restored = new TradingChainApplication(Tbc, Abc, Ppc, Retention);
            restored.RestoreSnapshot(bytes);
            Assert.Equal(bytes, Snapshot(restored));
            for (int next = cut + 1; next < script.Count; next++)
            {
                Assert.Equal(results[next], Encode(restored.Execute(script[next].Message, script[next].At)));
            }

            Assert.Equal(final, Snapshot(restored));
        }

        byte[] before = Snapshot(_tbc);
        Assert.Throws<CodecException>(() => _tbc.RestoreSnapshot(final.AsMemory(0, final.Length - 2)));
        Assert.Throws<CodecException>(() => new TradingChainApplication(new ChainId("icc-1.tbc2"), Abc, OtherPpc).RestoreSnapshot(final));
        Assert.Equal(before, Snapshot(_tbc));
    }

    private static Hash256 Tx(int n) => Hash256.Compute(BitConverter.GetBytes(n));

    private static TransferRequest Request(Hash256 tx, long time1Ms = Now + 5_000) =>
        new(tx, Ppc, OtherPpc, Bob, Usd, new Amount(250), AckMode.ModeI, SettlementTiming.RealTime, time1Ms);

    private CrossChainMessage From(ChainId source, TransferMessage payload) => new(source, Tbc, _sequence++, payload.ToCanonicalBytes());

    private static byte[] Snapshot(TradingChainApplication application)
    {
        var output = new ArrayBufferWriter<byte>();
        application.WriteSnapshot(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Encode(CrossChainExecution execution) =>
        [(byte)execution.Code, (byte)(execution.State ?? 0), .. execution.Outbound.SelectMany(m => Canonical.Encode(m))];
}
