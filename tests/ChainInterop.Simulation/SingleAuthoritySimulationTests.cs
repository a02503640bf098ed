using Xunit.Abstractions;

namespace ChainInterop.Simulation;

/// <summary>
/// The single-authority engine (K1) under crash faults: lost, duplicated, delayed and reordered messages, partitions,
/// and crash/restart of followers and of the authority. No Byzantine validators: the engine does not claim to survive
/// a lying authority.
/// </summary>
public class SingleAuthoritySimulationTests(ITestOutputHelper output)
{
    private static EngineUnderTest Engine => Engines.SingleAuthority;

    /// <summary>Crash faults with more clients than a batch holds, so batches fill.</summary>
    private static FaultProfile Faults => FaultProfile.CrashFaults with { ClientCount = 5, RequestsPerClient = 6, ClientThinkMs = 300 };

    [Fact]
    public void Survives_crash_faults_over_500_seeds()
    {
        if (!SeedSweep.Selected(Engine))
        {
            return;
        }

        var results = SeedSweep.Run(Engine, Faults, SeedSweep.Seeds(500), output.WriteLine);
        if (results.Count >= 100)
        {
            // The sweep really crashed the authority and the followers, and partitioned the network.
            Assert.True(results.Sum(r => r.ValidatorCrashes) > 0, "no authority crash in the sweep");
            Assert.True(results.Sum(r => r.Crashes - r.ValidatorCrashes) > 0, "no follower crash in the sweep");
            Assert.True(results.Sum(r => r.Partitions) > 0, "no partition in the sweep");
        }
    }

    [Fact]
    public void Runs_without_faults()
    {
        var result = new Simulation(1, Engine, FaultProfile.None).Run();
        Assert.Equal(15, result.AcceptedRequests);
        Assert.Equal(0, result.Crashes);
    }

    [Fact]
    public void Byzantine_followers_cannot_break_honest_nodes()
    {
        // Followers hold no signing power: whatever they send (garbage, replays, flipped bits, wrong keys), the
        // authority and the honest followers stay safe and live.
        if (!SeedSweep.Selected(Engine))
        {
            return;
        }

        var faults = Faults with { Byzantine = true, ByzantineFollowers = true };
        SeedSweep.Run(Engine, faults, SeedSweep.Seeds(100), output.WriteLine);
    }
}
