using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>
/// Several PPCs and one ICC in netting mode (SPEC S3), each a real application over a real ledger, and a deterministic
/// router. Every PPC has a funded customer account and a funded transit account (USD and EUR); every PPC has a funded
/// account on the ABC. Each PPC reaches the ICC's ABC through its own TBC, which passes messages on as soon as they
/// reach it. <see cref="Check"/> asserts conservation and netting-mode atomicity after every step.
/// </summary>
internal sealed class NettingWorld : LedgerWorld
{
    public static readonly ChainId IccId = new("icc");
    public static readonly AssetCode Usd = new("USD");
    public static readonly AssetCode Eur = new("EUR");
    public static readonly AccountId Customer = new("customer");
    public static readonly AccountId Transit = new("transit");
    public static readonly AccountId Clearing = new("clearing");
    public static readonly AccountId Outsider = new("outsider");

    private readonly Dictionary<AssetCode, long> _initialPosted;
    private readonly Dictionary<(ChainId, AssetCode), long> _initialAbc = [];

    /// <param name="participants">How many PPCs (named ppc-a, ppc-b, …).</param>
    /// <param name="policy">The cycle policy (cycle 1 opens at time 0).</param>
    /// <param name="abcFunding">What each PPC holds on the ABC per asset.</param>
    /// <param name="engine">The ICC's netting engine.</param>
    /// <param name="eurOnAbc">Which PPCs' ABC accounts hold EUR (all when null).</param>
    public NettingWorld(int participants, SettlementCyclePolicy policy, long abcFunding = 1_000, NettingEngine? engine = null, Func<int, bool>? eurOnAbc = null)
    {
        var owner = new InstitutionId("bank");
        var abc = new AccountLedger();
        Open(abc, owner, Clearing, Usd, Eur);
        Open(abc, owner, Outsider, Usd, Eur);
        var transit = new Dictionary<AssetCode, AccountId> { [Usd] = Transit, [Eur] = Transit };
        for (int i = 0; i < participants; i++)
        {
            var id = new ChainId("ppc-" + (char)('a' + i));
            var ledger = new AccountLedger();
            Open(ledger, owner, Customer, Usd, Eur);
            Open(ledger, owner, Transit, Usd, Eur);
            foreach (var asset in new[] { Usd, Eur })
            {
                Issue(ledger, Customer, asset, 10_000);
                Issue(ledger, Transit, asset, 10_000);
            }

            bool eur = eurOnAbc?.Invoke(i) ?? true;
            Open(abc, owner, AbcOf(id), eur ? new[] { Usd, Eur } : new[] { Usd });
            Issue(abc, AbcOf(id), Usd, abcFunding);
            _initialAbc[(id, Usd)] = abcFunding;
            if (eur)
            {
                Issue(abc, AbcOf(id), Eur, abcFunding);
                _initialAbc[(id, Eur)] = abcFunding;
            }

            var app = new ParticipantChainApplication(id, ledger, transit);
            app.Link(IccId, TbcOf(id));
            Participants.Add(id);
            Ppcs[id] = app;
            Tbcs[TbcOf(id)] = new TradingChainApplication(TbcOf(id), IccId, id);
        }

        FirstCycle = new SettlementCycle(new CycleId(IccId, 1), policy, 0);
        Icc = new IntermediaryChainApplication(IccId, abc, Clearing, FirstCycle, engine);
        foreach (var p in Participants)
        {
            Icc.Link(p, AbcOf(p), TbcOf(p));
        }

        _initialPosted = PostedPerAsset();
    }

    public List<ChainId> Participants { get; } = [];

    public Dictionary<ChainId, ParticipantChainApplication> Ppcs { get; } = [];

    public Dictionary<ChainId, TradingChainApplication> Tbcs { get; } = [];

    public IntermediaryChainApplication Icc { get; }

    public SettlementCycle FirstCycle { get; }

    public long Now { get; set; } = 1_000;

    public List<CrossChainMessage> InFlight { get; } = [];

    public Dictionary<Hash256, GrossObligation> Started { get; } = [];

    /// <summary>Transactions whose ABC leg 1 a test altered outside the protocol: <see cref="Check"/> does not expect it pending.</summary>
    public HashSet<Hash256> Tampered { get; } = [];

    public ChainId this[int index] => Participants[index];

    public static AccountId AbcOf(ChainId participant) => new("abc-" + participant);

    public static ChainId TbcOf(ChainId participant) => new("icc.tbc-" + participant);

    public static Hash256 Tx(int n) => Hash256.Compute(BitConverter.GetBytes(n));

    public long InitialAbc(ChainId participant, AssetCode asset) => _initialAbc.GetValueOrDefault((participant, asset));

    public long AbcPosted(ChainId participant, AssetCode asset) => Icc.Ledger.GetBalance(AbcOf(participant), asset).Posted.MinorUnits;

    /// <summary>PPC <paramref name="payer"/>'s customer pays PPC <paramref name="payee"/>'s customer, netting mode.</summary>
    public CrossChainExecution Start(Hash256 tx, ChainId payer, ChainId payee, AssetCode asset, long amount, long time1Ms,
        AckMode mode = AckMode.ModeI, AccountId? payeeAccount = null)
    {
        Started[tx] = new GrossObligation(tx, payer, payee, asset, new Amount(amount));
        var r = Ppcs[payer].Execute(new StartTransfer(tx, IccId, Customer, payee, payeeAccount ?? Customer, asset, new Amount(amount), mode,
            SettlementTiming.Netting, time1Ms).ToCanonicalBytes(), Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    public CrossChainExecution Deliver(CrossChainMessage m)
    {
        if (Tbcs.TryGetValue(m.Destination, out var tbc))
        {
            var passed = tbc.Execute(m, Now);
            return passed.Outbound.Count == 1 ? Deliver(passed.Outbound[0]) : passed;
        }

        var r = m.Destination == IccId ? Icc.Execute(m, Now) : Ppcs[m.Destination].Execute(m, Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    /// <summary>Queues what a chain emits; what it sends to a TBC is passed on at once.</summary>
    public void Emit(IEnumerable<CrossChainMessage> outbound)
    {
        foreach (var m in outbound)
        {
            if (Tbcs.TryGetValue(m.Destination, out var tbc))
            {
                Emit(tbc.Execute(m, Now).Outbound);
            }
            else
            {
                InFlight.Add(m);
            }
        }
    }

    public CrossChainExecution DeliverAt(int index)
    {
        var m = InFlight[index];
        InFlight.RemoveAt(index);
        return Deliver(m);
    }

    public void Run(int maxSteps = 100_000)
    {
        for (int i = 0; i < maxSteps && InFlight.Count > 0; i++)
        {
            DeliverAt(0);
        }

        Assert.Empty(InFlight);
    }

    /// <summary>The ICC commits a <see cref="CloseCycle"/>.</summary>
    public CrossChainExecution Close(ulong sequence)
    {
        var r = Icc.Execute(new CloseCycle(sequence), Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    /// <summary>The ICC commits a <see cref="Tick"/>.</summary>
    public CrossChainExecution TickIcc()
    {
        var r = Icc.Execute(new Tick(Now), Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    /// <summary>Every chain commits a Tick (PPC retries, ICC time-outs and cycle ends).</summary>
    public void TickAll()
    {
        foreach (var p in Participants)
        {
            Emit(Ppcs[p].Execute(new Tick(Now), Now).Outbound);
        }

        TickIcc();
    }

    public CrossChainMessage Take(TransferMessageKind kind, Hash256 tx)
    {
        int i = InFlight.FindIndex(m => Codec.Canonical.Decode<TransferMessage>(m.Payload) is { } p && p.Kind == kind && p.TransactionId == tx);
        Assert.True(i >= 0, $"no {kind} of {tx} in flight");
        var m = InFlight[i];
        InFlight.RemoveAt(i);
        return m;
    }

    /// <summary>
    /// Conservation per asset over every ledger; pending debits equal pending credits on every ledger; netting-mode
    /// atomicity per transaction: the two PPC legs are never one posted and one voided, ABC leg 2 never exists, and a
    /// posted PPC leg means the ICC committed (leg 1 voided, replaced by the posted net).
    /// </summary>
    public void Check()
    {
        Assert.Equal(_initialPosted, PostedPerAsset());
        AssertPendingBalanced();

        foreach (var (tx, o) in Started)
        {
            var payer = Leg(Ppcs[o.Payer].Ledger, ParticipantChainApplication.LegId(tx, true));
            var payee = Leg(Ppcs[o.Payee].Ledger, ParticipantChainApplication.LegId(tx, false));
            var leg1 = Leg(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 1));
            Assert.Null(Leg(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 2)));
            Assert.False(payer == TransferState.Posted && payee == TransferState.Voided, $"{tx}: PPC1 posted, PPC2 voided");
            Assert.False(payer == TransferState.Voided && payee == TransferState.Posted, $"{tx}: PPC1 voided, PPC2 posted");
            if (payer == TransferState.Posted || payee == TransferState.Posted)
            {
                Assert.Equal(CrossChainTransactionState.Committed, Icc.GetState(tx));
            }

            if (Icc.GetState(tx) == CrossChainTransactionState.Committed)
            {
                Assert.Equal(TransferState.Voided, leg1);
                Assert.NotEqual(TransferState.Voided, payer);
                Assert.NotEqual(TransferState.Voided, payee);
            }

            if (Icc.GetState(tx) == CrossChainTransactionState.Tentative && !Tampered.Contains(tx))
            {
                Assert.Equal(TransferState.Pending, leg1);
            }
        }
    }

    /// <summary>Asserts that a transaction settled by the cycle end: ICC and both PPCs Committed, both PPC legs posted, leg 1 voided.</summary>
    public void AssertCommitted(Hash256 tx)
    {
        var o = Started[tx];
        Assert.Equal(CrossChainTransactionState.Committed, Icc.GetState(tx));
        Assert.Equal(CrossChainTransactionState.Committed, Ppcs[o.Payer].GetState(tx));
        Assert.Equal(CrossChainTransactionState.Committed, Ppcs[o.Payee].GetState(tx));
        Assert.Equal(TransferState.Posted, Leg(Ppcs[o.Payer].Ledger, ParticipantChainApplication.LegId(tx, true)));
        Assert.Equal(TransferState.Posted, Leg(Ppcs[o.Payee].Ledger, ParticipantChainApplication.LegId(tx, false)));
        Assert.Equal(TransferState.Voided, Leg(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 1)));
    }

    /// <summary>Asserts that a transaction waits for its cycle: ICC Tentative, all three legs pending.</summary>
    public void AssertTentative(Hash256 tx)
    {
        var o = Started[tx];
        Assert.Equal(CrossChainTransactionState.Tentative, Icc.GetState(tx));
        Assert.Equal(CrossChainTransactionState.Pending, Ppcs[o.Payer].GetState(tx));
        Assert.Equal(CrossChainTransactionState.Pending, Ppcs[o.Payee].GetState(tx));
        Assert.Equal(TransferState.Pending, Leg(Ppcs[o.Payer].Ledger, ParticipantChainApplication.LegId(tx, true)));
        Assert.Equal(TransferState.Pending, Leg(Ppcs[o.Payee].Ledger, ParticipantChainApplication.LegId(tx, false)));
        Assert.Equal(TransferState.Pending, Leg(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 1)));
    }

    /// <summary>The state hash of every ledger (ABC first, then the PPCs in order): equal on two worlds that executed the same entries.</summary>
    public IReadOnlyList<Hash256> StateHashes() => [.. Ledgers.Select(l => l.ComputeStateHash())];

    public static TransferState? Leg(AccountLedger l, TransferId id) => l.TryGetTransfer(id, out var info) ? info.State : null;

    protected override IEnumerable<AccountLedger> Ledgers => [Icc.Ledger, .. Participants.Select(p => Ppcs[p].Ledger)];
}
