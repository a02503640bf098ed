using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Netting engine throughput (issue 6 Measure; SPEC S3, Alg. 11): seeded gross obligations among P participants and
/// A assets are recorded in a <see cref="GrossObligationBook"/>, then <see cref="NettingEngine.Net"/> (multilateral +
/// bilateral nets, zero-sum and cross checks, canonical sorted result) is timed next to a bare summation loop over the
/// same compact records, in interleaved rounds (A,B then B,A), and the median of the per-round ratios is reported.
/// Run: dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --netting [--transactions N] [--rounds N] [--seed N]
/// </summary>
internal static class NettingThroughput
{
    private const int Participants = 100;
    private const int Assets = 3;

    public static void Run(string[] args)
    {
        int transactions = Option(args, "--transactions", 1_000_000);
        int rounds = Option(args, "--rounds", 41);
        int seed = Option(args, "--seed", 42);
        var obligations = Generate(transactions, seed);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# Netting engine: {transactions:N0} transactions, {Participants} participants x {Assets} assets, seed {seed}, {rounds} interleaved rounds, {Environment.ProcessorCount} cores, load average {LoadAverage()}"));

        // Recording (interning names into compact records) is paid as transactions finish during the cycle; time it on its own.
        var recordTimes = new List<double>();
        GrossObligationBook book = null!;
        for (int r = 0; r < 3; r++)
        {
            long start = Stopwatch.GetTimestamp();
            book = new GrossObligationBook(transactions);
            foreach (var o in obligations)
            {
                if (book.Add(o) != ObligationCode.Ok)
                {
                    throw new InvalidOperationException("the generated obligations must all record");
                }
            }

            recordTimes.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        var engine = new NettingEngine();
        var cycle = new CycleId(new ChainId("icc-bench"), 1);
        var outcome = engine.Net(cycle, book);
        if (outcome.Code != NettingCode.Balanced || BareSum(book) == 0)
        {
            throw new InvalidOperationException($"netting must balance: {outcome}");
        }

        // Warm up both (tiering, caches), then start the rounds from a clean heap so no collection of the set-up garbage lands in them.
        for (int i = 0; i < 5; i++)
        {
            engine.Net(cycle, book);
            BareSum(book);
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

        var engineTimes = new double[rounds];
        var loopTimes = new double[rounds];
        var ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                engineTimes[r] = TimeEngine(engine, cycle, book);
                loopTimes[r] = TimeLoop(book);
            }
            else
            {
                loopTimes[r] = TimeLoop(book);
                engineTimes[r] = TimeEngine(engine, cycle, book);
            }

            // Throughput ratio engine / loop = loop time / engine time.
            ratios[r] = loopTimes[r] / engineTimes[r];
        }

        // The report commits to the gross records by their digest: SHA-256 over their canonical encoding, once per cycle.
        long reportStart = Stopwatch.GetTimestamp();
        var report = CycleReport.Create(outcome, book.ComputeDigest());
        double reportSeconds = Stopwatch.GetElapsedTime(reportStart).TotalSeconds;
        Console.WriteLine();
        Console.WriteLine("| what | median time (ms) | transactions/s | of the bare loop (median of per-round ratios) | p25–p75 |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        Array.Sort(ratios);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| bare summation loop over the records | {Median(loopTimes) * 1e3:F2} | {transactions / Median(loopTimes):N0} | 100 % | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| `NettingEngine.Net` (multilateral + bilateral + checks) | {Median(engineTimes) * 1e3:F2} | {transactions / Median(engineTimes):N0} | **{Median(ratios):P1}** | {Percentile(ratios, 0.25):P1}–{Percentile(ratios, 0.75):P1} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| recording into `GrossObligationBook` (during the cycle) | {Median([.. recordTimes]) * 1e3:F2} | {transactions / Median([.. recordTimes]):N0} | | |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| cycle report incl. SHA-256 of the gross records (once per cycle) | {reportSeconds * 1e3:F2} | {transactions / reportSeconds:N0} | | |"));
        Console.WriteLine();
        Console.WriteLine("<!-- engine ms: " + string.Join(", ", engineTimes.Select(t => (t * 1e3).ToString("F2", CultureInfo.InvariantCulture)))
            + "; loop ms: " + string.Join(", ", loopTimes.Select(t => (t * 1e3).ToString("F2", CultureInfo.InvariantCulture))) + " -->");
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| asset | gross count | gross value | net count | net value | bilateral count | liquidity saved |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var line in report.Assets)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {line.Asset} | {line.GrossCount:N0} | {line.GrossValue.MinorUnits:N0} | {line.NetCount} | {line.NetValue.MinorUnits:N0} | {line.BilateralCount:N0} | {line.LiquiditySavedRatio:P2} |"));
        }
    }

    /// <summary>Uniform payer, payee ≠ payer and asset; amounts 1 to 1,000,000 minor units.</summary>
    private static GrossObligation[] Generate(int count, int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, Participants).Select(i => new ChainId($"ppc-{i:D3}")).ToArray();
        AssetCode[] assets = [new("CNY"), new("USD"), new("EUR")];
        var obligations = new GrossObligation[count];
        Span<byte> id = stackalloc byte[8];
        for (int i = 0; i < count; i++)
        {
            int payer = random.Next(Participants);
            int payee = (payer + 1 + random.Next(Participants - 1)) % Participants;
            BitConverter.TryWriteBytes(id, (long)i);
            obligations[i] = new GrossObligation(
                Hash256.Compute(id), names[payer], names[payee], assets[random.Next(Assets)], new Amount(1 + random.Next(1_000_000)));
        }

        return obligations;
    }

    private static double TimeEngine(NettingEngine engine, CycleId cycle, GrossObligationBook book)
    {
        long start = Stopwatch.GetTimestamp();
        var outcome = engine.Net(cycle, book);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(outcome);
        return seconds;
    }

    private static double TimeLoop(GrossObligationBook book)
    {
        long start = Stopwatch.GetTimestamp();
        long sum = BareSum(book);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(sum);
        return seconds;
    }

    /// <summary>The bound: one pass over the same 16-byte records the engine reads (grouped by payer), adding the amounts (no checks).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long BareSum(GrossObligationBook book)
    {
        long sum = 0;
        for (int payer = 0; payer < book.Participants.Count; payer++)
        {
            foreach (ref readonly var e in book.EntriesPaidBy(payer))
            {
                sum += e.Amount;
            }
        }

        return sum;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Percentile(sorted, 0.5);
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Round((sorted.Length - 1) * p)];

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int v) ? v : fallback;
    }
}
