using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Ledger;

/// <summary>
/// The dual-chain ledger of an intermediary (ICC, seed 000 [0013]-[0015]): one account chain (ABC) holding the
/// institutions' balances and two or more trading chains (TBC) holding the transaction records exchanged with each
/// linked participant chain. Each chain has its own block store (physically or logically isolated, as the
/// <see cref="IBlockStoreProvider"/> is configured) and its own consensus; this class is the application side that
/// executes committed blocks and rebuilds its state from disk on open.
/// </summary>
/// <remarks>
/// Committed blocks are appended to their chain's store first and applied second, so a crash between the two is
/// repaired by replay. Not thread-safe: one driver feeds it committed blocks.
/// </remarks>
public sealed partial class IntermediaryLedger : IAsyncDisposable
{
    private readonly IntermediaryLedgerOptions _options;
    private readonly IBlockStore _accountStore;
    private readonly Dictionary<ChainId, (IBlockStore Store, TradingChainLedger State)> _tradingChains;
    private readonly IStateSnapshotStore? _snapshots;
    private readonly ILogger _logger;
    private int _blocksSinceSnapshot;

    private IntermediaryLedger(
        IntermediaryLedgerOptions options,
        IBlockStore accountStore,
        AccountLedger accounts,
        Dictionary<ChainId, (IBlockStore, TradingChainLedger)> tradingChains,
        IStateSnapshotStore? snapshots,
        ILogger logger)
    {
        _options = options;
        _accountStore = accountStore;
        Accounts = accounts;
        _tradingChains = tradingChains;
        TradingChains = tradingChains.ToDictionary(p => p.Key, p => p.Value.Item2);
        _snapshots = snapshots;
        _logger = logger;
    }

    /// <summary>The account chain.</summary>
    public ChainId AccountChain => _options.AccountChain;

    /// <summary>The ABC state: accounts, balances, pending legs, history.</summary>
    public AccountLedger Accounts { get; }

    /// <summary>The state of each trading chain, by TBC id.</summary>
    public IReadOnlyDictionary<ChainId, TradingChainLedger> TradingChains { get; }

    /// <summary>The height of the last ABC block applied, or null before the first.</summary>
    public ulong? AccountChainHeight => _accountStore.Tip?.Height;

    /// <summary>
    /// Opens the intermediary's chains from <paramref name="stores"/> and rebuilds the state: the ABC from its newest
    /// snapshot (if any) plus the blocks after it, every TBC from its blocks.
    /// </summary>
    /// <param name="options">The chains.</param>
    /// <param name="stores">Where the chains' blocks live (either isolation mode).</param>
    /// <param name="snapshots">Where ABC checkpoints live; null for none.</param>
    /// <param name="logger">Recovery and checkpoint events.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The ledger, at the state of the last stored blocks.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="stores"/> is null.</exception>
    public static async Task<IntermediaryLedger> OpenAsync(
        IntermediaryLedgerOptions options,
        IBlockStoreProvider stores,
        IStateSnapshotStore? snapshots = null,
        ILogger<IntermediaryLedger>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stores);
        options.Validate();
        ILogger log = logger ?? (ILogger)NullLogger.Instance;

        var accountStore = await stores.OpenAsync(options.AccountChain, cancellationToken).ConfigureAwait(false);
        var accounts = await RecoverAccountsAsync(options.AccountChain, accountStore, snapshots, log, cancellationToken).ConfigureAwait(false);

        var tradingChains = new Dictionary<ChainId, (IBlockStore, TradingChainLedger)>();
        foreach (var link in options.TradingChains)
        {
            var store = await stores.OpenAsync(link.TradingChain, cancellationToken).ConfigureAwait(false);
            var state = new TradingChainLedger(link.TradingChain, link.ParticipantChain);
            await foreach (var block in store.ReadAsync(0, cancellationToken).ConfigureAwait(false))
            {
                state.ApplyEntries(block.Entries);
            }

            LogRecovered(log, link.TradingChain, store.Tip?.Height, 0);
            tradingChains.Add(link.TradingChain, (store, state));
        }

        return new IntermediaryLedger(options, accountStore, accounts, tradingChains, snapshots, log);
    }

    /// <summary>Stores a committed ABC block and executes its ledger commands at the block's timestamp.</summary>
    /// <param name="block">The committed block of the account chain.</param>
    /// <param name="cancellationToken">Cancels before the block is stored.</param>
    /// <returns>One result per entry; an entry that is not a ledger command yields <see cref="LedgerResultCode.InvalidCommand"/>.</returns>
    /// <exception cref="ArgumentException">The block is not the next block of the account chain; nothing changes.</exception>
    public async ValueTask<IReadOnlyList<LedgerResult>> CommitAccountBlockAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Header.ChainId != AccountChain)
        {
            throw new ArgumentException($"Block of {block.Header.ChainId} is not a block of the account chain {AccountChain}.", nameof(block));
        }

        await _accountStore.AppendAsync(block, cancellationToken).ConfigureAwait(false);
        var results = ApplyAccountBlock(Accounts, block);
        if (_options.SnapshotIntervalBlocks > 0 && ++_blocksSinceSnapshot >= _options.SnapshotIntervalBlocks)
        {
            await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>Stores a committed TBC block and records its transaction records.</summary>
    /// <param name="block">The committed block of one of the trading chains.</param>
    /// <param name="cancellationToken">Cancels before the block is stored.</param>
    /// <returns>One result per entry.</returns>
    /// <exception cref="ArgumentException">The block belongs to no trading chain of this intermediary, or is out of sequence; nothing changes.</exception>
    public async ValueTask<IReadOnlyList<TradeResultCode>> CommitTradingBlockAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!_tradingChains.TryGetValue(block.Header.ChainId, out var chain))
        {
            throw new ArgumentException($"Chain {block.Header.ChainId} is not a trading chain of this intermediary.", nameof(block));
        }

        await chain.Store.AppendAsync(block, cancellationToken).ConfigureAwait(false);
        return chain.State.ApplyEntries(block.Entries);
    }

    /// <summary>Saves a snapshot of the ABC state at its current height (the checkpoint hook), after making the ABC blocks durable.</summary>
    /// <param name="cancellationToken">Cancels the save.</param>
    /// <returns>A task that completes when the snapshot is stored.</returns>
    /// <exception cref="InvalidOperationException">No snapshot store was configured.</exception>
    public async ValueTask CheckpointAsync(CancellationToken cancellationToken = default)
    {
        var snapshots = _snapshots ?? throw new InvalidOperationException("No snapshot store is configured.");
        if (_accountStore.Tip is not { } tip)
        {
            return;
        }

        // The snapshot must never be ahead of the durable blocks it summarizes.
        await _accountStore.FlushAsync(cancellationToken).ConfigureAwait(false);
        await snapshots.SaveAsync(new StateSnapshot(AccountChain, tip.Height, Accounts.ExportSnapshot()), cancellationToken).ConfigureAwait(false);
        _blocksSinceSnapshot = 0;
        LogCheckpoint(_logger, AccountChain, tip.Height);
    }

    /// <summary>One hash over the ABC state and every TBC state (in chain-id order): equal on every replica, and after every reopen.</summary>
    /// <returns>The combined state hash.</returns>
    public Hash256 ComputeStateHash()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(1 + _tradingChains.Count);
        writer.WriteHash256(Accounts.ComputeStateHash());
        foreach (var chain in _tradingChains.OrderBy(p => p.Key))
        {
            writer.WriteHash256(chain.Value.State.ComputeStateHash());
        }

        return Hash256.Compute(buffer.WrittenSpan);
    }

    /// <summary>Flushes every chain's store. The stores themselves belong to the <see cref="IBlockStoreProvider"/>.</summary>
    /// <returns>A task that completes when everything is durable.</returns>
    public async ValueTask DisposeAsync()
    {
        await _accountStore.FlushAsync().ConfigureAwait(false);
        foreach (var chain in _tradingChains.Values)
        {
            await chain.Store.FlushAsync().ConfigureAwait(false);
        }
    }

    private static async Task<AccountLedger> RecoverAccountsAsync(
        ChainId chain, IBlockStore store, IStateSnapshotStore? snapshots, ILogger log, CancellationToken cancellationToken)
    {
        var accounts = new AccountLedger();
        ulong from = 0;
        var snapshot = snapshots is null ? null : await snapshots.LoadLatestAsync(chain, cancellationToken).ConfigureAwait(false);
        if (snapshot is not null && store.Tip is { } tip && snapshot.Height <= tip.Height)
        {
            accounts = AccountLedger.ImportSnapshot(snapshot.State);
            from = snapshot.Height + 1;
        }
        else if (snapshot is not null)
        {
            LogSnapshotAhead(log, chain, snapshot.Height, store.Tip?.Height);
        }

        await foreach (var block in store.ReadAsync(from, cancellationToken).ConfigureAwait(false))
        {
            ApplyAccountBlock(accounts, block);
        }

        LogRecovered(log, chain, store.Tip?.Height, from);
        return accounts;
    }

    private static LedgerResult[] ApplyAccountBlock(AccountLedger accounts, Block block)
    {
        // A committed entry that is not a ledger command (a faulty proposer's garbage) is answered the same way on
        // every replica: InvalidCommand, no effect. The valid ones are applied together, in order.
        var results = new LedgerResult[block.Entries.Count];
        var commands = new List<LedgerCommand>(results.Length);
        var positions = new List<int>(results.Length);
        for (int i = 0; i < results.Length; i++)
        {
            try
            {
                commands.Add(Canonical.Decode<LedgerCommand>(block.Entries[i]));
                positions.Add(i);
            }
            catch (CodecException)
            {
                results[i] = LedgerResult.Of(LedgerResultCode.InvalidCommand);
            }
        }

        var applied = accounts.ApplyBlock(commands, block.Header.TimestampUnixMs);
        for (int k = 0; k < positions.Count; k++)
        {
            results[positions[k]] = applied[k];
        }

        return results;
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Recovered {ChainId} to height {Height} (replayed from height {FromHeight})")]
    private static partial void LogRecovered(ILogger logger, ChainId chainId, ulong? height, ulong fromHeight);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Snapshot of {ChainId} at height {SnapshotHeight} is ahead of the stored blocks (tip {Height}); replaying from genesis")]
    private static partial void LogSnapshotAhead(ILogger logger, ChainId chainId, ulong snapshotHeight, ulong? height);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Checkpoint of {ChainId} at height {Height}")]
    private static partial void LogCheckpoint(ILogger logger, ChainId chainId, ulong height);
}
