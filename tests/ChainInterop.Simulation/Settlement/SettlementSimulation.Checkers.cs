using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Simulation.Settlement;

public sealed partial class SettlementSimulation
{
    // Per transaction: whether an honest validator of any chain ever held one of its legs Posted / Voided.
    private readonly Dictionary<Hash256, (bool Posted, bool Voided)> _observedLegs = [];

    /// <summary>
    /// Safety at every honest commit: the ledger conserves every asset (posted totals unchanged, pending debits equal
    /// pending credits), honest validators of the chain have the same ledger state at the same height, and no
    /// transaction ever has a posted leg anywhere and a voided leg anywhere (atomicity across chains).
    /// </summary>
    private void CheckAfterBlock(SimNode node, ulong height)
    {
        var ledger = node.Ledger;
        if (node.Chain.Initial.ConservationViolation(ledger) is { } broken)
        {
            Fail($"conservation: {node} after height {height}: {broken}");
            return;
        }

        var hash = StateDigest(node);
        if (node.Chain.LedgerStates.TryGetValue(height, out var first))
        {
            if (first.Hash != hash)
            {
                Fail($"agreement: {_nodes[first.Node]} and {node} have different ledgers or transaction states after height {height}");
                return;
            }
        }
        else
        {
            node.Chain.LedgerStates.Add(height, (hash, node.Index));
        }

        if (node.Intermediary is { CyclesUnderReview.Count: > 0 } icc)
        {
            var review = icc.CyclesUnderReview[0];
            Fail($"netting: cycle {review.Cycle} is under review on {node} after height {height} ({review.Reason}, ledger {review.LedgerCode}, {review.Transactions.Count} transactions): an honest run must settle every cycle");
            return;
        }

        foreach (var t in _transfers)
        {
            bool nettingOnIcc = t.IsNetting && node.Chain == t.Icc;
            if (nettingOnIcc && NettingAbcLegViolation(node, t) is { } wrong)
            {
                Fail($"atomicity: tx {t.Index} ({Describe(t)}) on {node} after height {height}: {wrong}");
                return;
            }

            foreach (var leg in LegsOn(node, t))
            {
                if (!ledger.TryGetTransfer(leg, out var info))
                {
                    continue;
                }

                if (info.State == TransferState.Expired)
                {
                    Fail($"atomicity: a leg of tx {t.Index} expired on {node} (legs must be decided, never time out on the ledger)");
                    return;
                }

                // A netting transaction's ABC leg 1 is voided whether it commits (the cycle's nets replace it) or not:
                // its ICC state stands for it below.
                if (!nettingOnIcc && Observe(t, info.State == TransferState.Posted, info.State == TransferState.Voided) is { } mixed)
                {
                    Fail($"atomicity: tx {t.Index} ({Describe(t)}) {mixed} (last seen on {node} at height {height})");
                    return;
                }
            }

            if (nettingOnIcc && node.StateOf(t.Id) is { } state && IsFinal(state)
                && Observe(t, state == CrossChainTransactionState.Committed, state != CrossChainTransactionState.Committed) is { } decided)
            {
                Fail($"atomicity: tx {t.Index} ({Describe(t)}) {decided} (last seen on {node} at height {height}, {state} there)");
                return;
            }
        }
    }

    /// <summary>Records that a transaction was seen committed (a leg posted) or undone (a leg voided) somewhere; both is a violation.</summary>
    private string? Observe(SimTransfer t, bool posted, bool voided)
    {
        var seen = _observedLegs.GetValueOrDefault(t.Id);
        seen = (seen.Posted || posted, seen.Voided || voided);
        _observedLegs[t.Id] = seen;
        return seen.Posted && seen.Voided ? "has a posted leg (or netting commit) and a voided leg (or netting cancel)" : null;
    }

    /// <summary>
    /// A netting transaction's ABC legs on an ICC validator: leg 1 is reserved while it waits, voided when its cycle
    /// settles (the nets move instead) or when it is cancelled, never posted; leg 2 is never reserved. Null when so.
    /// </summary>
    private static string? NettingAbcLegViolation(SimNode node, SimTransfer t)
    {
        var ledger = node.Ledger;
        if (ledger.TryGetTransfer(IntermediaryChainApplication.LegId(t.Id, 2), out var leg2))
        {
            return $"netting reserved ABC leg 2 ({leg2.State})";
        }

        if (ledger.TryGetTransfer(IntermediaryChainApplication.LegId(t.Id, 1), out var leg1))
        {
            var state = node.StateOf(t.Id);
            if (leg1.State == TransferState.Posted)
            {
                return "netting posted ABC leg 1 (only the cycle's nets may move)";
            }

            if (state == CrossChainTransactionState.Committed && leg1.State != TransferState.Voided)
            {
                return $"committed by its cycle, but ABC leg 1 is {leg1.State}, not voided";
            }

            if (state is (CrossChainTransactionState.PreTentative or CrossChainTransactionState.Tentative) && leg1.State != TransferState.Pending)
            {
                return $"{state}, but ABC leg 1 is {leg1.State}";
            }
        }

        return null;
    }

    /// <summary>The node's ledger state hash and its state of every transaction of the run, in one digest.</summary>
    private Hash256 StateDigest(SimNode node)
    {
        var bytes = new List<byte>((node.TradingChain?.Records.ComputeStateHash() ?? node.Ledger.ComputeStateHash()).ToArray());
        foreach (var t in _transfers)
        {
            bytes.Add((byte)(node.StateOf(t.Id) is { } state ? (int)state : 0));
        }

        if (node.Intermediary is { } icc)
        {
            // The cycles too: which one is open, how many wait to be netted, and the last settled one's report.
            bytes.AddRange(BitConverter.GetBytes(icc.Cycle?.Id.Sequence ?? 0));
            bytes.AddRange(BitConverter.GetBytes(icc.ClosedCycles.Count));
            bytes.AddRange(BitConverter.GetBytes(icc.CyclesUnderReview.Count));
            if (icc.CompletedCycles.Count > 0)
            {
                bytes.AddRange(icc.CompletedCycles[^1].Digest.ToArray());
            }
        }

        return Hash256.Compute([.. bytes]);
    }

    /// <summary>The ledger ids of the legs a transaction has on <paramref name="node"/>'s chain.</summary>
    private static IEnumerable<TransferId> LegsOn(SimNode node, SimTransfer t)
    {
        if (node.Chain == t.PayerChain)
        {
            yield return ParticipantChainApplication.LegId(t.Id, asPayer: true);
        }
        else if (node.Chain == t.PayeeChain)
        {
            yield return ParticipantChainApplication.LegId(t.Id, asPayer: false);
        }
        else if (node.Chain == t.Icc)
        {
            yield return IntermediaryChainApplication.LegId(t.Id, 1);
            yield return IntermediaryChainApplication.LegId(t.Id, 2);
        }
    }

    /// <summary>Null once the run may stop; else what is still missing (for the liveness failure).</summary>
    private string? IncompleteReason()
    {
        foreach (var bank in _banks)
        {
            if (bank.Current is not null || bank.Queue.Count > 0)
            {
                return $"bank {bank.Index} has transfers not yet started";
            }
        }

        foreach (var node in _nodes)
        {
            if (!node.IsHonest)
            {
                continue;
            }

            if (!node.Alive || node.Executor is null || node.Relay is null)
            {
                return $"{node} is down";
            }

            foreach (var t in _transfers)
            {
                var state = node.StateOf(t.Id);
                bool involved = node.Chain == t.PayerChain || node.Chain == t.PayeeChain || node.Chain == t.Icc
                    || (node.TradingChain is { } tbc && tbc.Intermediary == t.Icc.Id && (tbc.Participant == t.PayerChain.Id || tbc.Participant == t.PayeeChain.Id));
                if ((node.Chain == t.PayerChain && state is null) || (state is { } s && !IsFinal(s)) || (!involved && state is not null))
                {
                    return $"tx {t.Index} ({Describe(t)}) is {state?.ToString() ?? "unknown"} on {node}";
                }
            }

            if (node.Ledger.PendingCount != 0)
            {
                return $"{node} still holds {node.Ledger.PendingCount} pending legs";
            }

            if (node.Relay.UnackedCount != 0 || node.Relay.AwaitingExecutionCount != 0)
            {
                return $"{node}'s relay has not drained ({node.Relay.UnackedCount} unacknowledged, {node.Relay.AwaitingExecutionCount} awaiting execution)";
            }
        }

        // Every honest validator has caught up: each chain's honest validators know every transaction in the same state.
        foreach (var chain in _chains)
        {
            var reference = FirstHonest(chain);
            foreach (var node in chain.Nodes.Where(n => n.IsHonest && n != reference))
            {
                foreach (var t in _transfers)
                {
                    if (node.StateOf(t.Id) != reference.StateOf(t.Id))
                    {
                        return $"{node} has not caught up with {reference}: tx {t.Index} is {node.StateOf(t.Id)?.ToString() ?? "unknown"} there, {reference.StateOf(t.Id)?.ToString() ?? "unknown"} on {reference}";
                    }
                }
            }
        }

        return null;
    }

    private static bool IsFinal(CrossChainTransactionState state) =>
        state is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled or CrossChainTransactionState.Failed;

    /// <summary>
    /// At the end (honest validators have caught up, see <see cref="IncompleteReason"/>), on every honest validator: its chain's validators agree on every transaction and every balance; each
    /// transaction is atomic (committed: Committed on PPC1, the ICC and PPC2, both PPC legs posted everywhere, and on the
    /// ABC both legs posted in real time, or in netting leg 1 voided by its cycle's end and no leg 2; else no leg posted
    /// anywhere and every leg voided); every balance is exactly the opening balance moved by the committed transfers
    /// (in netting the ABC moves only the cycle's nets, which sum to the same per account: each PPC's ABC account moves
    /// by the sum of its committed transfers either way), so per PPC, transit + its ABC accounts is unchanged and
    /// nothing is created or lost; and every settled cycle's report matches its committed netting transfers.
    /// </summary>
    private void CheckFinalState()
    {
        foreach (var chain in _chains)
        {
            var honest = chain.Nodes.Where(n => n.IsHonest).ToList();
            foreach (var node in honest.Skip(1))
            {
                foreach (var t in _transfers)
                {
                    if (node.StateOf(t.Id) != honest[0].StateOf(t.Id))
                    {
                        Fail($"agreement: tx {t.Index} is {honest[0].StateOf(t.Id)?.ToString() ?? "unknown"} on {honest[0]} but {node.StateOf(t.Id)?.ToString() ?? "unknown"} on {node}");
                        return;
                    }
                }
            }
        }

        var expected = _chains.ToDictionary(c => c, c => c.Initial.Posted.ToDictionary(p => p.Key, p => p.Value));
        foreach (var t in _transfers)
        {
            if (AtomicityViolation(t) is { } broken)
            {
                Fail($"atomicity: tx {t.Index} ({Describe(t)}): {broken}");
                return;
            }

            if (StateOn(FirstHonest(t.PayerChain), t.Id) == CrossChainTransactionState.Committed)
            {
                Move(expected[t.PayerChain], t.Payer, SettlementNetworkSpec.TransitAccount, t.Asset, t.Amount);
                Move(expected[t.PayeeChain], SettlementNetworkSpec.TransitAccount, t.Payee, t.Asset, t.Amount);
                Move(expected[t.Icc], SettlementNetworkSpec.AbcAccountOf(t.PayerChain.Id), SettlementNetworkSpec.AbcAccountOf(t.PayeeChain.Id), t.Asset, t.Amount);
            }
        }

        foreach (var node in _nodes.Where(n => n.IsHonest))
        {
            foreach (var ((account, asset), amount) in expected[node.Chain])
            {
                var balance = node.Ledger.GetBalance(account, asset);
                if (balance.Posted.MinorUnits != amount || balance.PendingDebits.MinorUnits != 0 || balance.PendingCredits.MinorUnits != 0)
                {
                    Fail($"conservation: {node} has {balance.Posted.MinorUnits} {asset} posted in {account} (pending -{balance.PendingDebits.MinorUnits}/+{balance.PendingCredits.MinorUnits}), expected {amount} from the committed transfers");
                    return;
                }
            }
        }

        CheckConservationAcrossChains();
        if (_failure is null)
        {
            CheckCycleReports();
        }

        if (_failure is null)
        {
            CheckTradingChainRecords();
        }
    }

    /// <summary>
    /// Netting (S3) on every honest ICC validator: no cycle is under review; every committed netting transaction's
    /// cycle was settled and reported; and each report's gross count and value per asset are exactly those of the
    /// committed netting transactions its cycle admitted (the nets moved on the ABC are checked with the balances).
    /// </summary>
    private void CheckCycleReports()
    {
        foreach (var node in _nodes.Where(n => n.IsHonest && n.Intermediary is not null))
        {
            var icc = node.Intermediary!;
            if (icc.CyclesUnderReview.Count > 0)
            {
                Fail($"netting: {icc.CyclesUnderReview.Count} cycles under review on {node}, first {icc.CyclesUnderReview[0].Cycle}");
                return;
            }

            var committed = _transfers
                .Where(t => t.IsNetting && t.Icc == node.Chain && node.StateOf(t.Id) == CrossChainTransactionState.Committed)
                .ToList();
            var reports = icc.CompletedCycles.ToDictionary(r => r.Cycle);
            foreach (var t in committed)
            {
                if (icc.GetCycleOf(t.Id) is not { } cycle || !reports.ContainsKey(cycle))
                {
                    Fail($"netting: tx {t.Index} ({Describe(t)}) is committed on {node}, but its cycle {icc.GetCycleOf(t.Id)?.ToString() ?? "(none)"} has no report");
                    return;
                }
            }

            foreach (var report in icc.CompletedCycles)
            {
                var gross = committed.Where(t => icc.GetCycleOf(t.Id) == report.Cycle)
                    .GroupBy(t => t.Asset)
                    .ToDictionary(g => g.Key, g => (Count: g.Count(), Value: g.Sum(t => t.Amount)));
                var reported = report.Assets.ToDictionary(a => a.Asset, a => (Count: a.GrossCount, Value: a.GrossValue.MinorUnits));
                if (reported.Count != gross.Count || reported.Any(r => !gross.TryGetValue(r.Key, out var g) || g != r.Value))
                {
                    Fail($"netting: {node}'s report of cycle {report.Cycle} says gross [{string.Join(", ", reported.Select(r => $"{r.Key} {r.Value.Count}x {r.Value.Value}"))}], "
                        + $"its committed netting transfers are [{string.Join(", ", gross.Select(g => $"{g.Key} {g.Value.Count}x {g.Value.Value}"))}]");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The dual chain (seed 000 [0013]–[0015]): the ABC's books equal the TBCs' records. On every honest validator of a
    /// TBC, a transaction the ABC committed is recorded committed on the TBC of its payer and of its payee; one it did not
    /// commit is recorded cancelled or not at all; and a TBC records nothing of transfers between other banks or through
    /// another ICC. Balances moved only on the ABC (the balance checks above find every posting's transfer).
    /// </summary>
    private void CheckTradingChainRecords()
    {
        foreach (var node in _nodes.Where(n => n.IsHonest && n.TradingChain is not null))
        {
            var tbc = node.TradingChain!;
            foreach (var t in _transfers)
            {
                var recorded = tbc.GetState(t.Id);
                bool involved = tbc.Intermediary == t.Icc.Id && (tbc.Participant == t.PayerChain.Id || tbc.Participant == t.PayeeChain.Id);
                var onAbc = StateOn(FirstHonest(t.Icc), t.Id);
                var expected = !involved ? (CrossChainTransactionState?)null
                    : onAbc == CrossChainTransactionState.Committed ? CrossChainTransactionState.Committed
                    : recorded is null ? null : CrossChainTransactionState.Cancelled;
                if (recorded != expected)
                {
                    Fail($"dual chain: tx {t.Index} ({Describe(t)}) is {onAbc?.ToString() ?? "unknown"} on the ABC but recorded {recorded?.ToString() ?? "nowhere"} on {node}");
                    return;
                }
            }
        }
    }

    /// <summary>Per asset and PPC: transit on the PPC plus its accounts on every ICC's ABC equals the opening sum; clearing is empty.</summary>
    private void CheckConservationAcrossChains()
    {
        foreach (var ppc in _chains.Where(c => !c.IsIntermediary && !c.IsTradingChain))
        {
            foreach (var asset in _spec.Assets)
            {
                long opening = ppc.Initial.Posted[(SettlementNetworkSpec.TransitAccount, asset)];
                long now = FirstHonest(ppc).Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, asset).Posted.MinorUnits;
                foreach (var icc in _chains.Where(c => c.IsIntermediary && _spec.Intermediaries.Single(i => i.Chain == c.Id).Participants.Contains(ppc.Id)))
                {
                    var abc = SettlementNetworkSpec.AbcAccountOf(ppc.Id);
                    opening += icc.Initial.Posted[(abc, asset)];
                    now += FirstHonest(icc).Ledger.GetBalance(abc, asset).Posted.MinorUnits;
                }

                if (now != opening)
                {
                    Fail($"conservation: {ppc.Id}'s transit plus its ABC accounts hold {now} {asset}, not {opening}");
                    return;
                }
            }
        }

        foreach (var icc in _chains.Where(c => c.IsIntermediary))
        {
            foreach (var asset in _spec.Assets)
            {
                if (FirstHonest(icc).Ledger.GetBalance(SettlementNetworkSpec.ClearingAccount, asset).Posted.MinorUnits != 0)
                {
                    Fail($"conservation: {icc.Id}'s clearing account is not empty in {asset}");
                    return;
                }
            }
        }
    }

    private string? AtomicityViolation(SimTransfer t)
    {
        var payerState = StateOn(FirstHonest(t.PayerChain), t.Id);
        var iccState = StateOn(FirstHonest(t.Icc), t.Id);
        var payeeState = StateOn(FirstHonest(t.PayeeChain), t.Id);
        bool committed = payerState == CrossChainTransactionState.Committed;
        if (committed != (iccState == CrossChainTransactionState.Committed) || committed != (payeeState == CrossChainTransactionState.Committed))
        {
            return $"states differ: PPC1 {payerState}, ICC {iccState?.ToString() ?? "unknown"}, PPC2 {payeeState?.ToString() ?? "unknown"}";
        }

        foreach (var node in new[] { t.PayerChain, t.Icc, t.PayeeChain }.SelectMany(c => c.Nodes).Where(n => n.IsHonest))
        {
            if (t.IsNetting && node.Chain == t.Icc)
            {
                // Netting: the cycle end voided ABC leg 1 and moved the nets instead; leg 2 never existed.
                if (NettingAbcLegViolation(node, t) is { } wrong)
                {
                    return wrong;
                }

                bool reserved = node.Ledger.TryGetTransfer(IntermediaryChainApplication.LegId(t.Id, 1), out var leg1);
                if (committed && (!reserved || leg1.State != TransferState.Voided))
                {
                    return $"committed by its cycle, but ABC leg 1 on {node} is {(reserved ? leg1.State.ToString() : "missing")}";
                }

                if (!committed && reserved && leg1.State != TransferState.Voided)
                {
                    return $"{payerState}, but ABC leg 1 on {node} is {leg1.State}";
                }

                continue;
            }

            foreach (var leg in LegsOn(node, t))
            {
                bool exists = node.Ledger.TryGetTransfer(leg, out var info);
                if (committed && (!exists || info.State != TransferState.Posted))
                {
                    return $"committed, but a leg on {node} is {(exists ? info.State.ToString() : "missing")}";
                }

                if (!committed && exists && info.State != TransferState.Voided)
                {
                    return $"{payerState}, but a leg on {node} is {info.State}";
                }
            }
        }

        return null;
    }

    private static void Move(Dictionary<(AccountId, AssetCode), long> balances, AccountId from, AccountId to, AssetCode asset, long amount)
    {
        balances[(from, asset)] -= amount;
        balances[(to, asset)] += amount;
    }

    private static CrossChainTransactionState? StateOn(SimNode? node, Hash256 tx) => node?.StateOf(tx);

    private static SimNode FirstHonest(SimChain chain) => chain.Nodes.First(n => n.IsHonest);

    private static string Describe(SimTransfer t) =>
        $"{t.PayerChain.Id}:{t.Payer} -> {t.PayeeChain.Id}:{t.Payee} via {t.Icc.Id}, {t.Amount} {t.Asset}, {t.Mode}, {t.Timing}, Time1 +{t.DeadlineMs} ms, id {t.Id.ToShortString()}";

    /// <summary>A chain's genesis balances: every account's posted amount per asset, and the totals per asset.</summary>
    private sealed class InitialBalances
    {
        public Dictionary<(AccountId Account, AssetCode Asset), long> Posted { get; } = [];

        public Dictionary<AssetCode, long> Totals { get; } = [];

        public void Capture(AccountLedger ledger)
        {
            foreach (var id in ledger.GetAccountIds())
            {
                ledger.TryGetAccount(id, out var info);
                foreach (var asset in info!.Assets)
                {
                    long posted = ledger.GetBalance(id, asset).Posted.MinorUnits;
                    Posted[(id, asset)] = posted;
                    Totals[asset] = Totals.GetValueOrDefault(asset) + posted;
                }
            }
        }

        /// <summary>Null when the ledger's posted totals equal the genesis totals and its pending debits equal its pending credits.</summary>
        public string? ConservationViolation(AccountLedger ledger)
        {
            var totals = new Dictionary<AssetCode, long>();
            var debits = new Dictionary<AssetCode, long>();
            var credits = new Dictionary<AssetCode, long>();
            foreach (var id in ledger.GetAccountIds())
            {
                ledger.TryGetAccount(id, out var info);
                foreach (var asset in info!.Assets)
                {
                    var b = ledger.GetBalance(id, asset);
                    totals[asset] = totals.GetValueOrDefault(asset) + b.Posted.MinorUnits;
                    debits[asset] = debits.GetValueOrDefault(asset) + b.PendingDebits.MinorUnits;
                    credits[asset] = credits.GetValueOrDefault(asset) + b.PendingCredits.MinorUnits;
                }
            }

            foreach (var (asset, total) in Totals)
            {
                if (totals.GetValueOrDefault(asset) != total)
                {
                    return $"{totals.GetValueOrDefault(asset)} {asset} posted in all, not {total}";
                }

                if (debits.GetValueOrDefault(asset) != credits.GetValueOrDefault(asset))
                {
                    return $"pending debits {debits.GetValueOrDefault(asset)} {asset} but pending credits {credits.GetValueOrDefault(asset)}";
                }
            }

            return null;
        }
    }
}
