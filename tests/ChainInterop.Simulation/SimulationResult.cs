namespace ChainInterop.Simulation;

/// <summary>What one successful run did.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="Engine">The engine's name.</param>
/// <param name="TraceHash">SHA-256 over every processed event (time, sequence, kind, bytes) and every commit: equal for equal seeds.</param>
/// <param name="Events">Events processed.</param>
/// <param name="EndTimeMs">Virtual time at the end.</param>
/// <param name="Height">Blocks on the agreed chain.</param>
/// <param name="AcceptedRequests">Requests whose clients accepted f + 1 matching replies.</param>
/// <param name="Crashes">Node crashes injected.</param>
/// <param name="ValidatorCrashes">Of those, crashes of validators (for single authority: of the authority).</param>
/// <param name="Partitions">Partitions injected.</param>
/// <param name="ByzantineNodes">Byzantine nodes in the run.</param>
public sealed record SimulationResult(
    int Seed, string Engine, string TraceHash, long Events, long EndTimeMs, int Height, int AcceptedRequests, int Crashes, int ValidatorCrashes, int Partitions, int ByzantineNodes)
{
    /// <summary>The validator index of each agreed block's proposer, by height.</summary>
    public IReadOnlyList<int> Proposers { get; init; } = [];

    /// <summary>The indices of the Byzantine validators of the run.</summary>
    public IReadOnlyList<int> ByzantineValidators { get; init; } = [];

    /// <summary>Every accepted request: its client and how long it waited from creation to acceptance.</summary>
    public IReadOnlyList<RequestWait> RequestWaits { get; init; } = [];
}

/// <summary>How long one accepted request waited.</summary>
/// <param name="Client">The client's index.</param>
/// <param name="ClientId">The client's id.</param>
/// <param name="WaitMs">Virtual milliseconds from the request's creation to the client's acceptance.</param>
public sealed record RequestWait(int Client, ChainInterop.NodeId ClientId, long WaitMs);

/// <summary>A run broke an invariant or missed liveness. The message says how to reproduce it.</summary>
public sealed class SimulationFailureException : Exception
{
    /// <summary>Creates the failure.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="engine">The engine.</param>
    /// <param name="timeMs">Virtual time of the failure.</param>
    /// <param name="detail">What went wrong.</param>
    public SimulationFailureException(int seed, string engine, long timeMs, string detail)
        : base($"Simulation of engine {engine} failed at {timeMs} ms virtual time with --seed {seed}: {detail}{Environment.NewLine}"
            + $"Reproduce: CHAININTEROP_SIM_SEED={seed} CHAININTEROP_SIM_ENGINE={engine} dotnet test tests/ChainInterop.Simulation")
    {
        Seed = seed;
        Engine = engine;
        Detail = detail;
    }

    /// <summary>Creates an exception with a message.</summary>
    public SimulationFailureException()
        : this(0, "?", 0, "unknown")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SimulationFailureException(string message)
        : base(message)
    {
        Engine = "?";
        Detail = message;
    }

    /// <summary>Creates an exception with a message and cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SimulationFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
        Engine = "?";
        Detail = message;
    }

    /// <summary>The failing seed.</summary>
    public int Seed { get; }

    /// <summary>The engine.</summary>
    public string Engine { get; }

    /// <summary>What went wrong.</summary>
    public string Detail { get; }
}
