using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.CrossChainTransactions.TransferWorld;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

public sealed class CrossChainTransactionPropertyTests
{
    private const int Runs = 200;
    private const int StepsPerRun = 80;

    /// <summary>
    /// A run's script: <see cref="Setup"/> picks the transfers (how many, amounts, payees, deadlines, the cycle length);
    /// each of <see cref="Steps"/> is one action (its value modulo the action count) with an argument (the rest).
    /// </summary>
    private sealed record Script(int[] Setup, int[] Steps)
    {
        public const int SetupLength = 9;

        public override string ToString() => $"setup [{string.Join(",", Setup)}] steps [{string.Join(",", Steps)}]";
    }

    /// <summary>
    /// Nine setup values and <see cref="StepsPerRun"/> steps, each 0 to 10^6. Shrinks to fewer steps (healing still
    /// decides every transfer), to steps that keep their action with the smallest argument (value modulo 60, a multiple
    /// of both scripts' action counts), and to smaller setup values; the setup always has its nine values.
    /// </summary>
    private static readonly Arbitrary<Script> Scripts = Arb.From(
        from setup in Gen.ArrayOf(Gen.Choose(0, 1_000_000), Script.SetupLength)
        from steps in Gen.ArrayOf(Gen.Choose(0, 1_000_000), StepsPerRun)
        select new Script(setup, steps),
        s => Shrink.Array(s.Steps, v => v >= 60 ? [v % 60] : []).Select(steps => s with { Steps = steps })
            .Concat(Shrink.Array(s.Setup, v => Shrink.Toward(v, 0), minLength: Script.SetupLength).Select(setup => s with { Setup = setup })));

    [Property(MaxTest = Runs)]
    public Property S2_random_interleavings_with_drops_duplicates_and_time_outs_stay_atomic_and_conserved_and_every_transfer_ends_decided() =>
        Prop.ForAll(Scripts, Run);

    private static void Run(Script script)
    {
        int[] a = script.Setup;
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

        foreach (int v in script.Steps)
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
    }

    [Property(MaxTest = Runs)]
    public Property S3_netting_transfers_among_three_PPCs_with_cycle_ends_under_drops_duplicates_and_reorders_stay_atomic_and_move_only_the_nets() =>
        Prop.ForAll(Scripts, RunNetting);

    /// <summary>
    /// Netting mode (Alg. 11) among three PPCs: random transfers, deliveries, duplicates, losses, clock steps, ticks and
    /// CloseCycle entries (also replayed ones). NettingWorld.Check asserts conservation and netting atomicity after
    /// every step; at the end every transfer is decided on every chain, nothing is pending, and each PPC's ABC balance
    /// moved by exactly its net of the committed transfers.
    /// </summary>
    private static void RunNetting(Script script)
    {
        int[] a = script.Setup;
        var w = new NettingWorld(3, SettlementCyclePolicy.ByDuration(TimeSpan.FromMilliseconds(1 + (a[0] % 3_000))));
        int count = 2 + (a[0] % 5);
        var txs = Enumerable.Range(0, count).Select(i => NettingWorld.Tx(1_000 + i)).ToArray();
        int started = 0;

        void StartNext()
        {
            int i = started++;
            int payer = a[1 + (i % 8)] % 3;
            int payee = (payer + 1 + (a[1 + ((i + 3) % 8)] % 2)) % 3;
            var asset = a[1 + ((i + 5) % 8)] % 3 == 0 ? NettingWorld.Eur : NettingWorld.Usd;
            var payeeAccount = a[1 + ((i + 1) % 8)] % 7 == 0 ? new AccountId("nobody") : NettingWorld.Customer;
            w.Start(txs[i], w[payer], w[payee], asset, 1 + (a[1 + ((i + 2) % 8)] % 400), w.Now + 50 + (a[1 + ((i + 4) % 8)] % 2_000),
                i % 2 == 0 ? AckMode.ModeI : AckMode.ModeII, payeeAccount);
        }

        foreach (int v in script.Steps)
        {
            int pick = w.InFlight.Count == 0 ? 0 : v / 12 % w.InFlight.Count;
            switch (v % 12)
            {
                case < 5 when w.InFlight.Count > 0:
                    w.DeliverAt(pick);
                    break;
                case 5 when w.InFlight.Count > 0:
                    w.Deliver(w.InFlight[pick]); // duplicate
                    break;
                case 6 when w.InFlight.Count > 0:
                    w.InFlight.RemoveAt(pick); // lost
                    break;
                case 7:
                    w.Now += v / 12 % 300;
                    break;
                case 8:
                    w.TickAll();
                    break;
                case 9 when started < count:
                    StartNext();
                    break;
                case 10:
                    w.Close(w.Icc.Cycle!.Id.Sequence);
                    break;
                case 11:
                    w.Close(Math.Max(1, w.Icc.Cycle!.Id.Sequence - 1)); // a replayed close of the previous cycle
                    break;
                default:
                    break;
            }
        }

        while (started < count)
        {
            StartNext();
        }

        // Heal: time passes, every chain ticks (retries, time-outs, cycle ends), the relays deliver everything.
        for (int round = 0; round < 12 && txs.Any(t => !NettingFinal(w, t)); round++)
        {
            w.Now += 5_000;
            w.TickAll();
            w.Run();
        }

        Assert.Empty(w.Icc.CyclesUnderReview);
        var nets = new Dictionary<(ChainId, AssetCode), long>();
        foreach (var tx in txs)
        {
            var o = w.Started[tx];
            Assert.True(NettingFinal(w, tx), $"{tx} not decided: ICC {w.Icc.GetState(tx)}, PPC1 {w.Ppcs[o.Payer].GetState(tx)}, PPC2 {w.Ppcs[o.Payee].GetState(tx)}");
            if (w.Icc.GetState(tx) == CrossChainTransactionState.Committed)
            {
                w.AssertCommitted(tx);
                nets[(o.Payer, o.Asset)] = nets.GetValueOrDefault((o.Payer, o.Asset)) - o.Amount.MinorUnits;
                nets[(o.Payee, o.Asset)] = nets.GetValueOrDefault((o.Payee, o.Asset)) + o.Amount.MinorUnits;
            }
            else
            {
                Assert.NotEqual(TransferState.Posted, NettingWorld.Leg(w.Ppcs[o.Payer].Ledger, ParticipantChainApplication.LegId(tx, true)));
                Assert.NotEqual(TransferState.Posted, NettingWorld.Leg(w.Ppcs[o.Payee].Ledger, ParticipantChainApplication.LegId(tx, false)));
            }
        }

        foreach (var p in w.Participants)
        {
            Assert.Equal(0, w.Ppcs[p].Ledger.PendingCount);
            foreach (var asset in new[] { NettingWorld.Usd, NettingWorld.Eur })
            {
                Assert.Equal(w.InitialAbc(p, asset) + nets.GetValueOrDefault((p, asset)), w.AbcPosted(p, asset));
            }
        }

        Assert.Equal(0, w.Icc.Ledger.PendingCount);
    }

    private static bool NettingFinal(NettingWorld w, Hash256 tx)
    {
        var o = w.Started[tx];
        var ppc1 = w.Ppcs[o.Payer].GetState(tx);
        if (ppc1 == CrossChainTransactionState.Failed)
        {
            return true;
        }

        bool iccDone = w.Icc.GetState(tx) is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled or CrossChainTransactionState.Failed;
        bool ppcDone = ppc1 is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled
            && w.Ppcs[o.Payee].GetState(tx) is null or CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled;
        return iccDone && ppcDone;
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
