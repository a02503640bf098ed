using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Storage;
using ChainInterop.Tests.Blocks;

namespace ChainInterop.Tests.Ledger;

/// <summary>
/// The dual-chain ledger of an intermediary (C5, S2, seed 000 [0013]-[0015]) over every storage mode: each derived
/// class supplies a store provider and a way to reopen it from its durable data.
/// </summary>
public abstract class IntermediaryLedgerContractTests : IAsyncLifetime
{
    protected static readonly ChainId Abc = new("icc-1-abc");
    protected static readonly ChainId TbcA = new("icc-1-tbc-a");
    protected static readonly ChainId TbcB = new("icc-1-tbc-b");
    protected static readonly ChainId PpcA = new("ppc-bank-a");
    protected static readonly ChainId PpcB = new("ppc-bank-b");
    protected static readonly AssetCode Cny = new("CNY");
    protected static readonly AccountId BankA = new("bank-a");
    protected static readonly AccountId BankB = new("bank-b");

    private const long T0 = 1_795_000_000_000;
    private readonly TestChain _abc = new(chainId: Abc);
    private readonly TestChain _tbcA = new(chainId: TbcA);
    private readonly TestChain _tbcB = new(chainId: TbcB);

    protected IBlockStoreProvider Stores { get; set; } = null!;

    protected IStateSnapshotStore Snapshots { get; set; } = null!;

    /// <summary>Creates an empty provider and snapshot store.</summary>
    protected abstract ValueTask<(IBlockStoreProvider Stores, IStateSnapshotStore Snapshots)> CreateAsync();

    /// <summary>Closes the provider and opens a new one over the same data (a restart).</summary>
    protected abstract ValueTask<IBlockStoreProvider> ReopenAsync(IBlockStoreProvider stores);

    public async Task InitializeAsync() => (Stores, Snapshots) = await CreateAsync();

    public async Task DisposeAsync()
    {
        await Stores.DisposeAsync();
        _abc.Dispose();
        _tbcA.Dispose();
        _tbcB.Dispose();
        Cleanup();
    }

    /// <summary>Removes whatever the derived class created on disk.</summary>
    protected virtual void Cleanup()
    {
    }

    protected static IntermediaryLedgerOptions Options(int snapshotInterval = 0)
    {
        var options = new IntermediaryLedgerOptions { AccountChain = Abc, SnapshotIntervalBlocks = snapshotInterval };
        options.TradingChains.Add(new TradingChainLink(TbcA, PpcA));
        options.TradingChains.Add(new TradingChainLink(TbcB, PpcB));
        return options;
    }

    private Task<IntermediaryLedger> OpenAsync(int snapshotInterval = 0) =>
        IntermediaryLedger.OpenAsync(Options(snapshotInterval), Stores, Snapshots);

    private Block AbcBlock(long time, params LedgerCommand[] commands) =>
        _abc.Append(commands.Select(c => (ReadOnlyMemory<byte>)Canonical.Encode(c)), time);

    private static Block TbcBlock(TestChain chain, long time, params TradeRecord[] records) =>
        chain.Append(records.Select(r => (ReadOnlyMemory<byte>)Canonical.Encode(r)), time);

    private static TradeRecord Trade(string tx, TradeStatus status, ChainId ppc, ulong abcTransfer) =>
        new(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(tx)), status, ppc, new InstitutionId("bank-a"),
            new InstitutionId("bank-b"), Cny, Amount.FromMinorUnits(250_000_00), TransferId.FromUInt64(abcTransfer));

    /// <summary>Opens two bank accounts and funds bank A with 1,000,000.00 CNY.</summary>
    private async Task FundAsync(IntermediaryLedger ledger)
    {
        var results = await ledger.CommitAccountBlockAsync(AbcBlock(T0,
            new OpenAccountCommand(BankA, new InstitutionId("bank-a"), [Cny]),
            new OpenAccountCommand(BankB, new InstitutionId("bank-b"), [Cny]),
            new IssueCommand(TransferId.FromUInt64(1), BankA, Cny, Amount.FromMinorUnits(1_000_000_00))));
        Assert.All(results, r => Assert.Equal(LedgerResultCode.Ok, r.Code));
    }

    [Fact]
    public async Task Reserve_then_post_moves_money_on_the_ABC_and_records_the_trade_on_both_TBCs_S2_C5()
    {
        await using var ledger = await OpenAsync();
        await FundAsync(ledger);

        await ledger.CommitTradingBlockAsync(TbcBlock(_tbcA, T0 + 1, Trade("tx1", TradeStatus.Pending, PpcA, 10)));
        var reserve = await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 2,
            new ReserveCommand(TransferId.FromUInt64(10), BankA, BankB, Cny, Amount.FromMinorUnits(250_000_00), T0 + 60_000)));
        Assert.Equal(LedgerResultCode.Ok, reserve[0].Code);
        Assert.Equal(250_000_00, ledger.Accounts.GetBalance(BankA, Cny).PendingDebits.MinorUnits);

        await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 3, new PostCommand(TransferId.FromUInt64(11), TransferId.FromUInt64(10))));
        await ledger.CommitTradingBlockAsync(TbcBlock(_tbcA, T0 + 4, Trade("tx1", TradeStatus.Committed, PpcA, 11)));
        await ledger.CommitTradingBlockAsync(TbcBlock(_tbcB, T0 + 4, Trade("tx1", TradeStatus.Pending, PpcB, 10), Trade("tx1", TradeStatus.Committed, PpcB, 11)));

        Assert.Equal(750_000_00, ledger.Accounts.GetBalance(BankA, Cny).Posted.MinorUnits);
        Assert.Equal(250_000_00, ledger.Accounts.GetBalance(BankB, Cny).Posted.MinorUnits);
        Assert.Equal(0, ledger.Accounts.GetBalance(BankA, Cny).PendingDebits.MinorUnits);
        var txId = Trade("tx1", TradeStatus.Pending, PpcA, 10).TransactionId;
        Assert.Equal(TradeStatus.Committed, ledger.TradingChains[TbcA].Find(txId)!.Status);
        Assert.Equal(TradeStatus.Committed, ledger.TradingChains[TbcB].Find(txId)!.Status);
    }

    [Fact]
    public async Task Reserve_then_void_releases_the_funds_and_a_late_post_is_refused_S2()
    {
        await using var ledger = await OpenAsync();
        await FundAsync(ledger);
        await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 1,
            new ReserveCommand(TransferId.FromUInt64(20), BankA, BankB, Cny, Amount.FromMinorUnits(100_00), T0 + 60_000)));
        await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 2, new VoidCommand(TransferId.FromUInt64(21), TransferId.FromUInt64(20))));
        var late = await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 3, new PostCommand(TransferId.FromUInt64(22), TransferId.FromUInt64(20))));

        Assert.Equal(LedgerResultCode.AlreadyResolved, late[0].Code);
        Assert.Equal(new Balance(Amount.FromMinorUnits(1_000_000_00), Amount.Zero, Amount.Zero, Amount.Zero), ledger.Accounts.GetBalance(BankA, Cny));
    }

    [Fact]
    public async Task A_reservation_expires_at_the_block_time_after_its_deadline_Time1_S2()
    {
        await using var ledger = await OpenAsync();
        await FundAsync(ledger);
        await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 1,
            new ReserveCommand(TransferId.FromUInt64(30), BankA, BankB, Cny, Amount.FromMinorUnits(100_00), T0 + 5_000)));
        var afterDeadline = await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 5_000, new PostCommand(TransferId.FromUInt64(31), TransferId.FromUInt64(30))));
        Assert.Equal(LedgerResultCode.Expired, afterDeadline[0].Code);
        Assert.Equal(Amount.Zero, ledger.Accounts.GetBalance(BankA, Cny).PendingDebits);
    }

    [Fact]
    public async Task A_committed_entry_that_is_not_a_command_is_answered_InvalidCommand_and_changes_nothing()
    {
        await using var ledger = await OpenAsync();
        await FundAsync(ledger);
        var balances = (ledger.Accounts.GetBalance(BankA, Cny), ledger.Accounts.GetBalance(BankB, Cny));
        int transfers = ledger.Accounts.TransferCount;
        var results = await ledger.CommitAccountBlockAsync(_abc.Append([new byte[] { 0x93, 0x01 }], T0 + 1));
        Assert.Equal(LedgerResultCode.InvalidCommand, results[0].Code);
        Assert.Equal(balances, (ledger.Accounts.GetBalance(BankA, Cny), ledger.Accounts.GetBalance(BankB, Cny)));
        Assert.Equal(transfers, ledger.Accounts.TransferCount);
    }

    [Fact]
    public async Task Blocks_of_other_chains_or_out_of_sequence_are_refused_and_change_nothing_C5()
    {
        await using var ledger = await OpenAsync();
        await FundAsync(ledger);
        var before = ledger.ComputeStateHash();
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.CommitAccountBlockAsync(TbcBlock(_tbcA, T0, Trade("x", TradeStatus.Pending, PpcA, 1))));
        using var stranger = new TestChain(chainId: new ChainId("icc-9-tbc"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.CommitTradingBlockAsync(stranger.Append([], T0)));
        _abc.Append([], T0 + 1); // skipped: the next block is out of sequence
        await Assert.ThrowsAsync<ArgumentException>(async () => await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 2)));
        Assert.Equal(before, ledger.ComputeStateHash());
    }

    [Fact]
    public async Task Reopening_rebuilds_identical_state_from_the_stores_C5()
    {
        Hash256 expected;
        await using (var ledger = await OpenAsync())
        {
            await FundAsync(ledger);
            await ledger.CommitTradingBlockAsync(TbcBlock(_tbcA, T0 + 1, Trade("tx1", TradeStatus.Pending, PpcA, 10)));
            await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 2,
                new ReserveCommand(TransferId.FromUInt64(10), BankA, BankB, Cny, Amount.FromMinorUnits(250_000_00), T0 + 60_000),
                new ReserveCommand(TransferId.FromUInt64(40), BankA, BankB, Cny, Amount.FromMinorUnits(1_00), T0 + 60_000)));
            await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 3, new PostCommand(TransferId.FromUInt64(11), TransferId.FromUInt64(10))));
            expected = ledger.ComputeStateHash();
        }

        Stores = await ReopenAsync(Stores);
        await using var reopened = await OpenAsync();
        Assert.Equal(expected, reopened.ComputeStateHash());
        Assert.Equal(1_00, reopened.Accounts.GetBalance(BankA, Cny).PendingDebits.MinorUnits);
        Assert.Equal(2ul, reopened.AccountChainHeight);
    }

    [Fact]
    public async Task Recovery_from_a_checkpoint_replays_only_later_blocks_and_reaches_the_same_state_C5()
    {
        Hash256 expected;
        await using (var ledger = await OpenAsync(snapshotInterval: 2))
        {
            await FundAsync(ledger);
            // Blocks 0..4 with a checkpoint every 2 blocks: snapshots at heights 1 and 3, block 4 replayed.
            for (ulong i = 0; i < 4; i++)
            {
                await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 10 + (long)i,
                    new TransferCommand(TransferId.FromUInt64(100 + i), BankA, BankB, Cny, Amount.FromMinorUnits(1_00))));
            }

            expected = ledger.ComputeStateHash();
        }

        var snapshot = await Snapshots.LoadLatestAsync(Abc);
        Assert.NotNull(snapshot);
        Assert.Equal(3ul, snapshot.Height);

        Stores = await ReopenAsync(Stores);
        await using var reopened = await OpenAsync();
        Assert.Equal(expected, reopened.ComputeStateHash());
        Assert.Equal(4ul, reopened.AccountChainHeight);
    }

    [Fact]
    public async Task Recovery_starts_from_the_checkpoint_rather_than_genesis_C5()
    {
        await using (var ledger = await OpenAsync())
        {
            await FundAsync(ledger);
            await ledger.CommitAccountBlockAsync(AbcBlock(T0 + 1, new TransferCommand(TransferId.FromUInt64(50), BankA, BankB, Cny, Amount.FromMinorUnits(5_00))));
        }

        // A checkpoint at height 0 whose state differs from what block 0 produced: if recovery uses it, bank A
        // ends with the checkpoint's 7.00 minus block 1's 5.00, not with 1,000,000.00 minus 5.00.
        var distinguishable = new AccountLedger();
        distinguishable.ApplyBlock(
            [new OpenAccountCommand(BankA, new InstitutionId("bank-a"), [Cny]), new OpenAccountCommand(BankB, new InstitutionId("bank-b"), [Cny]),
             new IssueCommand(TransferId.FromUInt64(1), BankA, Cny, Amount.FromMinorUnits(7_00))], T0);
        await Snapshots.SaveAsync(new StateSnapshot(Abc, 0, distinguishable.ExportSnapshot()));

        await using var reopened = await OpenAsync();
        Assert.Equal(2_00, reopened.Accounts.GetBalance(BankA, Cny).Posted.MinorUnits);
    }

    [Fact]
    public async Task A_snapshot_ahead_of_the_stored_blocks_is_ignored_C5()
    {
        await using (var ledger = await OpenAsync())
        {
            await FundAsync(ledger);
        }

        var bogus = new AccountLedger();
        await Snapshots.SaveAsync(new StateSnapshot(Abc, 99, bogus.ExportSnapshot()));
        await using var reopened = await OpenAsync();
        Assert.Equal(1_000_000_00, reopened.Accounts.GetBalance(BankA, Cny).Posted.MinorUnits);
    }

    [Fact]
    public void An_intermediary_links_at_least_two_participant_chains_S1()
    {
        var options = new IntermediaryLedgerOptions { AccountChain = Abc };
        options.TradingChains.Add(new TradingChainLink(TbcA, PpcA));
        Assert.Throws<ArgumentException>(options.Validate);
        options.TradingChains.Add(new TradingChainLink(TbcB, PpcA));
        Assert.Throws<ArgumentException>(options.Validate);
        options.TradingChains[1] = new TradingChainLink(Abc, PpcB);
        Assert.Throws<ArgumentException>(options.Validate);
    }
}

public sealed class InMemoryIntermediaryLedgerTests : IntermediaryLedgerContractTests
{
    protected override ValueTask<(IBlockStoreProvider Stores, IStateSnapshotStore Snapshots)> CreateAsync() =>
        ValueTask.FromResult<(IBlockStoreProvider, IStateSnapshotStore)>((new InMemoryBlockStoreProvider(), new InMemoryStateSnapshotStore()));

    // Memory is the only durable medium here: the same provider is reopened by a fresh ledger.
    protected override ValueTask<IBlockStoreProvider> ReopenAsync(IBlockStoreProvider stores) => ValueTask.FromResult(stores);
}

public abstract class FileIntermediaryLedgerTests : IntermediaryLedgerContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("chaininterop-icc-tests-").FullName;

    protected abstract StorageIsolation Isolation { get; }

    private FileStoreOptions StoreOptions => new() { Path = Path.Combine(_directory, "chains"), Isolation = Isolation };

    protected override ValueTask<(IBlockStoreProvider Stores, IStateSnapshotStore Snapshots)> CreateAsync() =>
        ValueTask.FromResult<(IBlockStoreProvider, IStateSnapshotStore)>(
            (new FileBlockStoreProvider(StoreOptions), new FileStateSnapshotStore(Path.Combine(_directory, "snapshots"))));

    protected override async ValueTask<IBlockStoreProvider> ReopenAsync(IBlockStoreProvider stores)
    {
        await stores.DisposeAsync();
        return new FileBlockStoreProvider(StoreOptions);
    }

    protected override void Cleanup() => Directory.Delete(_directory, recursive: true);
}

public sealed class PhysicalIntermediaryLedgerTests : FileIntermediaryLedgerTests
{
    protected override StorageIsolation Isolation => StorageIsolation.Physical;
}

public sealed class LogicalIntermediaryLedgerTests : FileIntermediaryLedgerTests
{
    protected override StorageIsolation Isolation => StorageIsolation.Logical;
}
