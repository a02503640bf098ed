using ChainInterop.Storage;

namespace ChainInterop.Tests.Storage;

/// <summary>Physical isolation (C5): each chain has its own log in its own directory; passes the shared contract unchanged.</summary>
public sealed class PhysicalFileBlockStoreTests : BlockStoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override bool IsDurable => true;

    protected override ValueTask<IBlockStore> OpenAsync(ChainId chainId) =>
        ValueTask.FromResult<IBlockStore>(FileStores.OpenPhysical(new FileStoreOptions { Path = _directory.Path }, chainId));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}

/// <summary>Logical isolation (C5): one log whose areas hold the chains; passes the shared contract unchanged.</summary>
public sealed class LogicalFileBlockStoreTests : BlockStoreContractTests
{
    private readonly TempDirectory _directory = new();
    private LogicalFileStore? _logical;

    protected override bool IsDurable => true;

    protected override ValueTask<IBlockStore> OpenAsync(ChainId chainId)
    {
        _logical ??= FileStores.OpenLogical(new FileStoreOptions { Path = _directory.Path, Durability = FileStoreDurability.EveryBlock });
        return ValueTask.FromResult(_logical.GetStore(chainId));
    }

    protected override async ValueTask<IBlockStore> ReopenAsync(IBlockStore store)
    {
        var chainId = store.ChainId;
        await store.DisposeAsync();
        if (_logical is not null)
        {
            await _logical.DisposeAsync();
            _logical = null;
        }

        return await OpenAsync(chainId);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _logical?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _directory.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The Interval policy passes the contract too (FlushAsync and close still fsync).</summary>
public sealed class IntervalFileBlockStoreTests : BlockStoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override bool IsDurable => true;

    protected override ValueTask<IBlockStore> OpenAsync(ChainId chainId) =>
        ValueTask.FromResult<IBlockStore>(FileStores.OpenPhysical(
            new FileStoreOptions { Path = _directory.Path, Durability = FileStoreDurability.Interval, FlushIntervalMs = 5 }, chainId));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
