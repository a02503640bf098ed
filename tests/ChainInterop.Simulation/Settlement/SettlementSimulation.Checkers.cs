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

        foreach (var t in _transfers)
        {
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

                var seen = _observedLegs.GetValueOrDefault(t.Id);
                seen = (seen.Posted || info.State == TransferState.Posted, seen.Voided || info.State == TransferState.Voided);
                _observedLegs[t.Id] = seen;
                if (seen.Posted && seen.Voided)
                {
                    Fail($"atomicity: tx {t.Index} ({Describe(t)}) has a posted leg and a voided leg (last seen on {node} at height {height})");
                    return;
                }
            }
        }
    }

    /// <summary>The node's ledger state hash and its state of every transaction of the run, in one digest.</summary>
    private Hash256 StateDigest(SimNode node)
    {
        var bytes = new List<byte>(node.Ledger.ComputeStateHash().ToArray());
        foreach (var t in _transfers)
        {
            bytes.Add((byte)(node.StateOf(t.Id) is { } state ? (int)state : 0));
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
                bool involved = node.Chain == t.PayerChain || node.Chain == t.PayeeChain || node.Chain == t.Icc;
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
    /// transaction is atomic (committed: all four legs posted everywhere and Committed on PPC1, the ICC and PPC2; else no
    /// leg posted anywhere and every leg voided); every balance is exactly the opening balance moved by the committed
    /// transfers (so per PPC, transit + its ABC accounts is unchanged, and nothing is created or lost); and the
    /// scenario's own expectations.
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
    }

    /// <summary>Per asset and PPC: transit on the PPC plus its accounts on every ICC's ABC equals the opening sum; clearing is empty.</summary>
    private void CheckConservationAcrossChains()
    {
        foreach (var ppc in _chains.Where(c => !c.IsIntermediary))
        {
            foreach (var asset in _spec.Assets)
            {
                long opening = ppc.Initial.Posted[(SettlementNetworkSpec.TransitAccount, asset)];
                long now = FirstHonest(ppc).Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, asset).Posted.MinorUnits;
                foreach (var icc in _chains.Where(c => c.IsIntermediary && c.Peers.ContainsKey(ppc.Id)))
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
        $"{t.PayerChain.Id}:{t.Payer} -> {t.PayeeChain.Id}:{t.Payee} via {t.Icc.Id}, {t.Amount} {t.Asset}, {t.Mode}, Time1 +{t.DeadlineMs} ms, id {t.Id.ToShortString()}";

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
