using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Tests.Hosting;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>A PPC's ticks resend a pending transaction's messages only after their resend time, but ask to cancel at once past Time1 (Alg. 12).</summary>
public class ResendTests
{
    private static readonly ChainId BankA = new("bank-a");
    private static readonly ChainId Icc = new("icc-1");

    [Fact]
    public void Ticks_resend_after_the_resend_time_and_ask_to_cancel_at_the_first_tick_past_Time1_Alg12()
    {
        var ppc = (InProcessSettlementNetworkTests.Spec() with { ResendAfterMs = 1_000 }).CreateParticipant(BankA);
        var tx = Hash256.Compute("t"u8);
        var start = ppc.Execute(new StartTransfer(tx, Icc, new AccountId("alice"), new ChainId("bank-b"), new AccountId("bob"), new AssetCode("USD"),
            new Amount(10), AckMode.ModeI, SettlementTiming.RealTime, time1Ms: 3_500), blockTimeMs: 0);
        Assert.IsType<TransferRequest>(Payload(Assert.Single(start.Outbound)));

        Assert.Empty(ppc.Execute(new Tick(0), blockTimeMs: 999).Outbound);
        Assert.IsType<TransferRequest>(Payload(Assert.Single(ppc.Execute(new Tick(0), blockTimeMs: 1_000).Outbound)));
        Assert.Empty(ppc.Execute(new Tick(0), blockTimeMs: 1_500).Outbound);
        Assert.IsType<CancelRequest>(Payload(Assert.Single(ppc.Execute(new Tick(0), blockTimeMs: 3_600).Outbound)));
        Assert.Empty(ppc.Execute(new Tick(0), blockTimeMs: 4_000).Outbound);
        Assert.IsType<CancelRequest>(Payload(Assert.Single(ppc.Execute(new Tick(0), blockTimeMs: 4_600).Outbound)));
        Assert.Equal(CrossChainTransactionState.Pending, ppc.GetState(tx)); // it never voids on its own
    }

    private static TransferMessage Payload(Consensus.CrossChain.CrossChainMessage message) => Canonical.Decode<TransferMessage>(message.Payload);
}
