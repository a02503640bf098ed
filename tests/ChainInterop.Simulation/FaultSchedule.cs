namespace ChainInterop.Simulation;

/// <summary>
/// The fault draws every simulator shares (the single-chain <see cref="Simulation"/> and the multi-chain
/// <see cref="Settlement.SettlementSimulation"/>): which partitions and crashes a run has, and what the network does to
/// one message. Every draw comes from the run's one <see cref="System.Random"/>, in a fixed order.
/// </summary>
internal static class FaultSchedule
{
    /// <summary>
    /// Draws the run's partitions (two random sides over all <paramref name="nodeCount"/> nodes) and crashes (any node),
    /// each with its end, and a restart of every node at the end of the fault period.
    /// </summary>
    /// <returns>The events and their times, in draw order.</returns>
    public static List<(long AtMs, SimEvent Event)> Draw(Random random, FaultProfile faults, int nodeCount)
    {
        var events = new List<(long, SimEvent)>();
        for (int i = 0; i < faults.MaxPartitions; i++)
        {
            if (random.NextDouble() >= faults.PartitionProbability || nodeCount < 2)
            {
                continue;
            }

            long start = random.NextInt64(0, Math.Max(1, faults.FaultPeriodMs));
            long end = Math.Min(faults.FaultPeriodMs, start + random.Next(faults.MinPartitionMs, faults.MaxPartitionMs + 1));
            var sides = new bool[nodeCount];
            do
            {
                for (int n = 0; n < sides.Length; n++)
                {
                    sides[n] = random.Next(2) == 0;
                }
            }
            while (sides.All(s => s) || sides.All(s => !s));

            events.Add((start, new PartitionStart(sides)));
            events.Add((end, new PartitionHeal()));
        }

        for (int i = 0; i < faults.MaxCrashes; i++)
        {
            if (random.NextDouble() >= faults.CrashProbability)
            {
                continue;
            }

            int node = random.Next(nodeCount);
            long start = random.NextInt64(1, Math.Max(2, faults.FaultPeriodMs));
            long end = Math.Min(faults.FaultPeriodMs, start + random.Next(faults.MinDowntimeMs, faults.MaxDowntimeMs + 1));
            events.Add((start, new Crash(node)));
            events.Add((end, new Restart(node)));
        }

        // Make sure every node is up once the fault period is over, whatever the crash windows were.
        for (int n = 0; n < nodeCount; n++)
        {
            events.Add((faults.FaultPeriodMs, new Restart(n)));
        }

        return events;
    }

    /// <summary>Whether a message is lost (fault period only).</summary>
    public static bool Drops(Random random, FaultProfile faults, bool inFaultPeriod) =>
        inFaultPeriod && random.NextDouble() < faults.DropProbability;

    /// <summary>Whether a message is delivered twice (fault period only).</summary>
    public static bool Duplicates(Random random, FaultProfile faults, bool inFaultPeriod) =>
        inFaultPeriod && random.NextDouble() < faults.DuplicateProbability;

    /// <summary>A one-way delay: uniform in [min, max], plus sometimes a long extra delay during the fault period.</summary>
    public static long Delay(Random random, FaultProfile faults, bool inFaultPeriod)
    {
        long delay = random.Next(faults.MinDelayMs, faults.MaxDelayMs + 1);
        if (inFaultPeriod && random.NextDouble() < faults.LongDelayProbability)
        {
            delay += random.Next(0, faults.LongDelayMs + 1);
        }

        return delay;
    }
}
