using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ChainInterop.Ledger;

/// <summary>
/// The state machine of an intermediary's account blockchain (ABC, seed 000; SPEC S2, C5): institutions' accounts,
/// their balances per asset, two-phase reservations and every account's history.
/// </summary>
/// <remarks>
/// <para>Deterministic and single-threaded: the only inputs are the commands and the committed block's timestamp, so
/// every replica that applies the same blocks reaches the same <see cref="ComputeStateHash"/>. Not thread-safe.</para>
/// <para>Outcomes are <see cref="LedgerResult"/> codes, never exceptions; a failed command changes nothing.
/// Exceptions mean a programmer error (null argument, block time going backwards, a block over
/// <see cref="MaxCommandsPerBlock"/>).</para>
/// <para>Invariants, per (account, asset): <c>Posted - PendingDebits &gt;= -CreditLimit</c> (so
/// <see cref="Balance.Available"/> is never negative) and <c>Posted + PendingCredits + CreditLimit</c> fits 64 bits (so
/// committing a reservation can never overflow). Per asset, the sum of <c>Posted</c> over all accounts changes only by
/// <see cref="IssueCommand"/> and <see cref="RedeemCommand"/>, and the sums of pending debits and of pending credits both
/// equal the total of live reservations.</para>
/// </remarks>
public sealed partial class AccountLedger
{
    /// <summary>The most accounts one ledger holds, in accounts.</summary>
    public const int MaxAccounts = 10_000_000;

    /// <summary>The most assets one account holds, in assets.</summary>
    public const int MaxAssetsPerAccount = 16;

    /// <summary>The most commands in one <see cref="ApplyBlock(IReadOnlyList{LedgerCommand}, long)"/> call, in commands.</summary>
    public const int MaxCommandsPerBlock = 65_536;

    /// <summary>The most postings one <see cref="GetHistory"/> call returns, in postings.</summary>
    public const int MaxHistoryPageCount = 10_000;

    /// <summary>The smallest growth of the expiry queue before stale entries are compacted away, in entries.</summary>
    private const int ExpiryCompactionSlack = 4096;

    private readonly Dictionary<AccountId, AccountState> _accounts = [];
    private readonly List<AccountState> _accountList = [];
    private readonly PostingLog _log = new();
    private readonly Dictionary<UInt128, TransferRecord> _transfers;
    private readonly PriorityQueue<UInt128, ExpiryKey> _expiries = new(ExpiryKeyComparer.Instance);
    private readonly List<UInt128> _due = [];
    private readonly List<UndoEntry> _undo = [];
    private bool _recording;
    private bool _hasBlock;
    private long _blockTime;
    private long _nextSequence = 1;
    private int _pendingCount;

    /// <summary>Creates an empty ledger.</summary>
    public AccountLedger()
        : this(0)
    {
    }

    /// <summary>Creates an empty ledger with room for <paramref name="transferCapacity"/> ids before its index grows.</summary>
    /// <param name="transferCapacity">The expected number of applied ids, in ids.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="transferCapacity"/> is negative.</exception>
    public AccountLedger(int transferCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(transferCapacity);
        _transfers = new Dictionary<UInt128, TransferRecord>(transferCapacity, TransferIdComparer.Instance);
    }

    /// <summary>The account limit in force: <see cref="MaxAccounts"/>, lowered only by tests.</summary>
    internal int AccountLimit { get; init; } = MaxAccounts;

    /// <summary>The number of accounts.</summary>
    public int AccountCount => _accounts.Count;

    /// <summary>The number of applied ids (transfers, reservations, posts, voids, issues, redeems).</summary>
    public int TransferCount => _transfers.Count;

    /// <summary>The number of live (pending) reservations.</summary>
    public int PendingCount => _pendingCount;

    /// <summary>The time of the last block applied, or null before the first.</summary>
    public long? LastBlockTimeUnixMs => _hasBlock ? _blockTime : null;

    /// <summary>The sequence number the next posting will get.</summary>
    public long NextSequence => _nextSequence;

    /// <summary>
    /// Applies one command as a block of its own at <paramref name="blockTimeUnixMs"/>: first releases every reservation
    /// that expires at or before that time, then applies the command.
    /// </summary>
    /// <param name="command">The command.</param>
    /// <param name="blockTimeUnixMs">The committed block's timestamp; never earlier than the previous block's.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockTimeUnixMs"/> is before the previous block's time.</exception>
    public LedgerResult Apply(LedgerCommand command, long blockTimeUnixMs)
    {
        ArgumentNullException.ThrowIfNull(command);
        BeginBlock(blockTimeUnixMs);
        return ApplyOne(command);
    }

    /// <summary>
    /// Applies a committed block: first releases every reservation whose expiry is at or before
    /// <paramref name="blockTimeUnixMs"/> (in id order, recorded as <see cref="PostingKind.Expire"/> postings), then
    /// applies the commands in order, each independently.
    /// </summary>
    /// <param name="commands">The block's commands, at most <see cref="MaxCommandsPerBlock"/>.</param>
    /// <param name="blockTimeUnixMs">The committed block's timestamp; never earlier than the previous block's.</param>
    /// <returns>One result per command.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="commands"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">More than <see cref="MaxCommandsPerBlock"/> commands.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockTimeUnixMs"/> is before the previous block's time.</exception>
    public IReadOnlyList<LedgerResult> ApplyBlock(IReadOnlyList<LedgerCommand> commands, long blockTimeUnixMs)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var results = new LedgerResult[commands.Count];
        ApplyBlock(commands, blockTimeUnixMs, results);
        return results;
    }

    /// <summary>
    /// Applies a committed block like <see cref="ApplyBlock(IReadOnlyList{LedgerCommand}, long)"/>, writing the results
    /// into <paramref name="results"/> (no allocation).
    /// </summary>
    /// <param name="commands">The block's commands, at most <see cref="MaxCommandsPerBlock"/>.</param>
    /// <param name="blockTimeUnixMs">The committed block's timestamp; never earlier than the previous block's.</param>
    /// <param name="results">At least one slot per command.</param>
    /// <exception cref="ArgumentNullException"><paramref name="commands"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">More than <see cref="MaxCommandsPerBlock"/> commands, or <paramref name="results"/> is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockTimeUnixMs"/> is before the previous block's time.</exception>
    public void ApplyBlock(IReadOnlyList<LedgerCommand> commands, long blockTimeUnixMs, Span<LedgerResult> results)
    {
        ArgumentNullException.ThrowIfNull(commands);
        int count = commands.Count;
        if (count > MaxCommandsPerBlock)
        {
            throw new ArgumentException($"A block holds at most {MaxCommandsPerBlock} commands; got {count}.", nameof(commands));
        }

        if (results.Length < count)
        {
            throw new ArgumentException($"Need room for {count} results; got {results.Length}.", nameof(results));
        }

        for (int i = 0; i < count; i++)
        {
            ArgumentNullException.ThrowIfNull(commands[i], nameof(commands));
        }

        BeginBlock(blockTimeUnixMs);
        for (int i = 0; i < count; i++)
        {
            results[i] = ApplyOne(commands[i]);
        }
    }

    /// <summary>
    /// Applies <paramref name="commands"/> all-or-nothing as a block of its own at <paramref name="blockTimeUnixMs"/>,
    /// exactly like a <see cref="LinkedCommand"/> (same rollback, same codes), but without its wire limit of
    /// <see cref="LinkedCommand.MaxLinkedCommands"/> members. Meant for a chain application's own deterministic step that
    /// is derived from one committed entry and never travels as a command itself (e.g. an intermediary chain's
    /// settlement-cycle end, which voids every reservation of the cycle and posts the net positions at once).
    /// </summary>
    /// <param name="commands">The commands, in the order they apply; none is a <see cref="LinkedCommand"/>; at most <see cref="MaxCommandsPerBlock"/>.</param>
    /// <param name="blockTimeUnixMs">The committed block's timestamp; never earlier than the previous block's.</param>
    /// <returns>The outcome, as for a <see cref="LinkedCommand"/>: on failure <see cref="LedgerResult.FailedIndex"/> names the member that failed and nothing changed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="commands"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A command is a <see cref="LinkedCommand"/>, or there are more than <see cref="MaxCommandsPerBlock"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockTimeUnixMs"/> is before the previous block's time.</exception>
    public LedgerResult ApplyAtomic(IReadOnlyList<LedgerCommand> commands, long blockTimeUnixMs)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count > MaxCommandsPerBlock)
        {
            throw new ArgumentException($"An atomic group holds at most {MaxCommandsPerBlock} commands; got {commands.Count}.", nameof(commands));
        }

        for (int i = 0; i < commands.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(commands[i], nameof(commands));
            if (commands[i] is LinkedCommand)
            {
                throw new ArgumentException("Linked groups do not nest.", nameof(commands));
            }
        }

        BeginBlock(blockTimeUnixMs);
        return ApplyLinked(commands);
    }

    /// <summary>Looks up an account.</summary>
    /// <param name="account">The account.</param>
    /// <param name="info">Its owner and assets when it exists.</param>
    /// <returns>Whether it exists.</returns>
    public bool TryGetAccount(AccountId account, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AccountInfo? info)
    {
        if (account.IsDefault || !_accounts.TryGetValue(account, out var state))
        {
            info = null;
            return false;
        }

        info = new AccountInfo(state.Id, state.Owner, Array.ConvertAll(state.Slots, s => s.Asset));
        return true;
    }

    /// <summary>The ids of every account, sorted.</summary>
    /// <returns>A new list.</returns>
    public IReadOnlyList<AccountId> GetAccountIds()
    {
        var ids = new AccountId[_accounts.Count];
        _accounts.Keys.CopyTo(ids, 0);
        Array.Sort(ids);
        return ids;
    }

    /// <summary>Looks up the balance of one asset in one account.</summary>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="balance">The balance when the account holds the asset.</param>
    /// <returns>Whether the account exists and holds the asset.</returns>
    public bool TryGetBalance(AccountId account, AssetCode asset, out Balance balance)
    {
        if (!account.IsDefault && !asset.IsDefault && _accounts.TryGetValue(account, out var state))
        {
            int slot = state.FindSlot(asset);
            if (slot >= 0)
            {
                balance = state.Slots[slot].ToBalance();
                return true;
            }
        }

        balance = default;
        return false;
    }

    /// <summary>The balance of one asset in one account.</summary>
    /// <param name="account">The account.</param>
    /// <param name="asset">The asset.</param>
    /// <returns>The balance.</returns>
    /// <exception cref="KeyNotFoundException">The account does not exist or does not hold the asset (use <see cref="TryGetBalance"/> when that is an expected outcome).</exception>
    public Balance GetBalance(AccountId account, AssetCode asset) =>
        TryGetBalance(account, asset, out var balance)
            ? balance
            : throw new KeyNotFoundException($"Account '{account}' does not exist or does not hold '{asset}'.");

    /// <summary>Looks up an applied id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="info">What the ledger remembers about it.</param>
    /// <returns>Whether a command with this id was applied.</returns>
    public bool TryGetTransfer(TransferId id, out TransferInfo info)
    {
        ref var r = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, id.Value);
        if (Unsafe.IsNullRef(ref r))
        {
            info = default;
            return false;
        }

        info = ToInfo(id.Value, in r);
        return true;
    }

    /// <summary>
    /// A page of an account's history, oldest first: postings with a sequence number above
    /// <paramref name="afterSequence"/>, optionally of one asset only.
    /// </summary>
    /// <param name="account">The account.</param>
    /// <param name="asset">Only this asset, or every asset when null.</param>
    /// <param name="afterSequence">Return postings after this sequence number (0 for the beginning); pass the last one received to page on.</param>
    /// <param name="maxCount">The most postings to return, 1 to <see cref="MaxHistoryPageCount"/>.</param>
    /// <returns>The postings; empty when the account does not exist.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is outside 1 to <see cref="MaxHistoryPageCount"/>.</exception>
    public IReadOnlyList<Posting> GetHistory(AccountId account, AssetCode? asset = null, long afterSequence = 0, int maxCount = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxCount, MaxHistoryPageCount);
        if (account.IsDefault || !_accounts.TryGetValue(account, out var state))
        {
            return [];
        }

        // Positions are sequence - 1, so the first posting after afterSequence is the first position >= afterSequence.
        var positions = state.Postings.AsSpan(0, state.PostingCount);
        int start = positions.BinarySearch(Math.Max(afterSequence, 0));
        start = start < 0 ? ~start : start;
        var page = new List<Posting>(Math.Min(maxCount, positions.Length - start));
        for (int i = start; i < positions.Length && page.Count < maxCount; i++)
        {
            var posting = ToPosting(state, positions[i]);
            if (asset is not { } only || posting.Asset == only)
            {
                page.Add(posting);
            }
        }

        return page;
    }

    private Posting ToPosting(AccountState account, long position)
    {
        ref var r = ref _log[position];
        return new Posting(
            position + 1,
            new TransferId(r.TransferId),
            (PostingKind)r.Kind,
            (PostingSide)r.Side,
            account.Slots[r.Slot].Asset,
            new Amount(r.PostedDelta),
            new Amount(r.PendingDelta),
            r.Counterparty < 0 ? default : _accountList[r.Counterparty].Id,
            new TransferId(r.PendingId),
            r.BlockTime);
    }

    private static TransferInfo ToInfo(UInt128 id, in TransferRecord r) => new(
        new TransferId(id),
        r.Kind,
        r.State,
        r.Debit?.Id ?? default,
        r.Credit?.Id ?? default,
        r.Asset,
        new Amount(r.Amount),
        r.ExpiresAt,
        new TransferId(r.PendingId));

    private void BeginBlock(long blockTimeUnixMs)
    {
        if (_hasBlock && blockTimeUnixMs < _blockTime)
        {
            throw new ArgumentOutOfRangeException(
                nameof(blockTimeUnixMs), blockTimeUnixMs, $"Block time went backwards: the previous block was at {_blockTime}.");
        }

        _hasBlock = true;
        _blockTime = blockTimeUnixMs;
        ExpireDue();
    }

    private LedgerResult ApplyOne(LedgerCommand command) => command switch
    {
        ReserveCommand c => LedgerResult.Of(ApplyReserve(c)),
        PostCommand c => LedgerResult.Of(ApplyPost(c)),
        LinkedCommand c => ApplyLinked(c.Commands),
        _ => LedgerResult.Of(ApplySimple(command)),
    };

    private LedgerResultCode ApplySimple(LedgerCommand command) => command switch
    {
        ReserveCommand c => ApplyReserve(c),
        PostCommand c => ApplyPost(c),
        TransferCommand c => ApplyTransfer(c),
        VoidCommand c => ApplyVoid(c),
        IssueCommand c => ApplyIssue(c),
        RedeemCommand c => ApplyRedeem(c),
        OpenAccountCommand c => ApplyOpenAccount(c),
        _ => LedgerResultCode.InvalidCommand,
    };

    private LedgerResult ApplyLinked(IReadOnlyList<LedgerCommand> commands)
    {
        if (commands.Count == 0)
        {
            return LedgerResult.Of(LedgerResultCode.InvalidCommand);
        }

        _recording = true;
        _undo.Clear();
        long sequence = _nextSequence;
        int pending = _pendingCount;
        int firstAlreadyApplied = -1;
        int applied = 0;
        try
        {
            for (int i = 0; i < commands.Count; i++)
            {
                var code = ApplySimple(commands[i]);
                if (code == LedgerResultCode.Ok)
                {
                    applied++;
                }
                else if (code == LedgerResultCode.AlreadyApplied)
                {
                    firstAlreadyApplied = firstAlreadyApplied < 0 ? i : firstAlreadyApplied;
                }
                else
                {
                    Rollback(sequence, pending);
                    return new LedgerResult(code, i);
                }
            }

            if (firstAlreadyApplied >= 0)
            {
                // The whole group re-submitted is idempotent; a group that repeats only some ids is not this group.
                if (applied == 0)
                {
                    return LedgerResult.Of(LedgerResultCode.AlreadyApplied);
                }

                Rollback(sequence, pending);
                return new LedgerResult(LedgerResultCode.DuplicateId, firstAlreadyApplied);
            }

            return LedgerResult.Ok;
        }
        finally
        {
            _recording = false;
            _undo.Clear();
        }
    }

    // ---- commands ---------------------------------------------------------------------------------

    private LedgerResultCode ApplyOpenAccount(OpenAccountCommand c)
    {
        var assets = c.Assets;
        if (assets.Count == 0 || assets.Count > MaxAssetsPerAccount)
        {
            return LedgerResultCode.InvalidCommand;
        }

        var slots = new AssetSlot[assets.Count];
        for (int i = 0; i < slots.Length; i++)
        {
            long limit = c.CreditLimits[i].MinorUnits;
            if (limit < 0)
            {
                return LedgerResultCode.InvalidCommand;
            }

            slots[i] = new AssetSlot { Asset = assets[i], CreditLimit = limit };
        }

        Array.Sort(slots, static (a, b) => a.Asset.CompareTo(b.Asset));
        for (int i = 1; i < slots.Length; i++)
        {
            if (slots[i].Asset == slots[i - 1].Asset)
            {
                return LedgerResultCode.InvalidCommand;
            }
        }

        if (_accounts.ContainsKey(c.Account))
        {
            return LedgerResultCode.AccountExists;
        }

        if (_accounts.Count >= AccountLimit)
        {
            return LedgerResultCode.LimitExceeded;
        }

        var account = new AccountState(_accountList.Count, c.Account, c.Owner, slots);
        _accounts.Add(c.Account, account);
        _accountList.Add(account);
        if (_recording)
        {
            _undo.Add(new UndoEntry { Kind = UndoKind.AccountAdded, Account = account });
        }

        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyIssue(IssueCommand c)
    {
        var code = CheckSingleAccount(c, out var account, out int slot);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        long amount = c.Amount.MinorUnits;
        if (!account!.Slots[slot].CanReceive(amount))
        {
            return LedgerResultCode.BalanceOverflow;
        }

        SaveSlot(account, slot);
        account.Slots[slot].Posted += amount;
        AddTransfer(c.Id.Value, new TransferRecord
        {
            Kind = LedgerCommandKind.Issue, Credit = account, CreditSlot = (byte)slot, Asset = account.Slots[slot].Asset, Amount = amount,
        });
        Append(account, PostingKind.Issue, PostingSide.Credit, slot, c.Id.Value, amount, 0, null, 0);
        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyRedeem(RedeemCommand c)
    {
        var code = CheckSingleAccount(c, out var account, out int slot);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        long amount = c.Amount.MinorUnits;
        if (amount > account!.Slots[slot].Available)
        {
            return LedgerResultCode.InsufficientAssets;
        }

        SaveSlot(account, slot);
        account.Slots[slot].Posted -= amount;
        AddTransfer(c.Id.Value, new TransferRecord
        {
            Kind = LedgerCommandKind.Redeem, Debit = account, DebitSlot = (byte)slot, Asset = account.Slots[slot].Asset, Amount = amount,
        });
        Append(account, PostingKind.Redeem, PostingSide.Debit, slot, c.Id.Value, -amount, 0, null, 0);
        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyTransfer(TransferCommand c)
    {
        if (c.Id.IsZero)
        {
            return LedgerResultCode.InvalidCommand;
        }

        ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.Id.Value);
        if (!Unsafe.IsNullRef(ref existing))
        {
            return existing.Kind == LedgerCommandKind.Transfer && SameLeg(in existing, c)
                ? LedgerResultCode.AlreadyApplied
                : LedgerResultCode.DuplicateId;
        }

        var code = CheckLeg(c, out var debit, out int ds, out var credit, out int cs);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        long amount = c.Amount.MinorUnits;
        SaveSlot(debit!, ds);
        SaveSlot(credit!, cs);
        debit!.Slots[ds].Posted -= amount;
        credit!.Slots[cs].Posted += amount;
        var asset = debit.Slots[ds].Asset;
        AddTransfer(c.Id.Value, new TransferRecord
        {
            Kind = LedgerCommandKind.Transfer, Debit = debit, DebitSlot = (byte)ds, Credit = credit, CreditSlot = (byte)cs, Asset = asset, Amount = amount,
        });
        Append(debit, PostingKind.Transfer, PostingSide.Debit, ds, c.Id.Value, -amount, 0, credit, 0);
        Append(credit, PostingKind.Transfer, PostingSide.Credit, cs, c.Id.Value, amount, 0, debit, 0);
        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyReserve(ReserveCommand c)
    {
        if (c.Id.IsZero)
        {
            return LedgerResultCode.InvalidCommand;
        }

        ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.Id.Value);
        if (!Unsafe.IsNullRef(ref existing))
        {
            return existing.Kind == LedgerCommandKind.Reserve && existing.ExpiresAt == c.ExpiresAtUnixMs
                && SameLeg(in existing, c)
                ? LedgerResultCode.AlreadyApplied
                : LedgerResultCode.DuplicateId;
        }

        if (c.Amount.MinorUnits > 0 && c.Debit != c.Credit && c.ExpiresAtUnixMs <= _blockTime)
        {
            return LedgerResultCode.Expired;
        }

        var code = CheckLeg(c, out var debit, out int ds, out var credit, out int cs);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        long amount = c.Amount.MinorUnits;
        SaveSlot(debit!, ds);
        SaveSlot(credit!, cs);
        debit!.Slots[ds].PendingDebits += amount;
        credit!.Slots[cs].PendingCredits += amount;
        var asset = debit.Slots[ds].Asset;
        AddTransfer(c.Id.Value, new TransferRecord
        {
            Kind = LedgerCommandKind.Reserve, State = TransferState.Pending, Debit = debit, DebitSlot = (byte)ds, Credit = credit,
            CreditSlot = (byte)cs, Asset = asset, Amount = amount, ExpiresAt = c.ExpiresAtUnixMs,
        });
        _pendingCount++;
        EnqueueExpiry(c.Id.Value, c.ExpiresAtUnixMs);
        Append(debit, PostingKind.Reserve, PostingSide.Debit, ds, c.Id.Value, 0, amount, credit, 0);
        Append(credit, PostingKind.Reserve, PostingSide.Credit, cs, c.Id.Value, 0, amount, debit, 0);
        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyPost(PostCommand c)
    {
        if (c.Id.IsZero || c.PendingId.IsZero || c.Id == c.PendingId)
        {
            return LedgerResultCode.InvalidCommand;
        }

        ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.Id.Value);
        if (!Unsafe.IsNullRef(ref existing))
        {
            return existing.Kind == LedgerCommandKind.Post && existing.PendingId == c.PendingId.Value
                && existing.HasRequestedAmount == c.Amount.HasValue
                && (!c.Amount.HasValue || existing.Amount == c.Amount.Value.MinorUnits)
                ? LedgerResultCode.AlreadyApplied
                : LedgerResultCode.DuplicateId;
        }

        if (c.Amount is { IsPositive: false })
        {
            return LedgerResultCode.InvalidAmount;
        }

        ref var p = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.PendingId.Value);
        var code = CheckPending(ref p);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        long reserved = p.Amount;
        long amount = c.Amount?.MinorUnits ?? reserved;
        if (amount > reserved)
        {
            return LedgerResultCode.AmountExceedsPending;
        }

        var debit = p.Debit!;
        var credit = p.Credit!;
        int ds = p.DebitSlot, cs = p.CreditSlot;
        SaveTransfer(c.PendingId.Value, in p);
        p.State = TransferState.Posted;
        SaveSlot(debit, ds);
        SaveSlot(credit, cs);
        ref var d = ref debit.Slots[ds];
        d.Posted -= amount;
        d.PendingDebits -= reserved;
        ref var k = ref credit.Slots[cs];
        k.Posted += amount;
        k.PendingCredits -= reserved;
        _pendingCount--;
        AddTransfer(c.Id.Value, new TransferRecord
        {
            Kind = LedgerCommandKind.Post, Amount = amount, PendingId = c.PendingId.Value, HasRequestedAmount = c.Amount.HasValue,
        });
        Append(debit, PostingKind.Post, PostingSide.Debit, ds, c.Id.Value, -amount, -reserved, credit, c.PendingId.Value);
        Append(credit, PostingKind.Post, PostingSide.Credit, cs, c.Id.Value, amount, -reserved, debit, c.PendingId.Value);
        return LedgerResultCode.Ok;
    }

    private LedgerResultCode ApplyVoid(VoidCommand c)
    {
        if (c.Id.IsZero || c.PendingId.IsZero || c.Id == c.PendingId)
        {
            return LedgerResultCode.InvalidCommand;
        }

        ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.Id.Value);
        if (!Unsafe.IsNullRef(ref existing))
        {
            return existing.Kind == LedgerCommandKind.Void && existing.PendingId == c.PendingId.Value
                ? LedgerResultCode.AlreadyApplied
                : LedgerResultCode.DuplicateId;
        }

        ref var p = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.PendingId.Value);
        var code = CheckPending(ref p);
        if (code != LedgerResultCode.Ok)
        {
            return code;
        }

        SaveTransfer(c.PendingId.Value, in p);
        p.State = TransferState.Voided;
        Release(c.PendingId.Value, ref p, PostingKind.Void, c.Id);
        AddTransfer(c.Id.Value, new TransferRecord { Kind = LedgerCommandKind.Void, PendingId = c.PendingId.Value });
        return LedgerResultCode.Ok;
    }

    // ---- checks and effects -----------------------------------------------------------------------

    private static bool SameLeg(in TransferRecord r, TwoAccountCommand c) =>
        r.Debit!.Id == c.Debit && r.Credit!.Id == c.Credit && r.Asset == c.Asset && r.Amount == c.Amount.MinorUnits;

    /// <summary>
    /// The checks an <see cref="IssueCommand"/> or a <see cref="RedeemCommand"/> passes before its own balance check:
    /// a non-zero id, not yet recorded (<see cref="LedgerResultCode.AlreadyApplied"/> if the same command was, else
    /// <see cref="LedgerResultCode.DuplicateId"/>), a positive amount, a known account that holds the asset.
    /// </summary>
    /// <returns><see cref="LedgerResultCode.Ok"/>, with <paramref name="account"/> and <paramref name="slot"/> set, or the failure.</returns>
    private LedgerResultCode CheckSingleAccount(SingleAccountCommand c, out AccountState? account, out int slot)
    {
        account = null;
        slot = -1;
        if (c.Id.IsZero)
        {
            return LedgerResultCode.InvalidCommand;
        }

        ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, c.Id.Value);
        if (!Unsafe.IsNullRef(ref existing))
        {
            // An issue is recorded on its credit side, a redemption on its debit side.
            var kind = c.Kind;
            return existing.Kind == kind
                && (kind == LedgerCommandKind.Issue ? existing.Credit : existing.Debit)!.Id == c.Account
                && existing.Asset == c.Asset && existing.Amount == c.Amount.MinorUnits
                ? LedgerResultCode.AlreadyApplied
                : LedgerResultCode.DuplicateId;
        }

        if (c.Amount.MinorUnits <= 0)
        {
            return LedgerResultCode.InvalidAmount;
        }

        if (!_accounts.TryGetValue(c.Account, out account))
        {
            return LedgerResultCode.UnknownAccount;
        }

        slot = account.FindSlot(c.Asset);
        return slot < 0 ? LedgerResultCode.NoAssociatedAsset : LedgerResultCode.Ok;
    }

    private LedgerResultCode CheckLeg(
        TwoAccountCommand c, out AccountState? debit, out int debitSlot, out AccountState? credit, out int creditSlot)
    {
        debit = credit = null;
        debitSlot = creditSlot = -1;
        long value = c.Amount.MinorUnits;
        if (value <= 0)
        {
            return LedgerResultCode.InvalidAmount;
        }

        if (c.Debit == c.Credit)
        {
            return LedgerResultCode.SameAccount;
        }

        if (!_accounts.TryGetValue(c.Debit, out debit) || !_accounts.TryGetValue(c.Credit, out credit))
        {
            return LedgerResultCode.UnknownAccount;
        }

        debitSlot = debit.FindSlot(c.Asset);
        creditSlot = credit.FindSlot(c.Asset);
        if (debitSlot < 0 || creditSlot < 0)
        {
            return LedgerResultCode.NoAssociatedAsset;
        }

        if (value > debit.Slots[debitSlot].Available)
        {
            return LedgerResultCode.InsufficientAssets;
        }

        return credit.Slots[creditSlot].CanReceive(value) ? LedgerResultCode.Ok : LedgerResultCode.BalanceOverflow;
    }

    private LedgerResultCode CheckPending(ref TransferRecord p)
    {
        if (Unsafe.IsNullRef(ref p))
        {
            return LedgerResultCode.UnknownPending;
        }

        if (p.Kind != LedgerCommandKind.Reserve)
        {
            return LedgerResultCode.NotPending;
        }

        return p.State switch
        {
            TransferState.Posted or TransferState.Voided => LedgerResultCode.AlreadyResolved,
            TransferState.Expired => LedgerResultCode.Expired,
            _ => p.ExpiresAt <= _blockTime ? LedgerResultCode.Expired : LedgerResultCode.Ok,
        };
    }

    /// <summary>Releases a reservation's funds (void or expiry) and records both sides.</summary>
    private void Release(UInt128 pendingId, ref TransferRecord p, PostingKind kind, TransferId causeId)
    {
        var debit = p.Debit!;
        var credit = p.Credit!;
        int ds = p.DebitSlot, cs = p.CreditSlot;
        long reserved = p.Amount;
        SaveSlot(debit, ds);
        SaveSlot(credit, cs);
        debit.Slots[ds].PendingDebits -= reserved;
        credit.Slots[cs].PendingCredits -= reserved;
        _pendingCount--;
        Append(debit, kind, PostingSide.Debit, ds, causeId.Value, 0, -reserved, credit, pendingId);
        Append(credit, kind, PostingSide.Credit, cs, causeId.Value, 0, -reserved, debit, pendingId);
    }

    private void ExpireDue()
    {
        while (_expiries.TryPeek(out var id, out var key) && key.ExpiresAt <= _blockTime)
        {
            _expiries.Dequeue();
            _due.Add(id);
        }

        if (_due.Count == 0)
        {
            return;
        }

        _due.Sort();
        foreach (var id in _due)
        {
            ref var r = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, id);
            if (!Unsafe.IsNullRef(ref r) && r.State == TransferState.Pending && r.ExpiresAt <= _blockTime)
            {
                r.State = TransferState.Expired;
                Release(id, ref r, PostingKind.Expire, new TransferId(id));
            }
        }

        _due.Clear();
    }

    private void EnqueueExpiry(UInt128 id, long expiresAt)
    {
        _expiries.Enqueue(id, new ExpiryKey(expiresAt, id));
        if (_expiries.Count > (2 * _pendingCount) + ExpiryCompactionSlack)
        {
            CompactExpiries();
        }
    }

    /// <summary>Drops queue entries of reservations already resolved (entries are left behind when posted or voided).</summary>
    private void CompactExpiries()
    {
        var live = new List<(UInt128, ExpiryKey)>(_pendingCount);
        foreach (var (id, key) in _expiries.UnorderedItems)
        {
            ref var r = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, id);
            if (!Unsafe.IsNullRef(ref r) && r.State == TransferState.Pending && r.ExpiresAt == key.ExpiresAt)
            {
                live.Add((id, key));
            }
        }

        _expiries.Clear();
        _expiries.EnqueueRange(live);
    }

    // ---- effects and undo (linked groups) -------------------------------------------------------

    private void AddTransfer(UInt128 id, in TransferRecord record)
    {
        _transfers.Add(id, record);
        if (_recording)
        {
            _undo.Add(new UndoEntry { Kind = UndoKind.TransferAdded, Id = id });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SaveSlot(AccountState account, int slot)
    {
        if (_recording)
        {
            _undo.Add(new UndoEntry { Kind = UndoKind.Slot, Account = account, Slot = slot, OldSlot = account.Slots[slot] });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SaveTransfer(UInt128 id, in TransferRecord old)
    {
        if (_recording)
        {
            _undo.Add(new UndoEntry { Kind = UndoKind.TransferChanged, Id = id, OldRecord = old });
        }
    }

    /// <summary>Records one balance change of <paramref name="account"/> in the log and its history.</summary>
    private void Append(
        AccountState account, PostingKind kind, PostingSide side, int slot, UInt128 transferId, long postedDelta, long pendingDelta,
        AccountState? counterparty, UInt128 pendingId)
    {
        long position = _log.Append(new PostingRecord
        {
            TransferId = transferId,
            PendingId = pendingId,
            PostedDelta = postedDelta,
            PendingDelta = pendingDelta,
            BlockTime = _blockTime,
            Counterparty = counterparty?.Index ?? -1,
            Kind = (byte)kind,
            Side = (byte)side,
            Slot = (byte)slot,
        });
        _nextSequence++;
        account.AddPosting(position);
        if (_recording)
        {
            _undo.Add(new UndoEntry { Kind = UndoKind.PostingAdded, Account = account });
        }
    }

    private void Rollback(long sequence, int pendingCount)
    {
        for (int i = _undo.Count - 1; i >= 0; i--)
        {
            var u = _undo[i];
            switch (u.Kind)
            {
                case UndoKind.Slot:
                    u.Account!.Slots[u.Slot] = u.OldSlot;
                    break;
                case UndoKind.TransferAdded:
                    _transfers.Remove(u.Id);
                    break;
                case UndoKind.TransferChanged:
                    _transfers[u.Id] = u.OldRecord;
                    break;
                case UndoKind.PostingAdded:
                    u.Account!.RemoveLastPosting();
                    _log.RemoveLast();
                    break;
                default:
                    _accounts.Remove(u.Account!.Id);
                    _accountList.RemoveAt(_accountList.Count - 1);
                    break;
            }
        }

        _undo.Clear();
        _nextSequence = sequence;
        _pendingCount = pendingCount;
    }

    private enum UndoKind
    {
        Slot,
        TransferAdded,
        TransferChanged,
        PostingAdded,
        AccountAdded,
    }

    private struct UndoEntry
    {
        public UndoKind Kind;
        public AccountState? Account;
        public int Slot;
        public AssetSlot OldSlot;
        public UInt128 Id;
        public TransferRecord OldRecord;
    }
}
