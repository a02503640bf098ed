using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Tests.Hosting;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>
/// A PPC's ticks re-emit a pending transaction's request no more often than its <see cref="ParticipantChainApplication.RetryIntervalMs"/>
/// (the relay already resends every committed message; each re-emission is a new message and a new ICC answer).
/// </summary>
public class ParticipantRetryIntervalTests
{
    private static readonly ChainId BankA = new("bank-a");
    private static readonly ChainId BankB = new("bank-b");
    private static readonly ChainId Icc = new("icc-1");

    [Fact]
    public void Ticks_re_emit_a_pending_request_once_per_interval_Alg12()
    {
        var ppc = InProcessSettlementNetworkTests.Spec().CreateParticipant(BankA, retryIntervalMs: 5_000);
        Assert.Equal(5_000, ppc.RetryIntervalMs);
        var start = ppc.Execute(Start(Hash256.Compute("retry-1"u8), time1Ms: 1_000_000), 1_000);
        Assert.Equal(TransferMessageKind.TransferRequest, Kind(Assert.Single(start.Outbound)));

        Assert.Empty(ppc.Execute(new Tick(5_999), 5_999).Outbound); // sent at 1,000: not due before 6,000
        Assert.Equal(TransferMessageKind.TransferRequest, Kind(Assert.Single(ppc.Execute(new Tick(6_000), 6_000).Outbound)));
        Assert.Empty(ppc.Execute(new Tick(10_999), 10_999).Outbound);
        Assert.Single(ppc.Execute(new Tick(11_000), 11_000).Outbound);

        // Past Time1 the cancel request is paced the same way.
        Assert.Equal(TransferMessageKind.CancelRequest, Kind(Assert.Single(ppc.Execute(new Tick(1_000_001), 1_000_001).Outbound)));
        Assert.Empty(ppc.Execute(new Tick(1_000_002), 1_000_002).Outbound);
    }

    [Fact]
    public void Without_an_interval_every_tick_re_emits_as_before()
    {
        var ppc = InProcessSettlementNetworkTests.Spec().CreateParticipant(BankA);
        Assert.Equal(0, ppc.RetryIntervalMs);
        ppc.Execute(Start(Hash256.Compute("retry-2"u8), time1Ms: 1_000_000), 1_000);
        Assert.Single(ppc.Execute(new Tick(1_000), 1_000).Outbound);
        Assert.Single(ppc.Execute(new Tick(1_001), 1_001).Outbound);
    }

    private static StartTransfer Start(Hash256 tx, long time1Ms) =>
        new(tx, Icc, new AccountId("alice"), BankB, new AccountId("bob"), new AssetCode("USD"), new Amount(10), AckMode.ModeI, SettlementTiming.RealTime, time1Ms);

    private static TransferMessageKind Kind(Consensus.CrossChain.CrossChainMessage message) =>
        Codec.Canonical.Decode<TransferMessage>(message.Payload).Kind;
}
