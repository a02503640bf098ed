using ChainInterop.Consensus;

namespace ChainInterop.Simulation;

public sealed partial class Simulation
{
    // During a partition: which side each node is on; null when the network is whole.
    private bool[]? _partitionSide;
    private int _crashCount;
    private int _validatorCrashCount;
    private int _partitionCount;

    /// <summary>Draws the run's crashes, partitions and Byzantine nodes from the seed.</summary>
    private void ScheduleFaults()
    {
        for (int i = 0; i < Faults.MaxPartitions; i++)
        {
            if (Random.NextDouble() >= Faults.PartitionProbability || _nodes.Length < 2)
            {
                continue;
            }

            long start = Random.NextInt64(0, Math.Max(1, Faults.FaultPeriodMs));
            long end = Math.Min(Faults.FaultPeriodMs, start + Random.Next(Faults.MinPartitionMs, Faults.MaxPartitionMs + 1));
            var sides = new bool[_nodes.Length];
            do
            {
                for (int n = 0; n < sides.Length; n++)
                {
                    sides[n] = Random.Next(2) == 0;
                }
            }
            while (sides.All(s => s) || sides.All(s => !s));

            Schedule(start, new PartitionStart(sides));
            Schedule(end, new PartitionHeal());
            _partitionCount++;
        }

        for (int i = 0; i < Faults.MaxCrashes; i++)
        {
            if (Random.NextDouble() >= Faults.CrashProbability)
            {
                continue;
            }

            int node = Random.Next(_nodes.Length);
            long start = Random.NextInt64(1, Math.Max(2, Faults.FaultPeriodMs));
            long end = Math.Min(Faults.FaultPeriodMs, start + Random.Next(Faults.MinDowntimeMs, Faults.MaxDowntimeMs + 1));
            Schedule(start, new Crash(node));
            Schedule(end, new Restart(node));
        }

        // Make sure every node is up once the fault period is over, whatever the crash windows were.
        for (int n = 0; n < _nodes.Length; n++)
        {
            Schedule(Faults.FaultPeriodMs, new Restart(n));
        }

        if (Faults.Byzantine)
        {
            ChooseByzantineNodes();
        }
    }

    private void ChooseByzantineNodes()
    {
        var candidates = new List<int>();
        int validatorBudget = Engine.ByzantineFaultsApply ? _validators.FaultTolerance : 0;
        if (validatorBudget > 0)
        {
            int count = Random.Next(0, validatorBudget + 1);
            var validators = Enumerable.Range(0, Engine.ValidatorCount).ToList();
            for (int i = 0; i < count; i++)
            {
                int pick = Random.Next(validators.Count);
                candidates.Add(validators[pick]);
                validators.RemoveAt(pick);
            }
        }

        if (Faults.ByzantineFollowers)
        {
            for (int n = Engine.ValidatorCount; n < _nodes.Length; n++)
            {
                if (Random.Next(2) == 0)
                {
                    candidates.Add(n);
                }
            }
        }

        var factories = Faults.ByzantineBehaviourFactories ?? ByzantineBehaviours.Generic;
        foreach (int n in candidates.Order())
        {
            var node = _nodes[n];
            node.Behaviour = factories[Random.Next(factories.Count)]();
            var options = new ReplicaOptions { ChainId = _chainId, Validators = _validators };
            Engine.ConfigureOptions?.Invoke(options);
            node.ByzantineContext = new ByzantineContext(
                new NodeSetup(n, node.Id, node.Key, options, node.IsValidator, node.Store), _validators, _nodeIds, Random, () => Now,
                (to, bytes) => Transmit(n, to, bytes));
            TraceNote($"byzantine {n} {node.Behaviour.Name}");
        }
    }

    /// <summary>A replica sends: a Byzantine node's behaviour decides what really goes out.</summary>
    private void SendFromNode(SimNode node, NodeId recipient, byte[] message)
    {
        if (node.Behaviour is not null)
        {
            node.Behaviour.OnSend(recipient, message, node.ByzantineContext!);
        }
        else
        {
            Transmit(node.Index, recipient, message);
        }
    }

    /// <summary>Puts a message on the simulated wire: partitions, drops, duplicates and random delays (which reorder).</summary>
    private void Transmit(int from, NodeId recipient, byte[] message)
    {
        if (!_nodeIndex.TryGetValue(recipient, out int to) || to == from)
        {
            return;
        }

        if (InFaultPeriod)
        {
            if (_partitionSide is not null && _partitionSide[from] != _partitionSide[to])
            {
                return;
            }

            if (Random.NextDouble() < Faults.DropProbability)
            {
                return;
            }

            if (Random.NextDouble() < Faults.DuplicateProbability)
            {
                Schedule(NetworkDelay(), new Deliver(from, to, message));
            }
        }

        Schedule(NetworkDelay(), new Deliver(from, to, message));
    }

    private long NetworkDelay()
    {
        long delay = Random.Next(Faults.MinDelayMs, Faults.MaxDelayMs + 1);
        if (InFaultPeriod && Random.NextDouble() < Faults.LongDelayProbability)
        {
            delay += Random.Next(0, Faults.LongDelayMs + 1);
        }

        return delay;
    }

    /// <summary>Client traffic crosses the same lossy network (no partitions: clients reach every side).</summary>
    private bool ClientMessageLost() => InFaultPeriod && Random.NextDouble() < Faults.DropProbability;

    private void RouteReply(SimNode node, ClientReply reply)
    {
        if (node.Behaviour is not null)
        {
            var changed = node.Behaviour.OnReply(reply, node.ByzantineContext!);
            if (changed is null)
            {
                return;
            }

            reply = changed;
        }

        if (!_clientIndex.TryGetValue(reply.ClientId, out int client) || ClientMessageLost())
        {
            return;
        }

        Schedule(NetworkDelay(), new ReplyToClient(client, reply));
    }
}
