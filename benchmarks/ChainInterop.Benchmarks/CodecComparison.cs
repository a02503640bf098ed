using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Issue 14: the canonical codec as rebuilt on MessagePack-CSharp vs the codec before it (namespace
/// <c>Baseline</c>, a copy kept in this project) vs Google.Protobuf, encode and decode of the ~1 KB payment, in one
/// process. Each round times the three in a rotating order (so none is always first or last) and the medians of the
/// per-round ratios are reported, as in <see cref="PairedRatios"/>. Also checks that both codecs write the same bytes
/// and reports the bytes each allocates per operation.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --codec [--rounds N]</c>.</remarks>
public static class CodecComparison
{
    public static void Run(string[] args)
    {
        int rounds = PairedRatios.ArgValue(args, "--rounds", 41);
        var codec = new CodecBenchmarks();
        codec.Setup();
        try
        {
            codec.Canonical_encode();
            byte[] current = codec.CanonicalBytes();
            codec.Baseline_encode();
            byte[] baseline = codec.CanonicalBytes();
            codec.MessagePackCSharp_encode();
            if (!current.AsSpan().SequenceEqual(baseline) || !current.AsSpan().SequenceEqual(codec.CanonicalBytes()))
            {
                throw new InvalidOperationException("The codecs wrote different bytes for the same payment.");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Codec comparison: {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, load average {LoadAverage()}, {rounds} rounds each; same bytes from both codecs and MessagePack-CSharp alone ({current.Length} B)."));
            Now();
            Console.WriteLine($"Timed in {ClockName}; ratios are medians of per-round ratios (p25–p75 in brackets).");
            Console.WriteLine();
            Console.WriteLine("| operation | new ns/op | baseline ns/op | protobuf ns/op | new / baseline | new / protobuf | baseline / protobuf |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Three("encode", codec.Canonical_encode, codec.Baseline_encode, codec.Protobuf_encode, rounds, 20_000);
            Three("decode", codec.Canonical_decode, codec.Baseline_decode, codec.Protobuf_decode, rounds, 20_000);
            Three("encode+decode", codec.Canonical_encode_decode, codec.Baseline_encode_decode, codec.Protobuf_encode_decode, rounds, 10_000);
            Console.WriteLine();
            Console.WriteLine("MessagePack-CSharp alone (its writer flushed once, its reader with lenient UTF-8; no canonical checks), same payment:");
            Console.WriteLine();
            Console.WriteLine("| operation | MessagePack-CSharp ns/op | baseline ns/op | protobuf ns/op | MessagePack-CSharp / baseline | MessagePack-CSharp / protobuf | baseline / protobuf |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            Three("encode", codec.MessagePackCSharp_encode, codec.Baseline_encode, codec.Protobuf_encode, rounds, 20_000);
            Three("decode", codec.MessagePackCSharp_decode, codec.Baseline_decode, codec.Protobuf_decode, rounds, 20_000);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Allocated per op: new encode {Allocated(codec.Canonical_encode)} B, baseline encode {Allocated(codec.Baseline_encode)} B, new decode {Allocated(codec.Canonical_decode)} B, baseline decode {Allocated(codec.Baseline_decode)} B. Load average at the end {LoadAverage()}."));
        }
        finally
        {
            codec.Dispose();
        }
    }

    private static void Three<TA, TB, TC>(string name, Func<TA> a, Func<TB> b, Func<TC> c, int rounds, int ops)
    {
        Time(a, ops);
        Time(b, ops);
        Time(c, ops);
        var ta = new double[rounds];
        var tb = new double[rounds];
        var tc = new double[rounds];
        var ab = new double[rounds];
        var ac = new double[rounds];
        var bc = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            // Six orders of three, cycled: each codec runs first, second and last equally often.
            switch (r % 6)
            {
                case 0: ta[r] = Time(a, ops); tb[r] = Time(b, ops); tc[r] = Time(c, ops); break;
                case 1: tc[r] = Time(c, ops); tb[r] = Time(b, ops); ta[r] = Time(a, ops); break;
                case 2: tb[r] = Time(b, ops); tc[r] = Time(c, ops); ta[r] = Time(a, ops); break;
                case 3: ta[r] = Time(a, ops); tc[r] = Time(c, ops); tb[r] = Time(b, ops); break;
                case 4: tc[r] = Time(c, ops); ta[r] = Time(a, ops); tb[r] = Time(b, ops); break;
                default: tb[r] = Time(b, ops); ta[r] = Time(a, ops); tc[r] = Time(c, ops); break;
            }

            ab[r] = ta[r] / tb[r];
            ac[r] = ta[r] / tc[r];
            bc[r] = tb[r] / tc[r];
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {PairedRatios.Median(ta):F1} | {PairedRatios.Median(tb):F1} | {PairedRatios.Median(tc):F1} | {Ratio(ab)} | {Ratio(ac)} | {Ratio(bc)} |"));
    }

    private static string Ratio(double[] ratios)
    {
        Array.Sort(ratios);
        return string.Create(CultureInfo.InvariantCulture,
            $"**{PairedRatios.Percentile(ratios, 0.5):F3}** ({PairedRatios.Percentile(ratios, 0.25):F3}–{PairedRatios.Percentile(ratios, 0.75):F3})");
    }

    /// <summary>
    /// Nanoseconds per operation over <paramref name="ops"/> calls, in this thread's CPU time where the OS gives it
    /// (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>): on a machine loaded far beyond its cores, wall time mostly measures
    /// how long the thread waited to be scheduled.
    /// </summary>
    private static double Time<T>(Func<T> action, int ops)
    {
        T sink = default!;
        long start = Now();
        for (int i = 0; i < ops; i++)
        {
            sink = action();
        }

        double ns = (double)(Now() - start) / ops;
        GC.KeepAlive(sink);
        return ns;
    }

    private static bool? s_threadClock;

    private static long Now()
    {
        if (s_threadClock != false && OperatingSystem.IsLinux())
        {
            try
            {
                if (clock_gettime(ClockThreadCpuTime, out Timespec t) == 0)
                {
                    s_threadClock = true;
                    return (t.Seconds * 1_000_000_000L) + t.Nanoseconds;
                }
            }
            catch (DllNotFoundException)
            {
            }
            catch (EntryPointNotFoundException)
            {
            }

            s_threadClock = false;
        }

        return (long)Stopwatch.GetElapsedTime(0).TotalNanoseconds;
    }

    internal static string ClockName => s_threadClock == true ? "thread CPU time" : "wall time";

    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clockId, out Timespec time);

    private static long Allocated<T>(Func<T> action)
    {
        const int Ops = 1000;
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Ops; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Ops;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
