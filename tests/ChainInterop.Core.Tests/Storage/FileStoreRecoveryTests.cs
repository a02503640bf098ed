using ChainInterop.Blocks;
using ChainInterop.Storage;
using ChainInterop.Testing;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Tests.Storage;

/// <summary>Recovery of the durable file store on open (C5): torn tails are truncated, anything else is corruption.</summary>
public sealed class FileStoreRecoveryTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly DeterministicChain _chain = new("ppc-recovery");

    private string ChainDirectory => Path.Combine(_directory.Path, _chain.ChainId.Value);

    private FileStoreOptions Options(long segmentBytes = FileStoreOptions.MinSegmentSizeBytes) =>
        new() { Path = _directory.Path, Durability = FileStoreDurability.EveryBlock, MaxSegmentSizeBytes = segmentBytes };

    private string Segment(int number) => Path.Combine(ChainDirectory, $"segment-{number:D12}.log");

    /// <summary>Appends <paramref name="count"/> blocks one by one; returns them and the segment length after each.</summary>
    private async Task<(List<Block> Blocks, List<long> Ends)> WriteAsync(int count, int maxEntryBytes = 600)
    {
        var blocks = _chain.Take(null, count, maxEntryBytes);
        var ends = new List<long>();
        await using var store = FileStores.OpenPhysical(Options(), _chain.ChainId);
        foreach (var block in blocks)
        {
            await store.AppendAsync(block);
            ends.Add(new FileInfo(Segment(0)).Length);
        }

        return (blocks, ends);
    }

    private async Task AssertRecoversToAsync(List<Block> all, int kept)
    {
        await using var store = FileStores.OpenPhysical(Options(), _chain.ChainId);
        await StoreAssert.SameBlocksAsync(all[..kept], store);
        Assert.True(ChainVerifier.Verify(_chain.ChainId, _chain.Validators, await store.ReadAsync().ToListAsync()).IsValid);

        // Appending continues after the repaired tail.
        await store.AppendAsync(all[kept]);
        Assert.Equal(all[kept].Header, store.Tip);
    }

    [Fact]
    public async Task A_tear_at_every_byte_of_the_last_record_keeps_every_complete_record_C5()
    {
        var (blocks, ends) = await WriteAsync(5);
        var original = await File.ReadAllBytesAsync(Segment(0));
        long lastStart = ends[^2];
        for (long cut = lastStart; cut < ends[^1]; cut++)
        {
            await File.WriteAllBytesAsync(Segment(0), original.AsMemory(0, (int)cut).ToArray());
            await AssertRecoversToAsync(blocks, 4);
            Assert.Equal(ends[^1], new FileInfo(Segment(0)).Length); // the torn record was replaced by the re-appended one
        }
    }

    [Fact]
    public async Task Random_tears_across_a_multi_record_tail_keep_exactly_the_complete_records_C5()
    {
        const int seed = 5005;
        var random = new Random(seed);
        var (blocks, ends) = await WriteAsync(20);
        var original = await File.ReadAllBytesAsync(Segment(0));
        for (int round = 0; round < 40; round++)
        {
            long cut = random.NextInt64(ends[9], ends[^1]);
            int kept = ends.Count(e => e <= cut);
            await File.WriteAllBytesAsync(Segment(0), original.AsMemory(0, (int)cut).ToArray());
            try
            {
                await AssertRecoversToAsync(blocks, kept);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}, round {round}, cut {cut}: {e}");
            }
        }
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x5A)]
    [InlineData(-1)]
    public async Task Garbage_after_the_last_record_is_truncated_and_logged_C5(int fill)
    {
        var (blocks, ends) = await WriteAsync(4);
        var garbage = new byte[777];
        if (fill < 0)
        {
            new Random(7).NextBytes(garbage);
            garbage[0] = ChainInterop.Framing.Frame.CurrentVersion; // looks like a header: version 1, reserved 0, then nonsense
            garbage[1] = 0;
        }
        else
        {
            Array.Fill(garbage, (byte)fill);
        }

        await using (var stream = new FileStream(Segment(0), FileMode.Append))
        {
            await stream.WriteAsync(garbage);
        }

        var logs = new ListLoggerFactory();
        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId, logs))
        {
            await StoreAssert.SameBlocksAsync(blocks, store);
        }

        Assert.Equal(ends[^1], new FileInfo(Segment(0)).Length);
        var warning = Assert.Single(logs.Events, e => e.Level == LogLevel.Warning);
        Assert.Equal(5101, warning.Id.Id);
        Assert.Contains(Segment(0), warning.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {ends[^1]}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("777 bytes", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)] // version byte
    [InlineData(3)] // length
    [InlineData(7)] // checksum
    [InlineData(40)] // payload
    public async Task A_flipped_byte_in_a_middle_record_is_corruption_naming_file_and_offset_C5(int offsetInRecord)
    {
        var (_, ends) = await WriteAsync(6);
        var bytes = await File.ReadAllBytesAsync(Segment(0));
        long recordStart = ends[2];
        bytes[recordStart + offsetInRecord] ^= 0x10;
        await File.WriteAllBytesAsync(Segment(0), bytes);

        var error = Assert.Throws<StoreCorruptionException>(() => FileStores.OpenPhysical(Options(), _chain.ChainId));
        Assert.Equal(Segment(0), error.FilePath);
        Assert.Equal(recordStart, error.Offset);
        Assert.Contains("valid record follows", error.Reason, StringComparison.Ordinal);

        // Nothing was repaired behind the operator's back, and the failed open released the directory.
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Segment(0)));
        Assert.Throws<StoreCorruptionException>(() => FileStores.OpenPhysical(Options(), _chain.ChainId));
    }

    [Fact]
    public async Task Segments_roll_over_at_MaxSegmentSizeBytes_and_reopen_correctly_C5()
    {
        var blocks = _chain.Take(null, 60, maxEntryBytes: 40_000); // ~60 KB blocks: several 1 MiB segments
        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId))
        {
            await store.AppendBatchAsync(blocks[..25]);
            foreach (var block in blocks[25..40])
            {
                await store.AppendAsync(block);
            }
        }

        var segments = Directory.GetFiles(ChainDirectory, "segment-*.log").Order().ToArray();
        Assert.True(segments.Length >= 2, $"expected a rollover, got {segments.Length} segment(s)");
        Assert.All(segments, s => Assert.True(new FileInfo(s).Length <= FileStoreOptions.MinSegmentSizeBytes));

        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId))
        {
            await StoreAssert.SameBlocksAsync(blocks[..40], store);
            await store.AppendBatchAsync(blocks[40..]);
            Assert.NotNull(await store.GetAsync(blocks[3].Hash));
        }

        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId))
        {
            var all = await store.ReadAsync().ToListAsync();
            Assert.Equal(blocks.Select(b => b.Hash), all.Select(b => b.Hash));
            Assert.True(ChainVerifier.Verify(_chain.ChainId, _chain.Validators, all).IsValid);
        }
    }

    [Fact]
    public async Task A_bad_frame_in_an_earlier_segment_is_corruption_even_at_its_end_C5()
    {
        var blocks = _chain.Take(null, 40, maxEntryBytes: 40_000);
        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId))
        {
            await store.AppendBatchAsync(blocks);
        }

        Assert.True(File.Exists(Segment(1)));
        var first = await File.ReadAllBytesAsync(Segment(0));
        await File.WriteAllBytesAsync(Segment(0), first.AsMemory(0, first.Length - 3).ToArray()); // tear the sealed segment

        var error = Assert.Throws<StoreCorruptionException>(() => FileStores.OpenPhysical(Options(), _chain.ChainId));
        Assert.Equal(Segment(0), error.FilePath);
        Assert.Contains("sealed segment", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_segment_is_corruption_C5()
    {
        var blocks = _chain.Take(null, 60, maxEntryBytes: 40_000);
        await using (var store = FileStores.OpenPhysical(Options(), _chain.ChainId))
        {
            await store.AppendBatchAsync(blocks);
        }

        File.Delete(Segment(1));
        var error = Assert.Throws<StoreCorruptionException>(() => FileStores.OpenPhysical(Options(), _chain.ChainId));
        Assert.Equal(Segment(1), error.FilePath);
    }

    [Fact]
    public async Task Logical_mode_with_three_interleaved_areas_reopens_each_area_exactly_C5()
    {
        using var a = new DeterministicChain("bank-a");
        using var b = new DeterministicChain("bank-b");
        using var c = new DeterministicChain("bank-c");
        DeterministicChain[] chains = [a, b, c];
        var expected = chains.ToDictionary(x => x.ChainId, _ => new List<Block>());
        var options = new FileStoreOptions { Path = _directory.Path, MaxSegmentSizeBytes = FileStoreOptions.MinSegmentSizeBytes };
        var random = new Random(3);
        await using (var logical = FileStores.OpenLogical(options))
        {
            for (int round = 0; round < 60; round++)
            {
                var chain = chains[random.Next(3)];
                var list = expected[chain.ChainId];
                var batch = chain.Take(list.Count == 0 ? null : list[^1].Header, random.Next(1, 4), maxEntryBytes: 20_000);
                await logical.GetStore(chain.ChainId).AppendBatchAsync(batch);
                list.AddRange(batch);
            }
        }

        Assert.True(Directory.GetFiles(_directory.Path, "segment-*.log").Length >= 2);
        await using (var logical = FileStores.OpenLogical(options))
        {
            Assert.Equal(chains.Select(x => x.ChainId).Order(), logical.Chains);
            foreach (var chain in chains)
            {
                var store = logical.GetStore(chain.ChainId);
                await StoreAssert.SameBlocksAsync(expected[chain.ChainId], store);
                Assert.True(ChainVerifier.Verify(chain.ChainId, chain.Validators, await store.ReadAsync().ToListAsync()).IsValid);
                Assert.Null(await store.GetAsync(expected[chains.First(x => x != chain).ChainId][0].Hash)); // areas do not leak
            }
        }
    }

    [Fact]
    public async Task A_physical_store_lives_in_its_own_directory_and_a_second_open_is_refused_C5()
    {
        await using var store = FileStores.OpenPhysical(Options(), _chain.ChainId);
        Assert.Equal(ChainDirectory, store.DirectoryPath);
        Assert.Throws<IOException>(() => FileStores.OpenPhysical(Options(), _chain.ChainId));
    }

    [Fact]
    public async Task A_block_over_MaxBlockSizeBytes_is_refused_before_writing_C5()
    {
        var options = Options();
        options.MaxBlockSizeBytes = 2_000;
        var blocks = _chain.Take(null, 2, maxEntryBytes: 5_000);
        Assert.Contains(blocks, b => ChainInterop.Codec.Canonical.Encode(b).Length > options.MaxBlockSizeBytes); // the premise
        await using var store = FileStores.OpenPhysical(options, _chain.ChainId);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.AppendBatchAsync(blocks));
        Assert.Null(store.Tip);
        Assert.Equal(0, new FileInfo(Segment(0)).Length);
    }

    [Fact]
    public void Options_are_validated_with_every_problem_named_C5()
    {
        var error = Assert.Throws<ArgumentException>(() => new FileStoreOptions
        {
            Path = " ",
            MaxSegmentSizeBytes = 1000,
            MaxBlockSizeBytes = 0,
            FlushIntervalMs = 0,
            Durability = (FileStoreDurability)9,
        }.Validate());
        Assert.Contains("Path is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSegmentSizeBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBlockSizeBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("FlushIntervalMs", error.Message, StringComparison.Ordinal);
        Assert.Contains("Durability", error.Message, StringComparison.Ordinal);
        new FileStoreOptions { Path = "x" }.Validate();
    }

    public void Dispose()
    {
        _chain.Dispose();
        _directory.Dispose();
    }
}
