using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Ledger;

/// <content>Snapshots: the whole state as canonical bytes, and the state hash.</content>
public sealed partial class AccountLedger
{
    /// <summary>The snapshot format version written by <see cref="ExportSnapshot"/>.</summary>
    public const int SnapshotVersion = 1;

    private const int SnapshotFieldCount = 7;
    private const int AccountFieldCount = 4;
    private const int SlotFieldCount = 5;
    private const int PostingFieldCount = 10;
    private const int TransferFieldCount = 10;

    /// <summary>
    /// The whole state as canonical bytes, in a deterministic order: <c>[version, hasBlock, blockTime, nextSequence,
    /// pendingCount, [account...], [transfer...]]</c>, accounts sorted by id (each with its assets sorted by code and its
    /// history in sequence order) and transfers sorted by id. Two ledgers with the same state give the same bytes.
    /// </summary>
    /// <returns>A new array.</returns>
    public byte[] ExportSnapshot()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new CanonicalWriter(buffer);
        w.WriteArrayHeader(SnapshotFieldCount);
        w.WriteInt32(SnapshotVersion);
        w.WriteBoolean(_hasBlock);
        w.WriteInt64(_hasBlock ? _blockTime : 0);
        w.WriteInt64(_nextSequence);
        w.WriteInt32(_pendingCount);

        var ids = GetAccountIds();
        w.WriteArrayHeader(ids.Count);
        foreach (var id in ids)
        {
            var a = _accounts[id];
            w.WriteArrayHeader(AccountFieldCount);
            w.WriteAccountId(a.Id);
            w.WriteInstitutionId(a.Owner);
            w.WriteArrayHeader(a.Slots.Length);
            foreach (var s in a.Slots)
            {
                w.WriteArrayHeader(SlotFieldCount);
                w.WriteAssetCode(s.Asset);
                w.WriteInt64(s.CreditLimit);
                w.WriteInt64(s.Posted);
                w.WriteInt64(s.PendingDebits);
                w.WriteInt64(s.PendingCredits);
            }

            w.WriteArrayHeader(a.PostingCount);
            for (int i = 0; i < a.PostingCount; i++)
            {
                WritePosting(ref w, ToPosting(a, a.Postings[i]));
            }
        }

        var transferIds = new UInt128[_transfers.Count];
        _transfers.Keys.CopyTo(transferIds, 0);
        Array.Sort(transferIds);
        w.WriteArrayHeader(transferIds.Length);
        foreach (var id in transferIds)
        {
            ref var r = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, id);
            w.WriteArrayHeader(TransferFieldCount);
            new TransferId(id).Encode(ref w);
            w.WriteUInt32((uint)r.Kind);
            w.WriteUInt32((uint)r.State);
            WriteOptionalAccount(ref w, r.Debit?.Id ?? default);
            WriteOptionalAccount(ref w, r.Credit?.Id ?? default);
            if (r.Asset.IsDefault)
            {
                w.WriteNil();
            }
            else
            {
                w.WriteAssetCode(r.Asset);
            }

            w.WriteInt64(r.Amount);
            w.WriteInt64(r.ExpiresAt);
            new TransferId(r.PendingId).Encode(ref w);
            w.WriteBoolean(r.HasRequestedAmount);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SHA-256 of <see cref="ExportSnapshot"/>: equal on every replica that applied the same blocks.</summary>
    /// <returns>The state hash.</returns>
    public Hash256 ComputeStateHash() => Hash256.Compute(ExportSnapshot());

    /// <summary>
    /// Rebuilds a ledger from <see cref="ExportSnapshot"/> bytes. The bytes are checked, not trusted: canonical form,
    /// sort orders, references between accounts and transfers, the balance invariants and that pending balances equal
    /// the live reservations. Exporting the result gives the same bytes.
    /// </summary>
    /// <param name="snapshot">The snapshot bytes.</param>
    /// <returns>The ledger.</returns>
    /// <exception cref="CodecException">The bytes are not a consistent canonical snapshot.</exception>
    public static AccountLedger ImportSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        r.ReadArrayHeader(SnapshotFieldCount);
        long offset = r.Consumed;
        if (r.ReadInt32() != SnapshotVersion)
        {
            throw Bad(offset, $"unsupported snapshot version (expected {SnapshotVersion})");
        }

        bool hasBlock = r.ReadBoolean();
        offset = r.Consumed;
        long blockTime = r.ReadInt64();
        if (!hasBlock && blockTime != 0)
        {
            throw Bad(offset, "a block time without a block");
        }

        offset = r.Consumed;
        long nextSequence = r.ReadInt64();
        if (nextSequence < 1)
        {
            throw Bad(offset, "next sequence must be positive");
        }

        offset = r.Consumed;
        int pendingCount = r.ReadInt32();
        if (pendingCount < 0)
        {
            throw Bad(offset, "negative pending count");
        }

        offset = r.Consumed;
        int accountCount = r.ReadArrayHeader();
        if (accountCount > MaxAccounts)
        {
            throw Bad(offset, "too many accounts");
        }

        var ledger = new AccountLedger(0) { _hasBlock = hasBlock, _blockTime = blockTime, _nextSequence = nextSequence };
        AccountId previous = default;
        var postings = new List<(AccountState Account, Posting Posting, long Offset)>();
        for (int i = 0; i < accountCount; i++)
        {
            offset = r.Consumed;
            var account = ReadAccount(ref r, i, nextSequence, postings);
            if (i > 0 && account.Id.CompareTo(previous) <= 0)
            {
                throw Bad(offset, "accounts not in strictly increasing id order");
            }

            previous = account.Id;
            ledger._accounts.Add(account.Id, account);
            ledger._accountList.Add(account);
        }

        ledger.RebuildLog(postings, nextSequence);

        offset = r.Consumed;
        int transferCount = r.ReadArrayHeader();
        ledger._transfers.EnsureCapacity(transferCount);
        UInt128 previousId = 0;
        for (int i = 0; i < transferCount; i++)
        {
            offset = r.Consumed;
            var (id, record) = ReadTransfer(ref r, ledger, offset);
            if (id <= previousId)
            {
                throw Bad(offset, "transfers not in strictly increasing non-zero id order");
            }

            previousId = id;
            ledger._transfers.Add(id, record);
        }

        r.EnsureEnd();
        ledger.CheckPendingConsistency(pendingCount, offset);
        return ledger;
    }

    private static void WritePosting(ref CanonicalWriter w, in Posting p)
    {
        w.WriteArrayHeader(PostingFieldCount);
        w.WriteInt64(p.Sequence);
        p.TransferId.Encode(ref w);
        w.WriteUInt32((uint)p.Kind);
        w.WriteUInt32((uint)p.Side);
        w.WriteAssetCode(p.Asset);
        w.WriteAmount(p.PostedDelta);
        w.WriteAmount(p.PendingDelta);
        WriteOptionalAccount(ref w, p.Counterparty);
        p.PendingId.Encode(ref w);
        w.WriteInt64(p.BlockTimeUnixMs);
    }

    private static void WriteOptionalAccount(ref CanonicalWriter w, AccountId id)
    {
        if (id.IsDefault)
        {
            w.WriteNil();
        }
        else
        {
            w.WriteAccountId(id);
        }
    }

    private static AccountState ReadAccount(
        ref CanonicalReader r, int index, long nextSequence, List<(AccountState Account, Posting Posting, long Offset)> postings)
    {
        r.ReadArrayHeader(AccountFieldCount);
        var id = r.ReadAccountId();
        var owner = r.ReadInstitutionId();
        long offset = r.Consumed;
        int slotCount = r.ReadArrayHeader();
        if (slotCount == 0 || slotCount > MaxAssetsPerAccount)
        {
            throw Bad(offset, $"an account holds 1 to {MaxAssetsPerAccount} assets");
        }

        var slots = new AssetSlot[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(SlotFieldCount);
            var s = new AssetSlot
            {
                Asset = r.ReadAssetCode(),
                CreditLimit = r.ReadInt64(),
                Posted = r.ReadInt64(),
                PendingDebits = r.ReadInt64(),
                PendingCredits = r.ReadInt64(),
            };
            if ((i > 0 && s.Asset.CompareTo(slots[i - 1].Asset) <= 0)
                || s.CreditLimit < 0 || s.PendingDebits < 0 || s.PendingCredits < 0
                || (Int128)s.Posted - s.PendingDebits < -(Int128)s.CreditLimit
                || (Int128)s.Posted + s.PendingCredits + s.CreditLimit > long.MaxValue)
            {
                throw Bad(offset, "asset balances out of order or breaking the ledger invariants");
            }

            slots[i] = s;
        }

        var account = new AccountState(index, id, owner, slots);
        offset = r.Consumed;
        int historyCount = r.ReadArrayHeader();
        long previous = 0;
        for (int i = 0; i < historyCount; i++)
        {
            offset = r.Consumed;
            var p = ReadPosting(ref r, account, offset);
            if (p.Sequence <= previous || p.Sequence >= nextSequence)
            {
                throw Bad(offset, "posting sequence numbers not increasing or not below the next sequence");
            }

            previous = p.Sequence;
            postings.Add((account, p, offset));
        }

        return account;
    }

    private static Posting ReadPosting(ref CanonicalReader r, AccountState account, long offset)
    {
        r.ReadArrayHeader(PostingFieldCount);
        long sequence = r.ReadInt64();
        var transferId = TransferId.Decode(ref r);
        var kind = (PostingKind)r.ReadByte();
        var side = (PostingSide)r.ReadByte();
        var asset = r.ReadAssetCode();
        var posted = r.ReadAmount();
        var pending = r.ReadAmount();
        AccountId counterparty = r.TryReadNil() ? default : r.ReadAccountId();
        var pendingId = TransferId.Decode(ref r);
        long time = r.ReadInt64();
        int slot = account.FindSlot(asset);
        if (kind is < PostingKind.Issue or > PostingKind.Expire || side is not (PostingSide.Debit or PostingSide.Credit) || slot < 0)
        {
            throw Bad(offset, "posting with an unknown kind, side or asset");
        }

        return new Posting(sequence, transferId, kind, side, account.Slots[slot].Asset, posted, pending, counterparty, pendingId, time);
    }

    /// <summary>Puts the postings of every account back into one log: their sequence numbers must be exactly 1 to next - 1.</summary>
    private void RebuildLog(List<(AccountState Account, Posting Posting, long Offset)> postings, long nextSequence)
    {
        postings.Sort(static (x, y) => x.Posting.Sequence.CompareTo(y.Posting.Sequence));
        if (postings.Count != nextSequence - 1)
        {
            throw Bad(0, "posting sequence numbers are not exactly 1 to the next sequence");
        }

        foreach (var (account, p, offset) in postings)
        {
            AccountState? counterparty = null;
            if ((!p.Counterparty.IsDefault && !_accounts.TryGetValue(p.Counterparty, out counterparty)) || p.Sequence != _log.Count + 1)
            {
                throw Bad(offset, "posting with an unknown counterparty or a repeated sequence number");
            }

            long position = _log.Append(new PostingRecord
            {
                TransferId = p.TransferId.Value,
                PendingId = p.PendingId.Value,
                PostedDelta = p.PostedDelta.MinorUnits,
                PendingDelta = p.PendingDelta.MinorUnits,
                BlockTime = p.BlockTimeUnixMs,
                Counterparty = counterparty?.Index ?? -1,
                Kind = (byte)p.Kind,
                Side = (byte)p.Side,
                Slot = (byte)account.FindSlot(p.Asset),
            });
            account.AddPosting(position);
        }
    }

    private static (UInt128 Id, TransferRecord Record) ReadTransfer(ref CanonicalReader r, AccountLedger ledger, long offset)
    {
        r.ReadArrayHeader(TransferFieldCount);
        var id = TransferId.Decode(ref r).Value;
        var kind = (LedgerCommandKind)r.ReadByte();
        var state = (TransferState)r.ReadByte();
        AccountId debitId = r.TryReadNil() ? default : r.ReadAccountId();
        AccountId creditId = r.TryReadNil() ? default : r.ReadAccountId();
        AssetCode asset = r.TryReadNil() ? default : r.ReadAssetCode();
        long amount = r.ReadInt64();
        long expiresAt = r.ReadInt64();
        var pendingId = TransferId.Decode(ref r).Value;
        bool hasRequested = r.ReadBoolean();

        bool needsDebit = kind is LedgerCommandKind.Redeem or LedgerCommandKind.Transfer or LedgerCommandKind.Reserve;
        bool needsCredit = kind is LedgerCommandKind.Issue or LedgerCommandKind.Transfer or LedgerCommandKind.Reserve;
        bool isResolution = kind is LedgerCommandKind.Post or LedgerCommandKind.Void;
        bool valid = (needsDebit || needsCredit || isResolution)
            && debitId.IsDefault != needsDebit && creditId.IsDefault != needsCredit && asset.IsDefault == isResolution
            && (kind == LedgerCommandKind.Reserve ? state is >= TransferState.Pending and <= TransferState.Expired : state == TransferState.Final)
            && (kind == LedgerCommandKind.Void ? amount == 0 : amount > 0)
            && (kind == LedgerCommandKind.Reserve || expiresAt == 0)
            && (isResolution ? pendingId != 0 && pendingId != id : pendingId == 0)
            && (kind == LedgerCommandKind.Post || !hasRequested);
        var record = new TransferRecord
        {
            Kind = kind, State = state, Amount = amount, ExpiresAt = expiresAt, PendingId = pendingId, HasRequestedAmount = hasRequested,
        };
        if (valid && needsDebit)
        {
            valid = Resolve(ledger, debitId, asset, out record.Debit, out record.DebitSlot);
        }

        if (valid && needsCredit)
        {
            valid = Resolve(ledger, creditId, asset, out record.Credit, out record.CreditSlot);
        }

        if (!valid)
        {
            throw Bad(offset, "inconsistent transfer record");
        }

        record.Asset = record.Debit?.Slots[record.DebitSlot].Asset ?? record.Credit?.Slots[record.CreditSlot].Asset ?? default;
        return (id, record);
    }

    private static bool Resolve(AccountLedger ledger, AccountId id, AssetCode asset, out AccountState? account, out byte slot)
    {
        slot = 0;
        if (!ledger._accounts.TryGetValue(id, out account))
        {
            return false;
        }

        int s = account.FindSlot(asset);
        slot = (byte)Math.Max(s, 0);
        return s >= 0;
    }

    /// <summary>Checks posts and voids name reservations, and pending balances equal the live reservations; builds the expiry queue.</summary>
    private void CheckPendingConsistency(int pendingCount, long offset)
    {
        var pendingDebits = new Dictionary<(AccountState, int), Int128>();
        var pendingCredits = new Dictionary<(AccountState, int), Int128>();
        int live = 0;
        foreach (var (id, r) in _transfers)
        {
            if (r.Kind is LedgerCommandKind.Post or LedgerCommandKind.Void)
            {
                ref var p = ref CollectionsMarshal.GetValueRefOrNullRef(_transfers, r.PendingId);
                if (Unsafe.IsNullRef(ref p) || p.Kind != LedgerCommandKind.Reserve
                    || p.State != (r.Kind == LedgerCommandKind.Post ? TransferState.Posted : TransferState.Voided)
                    || (r.Kind == LedgerCommandKind.Post && r.Amount > p.Amount))
                {
                    throw Bad(offset, "a post or void that does not match its reservation");
                }
            }
            else if (r.State == TransferState.Pending)
            {
                if (_hasBlock && r.ExpiresAt <= _blockTime)
                {
                    throw Bad(offset, "a pending reservation past its expiry");
                }

                live++;
                CollectionsMarshal.GetValueRefOrAddDefault(pendingDebits, (r.Debit!, r.DebitSlot), out _) += r.Amount;
                CollectionsMarshal.GetValueRefOrAddDefault(pendingCredits, (r.Credit!, r.CreditSlot), out _) += r.Amount;
                _expiries.Enqueue(id, new ExpiryKey(r.ExpiresAt, id));
            }
        }

        if (live != pendingCount)
        {
            throw Bad(offset, "pending count does not match the live reservations");
        }

        foreach (var account in _accounts.Values)
        {
            for (int s = 0; s < account.Slots.Length; s++)
            {
                if (pendingDebits.GetValueOrDefault((account, s)) != account.Slots[s].PendingDebits
                    || pendingCredits.GetValueOrDefault((account, s)) != account.Slots[s].PendingCredits)
                {
                    throw Bad(offset, $"pending balances of '{account.Id}' do not match its live reservations");
                }
            }
        }

        _pendingCount = live;
    }

    private static CodecException Bad(long offset, string detail) => new(CodecError.ValueOutOfRange, offset, detail);
}
