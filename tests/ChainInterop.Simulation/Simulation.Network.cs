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
        foreach (var (at, fault) in FaultSchedule.Draw(Random, Faults, _nodes.Length))
        {
            Schedule(at, fault);
            if (fault is PartitionStart)
            {
                _partitionCount++;
            }
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

            if (FaultSchedule.Drops(Random, Faults, inFaultPeriod: true))
            {
                return;
            }

            if (FaultSchedule.Duplicates(Random, Faults, inFaultPeriod: true))
            {
                Schedule(NetworkDelay(), new Deliver(from, to, message));
            }
        }

        Schedule(NetworkDelay(), new Deliver(from, to, message));
    }

    private long NetworkDelay() => FaultSchedule.Delay(Random, Faults, InFaultPeriod);

    /// <summary>Client traffic crosses the same lossy network (no partitions: clients reach every side).</summary>
    private bool ClientMessageLost() => FaultSchedule.Drops(Random, Faults, InFaultPeriod);

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
