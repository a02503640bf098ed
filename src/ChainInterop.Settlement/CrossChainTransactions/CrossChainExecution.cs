using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// What executing one committed entry did on a chain application: a typed outcome and the cross-chain messages the
/// chain committed to send (the relay delivers them, retrying until the receiver's commit is observed).
/// </summary>
/// <param name="Code">The outcome.</param>
/// <param name="TransactionId">The transaction concerned (zero for a <see cref="Tick"/>).</param>
/// <param name="State">The transaction's state on this chain after the entry, if it is known.</param>
/// <param name="Reason">Why the transaction failed or was rejected or cancelled, else <see cref="TransferFailureReason.None"/>.</param>
/// <param name="LedgerCode">The ledger's code for the leg operation this entry attempted (<see cref="LedgerResultCode.Ok"/> if none failed).</param>
/// <param name="Outbound">The messages to relay, in order.</param>
public sealed record CrossChainExecution(
    CrossChainResultCode Code,
    Hash256 TransactionId,
    CrossChainTransactionState? State,
    TransferFailureReason Reason,
    LedgerResultCode LedgerCode,
    IReadOnlyList<CrossChainMessage> Outbound);

/// <summary>
/// Numbers outbound messages per destination chain from 0 (the <see cref="CrossChainMessage.Sequence"/> the relay and
/// receiver use; the receiver's window starts at 0, so a gap at 0 would stall it).
/// </summary>
internal sealed class Outbox(ChainId self)
{
    private readonly Dictionary<ChainId, ulong> _next = [];

    public CrossChainMessage Make(ChainId destination, TransferMessage message)
    {
        _next.TryGetValue(destination, out ulong seq);
        _next[destination] = checked(seq + 1);
        return new CrossChainMessage(self, destination, seq, message.ToCanonicalBytes());
    }

    /// <summary>Snapshot: <c>[[destination, next]...]</c> by destination.</summary>
    public void Write(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(_next.Count);
        foreach (var (destination, next) in _next.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal))
        {
            writer.WriteArrayHeader(2);
            writer.WriteChainId(destination);
            writer.WriteUInt64(next);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote; apply it with <see cref="Restore"/>.</summary>
    public static Dictionary<ChainId, ulong> Read(ref CanonicalReader reader)
    {
        int count = reader.ReadArrayHeader();
        var next = new Dictionary<ChainId, ulong>(count);
        for (int i = 0; i < count; i++)
        {
            long offset = reader.Consumed;
            reader.ReadArrayHeader(2);
            if (!next.TryAdd(reader.ReadChainId(), reader.ReadUInt64()))
            {
                throw SnapshotCodec.Invalid(offset, "outbox (a destination twice)");
            }
        }

        return next;
    }

    /// <summary>Replaces the counters with ones <see cref="Read"/> returned.</summary>
    public void Restore(Dictionary<ChainId, ulong> next)
    {
        _next.Clear();
        foreach (var (destination, sequence) in next)
        {
            _next.Add(destination, sequence);
        }
    }
}

/// <summary>
/// Records in the order they were admitted. A <see cref="Dictionary{TKey, TValue}"/> enumerates in an order that
/// depends on its history of removals, which a copy restored from a snapshot does not share; this order does not, so
/// every copy, restored or not, walks the records (and numbers the messages it sends for them) alike.
/// </summary>
internal sealed class AdmissionOrder<TRecord>
    where TRecord : class
{
    private readonly SortedDictionary<ulong, (Hash256 Id, TRecord Record)> _byAdmission = [];
    private readonly Dictionary<Hash256, ulong> _admission = [];

    /// <summary>The admission number the next record gets.</summary>
    public ulong Next { get; private set; }

    public int Count => _admission.Count;

    public IEnumerable<TRecord> Values => _byAdmission.Values.Select(v => v.Record);

    public void Add(Hash256 id, TRecord record)
    {
        _admission.Add(id, Next);
        _byAdmission.Add(Next++, (id, record));
    }

    public bool Remove(Hash256 id) => _admission.Remove(id, out ulong admission) && _byAdmission.Remove(admission);

    /// <summary>Snapshot: <c>[next, [[admission, id]...]]</c> in admission order (the records themselves are written by their owner).</summary>
    public void Write(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt64(Next);
        writer.WriteArrayHeader(_byAdmission.Count);
        foreach (var (admission, (id, _)) in _byAdmission)
        {
            writer.WriteArrayHeader(2);
            writer.WriteUInt64(admission);
            writer.WriteHash256(id);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote, finding each record with <paramref name="find"/> (null: not a record it may hold).</summary>
    public static (ulong Next, List<(ulong Admission, Hash256 Id, TRecord Record)> Entries) Read(ref CanonicalReader reader, Func<Hash256, TRecord?> find)
    {
        reader.ReadArrayHeader(2);
        ulong next = reader.ReadUInt64();
        int count = reader.ReadArrayHeader();
        var entries = new List<(ulong, Hash256, TRecord)>(count);
        var ids = new HashSet<Hash256>();
        ulong previous = 0;
        for (int i = 0; i < count; i++)
        {
            long offset = reader.Consumed;
            reader.ReadArrayHeader(2);
            ulong admission = reader.ReadUInt64();
            var id = reader.ReadHash256();
            if ((i > 0 && admission <= previous) || admission >= next || !ids.Add(id) || find(id) is not { } record)
            {
                throw SnapshotCodec.Invalid(offset, "admission order");
            }

            previous = admission;
            entries.Add((admission, id, record));
        }

        return (next, entries);
    }

    /// <summary>Replaces the contents with what <see cref="Read"/> returned.</summary>
    public void Restore((ulong Next, List<(ulong Admission, Hash256 Id, TRecord Record)> Entries) state)
    {
        _byAdmission.Clear();
        _admission.Clear();
        foreach (var (admission, id, record) in state.Entries)
        {
            _byAdmission.Add(admission, (id, record));
            _admission.Add(id, admission);
        }

        Next = state.Next;
    }
}

/// <summary>Derives the ledger ids of a transaction's legs from its id, so every validator derives the same.</summary>
internal static class LegIds
{
    public static TransferId Of(Hash256 transactionId, string leg) =>
        TransferId.FromHash(Hash256.Compute(transactionId.ToArray(), System.Text.Encoding.ASCII.GetBytes(leg)));
}

/// <summary>
/// A chain application's memory of decided transactions (docs/SETTLEMENT.md, "Retention"): a decided transaction is
/// forgotten once both its Time1 and its decision are older than the retention period, and an entry naming a Time1
/// that old is a replay. Deterministic: only committed times.
/// </summary>
internal sealed class Retention(long retentionMs)
{
    private readonly Queue<(Hash256 Id, long ForgetAfterMs)> _decided = []; // in decision order

    /// <summary>The retention period, ms.</summary>
    public long PeriodMs { get; } = retentionMs;

    /// <summary>Time1 is further in the past than the retention period: only a replay can carry it.</summary>
    public bool IsExpired(long time1Ms, long nowMs) => time1Ms < nowMs - PeriodMs;

    /// <summary>Records that a transaction reached its final state at <paramref name="nowMs"/>.</summary>
    public void Decided(Hash256 transactionId, long time1Ms, long nowMs) => _decided.Enqueue((transactionId, Math.Max(time1Ms, nowMs)));

    /// <summary>Snapshot: <c>[[id, forgetAfterMs]...]</c> in decision order.</summary>
    public void Write(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(_decided.Count);
        foreach (var (id, forgetAfterMs) in _decided)
        {
            writer.WriteArrayHeader(2);
            writer.WriteHash256(id);
            writer.WriteInt64(forgetAfterMs);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote; apply it with <see cref="Restore"/>.</summary>
    public static List<(Hash256 Id, long ForgetAfterMs)> Read(ref CanonicalReader reader)
    {
        int count = reader.ReadArrayHeader();
        var decided = new List<(Hash256, long)>(count);
        for (int i = 0; i < count; i++)
        {
            reader.ReadArrayHeader(2);
            decided.Add((reader.ReadHash256(), reader.ReadInt64()));
        }

        return decided;
    }

    /// <summary>Replaces the memory with what <see cref="Read"/> returned.</summary>
    public void Restore(List<(Hash256 Id, long ForgetAfterMs)> decided)
    {
        _decided.Clear();
        foreach (var entry in decided)
        {
            _decided.Enqueue(entry);
        }
    }

    /// <summary>Removes from <paramref name="records"/> the decided transactions whose time is up.</summary>
    public void Prune<TRecord>(long nowMs, Dictionary<Hash256, TRecord> records) => Prune(nowMs, id => records.Remove(id));

    /// <summary>Forgets (through <paramref name="forget"/>) the transactions whose time is up.</summary>
    public void Prune(long nowMs, Action<Hash256> forget)
    {
        while (_decided.TryPeek(out var head) && IsExpired(head.ForgetAfterMs, nowMs))
        {
            _decided.Dequeue();
            forget(head.Id);
        }
    }
}
