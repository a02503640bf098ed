using System.Diagnostics;
using System.Globalization;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Same-run ratios that survive a noisy, shared machine: each pair (ours, bound) is timed in short interleaved
/// rounds — A then B, then B then A — so both see the same machine state, and the median of the per-round ratios
/// is reported. BenchmarkDotNet measures one method after another, minutes apart, which lets drift in the
/// machine's load leak into cross-method ratios; this harness is for the ratios, BenchmarkDotNet for absolute
/// figures and allocations.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --paired [--rounds N]</c>.</remarks>
public static class PairedRatios
{
    public static void Run(string[] args)
    {
        int rounds = ArgValue(args, "--rounds", 41);
        var codec = new CodecBenchmarks();
        codec.Setup();
        var signatures = new SignatureBenchmarks();
        signatures.Setup();
        try
        {
            Console.WriteLine($"Paired ratios, {rounds} interleaved rounds each; median ns/op and median of per-round ratios (ours / bound).");
            Console.WriteLine();
            Console.WriteLine("| ours | bound | ours ns/op | bound ns/op | ratio (median) | ratio p25–p75 |");
            Console.WriteLine("|---|---|---:|---:|---:|---|");
            Pair("Canonical encode", () => codec.Canonical_encode(), "Protobuf encode", () => codec.Protobuf_encode(), rounds, 20_000);
            Pair("Canonical decode", () => codec.Canonical_decode(), "Protobuf decode", () => codec.Protobuf_decode(), rounds, 20_000);
            Pair("Canonical encode+decode", () => codec.Canonical_encode_decode(), "Protobuf encode+decode", () => codec.Protobuf_encode_decode(), rounds, 10_000);
            Pair("Ed25519 sign (our API, libsodium)", () => signatures.Ed25519_libsodium_sign(), "raw libsodium sign", () => signatures.Raw_libsodium_sign(), rounds, 400);
            Pair("Ed25519 verify (our API, libsodium)", () => signatures.Ed25519_libsodium_verify(), "raw libsodium verify", () => signatures.Raw_libsodium_verify(), rounds, 200);
        }
        finally
        {
            codec.Dispose();
            signatures.Cleanup();
        }
    }

    private static void Pair<TA, TB>(string nameA, Func<TA> a, string nameB, Func<TB> b, int rounds, int opsPerRound)
    {
        // Warm up both (JIT tiering, caches).
        Time(a, opsPerRound);
        Time(b, opsPerRound);
        var timesA = new double[rounds];
        var timesB = new double[rounds];
        var ratios = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            if (r % 2 == 0)
            {
                timesA[r] = Time(a, opsPerRound);
                timesB[r] = Time(b, opsPerRound);
            }
            else
            {
                timesB[r] = Time(b, opsPerRound);
                timesA[r] = Time(a, opsPerRound);
            }

            ratios[r] = timesA[r] / timesB[r];
        }

        Array.Sort(ratios);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {nameA} | {nameB} | {Median(timesA):F1} | {Median(timesB):F1} | **{Median(ratios):F3}** | {Percentile(ratios, 0.25):F3}–{Percentile(ratios, 0.75):F3} |"));
    }

    /// <summary>Nanoseconds per operation over <paramref name="ops"/> calls.</summary>
    private static double Time<T>(Func<T> action, int ops)
    {
        T sink = default!;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < ops; i++)
        {
            sink = action();
        }

        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / ops;
        GC.KeepAlive(sink);
        return ns;
    }

    internal static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return Percentile(sorted, 0.5);
    }

    internal static double Percentile(double[] sorted, double p) => sorted[(int)Math.Round((sorted.Length - 1) * p)];

    internal static int ArgValue(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int v) ? v : fallback;
    }
}
