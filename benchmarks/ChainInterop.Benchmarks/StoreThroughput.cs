using System.Diagnostics;
using System.Globalization;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Framing;
using ChainInterop.Storage;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Stopwatch harness for the durable file store (C5): fsync-bound work, so wall-clock throughput over whole batches
/// rather than BenchmarkDotNet's per-call statistics.
/// Run: dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --store [--dir PATH] [--runs N] [--recovery-mb N]
/// </summary>
internal static class StoreThroughput
{
    private const int BatchSize = 64;

    public static async Task RunAsync(string[] args)
    {
        string root = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "chaininterop-store-bench");
        int runs = int.Parse(Option(args, "--runs") ?? "5", CultureInfo.InvariantCulture);
        int recoveryMb = int.Parse(Option(args, "--recovery-mb") ?? "256", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(root);
        Console.WriteLine($"# Store throughput: {Environment.ProcessorCount} cores, dir {root}, {runs} runs, batches of {BatchSize}, EveryBatch");
        Console.WriteLine("| block | store blocks/s | store MB/s | raw blocks/s | raw MB/s | store/raw |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (size, batches) in new[] { (1024, 400), (64 * 1024, 32) })
        {
            var blocks = MakeBlocks(size, BatchSize * batches);
            long bytes = blocks.Sum(b => (long)Canonical.Encode(b).Length);
            var store = new List<double>();
            var raw = new List<double>();
            for (int run = 0; run < runs; run++)
            {
                store.Add(await TimeStoreAsync(root, blocks));
                raw.Add(TimeRaw(root, blocks));
            }

            double s = Median(store), r = Median(raw);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size / 1024} KB | {blocks.Count / s:F0} | {bytes / s / 1e6:F1} | {blocks.Count / r:F0} | {bytes / r / 1e6:F1} | {r / s:P0} |"));
            Console.WriteLine("<!-- store s: " + string.Join(", ", store.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))) +
                "; raw s: " + string.Join(", ", raw.Select(x => x.ToString("F3", CultureInfo.InvariantCulture))) + " -->");
        }

        Console.WriteLine();
        Console.WriteLine("| block | log MB | blocks | reopen s (median) | s per GB |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (int size in new[] { 64 * 1024, 1024 })
        {
            await RecoveryAsync(root, size, recoveryMb, Math.Max(3, runs / 2 + 1));
        }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static List<Block> MakeBlocks(int entryBytes, int count)
    {
        var chainId = new ChainId("bench-chain");
        var proposer = new NodeId(Hash256.Compute("proposer"u8));
        var random = new Random(42);
        var blocks = new List<Block>(count);
        BlockHeader? tip = null;
        for (int h = 0; h < count; h++)
        {
            var entry = new byte[entryBytes];
            random.NextBytes(entry);
            var block = Block.Create(chainId, (ulong)h, tip?.Hash ?? Hash256.Zero, 1_700_000_000_000 + h, proposer, 0, [entry], []);
            blocks.Add(block);
            tip = block.Header;
        }

        return blocks;
    }

    private static string FreshDirectory(string root, string name)
    {
        var path = Path.Combine(root, name);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return path;
    }

    private static async Task<double> TimeStoreAsync(string root, List<Block> blocks)
    {
        var options = new FileStoreOptions { Path = FreshDirectory(root, "store"), Durability = FileStoreDurability.EveryBatch };
        await using var store = FileStores.OpenPhysical(options, blocks[0].Header.ChainId);
        var batches = blocks.Chunk(BatchSize).ToArray();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            await store.AppendBatchAsync(batch);
        }

        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>The same record bytes (frames of [chain id, block]) written with one RandomAccess.Write and one fsync per batch.</summary>
    private static double TimeRaw(string root, List<Block> blocks)
    {
        var batches = blocks.Chunk(BatchSize).Select(batch =>
        {
            using var buffer = new PooledBufferWriter();
            using var payload = new PooledBufferWriter();
            foreach (var block in batch)
            {
                payload.Reset();
                var writer = new CanonicalWriter(payload);
                writer.WriteArrayHeader(2);
                writer.WriteString(block.Header.ChainId.Value);
                writer.WriteBinary(Canonical.Encode(block));
                Frame.Write(buffer, payload.WrittenSpan);
            }

            return buffer.ToArray();
        }).ToArray();
        var directory = FreshDirectory(root, "raw");
        Directory.CreateDirectory(directory);
        using var handle = File.OpenHandle(Path.Combine(directory, "raw.log"), FileMode.CreateNew, FileAccess.ReadWrite);
        long offset = 0;
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            RandomAccess.Write(handle, batch, offset);
            offset += batch.Length;
            RandomAccess.FlushToDisk(handle);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task RecoveryAsync(string root, int entryBytes, int megabytes, int runs)
    {
        var options = new FileStoreOptions { Path = FreshDirectory(root, "recovery"), Durability = FileStoreDurability.Interval };
        var chainId = new ChainId("bench-chain");
        long written = 0;
        long count = 0;
        await using (var store = FileStores.OpenPhysical(options, chainId))
        {
            var proposer = new NodeId(Hash256.Compute("proposer"u8));
            var entry = new byte[entryBytes];
            new Random(7).NextBytes(entry);
            var batch = new List<Block>(BatchSize);
            while (written < megabytes * 1024L * 1024)
            {
                batch.Clear();
                for (int i = 0; i < BatchSize; i++)
                {
                    var tip = batch.Count > 0 ? batch[^1].Header : store.Tip;
                    var block = Block.Create(chainId, tip is null ? 0 : tip.Height + 1, tip?.Hash ?? Hash256.Zero, 1_700_000_000_000 + (long)count, proposer, 0, [entry], []);
                    batch.Add(block);
                    written += entryBytes + 150;
                    count++;
                }

                await store.AppendBatchAsync(batch);
            }
        }

        long logBytes = Directory.GetFiles(Path.Combine(options.Path, chainId.Value), "segment-*.log").Sum(f => new FileInfo(f).Length);
        var times = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            await using var store = FileStores.OpenPhysical(options, chainId);
            times.Add(watch.Elapsed.TotalSeconds);
            if (store.Tip!.Height + 1 != (ulong)count)
            {
                throw new InvalidOperationException("recovery lost blocks");
            }
        }

        double median = Median(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {entryBytes / 1024} KB | {logBytes / 1e6:F0} | {count} | {median:F2} | {median / (logBytes / 1e9):F2} |"));
    }
}
