using ChainInterop.Blocks;
using ChainInterop.Consensus;

namespace ChainInterop.Simulation;

public sealed partial class Simulation
{
    /// <summary>One node incarnation's effects, turned into simulation events. Calls from a dead incarnation are ignored.</summary>
    private sealed class NodeEffects(Simulation sim, SimNode node, int incarnation) : IReplicaEffects
    {
        private bool Current => node.Alive && node.Incarnation == incarnation;

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message)
        {
            if (Current)
            {
                sim.SendFromNode(node, recipient, message.ToArray());
            }
        }

        public void Broadcast(ReadOnlyMemory<byte> message)
        {
            if (!Current)
            {
                return;
            }

            // Every other node of the chain, in index order (deterministic); followers of a single-authority chain included.
            foreach (var other in sim._nodeIds)
            {
                if (other != node.Id)
                {
                    sim.SendFromNode(node, other, message.ToArray());
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
                sim.OnCommit(node, block.Block);
            }
        }

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount)
        {
            if (Current)
            {
                // A local disk read: short, but not synchronous, as in the runtime driver.
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
}
