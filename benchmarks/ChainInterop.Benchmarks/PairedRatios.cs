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
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --paired [--rounds N]</c> (codec,
/// Ed25519 and CRC-32C pairs) or <c>-- --crc [--rounds N]</c> (the CRC-32C pairs alone).
/// </remarks>
public static class PairedRatios
{
    public static void Run(string[] args)
    {
        int rounds = ArgValue(args, "--rounds", 41);
        bool crcOnly = args.Contains("--crc") && !args.Contains("--paired");
        Console.WriteLine($"Paired ratios, {rounds} interleaved rounds each; median ns/op and median of per-round ratios (A / B).");
        Console.WriteLine();
        Console.WriteLine("| A | B | A ns/op | B ns/op | ratio A/B (median) | ratio p25–p75 |");
        Console.WriteLine("|---|---|---:|---:|---:|---|");
        if (!crcOnly)
        {
            RunCodec(rounds);
            RunSignatures(rounds);
        }

        RunCrc(rounds);
    }

    private static void RunCodec(int rounds)
    {
        var codec = new CodecBenchmarks();
        codec.Setup();
        try
        {
            Pair("Canonical encode", () => codec.Canonical_encode(), "Protobuf encode", () => codec.Protobuf_encode(), rounds, 20_000);
            Pair("Canonical decode", () => codec.Canonical_decode(), "Protobuf decode", () => codec.Protobuf_decode(), rounds, 20_000);
            Pair("Canonical encode+decode", () => codec.Canonical_encode_decode(), "Protobuf encode+decode", () => codec.Protobuf_encode_decode(), rounds, 10_000);
        }
        finally
        {
            codec.Dispose();
        }
    }

    private static void RunSignatures(int rounds)
    {
        var signatures = new SignatureBenchmarks();
        signatures.Setup();
        try
        {
            Pair("Ed25519 sign (our API)", () => signatures.Ed25519_sign(), "raw NSec sign", () => signatures.Raw_NSec_sign(), rounds, 400);
            Pair("Ed25519 verify (our API: pre-check, import, verify)", () => signatures.Ed25519_verify(), "raw NSec verify (import, verify)", () => signatures.Raw_NSec_verify(), rounds, 200);
            Pair("Ed25519 verify (our API: pre-check, import, verify)", () => signatures.Ed25519_verify(), "raw NSec verify (key imported once)", () => signatures.Raw_NSec_verify_key_imported_once(), rounds, 200);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"// bytes allocated per call: our sign {Allocated(() => signatures.Ed25519_sign())}, raw NSec sign {Allocated(() => signatures.Raw_NSec_sign())}, " +
                $"our verify {Allocated(() => signatures.Ed25519_verify())}, raw NSec verify (import, verify) {Allocated(() => signatures.Raw_NSec_verify())}, " +
                $"raw NSec verify (key imported once) {Allocated(() => signatures.Raw_NSec_verify_key_imported_once())}"));
        }
        finally
        {
            signatures.Cleanup();
        }
    }

    private static void RunCrc(int rounds)
    {
        // 64-byte inputs are timed 32 to a call (consecutive slices of a 2 KB buffer) so the harness's delegate call
        // does not swamp a few-nanosecond checksum; the figures are per call.
        var small = new byte[64 * 32];
        var medium = new byte[1024];
        var large = new byte[64 * 1024];
        var random = new Random(3720);
        random.NextBytes(small);
        random.NextBytes(medium);
        random.NextBytes(large);
        foreach (byte[] data in new[] { small, medium, large })
        {
            if (System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, data) != Framing.Crc32C.Compute(data))
            {
                throw new InvalidOperationException("System.IO.Hashing and ours disagree");
            }
        }

        Pair("System.IO.Hashing CRC-32C, 32 × 64 B", () => TheirsSmall(small), "ours, 32 × 64 B", () => OursSmall(small), rounds, 20_000);
        Pair("System.IO.Hashing CRC-32C, 1 KB", () => Theirs(medium), "ours, 1 KB", () => Ours(medium), rounds, 20_000);
        Pair("System.IO.Hashing CRC-32C, 64 KB", () => Theirs(large), "ours, 64 KB", () => Ours(large), rounds, 400);

        static uint Theirs(byte[] data) => System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, data);

        static uint Ours(byte[] data) => Framing.Crc32C.Compute(data);

        static uint TheirsSmall(byte[] data)
        {
            uint sink = 0;
            for (int i = 0; i < data.Length; i += 64)
            {
                sink ^= System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, data.AsSpan(i, 64));
            }

            return sink;
        }

        static uint OursSmall(byte[] data)
        {
            uint sink = 0;
            for (int i = 0; i < data.Length; i += 64)
            {
                sink ^= Framing.Crc32C.Compute(data.AsSpan(i, 64));
            }

            return sink;
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

    /// <summary>Bytes this thread allocates per call, over 100 calls after a warm-up.</summary>
    private static double Allocated<T>(Func<T> action)
    {
        const int Calls = 100;
        T sink = action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            sink = action();
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(sink);
        return (double)bytes / Calls;
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
