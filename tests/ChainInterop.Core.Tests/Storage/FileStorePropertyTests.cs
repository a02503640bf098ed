using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Storage;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace ChainInterop.Tests.Storage;

/// <summary>Model-based property of the durable store (C5): it always equals an in-memory store fed the same operations.</summary>
public sealed class FileStorePropertyTests : IDisposable
{
    private readonly DeterministicChain _chain = new("ppc-model");

    /// <summary>An operation: 0 append one, 1 append a batch of <c>Size</c>, 2 reopen, 3 flush, 4 a refused out-of-sequence append.</summary>
    private readonly record struct Op(int Kind, int Size, int Durability, bool Logical);

    /// <summary>1 to 25 operations on one kind of store (physical or logical); shrinks to fewer operations, never none.</summary>
    private static readonly Arbitrary<Op[]> Scenarios = Arb.From(
        Gen.Choose(0, 1).SelectMany(logical =>
            Gen.Choose(1, 25).SelectMany(n => Gen.ArrayOf(
                from kind in Gen.Choose(0, 4)
                from size in Gen.Choose(1, 6)
                from durability in Gen.Choose(0, 2)
                select new Op(kind, size, durability, logical == 1), n))),
        ops => Shrink.Array(ops, minLength: 1));

    [Property(MaxTest = 40)]
    public Property Any_sequence_of_appends_batches_and_reopens_equals_the_in_memory_model_C5() =>
        Prop.ForAll(Scenarios, ops => RunAsync(ops));

    private async Task<bool> RunAsync(Op[] ops)
    {
        using var directory = new TempDirectory();
        var model = new InMemoryBlockStore(_chain.ChainId);
        LogicalFileStore? logical = null;
        IBlockStore Open(int durability)
        {
            var options = new FileStoreOptions
            {
                Path = directory.Path,
                Durability = (FileStoreDurability)durability,
                FlushIntervalMs = 1,
                MaxSegmentSizeBytes = FileStoreOptions.MinSegmentSizeBytes,
            };
            if (!ops[0].Logical)
            {
                return FileStores.OpenPhysical(options, _chain.ChainId);
            }

            logical = FileStores.OpenLogical(options);
            return logical.GetStore(_chain.ChainId);
        }

        async Task CloseAsync(IBlockStore s)
        {
            await s.DisposeAsync();
            if (logical is not null)
            {
                await logical.DisposeAsync();
            }
        }

        var store = Open(ops[0].Durability);
        try
        {
            foreach (var o in ops)
            {
                switch (o.Kind)
                {
                    case 0:
                        var block = _chain.Next(model.Tip, 3000);
                        await model.AppendAsync(block);
                        await store.AppendAsync(block);
                        break;
                    case 1:
                        var batch = _chain.Take(model.Tip, o.Size, 3000);
                        await model.AppendBatchAsync(batch);
                        await store.AppendBatchAsync(batch);
                        break;
                    case 2:
                        await CloseAsync(store);
                        store = Open(o.Durability);
                        break;
                    case 3:
                        await store.FlushAsync();
                        break;
                    default:
                        var skipped = _chain.Take(model.Tip, 2)[1];
                        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendAsync(skipped));
                        break;
                }

                Assert.Equal(model.Tip, store.Tip);
            }

            await CloseAsync(store);
            store = Open(ops[^1].Durability);
            var expected = await model.ReadAsync().ToListAsync();
            await StoreAssert.SameBlocksAsync(expected, store);
            foreach (var block in expected)
            {
                Assert.Equal(Canonical.Encode(block), Canonical.Encode((await store.GetAsync(block.Hash))!));
            }

            return true;
        }
        finally
        {
            await CloseAsync(store);
        }
    }

    public void Dispose() => _chain.Dispose();
}
