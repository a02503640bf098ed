using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Ledger;

/// <summary>
/// The state machine of one trading chain (TBC) of an intermediary: the transaction records exchanged with one
/// linked participant chain, each transaction moving once from <see cref="TradeStatus.Pending"/> to
/// <see cref="TradeStatus.Committed"/> or <see cref="TradeStatus.Cancelled"/>. Deterministic and single-threaded:
/// every replica that applies the same committed blocks reaches the same <see cref="ComputeStateHash"/>.
/// </summary>
public sealed class TradingChainLedger
{
    private readonly SortedDictionary<Hash256, List<TradeRecord>> _transactions = [];

    /// <summary>Creates the empty state of the TBC that links <paramref name="participantChain"/>.</summary>
    /// <param name="chainId">The trading chain.</param>
    /// <param name="participantChain">The participant chain (PPC) it links to the intermediary.</param>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public TradingChainLedger(ChainId chainId, ChainId participantChain)
    {
        if (chainId.IsDefault || participantChain.IsDefault)
        {
            throw new ArgumentException("A trading chain needs its own id and the id of the participant chain it links.");
        }

        ChainId = chainId;
        ParticipantChain = participantChain;
    }

    /// <summary>The trading chain.</summary>
    public ChainId ChainId { get; }

    /// <summary>The participant chain this TBC links.</summary>
    public ChainId ParticipantChain { get; }

    /// <summary>The number of transactions recorded.</summary>
    public int TransactionCount => _transactions.Count;

    /// <summary>The transactions recorded, in transaction-id order (read each with <see cref="Find"/> or <see cref="History"/>).</summary>
    public IEnumerable<Hash256> TransactionIds => _transactions.Keys;

    /// <summary>Applies one record.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The outcome; a failure changes nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    public TradeResultCode Apply(TradeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ParticipantChain != ParticipantChain)
        {
            return TradeResultCode.WrongParticipantChain;
        }

        if (!record.Amount.IsPositive)
        {
            return TradeResultCode.InvalidAmount;
        }

        if (!_transactions.TryGetValue(record.TransactionId, out var history))
        {
            if (record.Status != TradeStatus.Pending)
            {
                return TradeResultCode.UnknownTransaction;
            }

            _transactions.Add(record.TransactionId, [record]);
            return TradeResultCode.Ok;
        }

        var latest = history[^1];
        if (history.Contains(record))
        {
            return TradeResultCode.AlreadyRecorded;
        }

        if (latest.Status != TradeStatus.Pending)
        {
            return TradeResultCode.AlreadyResolved;
        }

        if (record.Status == TradeStatus.Pending || !SameTransaction(latest, record))
        {
            return TradeResultCode.ConflictingRecord;
        }

        history.Add(record);
        return TradeResultCode.Ok;
    }

    /// <summary>Applies the entries of a committed TBC block in order; an entry that is not a trade record yields <see cref="TradeResultCode.InvalidEntry"/>.</summary>
    /// <param name="entries">The block's entries.</param>
    /// <returns>One outcome per entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="entries"/> is null.</exception>
    public IReadOnlyList<TradeResultCode> ApplyEntries(IReadOnlyList<ReadOnlyMemory<byte>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var results = new TradeResultCode[entries.Count];
        for (int i = 0; i < results.Length; i++)
        {
            TradeRecord record;
            try
            {
                record = Canonical.Decode<TradeRecord>(entries[i]);
            }
            catch (CodecException)
            {
                results[i] = TradeResultCode.InvalidEntry;
                continue;
            }

            results[i] = Apply(record);
        }

        return results;
    }

    /// <summary>The latest record of a transaction.</summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <returns>The latest record, or null when this TBC never saw it.</returns>
    public TradeRecord? Find(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var history) ? history[^1] : null;

    /// <summary>Every record of a transaction, oldest first.</summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <returns>The records (empty when unknown).</returns>
    public IReadOnlyList<TradeRecord> History(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var history) ? history.AsReadOnly() : [];

    /// <summary>
    /// Forgets a transaction and its records (the retention rule of the application that owns this ledger decides
    /// when: a decided transaction is kept long enough that nothing can still arrive for it).
    /// </summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <returns>Whether it was recorded.</returns>
    public bool Forget(Hash256 transactionId) => _transactions.Remove(transactionId);

    /// <summary>SHA-256 over every record in transaction-id order (<see cref="ExportSnapshot"/>): equal on every replica that applied the same blocks.</summary>
    /// <returns>The state hash.</returns>
    public Hash256 ComputeStateHash() => Hash256.Compute(ExportSnapshot());

    /// <summary>
    /// The whole state as canonical bytes: <c>[[record...]...]</c>, each transaction's history oldest first, in
    /// transaction-id order. Two ledgers with the same records give the same bytes.
    /// </summary>
    /// <returns>A new array.</returns>
    public byte[] ExportSnapshot()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(_transactions.Count);
        foreach (var history in _transactions.Values)
        {
            writer.WriteArrayHeader(history.Count);
            foreach (var record in history)
            {
                record.Encode(ref writer);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Rebuilds the ledger of a TBC from <see cref="ExportSnapshot"/> bytes. The bytes are checked, not trusted: each
    /// history is applied through <see cref="Apply"/>, so it must be one a ledger could have reached.
    /// </summary>
    /// <param name="chainId">The trading chain.</param>
    /// <param name="participantChain">The participant chain it links.</param>
    /// <param name="snapshot">The bytes.</param>
    /// <returns>The ledger.</returns>
    /// <exception cref="CodecException">The bytes are not such a snapshot.</exception>
    /// <exception cref="ArgumentException">An id is default.</exception>
    public static TradingChainLedger ImportSnapshot(ChainId chainId, ChainId participantChain, ReadOnlyMemory<byte> snapshot)
    {
        var ledger = new TradingChainLedger(chainId, participantChain);
        var reader = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        int count = reader.ReadArrayHeader();
        Hash256? previous = null;
        for (int i = 0; i < count; i++)
        {
            long offset = reader.Consumed;
            int records = reader.ReadArrayHeader();
            for (int r = 0; r < records; r++)
            {
                var record = TradeRecord.Decode(ref reader);
                if ((r == 0 && previous is { } p && record.TransactionId.CompareTo(p) <= 0)
                    || (r > 0 && record.TransactionId != previous) || ledger.Apply(record) != TradeResultCode.Ok)
                {
                    throw CanonicalPrimitives.Invalid(offset, "trading chain snapshot (a history out of order or one no ledger reaches)");
                }

                previous = record.TransactionId;
            }

            if (records == 0)
            {
                throw CanonicalPrimitives.Invalid(offset, "trading chain snapshot (an empty history)");
            }
        }

        reader.EnsureEnd();
        return ledger;
    }

    // The resolving record names the ABC transfer that resolved the reservation (the post or the void), so only
    // the parties, the asset and the amount must agree; a commit may be partial, never larger than reserved.
    private static bool SameTransaction(TradeRecord pending, TradeRecord next) =>
        pending.Payer == next.Payer && pending.Payee == next.Payee && pending.Asset == next.Asset
        && next.Amount <= pending.Amount;
}
