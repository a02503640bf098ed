using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.CrossChainTransactions.TransferWorld;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

public sealed class CrossChainTransactionPropertyTests
{
    private const int Runs = 200;
    private const int StepsPerRun = 80;

    [Fact]
    public void S2_random_interleavings_with_drops_duplicates_and_time_outs_stay_atomic_and_conserved_and_every_transfer_ends_decided()
    {
        var gen = Gen.ArrayOf(Gen.Choose(0, 1_000_000), StepsPerRun + 9);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Runs), Prop.ForAll(gen.ToArbitrary(), Run));
    }

    private static bool Run(int[] a)
    {
        if (a.Length < StepsPerRun + 9)
        {
            return true; // shrunk below the script's shape: nothing to drive
        }

        var w = new TransferWorld();
        int count = 1 + (a[0] % 4);
        var txs = Enumerable.Range(0, count).Select(i => Tx(1_000 + i)).ToArray();
        int started = 0;

        void StartNext()
        {
            int i = started++;
            var payee = a[5 + i] % 6 == 0 ? new AccountId("nobody") : Bob;
            w.Start(txs[i], new Amount(1 + (a[1 + i] % 300)), w.Now + 50 + (a[5 + i] % 500), payee: payee,
                mode: i % 2 == 0 ? AckMode.ModeI : AckMode.ModeII);
        }

        foreach (int v in a.Skip(9))
        {
            int pick = w.InFlight.Count == 0 ? 0 : v / 10 % w.InFlight.Count;
            switch (v % 10)
            {
                case < 5 when w.InFlight.Count > 0:
                    w.DeliverAt(pick);
                    break;
                case 5 when w.InFlight.Count > 0:
                    w.Deliver(w.InFlight[pick]); // duplicate: the copy stays in flight
                    break;
                case 6 when w.InFlight.Count > 0:
                    w.InFlight.RemoveAt(pick); // lost
                    break;
                case 7:
                    w.Now += v / 10 % 200;
                    break;
                case 8:
                    w.TickAll();
                    break;
                case 9 when started < count:
                    StartNext();
                    break;
                default:
                    break;
            }
        }

        while (started < count)
        {
            StartNext();
        }

        // Heal: the relays retry (ticks) and deliver everything until quiescent.
        for (int round = 0; round < 10 && txs.Any(t => !Final(w, t)); round++)
        {
            w.Now += 1_000;
            w.TickAll();
            w.Run();
        }

        foreach (var tx in txs)
        {
            Assert.True(Final(w, tx), $"{tx} not decided: ICC {w.Icc.GetState(tx)}, PPC1 {w.Ppc1.GetState(tx)}, PPC2 {w.Ppc2.GetState(tx)}");
            if (w.Ppc1.GetState(tx) == CrossChainTransactionState.Failed)
            {
                // PPC1 refused its own client (balance): nothing was reserved or sent anywhere.
                Assert.Empty(w.LegStates(tx));
                Assert.Null(w.Icc.GetState(tx));
                continue;
            }

            w.AssertFinal(tx, w.Icc.GetState(tx) == CrossChainTransactionState.Committed
                ? CrossChainTransactionState.Committed : CrossChainTransactionState.Cancelled);
        }

        Assert.Equal(0, w.Ppc1.Ledger.PendingCount);
        Assert.Equal(0, w.Ppc2.Ledger.PendingCount);
        Assert.Equal(0, w.Icc.Ledger.PendingCount);
        return true;
    }

    private static bool Final(TransferWorld w, Hash256 tx)
    {
        var icc = w.Icc.GetState(tx);
        var ppc1 = w.Ppc1.GetState(tx);
        if (ppc1 == CrossChainTransactionState.Failed)
        {
            return true;
        }

        bool iccDone = icc is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled or CrossChainTransactionState.Failed;
        bool ppcDone = ppc1 is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled
            && w.Ppc2.GetState(tx) is null or CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled;
        return iccDone && ppcDone;
    }
}
