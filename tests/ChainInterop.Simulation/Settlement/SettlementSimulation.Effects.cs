using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Simulation.Settlement;

public sealed partial class SettlementSimulation
{
    /// <summary>A commit of a validator: checked (honest only), stored, executed, handed to the relay, then checked again.</summary>
    private void OnCommit(SimNode node, CommittedBlock committed, BlockExecution execution)
    {
        var block = committed.Block;
        TraceNote($"commit {node} h{block.Height} {block.Hash}");
        var tip = node.Store.Tip;
        ulong expected = tip is null ? 0 : tip.Height + 1;
        if (!node.IsHonest)
        {
            // A Byzantine validator's chain is not checked; it still executes what fits, so its relay has something to lie about.
            if (block.Height != expected)
            {
                return;
            }

            try
            {
                Simulation.Sync(node.Store.AppendAsync(block));
            }
            catch (ArgumentException)
            {
                return;
            }

            Observe(node, execution);
            return;
        }

        var chain = node.Chain;
        if (block.Height != expected)
        {
            Fail($"safety: {node} delivered height {block.Height} but its next height is {expected}");
            return;
        }

        var verified = ChainVerifier.Verify(chain.Id, chain.Validators, [block], tip);
        if (!verified.IsValid)
        {
            Fail($"safety: {node} committed block {block.Height} that does not verify: {verified}");
            return;
        }

        if (chain.Canonical.TryGetValue(block.Height, out var first))
        {
            if (first.Hash != block.Hash)
            {
                Fail($"safety: fork on {chain.Id} at height {block.Height}: {_nodes[first.Node]} committed {first.Hash.ToShortString()}, {node} committed {block.Hash.ToShortString()}");
                return;
            }
        }
        else
        {
            chain.Canonical.Add(block.Height, (block.Hash, node.Index));
        }

        try
        {
            Simulation.Sync(node.Store.AppendAsync(block));
        }
        catch (ArgumentException ex)
        {
            Fail($"safety: {node}'s store refused block {block.Height}: {ex.Message}");
            return;
        }

        Observe(node, execution);
        CheckAfterBlock(node, block.Height);
    }

    /// <summary>The relay follows the chain: it gets each stored block's execution (the replica executed it).</summary>
    private void Observe(SimNode node, BlockExecution execution) =>
        FeedRelay(node, "block", (relay, effects) => relay.OnBlock((SettlementBlockResult)execution, ClockMs, effects));

    /// <summary>A validator signs one of its own entries (an attestation or a tick) with a fresh, increasing timestamp.</summary>
    private void SubmitEntry(SimNode node, SettlementEntry entry)
    {
        if (!node.Alive)
        {
            return;
        }

        node.LastTimestamp = Math.Max(node.LastTimestamp + 1, (ulong)ClockMs);
        var request = ClientRequest.Create(node.Key, node.Chain.Id, node.LastTimestamp, entry.ToCanonicalBytes());
        // Never re-enter the replica from inside its own effects: hand it over as the next event.
        Schedule(0, new ValidatorSubmit(node.Index, node.Incarnation, request));
    }

    private void OnValidatorSubmit(ValidatorSubmit submit)
    {
        var node = _nodes[submit.Node];
        if (node.Alive && node.Incarnation == submit.Incarnation)
        {
            Feed(node, "own entry", (r, e) => r.OnClientRequest(submit.Request, ClockMs, e));
        }
    }

    private void OnValidatorTick(ValidatorTick tick)
    {
        var node = _nodes[tick.Node];
        if (!node.Alive || node.Incarnation != tick.Incarnation)
        {
            return;
        }

        FeedRelay(node, "tick", (relay, effects) => relay.Tick(ClockMs, effects));
        // A host ticks only while its application waits on time (a pending transfer: retry, ask to cancel, time out);
        // an idle network then makes no blocks.
        if (Now >= node.NextTickEntryMs && node.Executor is not null && HasUndecided(node))
        {
            node.NextTickEntryMs = Now + Scenario.TickEntryIntervalMs;
            SubmitEntry(node, SettlementEntry.OwnCommand(new Tick(ClockMs)));
        }

        Schedule(Scenario.RelayTickMs, new ValidatorTick(node.Index, node.Incarnation));
    }

    private bool HasUndecided(SimNode node) =>
        node.Ledger.PendingCount > 0
        || (node.Participant is { } ppc && ppc.Transactions.Any(tx => ppc.GetState(tx) == CrossChainTransactionState.Pending));

    private void OnFrame(FrameDeliver frame)
    {
        var node = _nodes[frame.To];
        if (!node.Alive)
        {
            return;
        }

        var from = _nodes[frame.From].Id;
        node.Role?.Relay?.OnReceive(from, frame.Frame, node.RelayContext!);
        FeedRelay(node, "frame", (relay, effects) => relay.Receive(from, frame.Frame, ClockMs, effects));
    }

    /// <summary>One validator incarnation's replica effects, turned into simulation events. Calls from a dead incarnation are ignored.</summary>
    private sealed class ReplicaEffects(SettlementSimulation sim, SimNode node, int incarnation) : IReplicaEffects
    {
        private bool Current => node.Alive && node.Incarnation == incarnation;

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message)
        {
            if (Current)
            {
                sim.SendConsensus(node, recipient, message.ToArray());
            }
        }

        public void Broadcast(ReadOnlyMemory<byte> message)
        {
            if (!Current)
            {
                return;
            }

            // Every other validator of the chain, in index order (deterministic).
            foreach (var other in node.Chain.Nodes)
            {
                if (other != node)
                {
                    sim.SendConsensus(node, other.Id, message.ToArray());
                }
            }
        }

        public void SetTimer(ReplicaTimer timer, long delayMs)
        {
            if (!Current)
            {
                return;
            }

            long generation = sim._sequence;
            node.Timers[timer] = generation;
            sim.Schedule(delayMs, new TimerFire(node.Index, incarnation, timer, generation));
        }

        public void CancelTimer(ReplicaTimer timer)
        {
            if (Current)
            {
                node.Timers.Remove(timer);
            }
        }

        public void Commit(CommittedBlock block, BlockExecution execution)
        {
            if (Current)
            {
                sim.OnCommit(node, block, execution);
            }
        }

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount)
        {
            if (Current)
            {
                sim.Schedule(1, new LoadBlocks(node.Index, incarnation, requester, fromHeight, Math.Max(0, maxCount)));
            }
        }

        public void Reply(ClientReply reply)
        {
            if (Current)
            {
                sim.RouteReply(node, reply);
            }
        }
    }

    /// <summary>One validator incarnation's relay effects: frames cross the faulty network, entries go to the own replica.</summary>
    private sealed class RelayEffects(SettlementSimulation sim, SimNode node, int incarnation) : IRelayEffects
    {
        private bool Current => node.Alive && node.Incarnation == incarnation;

        public void Send(NodeId recipient, ReadOnlyMemory<byte> frame)
        {
            if (!Current)
            {
                return;
            }

            if (node.Role?.Relay is { } lie)
            {
                lie.OnSend(recipient, frame.ToArray(), node.RelayContext!);
            }
            else
            {
                sim.Transmit(node.Index, recipient, frame.ToArray(), frame: true);
            }
        }

        public void Submit(SettlementEntry entry)
        {
            if (!Current)
            {
                return;
            }

            if (node.Role?.Relay is { } lie)
            {
                lie.OnSubmit(entry, node.RelayContext!);
            }
            else
            {
                sim.SubmitEntry(node, entry);
            }
        }
    }
}
