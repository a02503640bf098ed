using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ChainInterop.Simulation;

/// <summary>
/// Runs many seeds of one engine (in parallel: runs share nothing) and reports every failing seed.
/// Environment: <c>CHAININTEROP_SIM_SEED=N</c> runs only seed N; <c>CHAININTEROP_SIM_SEEDS=N</c> runs N seeds
/// (from <c>CHAININTEROP_SIM_FIRST_SEED</c>, default 0) instead of the suite's default;
/// <c>CHAININTEROP_SIM_ENGINE=name</c> skips the suites of other engines.
/// </summary>
public static class SeedSweep
{
    /// <summary>Environment variable: run exactly this seed.</summary>
    public const string SeedVariable = "CHAININTEROP_SIM_SEED";

    /// <summary>Environment variable: how many seeds to run.</summary>
    public const string SeedCountVariable = "CHAININTEROP_SIM_SEEDS";

    /// <summary>Environment variable: the first seed of a sweep.</summary>
    public const string FirstSeedVariable = "CHAININTEROP_SIM_FIRST_SEED";

    /// <summary>Environment variable: with one seed, write every event of the run to this file (debugging).</summary>
    public const string LogVariable = "CHAININTEROP_SIM_LOG";

    /// <summary>Environment variable: only this engine's suites run.</summary>
    public const string EngineVariable = "CHAININTEROP_SIM_ENGINE";

    /// <summary>The seeds to run: the environment's choice, else <paramref name="defaultCount"/> seeds from 0.</summary>
    /// <param name="defaultCount">The suite's default number of seeds.</param>
    /// <returns>The seeds.</returns>
    public static IReadOnlyList<int> Seeds(int defaultCount)
    {
        if (TryReadInt(SeedVariable, out int single))
        {
            return [single];
        }

        int count = TryReadInt(SeedCountVariable, out int n) ? n : defaultCount;
        int first = TryReadInt(FirstSeedVariable, out int f) ? f : 0;
        return [.. Enumerable.Range(first, count)];
    }

    /// <summary>Whether the environment selects <paramref name="engine"/> (or selects none).</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>True when the suite should run.</returns>
    public static bool Selected(EngineUnderTest engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        string? chosen = Environment.GetEnvironmentVariable(EngineVariable);
        return string.IsNullOrEmpty(chosen) || string.Equals(chosen, engine.Name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Runs every seed; throws one exception listing every failing seed (lowest first) with its reproduction command.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="faults">The faults.</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="log">Where to write a summary line (e.g. xunit's output).</param>
    /// <returns>The results, in seed order.</returns>
    /// <exception cref="SimulationFailureException">At least one seed failed.</exception>
    public static IReadOnlyList<SimulationResult> Run(EngineUnderTest engine, FaultProfile faults, IReadOnlyList<int> seeds, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return Run(engine.Name, seeds, (seed, debugLog) => new Simulation(seed, engine, faults) { Log = debugLog }.Run(), r => r.Seed,
            ordered => $"{ordered.Sum(r => r.Events)} events, {ordered.Sum(r => r.AcceptedRequests)} requests accepted, "
                + $"{ordered.Sum(r => r.Crashes)} crashes ({ordered.Sum(r => r.ValidatorCrashes)} of validators), {ordered.Sum(r => r.Partitions)} partitions, {ordered.Sum(r => r.ByzantineNodes)} Byzantine nodes",
            log);
    }

    /// <summary>
    /// Runs every seed of any simulator (in parallel: runs share nothing); throws one exception listing every failing
    /// seed (lowest first) with its reproduction command. With one seed, <c>CHAININTEROP_SIM_LOG</c> gets the debug log.
    /// </summary>
    /// <typeparam name="TResult">A run's result.</typeparam>
    /// <param name="name">The simulator's name (for the summary and the failure message).</param>
    /// <param name="seeds">The seeds.</param>
    /// <param name="runOne">Runs one seed with an optional debug log; throws <see cref="SimulationFailureException"/> on failure.</param>
    /// <param name="seedOf">A result's seed.</param>
    /// <param name="summarize">One line about the successful results.</param>
    /// <param name="log">Where to write the summary line (e.g. xunit's output).</param>
    /// <returns>The results, in seed order.</returns>
    /// <exception cref="SimulationFailureException">At least one seed failed.</exception>
    public static IReadOnlyList<TResult> Run<TResult>(
        string name,
        IReadOnlyList<int> seeds,
        Func<int, Action<string>?, TResult> runOne,
        Func<TResult, int> seedOf,
        Func<IReadOnlyList<TResult>, string> summarize,
        Action<string>? log = null)
        where TResult : notnull
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(runOne);
        ArgumentNullException.ThrowIfNull(seedOf);
        ArgumentNullException.ThrowIfNull(summarize);
        var results = new ConcurrentBag<TResult>();
        var failures = new ConcurrentBag<SimulationFailureException>();
        string? logPath = seeds.Count == 1 ? Environment.GetEnvironmentVariable(LogVariable) : null;
        using var debugLog = string.IsNullOrEmpty(logPath) ? null : new StreamWriter(logPath);
        var watch = Stopwatch.StartNew();
        Parallel.ForEach(seeds, seed =>
        {
            try
            {
                results.Add(runOne(seed, debugLog is null ? null : debugLog.WriteLine));
            }
            catch (SimulationFailureException ex)
            {
                failures.Add(ex);
            }
        });
        watch.Stop();

        var ordered = results.OrderBy(seedOf).ToList();
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"{name}: {seeds.Count} seeds, {failures.Count} failed, {watch.Elapsed.TotalSeconds:F1} s; {summarize(ordered)}"));
        if (seeds.Count == 1)
        {
            foreach (var r in ordered)
            {
                log?.Invoke(r.ToString() ?? string.Empty);
            }
        }

        if (!failures.IsEmpty)
        {
            var sorted = failures.OrderBy(f => f.Seed).ToList();
            throw new SimulationFailureException(
                $"{sorted.Count} of {seeds.Count} seeds failed for engine {name} (failing seeds: {string.Join(", ", sorted.Select(f => f.Seed).Take(50))}). First:{Environment.NewLine}{sorted[0].Message}",
                sorted[0]);
        }

        return ordered;
    }

    private static bool TryReadInt(string variable, out int value) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
