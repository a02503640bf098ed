using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Tests.Storage;

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chaininterop-store-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}


internal static class StoreAssert
{
    public static async Task SameBlocksAsync(IReadOnlyList<Block> expected, IBlockStore store)
    {
        var actual = await store.ReadAsync().ToListAsync();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(Canonical.Encode(expected[i]), Canonical.Encode(actual[i]));
        }

        Assert.Equal(expected.Count == 0 ? null : expected[^1].Header, store.Tip);
    }
}
