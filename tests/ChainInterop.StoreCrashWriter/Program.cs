using System.Globalization;
using ChainInterop.Storage;
using ChainInterop.Testing;

// The child of the kill -9 test (C5): appends deterministic certified blocks to a FileBlockStore and reports each
// block on stdout only once its append returned, i.e. once it is durable under the chosen policy:
//   durable <height> <hash hex>
// Usage: ChainInterop.StoreCrashWriter <directory> <EveryBlock|EveryBatch> <seed> [maxBlocks]
// Batch sizes vary with the seed, so a kill lands before, between and inside batches. It never exits by itself
// before maxBlocks (default: unbounded); the test kills it with SIGKILL.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: <directory> <EveryBlock|EveryBatch> <seed> [maxBlocks]");
    return 2;
}

var durability = Enum.Parse<FileStoreDurability>(args[1]);
var random = new Random(int.Parse(args[2], CultureInfo.InvariantCulture));
long maxBlocks = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : long.MaxValue;
using var chain = new DeterministicChain();
var options = new FileStoreOptions
{
    Path = args[0],
    Durability = durability,
    MaxSegmentSizeBytes = FileStoreOptions.MinSegmentSizeBytes,
};
await using var store = FileStores.OpenPhysical(options, chain.ChainId);
var stdout = Console.Out;
stdout.WriteLine($"open {(store.Tip is null ? -1 : (long)store.Tip.Height)}");
stdout.Flush();
long written = 0;
while (written < maxBlocks)
{
    var batch = chain.Take(store.Tip, random.Next(1, 9));
    await store.AppendBatchAsync(batch);
    foreach (var block in batch)
    {
        stdout.WriteLine($"durable {block.Height} {block.Hash}");
    }

    stdout.Flush();
    written += batch.Count;
}

return 0;
