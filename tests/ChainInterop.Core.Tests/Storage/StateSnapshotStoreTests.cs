using ChainInterop.Codec;
using ChainInterop.Storage;

namespace ChainInterop.Tests.Storage;

public abstract class StateSnapshotStoreContractTests
{
    protected static readonly ChainId Abc = new("icc-1-abc");

    protected abstract IStateSnapshotStore Store { get; }

    [Fact]
    public async Task A_chain_without_snapshots_replays_from_genesis_C5()
    {
        Assert.Null(await Store.LoadLatestAsync(Abc));
    }

    [Fact]
    public async Task The_newest_snapshot_of_each_chain_is_loaded_C5()
    {
        var other = new ChainId("icc-1-tbc-a");
        await Store.SaveAsync(new StateSnapshot(Abc, 10, "state at 10"u8));
        await Store.SaveAsync(new StateSnapshot(Abc, 20, "state at 20"u8));
        await Store.SaveAsync(new StateSnapshot(other, 5, "tbc state"u8));

        var latest = await Store.LoadLatestAsync(Abc);
        Assert.NotNull(latest);
        Assert.Equal(20ul, latest.Height);
        Assert.Equal("state at 20"u8.ToArray(), latest.State.ToArray());
        Assert.Equal(5ul, (await Store.LoadLatestAsync(other))!.Height);
    }
}

public sealed class InMemoryStateSnapshotStoreTests : StateSnapshotStoreContractTests
{
    protected override IStateSnapshotStore Store { get; } = new InMemoryStateSnapshotStore();
}

public sealed class FileStateSnapshotStoreTests : StateSnapshotStoreContractTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chaininterop-snapshots-").FullName;

    public FileStateSnapshotStoreTests() => Store = new FileStateSnapshotStore(_directory, snapshotsKeptPerChain: 2);

    protected override IStateSnapshotStore Store { get; }

    private string ChainDirectory => Path.Combine(_directory, Abc.Value);

    [Fact]
    public async Task Snapshots_survive_a_new_store_instance_C5()
    {
        await Store.SaveAsync(new StateSnapshot(Abc, 7, "balances"u8));
        var reopened = new FileStateSnapshotStore(_directory);
        var snapshot = await reopened.LoadLatestAsync(Abc);
        Assert.Equal(7ul, snapshot!.Height);
        Assert.Equal(new StateSnapshot(Abc, 7, "balances"u8).StateHash, snapshot.StateHash);
    }

    [Fact]
    public async Task A_damaged_newest_snapshot_falls_back_to_the_previous_one_C5()
    {
        await Store.SaveAsync(new StateSnapshot(Abc, 1, "one"u8));
        await Store.SaveAsync(new StateSnapshot(Abc, 2, "two"u8));
        string newest = Directory.GetFiles(ChainDirectory).Max()!;
        var bytes = await File.ReadAllBytesAsync(newest);
        bytes[^1] ^= 0x40;
        await File.WriteAllBytesAsync(newest, bytes);

        Assert.Equal(1ul, (await Store.LoadLatestAsync(Abc))!.Height);
    }

    [Fact]
    public async Task A_truncated_snapshot_and_a_leftover_temporary_file_are_ignored_C5()
    {
        await Store.SaveAsync(new StateSnapshot(Abc, 3, "three"u8));
        await Store.SaveAsync(new StateSnapshot(Abc, 4, "four"u8));
        string newest = Directory.GetFiles(ChainDirectory).Max()!;
        var bytes = await File.ReadAllBytesAsync(newest);
        await File.WriteAllBytesAsync(newest, bytes[..^3]);
        await File.WriteAllBytesAsync(Path.Combine(ChainDirectory, "snapshot-00000000000000000009.snap.tmp"), [1, 2, 3]);

        Assert.Equal(3ul, (await Store.LoadLatestAsync(Abc))!.Height);
    }

    [Fact]
    public async Task A_snapshot_renamed_to_another_height_is_not_trusted_C5()
    {
        await Store.SaveAsync(new StateSnapshot(Abc, 5, "five"u8));
        string file = Directory.GetFiles(ChainDirectory).Single();
        File.Move(file, Path.Combine(ChainDirectory, "snapshot-00000000000000000099.snap"));
        Assert.Null(await Store.LoadLatestAsync(Abc));
    }

    [Fact]
    public async Task Only_the_newest_snapshots_are_kept()
    {
        for (ulong h = 1; h <= 5; h++)
        {
            await Store.SaveAsync(new StateSnapshot(Abc, h, BitConverter.GetBytes(h)));
        }

        Assert.Equal(2, Directory.GetFiles(ChainDirectory).Length);
    }

    [Fact]
    public void A_snapshot_whose_state_does_not_match_its_hash_does_not_decode()
    {
        var bytes = Canonical.Encode(new StateSnapshot(Abc, 1, "state"u8));
        bytes[^1] ^= 0x01;
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<StateSnapshot>(bytes)).Error);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
