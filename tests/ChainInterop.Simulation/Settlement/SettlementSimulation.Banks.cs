using System.Text;
using ChainInterop.Consensus;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Simulation.Settlement;

public sealed partial class SettlementSimulation
{
    private const int CustomersPerBank = 2;

    /// <summary>The first asset.</summary>
    internal static readonly AssetCode Usd = new("USD");

    /// <summary>The second asset.</summary>
    internal static readonly AssetCode Eur = new("EUR");

    private static readonly AccountId UnknownPayee = new("nobody");

    private readonly Bank[] _banks;
    private readonly List<SimTransfer> _transfers = [];

    internal static AccountId Customer(int index) => new($"c{index}");

    /// <summary>Draws the run's transfers from the seed (then appends the scenario's explicit ones), and gives each to its payer's bank.</summary>
    private void DrawTransfers()
    {
        int participants = Scenario.ParticipantCount;
        for (int i = 0; i < Scenario.TransfersPerRun; i++)
        {
            int payer = Random.Next(participants);
            int payee = (payer + 1 + Random.Next(participants - 1)) % participants;
            bool unknown = Random.NextDouble() < Scenario.UnknownPayeeProbability;
            bool overdraft = Random.NextDouble() < Scenario.OverdraftProbability;
            bool shortDeadline = Random.NextDouble() < Scenario.ShortDeadlineProbability;
            bool netting = Scenario.CyclePolicy is not null && Random.NextDouble() < Scenario.NettingProbability;
            AddTransfer(payer, payee,
                Customer(Random.Next(CustomersPerBank)),
                unknown ? UnknownPayee : Customer(Random.Next(CustomersPerBank)),
                Random.Next(2) == 0 ? Usd : Eur,
                overdraft ? Scenario.OpeningBalance * 5 : Random.Next(1, Scenario.MaxAmount + 1),
                Random.Next(2) == 0 ? AckMode.ModeI : AckMode.ModeII,
                shortDeadline ? Random.Next(1, Scenario.ShortDeadlineMaxMs + 1) : Scenario.DeadlineMs,
                Random.NextInt64(0, Math.Max(1, Scenario.StartWindowMs)),
                netting ? SettlementTiming.Netting : SettlementTiming.RealTime);
        }

        foreach (var plan in Scenario.ExtraTransfers)
        {
            AddTransfer(plan.Payer, plan.Payee, Customer(0), Customer(1), Usd, plan.Amount, plan.Mode, plan.DeadlineMs, plan.StartAtMs, plan.Timing);
        }

        foreach (var bank in _banks)
        {
            foreach (var t in _transfers.Where(t => t.PayerChain == bank.Chain).OrderBy(t => t.StartAtMs).ThenBy(t => t.Index))
            {
                bank.Queue.Enqueue(t);
            }
        }
    }

    private void AddTransfer(int payer, int payee, AccountId from, AccountId to, AssetCode asset, long amount, AckMode mode, long deadlineMs, long startAtMs, SettlementTiming timing)
    {
        var payerChain = _chains[payer];
        var payeeChain = _chains[payee];
        // Any ICC linking both banks may carry it (with two ICCs, the seed picks).
        var shared = _spec.Intermediaries.Where(i => i.Participants.Contains(payerChain.Id) && i.Participants.Contains(payeeChain.Id)).ToList();
        var icc = shared[shared.Count == 1 ? 0 : Random.Next(shared.Count)].Chain;
        var id = Hash256.Compute(Encoding.UTF8.GetBytes($"settlement-sim/{Seed}/tx/{_transfers.Count}"));
        _transfers.Add(new SimTransfer(_transfers.Count, id, payerChain, payeeChain, ChainOf(icc), from, to, asset, amount, mode, deadlineMs, startAtMs, timing));
    }

    private void ScheduleBankWake(Bank bank, long delayMs) => Schedule(delayMs, new ClientWake(bank.Index, bank.Generation));

    /// <summary>A bank starts its next transfer when it is due, or resends its outstanding request to every validator.</summary>
    private void OnBankWake(ClientWake wake)
    {
        var bank = _banks[wake.Client];
        if (wake.Generation != bank.Generation)
        {
            return;
        }

        if (bank.Current is null)
        {
            if (!bank.Queue.TryPeek(out var next))
            {
                return;
            }

            if (next.StartAtMs > Now)
            {
                ScheduleBankWake(bank, next.StartAtMs - Now);
                return;
            }

            bank.Queue.Dequeue();
            bank.Transfer = next;
            next.Time1Ms = ClockMs + next.DeadlineMs;
            var command = new StartTransfer(next.Id, next.Icc.Id, next.Payer, next.PayeeChain.Id, next.Payee, next.Asset,
                new Amount(next.Amount), next.Mode, next.Timing, next.Time1Ms);
            bank.LastTimestamp = Math.Max(bank.LastTimestamp + 1, (ulong)ClockMs);
            bank.Current = ClientRequest.Create(bank.Key, bank.Chain.Id, bank.LastTimestamp, SettlementEntry.OwnCommand(command).ToCanonicalBytes());
            bank.Collector = new ReplyCollector(bank.Chain.Validators, bank.Current);
            SendToValidator(bank, bank.Chain.Nodes[Random.Next(bank.Chain.Nodes.Count)]);
        }
        else
        {
            // No accepted answer yet: resend to every validator of the PPC (PBFT's client rule).
            foreach (var node in bank.Chain.Nodes)
            {
                SendToValidator(bank, node);
            }
        }

        ScheduleBankWake(bank, Faults.ClientRetryMs);
    }

    private void SendToValidator(Bank bank, SimNode node)
    {
        if (!ClientMessageLost())
        {
            Schedule(NetworkDelay(), new ClientToNode(bank.Index, node.Index, bank.Current!));
        }
    }

    private void OnClientToNode(ClientToNode submit)
    {
        var node = _nodes[submit.Node];
        if (node.Alive)
        {
            Feed(node, "bank request", (r, e) => r.OnClientRequest(submit.Request, ClockMs, e));
        }
    }

    /// <summary>A replica answers a client: banks get their replies; validators' own entries need none.</summary>
    private void RouteReply(SimNode node, ClientReply reply)
    {
        if (node.Role?.Consensus is { } lie)
        {
            var changed = lie.OnReply(reply, node.ConsensusContext!);
            if (changed is null)
            {
                return;
            }

            reply = changed;
        }

        var bank = Array.Find(_banks, b => b.Id == reply.ClientId);
        if (bank is null || ClientMessageLost())
        {
            return;
        }

        Schedule(NetworkDelay(), new ReplyToClient(bank.Index, reply));
    }

    private void OnReplyToBank(ReplyToClient reply)
    {
        var bank = _banks[reply.Client];
        if (bank.Current is null || bank.Collector is null || !bank.Collector.Add(reply.Reply))
        {
            return;
        }

        TraceNote($"bank {bank.Index} started tx {bank.Transfer!.Index} at h{reply.Reply.Height}/{reply.Reply.EntryIndex}");
        bank.Transfer.Accepted = true;
        bank.Current = null;
        bank.Collector = null;
        bank.Transfer = null;
        bank.Generation++;
        ScheduleBankWake(bank, 0);
    }

    /// <summary>One transfer of the run's plan.</summary>
    private sealed record SimTransfer(
        int Index, Hash256 Id, SimChain PayerChain, SimChain PayeeChain, SimChain Icc, AccountId Payer, AccountId Payee,
        AssetCode Asset, long Amount, AckMode Mode, long DeadlineMs, long StartAtMs, SettlementTiming Timing)
    {
        /// <summary>Netting mode: committed at its cycle's end, the ABC moves only the cycle's nets.</summary>
        public bool IsNetting => Timing == SettlementTiming.Netting;

        /// <summary>Time1 (Unix ms), set when the bank sends its request.</summary>
        public long Time1Ms { get; set; }

        /// <summary>Whether the bank saw f + 1 replies for its StartTransfer.</summary>
        public bool Accepted { get; set; }
    }

    /// <summary>A bank's settlement service: an operator of its PPC, one outstanding StartTransfer at a time.</summary>
    private sealed class Bank(int index, SimChain chain, PrivateKey key)
    {
        public int Index { get; } = index;

        public SimChain Chain { get; } = chain;

        public PrivateKey Key { get; } = key;

        public NodeId Id { get; } = NodeId.FromPublicKey(key.PublicKey);

        public Queue<SimTransfer> Queue { get; } = new();

        public ulong LastTimestamp { get; set; }

        public long Generation { get; set; }

        public ClientRequest? Current { get; set; }

        public ReplyCollector? Collector { get; set; }

        public SimTransfer? Transfer { get; set; }
    }
}
