using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <content>Checkpoints: the whole replicated state as canonical bytes, and its restore.</content>
public sealed partial class VoucherLedger
{
    /// <summary>The snapshot format version written by <see cref="WriteSnapshot"/>.</summary>
    public const int SnapshotVersion = 1;

    private const int SnapshotFieldCount = 8;
    private const int ClearingFieldCount = 6;
    private const int RelationFieldCount = 3;
    private const int PairFieldCount = 2;
    private const int PositionFieldCount = 3;

    /// <inheritdoc />
    /// <remarks>
    /// <para>Layout: <c>[version, height, stateHash, [[clearingVoucher, relation, height, entryIndex, blockTime,
    /// requestDigest]...], [[relationId, [payer...], [[payer, clearingVoucherId]...]]...],
    /// [[transactionVoucherId, relationId]...], [[institution, asset, position]...], [outcome...]]</c>: <c>height</c> is
    /// <see cref="LastHeight"/> (nil before the first block), clearings sorted by voucher id, relations by id (their
    /// payers and published clearings by institution), transactions by id, positions by institution then asset (zero
    /// positions included), and the remembered outcomes oldest first (the order they are forgotten in).</para>
    /// <para>The institution directory is not in it: a snapshot is restored into a ledger built with the same one.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_gate)
        {
            var w = new CanonicalWriter(output);
            w.WriteArrayHeader(SnapshotFieldCount);
            w.WriteInt32(SnapshotVersion);
            if (_lastHeight is { } height)
            {
                w.WriteUInt64(height);
            }
            else
            {
                w.WriteNil();
            }

            w.WriteHash256(_stateHash);

            var clearings = _clearings.Keys.ToArray();
            Array.Sort(clearings);
            w.WriteArrayHeader(clearings.Length);
            foreach (var id in clearings)
            {
                var c = _clearings[id];
                w.WriteArrayHeader(ClearingFieldCount);
                c.Voucher.Encode(ref w);
                c.Relation.Encode(ref w);
                w.WriteUInt64(c.Height);
                w.WriteInt32(c.EntryIndex);
                w.WriteInt64(c.BlockTimeUnixMs);
                w.WriteHash256(c.RequestDigest);
            }

            var relations = _relations.Keys.ToArray();
            Array.Sort(relations);
            w.WriteArrayHeader(relations.Length);
            foreach (var id in relations)
            {
                var record = _relations[id];
                w.WriteArrayHeader(RelationFieldCount);
                w.WriteHash256(id);
                var payers = record.Payers.ToArray();
                Array.Sort(payers);
                w.WriteArrayHeader(payers.Length);
                foreach (var payer in payers)
                {
                    w.WriteInstitutionId(payer);
                }

                // A SortedDictionary: already in institution order.
                w.WriteArrayHeader(record.Published.Count);
                foreach (var (payer, clearingId) in record.Published)
                {
                    w.WriteArrayHeader(PairFieldCount);
                    w.WriteInstitutionId(payer);
                    w.WriteHash256(clearingId);
                }
            }

            var transactions = _relationByTransaction.Keys.ToArray();
            Array.Sort(transactions);
            w.WriteArrayHeader(transactions.Length);
            foreach (var id in transactions)
            {
                w.WriteArrayHeader(PairFieldCount);
                w.WriteHash256(id);
                w.WriteHash256(_relationByTransaction[id]);
            }

            var positions = _positions.Keys.ToArray();
            Array.Sort(positions);
            w.WriteArrayHeader(positions.Length);
            foreach (var key in positions)
            {
                w.WriteArrayHeader(PositionFieldCount);
                w.WriteInstitutionId(key.Item1);
                w.WriteAssetCode(key.Item2);
                w.WriteAmount(_positions[key]);
            }

            // Invariant: _outcomeOrder holds exactly the keys of _outcomes, each once, oldest first.
            w.WriteArrayHeader(_outcomeOrder.Count);
            foreach (var digest in _outcomeOrder)
            {
                _outcomes[digest].Encode(ref w);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Checked before anything changes: the version, canonical form, sort orders and limits, that the recorded height is
    /// <paramref name="height"/>, that every voucher hashes to its id, and that the clearings, relations, transactions
    /// and positions agree with each other (every published clearing belongs to its relation and payer, one relation
    /// per transaction voucher, positions summing to zero per asset). Signatures are not checked again: the directory
    /// checked them when each clearing was accepted. <see cref="LastHeight"/> becomes <paramref name="height"/>.
    /// </remarks>
    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
    {
        // Decoding reads nothing of this ledger: only the swap at the end holds the gate.
        var reader = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        Restored state;
        try
        {
            state = ReadSnapshot(ref reader, height);
            reader.EnsureEnd();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            throw new CodecException(CodecError.ValueOutOfRange, reader.Consumed, $"the voucher ledger snapshot holds a rejected value: {e.Message}", e);
        }

        lock (_gate)
        {
            SnapshotCodec.Refill(_clearings, state.Clearings);
            SnapshotCodec.Refill(_relations, state.Relations);
            SnapshotCodec.Refill(_relationByTransaction, state.RelationByTransaction);
            SnapshotCodec.Refill(_positions, state.Positions);
            _outcomes.Clear();
            _outcomeOrder.Clear();
            foreach (var outcome in state.Outcomes)
            {
                _outcomes.Add(outcome.RequestDigest, outcome);
                _outcomeOrder.Enqueue(outcome.RequestDigest);
            }

            _stateHash = state.StateHash;
            _lastHeight = height;
        }
    }

    private static Restored ReadSnapshot(ref CanonicalReader r, ulong height)
    {
        r.ReadArrayHeader(SnapshotFieldCount);
        long offset = r.Consumed;
        if (r.ReadInt32() != SnapshotVersion)
        {
            throw Bad(offset, $"unsupported voucher ledger snapshot version (expected {SnapshotVersion})");
        }

        offset = r.Consumed;
        if (r.TryReadNil() || r.ReadUInt64() != height)
        {
            throw Bad(offset, $"the snapshot was not taken at height {height}");
        }

        var stateHash = r.ReadHash256();
        var clearings = ReadClearings(ref r);
        var relations = ReadRelations(ref r, clearings);
        var relationByTransaction = ReadTransactions(ref r, relations, clearings);
        var positions = ReadPositions(ref r);
        var outcomes = SnapshotCodec.ReadReplies<VoucherLedgerOutcome>(ref r, MaxTrackedOutcomes, x => x.RequestDigest, "outcomes");
        return new Restored(clearings, relations, relationByTransaction, positions, outcomes, stateHash);
    }

    /// <summary>The accepted clearings: sorted by voucher id, within the limit, each voucher and relation hashing to its id and linked.</summary>
    private static Dictionary<Hash256, PublishedClearing> ReadClearings(ref CanonicalReader r)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count > MaxClearings)
        {
            throw Bad(offset, $"more than {MaxClearings} clearings");
        }

        var clearings = new Dictionary<Hash256, PublishedClearing>(count);
        Hash256 previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(ClearingFieldCount);
            var voucher = ClearingVoucher.Decode(ref r);
            var relation = ClearingRelationVoucher.Decode(ref r);
            var clearing = new PublishedClearing(voucher, relation, r.ReadUInt64(), r.ReadInt32(), r.ReadInt64(), r.ReadHash256());
            if ((i > 0 && voucher.Id.CompareTo(previous) <= 0) || !voucher.IsIdConsistent || !relation.IsIdConsistent
                || voucher.ClearingRelationId != relation.Id)
            {
                throw Bad(offset, "clearings out of order, altered, or not linked to their relation");
            }

            previous = voucher.Id;
            clearings.Add(voucher.Id, clearing);
        }

        return clearings;
    }

    /// <summary>
    /// The relations: sorted by id, each with its relation's payers (sorted) and at least one published clearing, each
    /// published clearing that payer's clearing of that relation; together they publish every clearing exactly once.
    /// </summary>
    private static Dictionary<Hash256, RelationRecord> ReadRelations(ref CanonicalReader r, Dictionary<Hash256, PublishedClearing> clearings)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count > clearings.Count)
        {
            throw Bad(offset, "more relations than clearings");
        }

        var relations = new Dictionary<Hash256, RelationRecord>(count);
        Hash256 previous = default;
        int published = 0;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(RelationFieldCount);
            var id = r.ReadHash256();
            var payers = VoucherCodec.ReadList(ref r, ClearingRelationVoucher.MaxObligations, "payers", static (ref CanonicalReader reader) => reader.ReadInstitutionId());
            var record = new RelationRecord([.. payers]);
            int publishedCount = VoucherCodec.ReadCount(ref r, payers.Length, "published clearings");
            bool valid = (i == 0 || id.CompareTo(previous) > 0) && publishedCount > 0 && record.Payers.Count == payers.Length;
            InstitutionId previousPayer = default;
            for (int j = 0; j < publishedCount && valid; j++)
            {
                r.ReadArrayHeader(PairFieldCount);
                var payer = r.ReadInstitutionId();
                var clearingId = r.ReadHash256();
                valid = (j == 0 || payer.CompareTo(previousPayer) > 0) && record.Payers.Contains(payer)
                    && clearings.TryGetValue(clearingId, out var clearing)
                    && clearing.Voucher.Originator == payer && clearing.Relation.Id == id && clearing.Relation.Payers.SequenceEqual(payers);
                previousPayer = payer;
                if (valid)
                {
                    record.Published.Add(payer, clearingId);
                }
            }

            if (!valid)
            {
                throw Bad(offset, "a relation out of order, without clearings, or publishing a clearing of another payer or relation");
            }

            previous = id;
            published += publishedCount;
            relations.Add(id, record);
        }

        if (published != clearings.Count)
        {
            throw Bad(offset, "a clearing that no relation published");
        }

        return relations;
    }

    /// <summary>The relation of each transaction voucher: sorted, one per relation, each the transaction its relation clears.</summary>
    private static Dictionary<Hash256, Hash256> ReadTransactions(
        ref CanonicalReader r, Dictionary<Hash256, RelationRecord> relations, Dictionary<Hash256, PublishedClearing> clearings)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        if (count != relations.Count)
        {
            throw Bad(offset, "not one transaction voucher per relation");
        }

        var relationByTransaction = new Dictionary<Hash256, Hash256>(count);
        Hash256 previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(PairFieldCount);
            var transaction = r.ReadHash256();
            var relationId = r.ReadHash256();
            if ((i > 0 && transaction.CompareTo(previous) <= 0) || !relations.TryGetValue(relationId, out var record)
                || clearings[record.Published.First().Value].Relation.TransactionVoucherId != transaction)
            {
                throw Bad(offset, "transactions out of order or naming a relation that clears another transaction");
            }

            previous = transaction;
            relationByTransaction.Add(transaction, relationId);
        }

        return relationByTransaction;
    }

    /// <summary>The net positions: sorted by institution then asset, summing to zero per asset.</summary>
    private static Dictionary<(InstitutionId, AssetCode), Amount> ReadPositions(ref CanonicalReader r)
    {
        long offset = r.Consumed;
        int count = r.ReadArrayHeader();
        var positions = new Dictionary<(InstitutionId, AssetCode), Amount>(count);
        var sums = new Dictionary<AssetCode, Int128>();
        (InstitutionId, AssetCode) previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(PositionFieldCount);
            var key = (r.ReadInstitutionId(), r.ReadAssetCode());
            var position = r.ReadAmount();
            if (i > 0 && key.CompareTo(previous) <= 0)
            {
                throw Bad(offset, "positions out of order");
            }

            previous = key;
            positions.Add(key, position);
            sums[key.Item2] = sums.GetValueOrDefault(key.Item2) + position.MinorUnits;
        }

        if (sums.Values.Any(sum => sum != 0))
        {
            throw Bad(offset, "positions that do not sum to zero per asset");
        }

        return positions;
    }

    private static CodecException Bad(long offset, string detail) => SnapshotCodec.Invalid(offset, detail);

    /// <summary>A decoded, checked snapshot, not yet in force.</summary>
    private sealed record Restored(
        Dictionary<Hash256, PublishedClearing> Clearings,
        Dictionary<Hash256, RelationRecord> Relations,
        Dictionary<Hash256, Hash256> RelationByTransaction,
        Dictionary<(InstitutionId, AssetCode), Amount> Positions,
        List<VoucherLedgerOutcome> Outcomes,
        Hash256 StateHash);
}
