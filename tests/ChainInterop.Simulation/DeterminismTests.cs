namespace ChainInterop.Simulation;

/// <summary>The same seed replays the same run byte for byte; different seeds differ.</summary>
public class DeterminismTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(12345)]
    public void Same_seed_gives_the_same_trace(int seed)
    {
        var faults = FaultProfile.CrashFaults with { Byzantine = true, ByzantineFollowers = true };
        var first = new Simulation(seed, Engines.SingleAuthority, faults).Run();
        var second = new Simulation(seed, Engines.SingleAuthority, faults).Run();
        // The scalar summary (trace hash included) and the evaluation lists, element by element.
        Assert.Equal(first with { Proposers = [], ByzantineValidators = [], RequestWaits = [] },
            second with { Proposers = [], ByzantineValidators = [], RequestWaits = [] });
        Assert.Equal(first.Proposers, second.Proposers);
        Assert.Equal(first.ByzantineValidators, second.ByzantineValidators);
        Assert.Equal(first.RequestWaits, second.RequestWaits);
    }

    [Fact]
    public void Different_seeds_give_different_traces()
    {
        var a = new Simulation(1, Engines.SingleAuthority, FaultProfile.CrashFaults).Run();
        var b = new Simulation(2, Engines.SingleAuthority, FaultProfile.CrashFaults).Run();
        Assert.NotEqual(a.TraceHash, b.TraceHash);
    }
}
