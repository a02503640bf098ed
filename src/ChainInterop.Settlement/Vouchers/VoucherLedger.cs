using System.Diagnostics.CodeAnalysis;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>Whether a clearing relation has executed on the voucher ledger (step 312).</summary>
public enum ClearingStatus
{
    /// <summary>No clearing voucher of the relation is on the ledger.</summary>
    Unknown = 0,

    /// <summary>Some, not all, paying institutions have published their clearing vouchers.</summary>
    Partial = 1,

    /// <summary>Every paying institution's clearing voucher is on the ledger: the clearing executed.</summary>
    Executed = 2,
}

/// <summary>A clearing voucher accepted by the voucher ledger, and where.</summary>
/// <param name="Voucher">The clearing voucher.</param>
/// <param name="Relation">The relation it clears.</param>
/// <param name="Height">The block height.</param>
/// <param name="EntryIndex">The entry's index in the block.</param>
/// <param name="BlockTimeUnixMs">The block's timestamp.</param>
/// <param name="RequestDigest">The digest of the client request that carried it.</param>
public sealed record PublishedClearing(ClearingVoucher Voucher, ClearingRelationVoucher Relation, ulong Height, int EntryIndex, long BlockTimeUnixMs, Hash256 RequestDigest);

/// <summary>What the voucher ledger did with one entry.</summary>
/// <param name="RequestDigest">The client request's digest (the SHA-256 of the entry when it did not decode).</param>
/// <param name="ClearingVoucherId">The clearing voucher's id; zero when the entry did not decode.</param>
/// <param name="Failure">Why it was refused; <see cref="VoucherFailure.None"/> when accepted.</param>
/// <remarks>Canonical form (the result a voucher ledger's replies carry): <c>[requestDigest, clearingVoucherId, failure]</c>.</remarks>
public readonly record struct VoucherLedgerOutcome(Hash256 RequestDigest, Hash256 ClearingVoucherId, VoucherFailure Failure) : ICanonicalEncodable<VoucherLedgerOutcome>
{
    /// <summary>Whether the clearing voucher was accepted.</summary>
    public bool IsAccepted => Failure == VoucherFailure.None;

    /// <summary>Reads the outcome a voucher ledger chain's reply carries.</summary>
    /// <param name="reply">The reply (accepted by f + 1 matching replies).</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reply"/> is null.</exception>
    /// <exception cref="CodecException">The reply carries no voucher ledger outcome.</exception>
    public static VoucherLedgerOutcome Read(ClientReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return Canonical.Decode<VoucherLedgerOutcome>(reply.Result);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteHash256(RequestDigest);
        writer.WriteHash256(ClearingVoucherId);
        writer.WriteUInt32((uint)Failure);
    }

    /// <inheritdoc />
    public static VoucherLedgerOutcome Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        return new VoucherLedgerOutcome(reader.ReadHash256(), reader.ReadHash256(),
            Netting.NettingCodec.ReadEnum<VoucherFailure>(ref reader, "voucher failure"));
    }
}

/// <summary>
/// The voucher ledger (V4): the deterministic application every validator of a ledger chain runs over committed
/// blocks. Each entry is a <see cref="ClientRequest"/> whose payload is a <see cref="ClearingPublication"/>; it is
/// accepted only when every signature verifies against the institution directory (<see cref="VoucherVerifier.VerifyPublication"/>)
/// and it is no duplicate (same clearing voucher, or same relation and payer). Accepted clearings move net positions
/// (payer −, payee +, per asset), which always sum to zero per asset. Any institution queries it to confirm a clearing
/// executed (step 312).
/// </summary>
/// <remarks>Deterministic: the same blocks give the same <see cref="StateHash"/> on every validator. Each block is
/// applied once, in height order (a restarted validator's replica replays its stored chain into a fresh ledger, or
/// restores a snapshot, <see cref="RestoreSnapshot"/>, and replays the blocks after it). Thread-safe: a block is applied
/// atomically with respect to queries.</remarks>
public sealed partial class VoucherLedger : IChainApplication
{
    /// <summary>The most clearing vouchers one ledger holds, in vouchers.</summary>
    public const int MaxClearings = 1_000_000;

    /// <summary>The most entry outcomes remembered for <see cref="TryGetOutcome"/>, in outcomes (oldest forgotten first).</summary>
    public const int MaxTrackedOutcomes = 1_000_000;

    private readonly object _gate = new();
    private readonly InstitutionDirectory _directory;
    private readonly Dictionary<Hash256, PublishedClearing> _clearings = [];
    private readonly Dictionary<Hash256, RelationRecord> _relations = [];
    private readonly Dictionary<Hash256, Hash256> _relationByTransaction = [];
    private readonly Dictionary<(InstitutionId, AssetCode), Amount> _positions = [];
    private readonly Dictionary<Hash256, VoucherLedgerOutcome> _outcomes = [];
    private readonly Queue<Hash256> _outcomeOrder = new();
    private Hash256 _stateHash;
    private ulong? _lastHeight;

    /// <summary>Creates an empty ledger.</summary>
    /// <param name="directory">The trust root every signature is checked against.</param>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherLedger(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        _directory = directory;
    }

    /// <summary>The height of the last block applied, or null before the first.</summary>
    public ulong? LastHeight
    {
        get
        {
            lock (_gate)
            {
                return _lastHeight;
            }
        }
    }

    /// <summary>A hash chained over every outcome in order; equal on every validator that applied the same blocks.</summary>
    public Hash256 StateHash
    {
        get
        {
            lock (_gate)
            {
                return _stateHash;
            }
        }
    }

    /// <summary>The number of clearing vouchers accepted.</summary>
    public int ClearingCount
    {
        get
        {
            lock (_gate)
            {
                return _clearings.Count;
            }
        }
    }

    /// <summary>Applies a committed block's new requests, in order (the ledger is the chain's <see cref="IChainApplication"/>).</summary>
    /// <param name="block">The committed block and its requests, decoded and verified by consensus.</param>
    /// <returns>One result per request: its <see cref="VoucherLedgerOutcome"/> in canonical form (<see cref="VoucherLedgerOutcome.Read"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    /// <exception cref="ArgumentException">The block is at or below the last height applied.</exception>
    public BlockExecution Execute(CommittedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        lock (_gate)
        {
            if (_lastHeight is { } last && block.Height <= last)
            {
                throw new ArgumentException($"Block {block.Height} is at or below the last applied height {last}.", nameof(block));
            }

            var results = new ReadOnlyMemory<byte>[block.Requests.Count];
            for (int i = 0; i < results.Length; i++)
            {
                var (index, request) = block.Requests[i];
                results[i] = Canonical.Encode(ApplyCore(request.Payload, request.Digest, block.Height, index, block.TimestampUnixMs));
            }

            _lastHeight = block.Height;
            return new BlockExecution(results, []);
        }
    }

    /// <summary>Applies one publication payload directly (without a chain: tests, benchmarks, single-authority hosts).</summary>
    /// <param name="payload">The canonical <see cref="ClearingPublication"/>.</param>
    /// <param name="requestDigest">An id for the submission (the request digest on a chain).</param>
    /// <param name="height">The height to record.</param>
    /// <param name="entryIndex">The entry index to record.</param>
    /// <param name="blockTimeUnixMs">The time to record.</param>
    /// <returns>The outcome.</returns>
    public VoucherLedgerOutcome Apply(ReadOnlyMemory<byte> payload, Hash256 requestDigest, ulong height, int entryIndex, long blockTimeUnixMs)
    {
        lock (_gate)
        {
            return ApplyCore(payload, requestDigest, height, entryIndex, blockTimeUnixMs);
        }
    }

    /// <summary>Looks up an accepted clearing voucher.</summary>
    /// <param name="clearingVoucherId">Its id.</param>
    /// <param name="clearing">It and where it is.</param>
    /// <returns>Whether it is on the ledger.</returns>
    public bool TryGetClearing(Hash256 clearingVoucherId, [NotNullWhen(true)] out PublishedClearing? clearing)
    {
        lock (_gate)
        {
            return _clearings.TryGetValue(clearingVoucherId, out clearing);
        }
    }

    /// <summary>The accepted clearing vouchers of a relation, by payer.</summary>
    /// <param name="relationId">The relation.</param>
    /// <returns>The clearings (empty when none).</returns>
    public IReadOnlyList<PublishedClearing> GetClearings(Hash256 relationId)
    {
        lock (_gate)
        {
            return _relations.TryGetValue(relationId, out var record) ? [.. record.Published.Values.Select(id => _clearings[id])] : [];
        }
    }

    /// <summary>Whether a relation's clearing executed (step 312).</summary>
    /// <param name="relationId">The relation.</param>
    /// <returns>The status.</returns>
    public ClearingStatus GetClearingStatus(Hash256 relationId)
    {
        lock (_gate)
        {
            if (!_relations.TryGetValue(relationId, out var record))
            {
                return ClearingStatus.Unknown;
            }

            return record.Published.Count == record.Payers.Count ? ClearingStatus.Executed : ClearingStatus.Partial;
        }
    }

    /// <summary>Whether the clearing of a transaction voucher executed (step 312), for institutions that know only its id.</summary>
    /// <param name="transactionVoucherId">The transaction voucher.</param>
    /// <returns>The status.</returns>
    public ClearingStatus GetClearingStatusOfTransaction(Hash256 transactionVoucherId)
    {
        lock (_gate)
        {
            return _relationByTransaction.TryGetValue(transactionVoucherId, out var relationId) ? GetClearingStatus(relationId) : ClearingStatus.Unknown;
        }
    }

    /// <summary>What the ledger did with a submission.</summary>
    /// <param name="requestDigest">The request's digest.</param>
    /// <param name="outcome">The outcome when remembered.</param>
    /// <returns>Whether it is remembered.</returns>
    public bool TryGetOutcome(Hash256 requestDigest, out VoucherLedgerOutcome outcome)
    {
        lock (_gate)
        {
            return _outcomes.TryGetValue(requestDigest, out outcome);
        }
    }

    /// <summary>An institution's net position in an asset from accepted clearings (received − paid).</summary>
    /// <param name="institution">The institution.</param>
    /// <param name="asset">The asset.</param>
    /// <returns>The position (zero when none).</returns>
    public Amount GetNetPosition(InstitutionId institution, AssetCode asset)
    {
        lock (_gate)
        {
            return _positions.TryGetValue((institution, asset), out var amount) ? amount : Amount.Zero;
        }
    }

    /// <summary>Every non-zero net position, sorted by institution then asset.</summary>
    /// <returns>The positions.</returns>
    public IReadOnlyList<(InstitutionId Institution, AssetCode Asset, Amount Position)> GetNetPositions()
    {
        lock (_gate)
        {
            return [.. _positions.Where(p => !p.Value.IsZero).OrderBy(p => p.Key).Select(p => (p.Key.Item1, p.Key.Item2, p.Value))];
        }
    }

    private VoucherLedgerOutcome ApplyCore(ReadOnlyMemory<byte> payload, Hash256 requestDigest, ulong height, int entryIndex, long blockTimeUnixMs)
    {
        ClearingPublication publication;
        try
        {
            publication = Canonical.Decode<ClearingPublication>(payload);
        }
        catch (CodecException)
        {
            return Record(new VoucherLedgerOutcome(requestDigest, default, VoucherFailure.Malformed));
        }

        var clearing = publication.Clearing;
        var relation = publication.Relation;
        var failure = Check(publication, out var moves);
        if (failure != VoucherFailure.None)
        {
            return Record(new VoucherLedgerOutcome(requestDigest, clearing.Id, failure));
        }

        foreach (var (key, position) in moves)
        {
            _positions[key] = position;
        }

        if (!_relations.TryGetValue(relation.Id, out var record))
        {
            record = new RelationRecord([.. relation.Payers]);
            _relations[relation.Id] = record;
            _relationByTransaction[relation.TransactionVoucherId] = relation.Id;
        }

        record.Published[clearing.Originator] = clearing.Id;
        _clearings[clearing.Id] = new PublishedClearing(clearing, relation, height, entryIndex, blockTimeUnixMs, requestDigest);
        return Record(new VoucherLedgerOutcome(requestDigest, clearing.Id, VoucherFailure.None));
    }

    /// <summary>Every check before accepting; computes the new positions without changing anything.</summary>
    private VoucherFailure Check(ClearingPublication publication, out List<((InstitutionId, AssetCode) Key, Amount Position)> moves)
    {
        moves = [];
        var clearing = publication.Clearing;
        if (_clearings.ContainsKey(clearing.Id)
            || (_relations.TryGetValue(publication.Relation.Id, out var record) && record.Published.ContainsKey(clearing.Originator))
            || (_relationByTransaction.TryGetValue(publication.Relation.TransactionVoucherId, out var known) && known != publication.Relation.Id))
        {
            // One transaction voucher clears through one clearing relation: a second relation for the same payment
            // (a retried or misbehaving third party) would clear it twice.
            return VoucherFailure.Duplicate;
        }

        var check = VoucherVerifier.VerifyPublication(publication, _directory);
        if (!check.IsValid)
        {
            return check.Failure;
        }

        if (_clearings.Count >= MaxClearings)
        {
            return VoucherFailure.CapacityExceeded;
        }

        var positions = new Dictionary<(InstitutionId, AssetCode), Amount>();
        foreach (var t in clearing.Transfers)
        {
            if (!Move(positions, (clearing.Originator, t.Asset), -t.Amount) || !Move(positions, (t.Destination, t.Asset), t.Amount))
            {
                return VoucherFailure.AmountOverflow;
            }
        }

        moves = [.. positions.Select(p => (p.Key, p.Value))];
        return VoucherFailure.None;
    }

    private bool Move(Dictionary<(InstitutionId, AssetCode), Amount> pending, (InstitutionId, AssetCode) key, Amount delta)
    {
        if (!pending.TryGetValue(key, out var current))
        {
            current = _positions.TryGetValue(key, out var stored) ? stored : Amount.Zero;
        }

        if (!current.TryAdd(delta, out var next))
        {
            return false;
        }

        pending[key] = next;
        return true;
    }

    private VoucherLedgerOutcome Record(VoucherLedgerOutcome outcome)
    {
        if (_outcomes.TryAdd(outcome.RequestDigest, outcome))
        {
            _outcomeOrder.Enqueue(outcome.RequestDigest);
            if (_outcomeOrder.Count > MaxTrackedOutcomes)
            {
                _outcomes.Remove(_outcomeOrder.Dequeue());
            }
        }

        Span<byte> link = stackalloc byte[(2 * Hash256.SizeBytes) + sizeof(int)];
        outcome.RequestDigest.WriteTo(link);
        outcome.ClearingVoucherId.WriteTo(link[Hash256.SizeBytes..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(link[(2 * Hash256.SizeBytes)..], (int)outcome.Failure);
        Span<byte> previous = stackalloc byte[Hash256.SizeBytes];
        _stateHash.WriteTo(previous);
        _stateHash = Hash256.Compute(previous, link);
        return outcome;
    }

    /// <summary>The payers of a relation and the clearing voucher each has published. Invariant: Published ⊆ Payers.</summary>
    private sealed class RelationRecord(HashSet<InstitutionId> payers)
    {
        public HashSet<InstitutionId> Payers { get; } = payers;

        public SortedDictionary<InstitutionId, Hash256> Published { get; } = [];
    }
}
