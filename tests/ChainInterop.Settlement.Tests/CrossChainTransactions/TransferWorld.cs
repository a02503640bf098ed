using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>
/// Two PPCs and one ICC (its ABC and a TBC per PPC), each a real application over a real ledger, and a tiny
/// deterministic router. A TBC passes messages on as soon as they reach it, so a test sees (and may lose, delay or
/// reorder) each message between a PPC and the ABC as one hop.
/// </summary>
internal sealed class TransferWorld : LedgerWorld
{
    public static readonly ChainId Ppc1Id = new("ppc1");
    public static readonly ChainId Ppc2Id = new("ppc2");
    public static readonly ChainId IccId = new("icc");
    public static readonly ChainId Tbc1Id = new("icc.tbc1");
    public static readonly ChainId Tbc2Id = new("icc.tbc2");
    public static readonly AssetCode Usd = new("USD");
    public static readonly AssetCode Eur = new("EUR");
    public static readonly AccountId Alice = new("alice");
    public static readonly AccountId Bob = new("bob");
    public static readonly AccountId Carol = new("carol");
    public static readonly AccountId Transit = new("transit");
    public static readonly AccountId Clearing = new("clearing");
    public static readonly AccountId AbcPpc1 = new("abc-ppc1");
    public static readonly AccountId AbcPpc2 = new("abc-ppc2");

    private readonly Dictionary<AssetCode, long> _initialPosted;

    public TransferWorld(SettlementCycle? cycle = null, long retentionMs = ParticipantChainApplication.DefaultRetentionMs)
    {
        var owner = new InstitutionId("bank");
        var l1 = new AccountLedger();
        Open(l1, owner, Alice, Usd, Eur);
        Open(l1, owner, Transit, Usd, Eur);
        Issue(l1, Alice, Usd, 1_000);
        Issue(l1, Alice, Eur, 1_000);
        var l2 = new AccountLedger();
        Open(l2, owner, Bob, Usd);
        Open(l2, owner, Carol, Eur);
        Open(l2, owner, Transit, Usd, Eur);
        Issue(l2, Transit, Usd, 1_000);
        var abc = new AccountLedger();
        Open(abc, owner, AbcPpc1, Usd);
        Open(abc, owner, AbcPpc2, Usd, Eur);
        Open(abc, owner, Clearing, Usd, Eur);
        Issue(abc, AbcPpc1, Usd, 500);
        var transit = new Dictionary<AssetCode, AccountId> { [Usd] = Transit, [Eur] = Transit };
        Ppc1 = new ParticipantChainApplication(Ppc1Id, l1, transit, retentionMs: retentionMs);
        Ppc2 = new ParticipantChainApplication(Ppc2Id, l2, transit, retentionMs: retentionMs);
        Icc = new IntermediaryChainApplication(IccId, abc, Clearing, cycle, retentionMs: retentionMs);
        Tbc1 = new TradingChainApplication(Tbc1Id, IccId, Ppc1Id, retentionMs);
        Tbc2 = new TradingChainApplication(Tbc2Id, IccId, Ppc2Id, retentionMs);
        Ppc1.Link(IccId, Tbc1Id);
        Ppc2.Link(IccId, Tbc2Id);
        Icc.Link(Ppc1Id, AbcPpc1, Tbc1Id);
        Icc.Link(Ppc2Id, AbcPpc2, Tbc2Id);
        _initialPosted = PostedPerAsset();
    }

    public ParticipantChainApplication Ppc1 { get; }

    public ParticipantChainApplication Ppc2 { get; }

    public IntermediaryChainApplication Icc { get; }

    public TradingChainApplication Tbc1 { get; }

    public TradingChainApplication Tbc2 { get; }

    public long Now { get; set; } = 1_000;

    public List<CrossChainMessage> InFlight { get; } = [];

    public List<Hash256> Started { get; } = [];

    public static Hash256 Tx(int n) => Hash256.Compute(BitConverter.GetBytes(n));

    public CrossChainExecution Start(Hash256 tx, Amount amount, long time1Ms, AssetCode? asset = null, AccountId? payee = null,
        AckMode mode = AckMode.ModeI, SettlementTiming timing = SettlementTiming.RealTime)
    {
        Started.Add(tx);
        var r = Ppc1.Execute(new StartTransfer(tx, IccId, Alice, Ppc2Id, payee ?? Bob, asset ?? Usd, amount, mode, timing, time1Ms).ToCanonicalBytes(), Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    /// <summary>
    /// Delivers one message to its destination chain, queues what it emits, and checks the invariants. A message a test
    /// writes between a PPC and the ABC directly goes through that PPC's TBC first, as it would on the network.
    /// </summary>
    public CrossChainExecution Deliver(CrossChainMessage m)
    {
        if (TradingChainBetween(m.Source, m.Destination) is { } tbc)
        {
            return Deliver(new CrossChainMessage(m.Source, tbc.Chain, m.Sequence, m.Payload.Span));
        }

        if (m.Destination == Tbc1Id || m.Destination == Tbc2Id)
        {
            var passed = (m.Destination == Tbc1Id ? Tbc1 : Tbc2).Execute(m, Now);
            return passed.Outbound.Count == 1 ? Deliver(passed.Outbound[0]) : passed;
        }

        var r = m.Destination == IccId ? Icc.Execute(m, Now)
            : m.Destination == Ppc1Id ? Ppc1.Execute(m, Now)
            : Ppc2.Execute(m, Now);
        Emit(r.Outbound);
        Check();
        return r;
    }

    /// <summary>Queues what a chain emits; what it sends to a TBC is passed on at once.</summary>
    public void Emit(IEnumerable<CrossChainMessage> outbound)
    {
        foreach (var m in outbound)
        {
            if (m.Destination == Tbc1Id || m.Destination == Tbc2Id)
            {
                Emit((m.Destination == Tbc1Id ? Tbc1 : Tbc2).Execute(m, Now).Outbound);
            }
            else
            {
                InFlight.Add(m);
            }
        }
    }

    private TradingChainApplication? TradingChainBetween(ChainId source, ChainId destination) =>
        (source, destination) switch
        {
            var (s, d) when d == IccId && s == Ppc1Id => Tbc1,
            var (s, d) when d == IccId && s == Ppc2Id => Tbc2,
            var (s, d) when s == IccId && d == Ppc1Id => Tbc1,
            var (s, d) when s == IccId && d == Ppc2Id => Tbc2,
            _ => null,
        };

    public CrossChainExecution DeliverAt(int index)
    {
        var m = InFlight[index];
        InFlight.RemoveAt(index);
        return Deliver(m);
    }

    /// <summary>Delivers everything in FIFO order until nothing is in flight.</summary>
    public void Run(int maxSteps = 10_000)
    {
        for (int i = 0; i < maxSteps && InFlight.Count > 0; i++)
        {
            DeliverAt(0);
        }

        Assert.Empty(InFlight);
    }

    /// <summary>Every chain commits a Tick (PPC retries, ICC time-outs).</summary>
    public void TickAll()
    {
        Emit(Ppc1.Execute(new Tick(Now), Now).Outbound);
        Emit(Ppc2.Execute(new Tick(Now), Now).Outbound);
        Emit(Icc.Execute(new Tick(Now), Now).Outbound);
        Emit(Tbc1.Execute(new Tick(Now), Now).Outbound);
        Emit(Tbc2.Execute(new Tick(Now), Now).Outbound);
        Check();
    }

    public CrossChainMessage Take(TransferMessageKind kind, ChainId destination)
    {
        int i = InFlight.FindIndex(m => m.Destination == destination && Kind(m) == kind);
        Assert.True(i >= 0, $"no {kind} to {destination} in flight");
        var m = InFlight[i];
        InFlight.RemoveAt(i);
        return m;
    }

    public static TransferMessageKind Kind(CrossChainMessage m) => Codec.Canonical.Decode<TransferMessage>(m.Payload).Kind;

    /// <summary>Conservation per asset over the three ledgers, and atomicity of every transaction's legs.</summary>
    public void Check()
    {
        Assert.Equal(_initialPosted, PostedPerAsset());
        AssertPendingBalanced();

        foreach (var tx in Started)
        {
            var states = LegStates(tx);
            Assert.DoesNotContain(TransferState.Expired, states);
            Assert.False(states.Contains(TransferState.Posted) && states.Contains(TransferState.Voided), $"legs of {tx} mixed: {string.Join(",", states)}");
        }
    }

    public List<TransferState> LegStates(Hash256 tx)
    {
        var states = new List<TransferState>();
        Add(Ppc1.Ledger, ParticipantChainApplication.LegId(tx, true));
        Add(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 1));
        Add(Icc.Ledger, IntermediaryChainApplication.LegId(tx, 2));
        Add(Ppc2.Ledger, ParticipantChainApplication.LegId(tx, false));
        return states;

        void Add(AccountLedger l, TransferId id)
        {
            if (l.TryGetTransfer(id, out var info))
            {
                states.Add(info.State);
            }
        }
    }

    public void AssertFinal(Hash256 tx, CrossChainTransactionState expected)
    {
        Assert.Equal(expected, Icc.GetState(tx) is CrossChainTransactionState.Failed ? CrossChainTransactionState.Cancelled : Icc.GetState(tx));
        var target = expected == CrossChainTransactionState.Committed ? TransferState.Posted : TransferState.Voided;
        Assert.All(LegStates(tx), s => Assert.Equal(target, s));
        Assert.Equal(expected, Ppc1.GetState(tx));
        if (expected == CrossChainTransactionState.Committed)
        {
            Assert.Equal(4, LegStates(tx).Count);
            Assert.Equal(expected, Ppc2.GetState(tx));
        }
    }

    public long Posted(AccountLedger l, AccountId a, AssetCode asset) => l.GetBalance(a, asset).Posted.MinorUnits;

    protected override IEnumerable<AccountLedger> Ledgers => [Ppc1.Ledger, Ppc2.Ledger, Icc.Ledger];
}
