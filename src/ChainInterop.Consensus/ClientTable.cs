using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Storage;

namespace ChainInterop.Consensus;

/// <summary>
/// K2's client table, one component for every engine: which committed requests are new for their client (a request
/// executes only if its timestamp is above the client's last executed one), and each client's last reply with its
/// result (the reply cache that answers a client whose replies were lost). It is replicated state derived from the
/// committed chain: a restarted replica rebuilds it by re-executing its stored blocks in height order, together with
/// the application, so the two never disagree on what was new.
/// </summary>
/// <remarks>Grows with the number of clients, like the application's account table; entries cannot be evicted without breaking deduplication.</remarks>
internal sealed class ClientTable
{
    private const int SnapshotVersion = 1;
    private const int SnapshotFieldCount = 4;
    private const int ClientFieldCount = 6;

    private readonly Dictionary<NodeId, Executed> _last = [];
    private long _replayed = -1;

    /// <summary>How many clients executed a request.</summary>
    public int Count => _last.Count;

    /// <summary>Whether <paramref name="client"/> executed a request.</summary>
    public bool Contains(NodeId client) => _last.ContainsKey(client);

    /// <summary>The client's last executed timestamp, or 0.</summary>
    public ulong LastTimestamp(NodeId client) => _last.TryGetValue(client, out var last) ? last.Timestamp : 0;

    /// <summary>Whether <paramref name="request"/> is at or below its client's last executed timestamp.</summary>
    public bool IsExecuted(ClientRequest request) =>
        _last.TryGetValue(request.ClientId, out var last) && request.Timestamp <= last.Timestamp;

    /// <summary>
    /// The reply cache: where <paramref name="request"/> was executed and its result, when it is its client's last
    /// executed request byte for byte (another request under the same timestamp must not be told the entry is its own).
    /// </summary>
    public bool TryGetReply(ClientRequest request, out Executed executed) =>
        _last.TryGetValue(request.ClientId, out executed) && executed.Timestamp == request.Timestamp && executed.Digest == request.Digest;

    /// <summary>
    /// Executes a committed block: picks the entries that decode as requests of <paramref name="chain"/> and are new for
    /// their client, has the application execute them, and records each client's last request with its result.
    /// </summary>
    /// <param name="chain">The replica's chain.</param>
    /// <param name="block">The block, next in height order.</param>
    /// <param name="decoded">The entries already decoded (and verified) when the block was proposed or validated, or null.</param>
    /// <param name="application">The application.</param>
    /// <returns>The block as the application saw it and what it did.</returns>
    /// <exception cref="InvalidOperationException">The application returned a result count other than the request count.</exception>
    public (CommittedBlock Block, BlockExecution Execution) Execute(ChainId chain, Block block, IReadOnlyList<ClientRequest>? decoded, IChainApplication application)
    {
        var requests = new List<CommittedRequest>(block.Entries.Count);
        for (int i = 0; i < block.Entries.Count; i++)
        {
            ClientRequest request;
            try
            {
                request = decoded?[i] ?? Canonical.Decode<ClientRequest>(block.Entries[i]);
            }
            catch (CodecException)
            {
                continue;
            }

            if (request.ChainId != chain || IsExecuted(request))
            {
                continue;
            }

            // Recorded at once: a second request of the same client in this block is new only above this one.
            _last[request.ClientId] = new Executed(request.Timestamp, request.Digest, block.Height, i, ReadOnlyMemory<byte>.Empty);
            requests.Add(new CommittedRequest(i, request));
        }

        var committed = new CommittedBlock(block, requests);
        var execution = application.Execute(committed);
        if (execution.Results.Count != requests.Count)
        {
            throw new InvalidOperationException(
                $"The application of {chain} returned {execution.Results.Count} results for the {requests.Count} requests of block {block.Height}.");
        }

        for (int r = 0; r < requests.Count; r++)
        {
            var (index, request) = requests[r];
            if (_last[request.ClientId].EntryIndex == index && _last[request.ClientId].Height == block.Height)
            {
                _last[request.ClientId] = _last[request.ClientId] with { Result = execution.Results[r] };
            }
        }

        return (committed, execution);
    }

    /// <summary>
    /// Re-executes the next block of the replica's store before it starts (<see cref="IReplica.Replay"/>): heights
    /// 0, 1, … up to <paramref name="tip"/>, the stored tip the replica was built from.
    /// </summary>
    /// <exception cref="ArgumentException">The block is not the next one to replay.</exception>
    public (CommittedBlock Block, BlockExecution Execution) Replay(ChainId chain, Block block, BlockHeader? tip, IChainApplication application)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Header.ChainId != chain)
        {
            throw new ArgumentException($"Block {block.Height} belongs to {block.Header.ChainId}, not {chain}.", nameof(block));
        }

        if ((long)block.Height != _replayed + 1 || tip is null || block.Height > tip.Height)
        {
            throw new ArgumentException(
                $"Replay the stored blocks of {chain} in height order up to the tip ({tip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}): the next is {_replayed + 1}, not {block.Height}.",
                nameof(block));
        }

        if (block.Height == tip.Height && block.Hash != tip.Hash)
        {
            throw new ArgumentException($"Block {block.Height} of {chain} is not the stored tip the replica was built from.", nameof(block));
        }

        var executed = Execute(chain, block, decoded: null, application);
        _replayed = (long)block.Height;
        return executed;
    }

    /// <summary>Throws unless the blocks up to <paramref name="tip"/> were replayed (a replica starting from a stored tip).</summary>
    /// <exception cref="InvalidOperationException">They were not.</exception>
    public void EnsureReplayed(ChainId chain, BlockHeader? tip)
    {
        if (tip is not null && _replayed < (long)tip.Height)
        {
            throw new InvalidOperationException(
                $"The replica of {chain} was built from stored tip {tip.Height} but replayed only up to {_replayed}: replay the stored blocks (IReplica.Replay) before starting it.");
        }
    }

    /// <summary>
    /// The replicated state as of <paramref name="tip"/>, the last block executed: this table and the application's
    /// snapshot, <c>[version, tipHash, [[client, timestamp, digest, height, entryIndex, result]...], application]</c>
    /// with clients in id order, so replicas that executed the same blocks write the same bytes.
    /// </summary>
    public StateSnapshot Snapshot(ChainId chain, BlockHeader tip, IChainApplication application)
    {
        var state = new ArrayBufferWriter<byte>();
        application.WriteSnapshot(state);
        var output = new ArrayBufferWriter<byte>(state.WrittenCount + (_last.Count * 96) + 64);
        var writer = new CanonicalWriter(output);
        writer.WriteArrayHeader(SnapshotFieldCount);
        writer.WriteInt32(SnapshotVersion);
        writer.WriteHash256(tip.Hash);
        writer.WriteArrayHeader(_last.Count);
        foreach (var (client, executed) in _last.OrderBy(kv => kv.Key))
        {
            writer.WriteArrayHeader(ClientFieldCount);
            writer.WriteNodeId(client);
            writer.WriteUInt64(executed.Timestamp);
            writer.WriteHash256(executed.Digest);
            writer.WriteUInt64(executed.Height);
            writer.WriteInt32(executed.EntryIndex);
            writer.WriteBinary(executed.Result.Span);
        }

        writer.WriteBinary(state.WrittenSpan);
        return new StateSnapshot(chain, tip.Height, output.WrittenSpan);
    }

    /// <summary>
    /// Restores a <see cref="Snapshot"/> before anything was replayed, in place of re-executing heights 0 to the
    /// snapshot's: <paramref name="block"/> is the replica's stored block at that height, which the snapshot must name.
    /// Replay then goes on from the next height. When this throws, the table and the application are unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The snapshot is of another chain or block, above the stored tip, or the replica replayed already.</exception>
    /// <exception cref="CodecException">The bytes are not a snapshot (the application's included).</exception>
    public void Restore(ChainId chain, StateSnapshot snapshot, Block block, BlockHeader? tip, IChainApplication application)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(block);
        if (_replayed >= 0 || _last.Count > 0)
        {
            throw new ArgumentException($"Restore a snapshot of {chain} before replaying any block.", nameof(snapshot));
        }

        if (snapshot.ChainId != chain || block.Header.ChainId != chain || snapshot.Height != block.Height
            || tip is null || block.Height > tip.Height || (block.Height == tip.Height && block.Hash != tip.Hash))
        {
            throw new ArgumentException(
                $"The snapshot of {snapshot.ChainId} at height {snapshot.Height} does not belong to the stored chain of {chain} (block {block.Height}, tip {tip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).",
                nameof(snapshot));
        }

        var reader = new CanonicalReader(snapshot.State, CodecLimits.Snapshot);
        reader.ReadArrayHeader(SnapshotFieldCount);
        long offset = reader.Consumed;
        if (reader.ReadInt32() != SnapshotVersion)
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, $"unsupported replica snapshot version (expected {SnapshotVersion})");
        }

        if (reader.ReadHash256() != block.Hash)
        {
            throw new ArgumentException($"The snapshot of {chain} at height {block.Height} was taken on another block than the stored one.", nameof(snapshot));
        }

        int count = reader.ReadArrayHeader();
        var last = new Dictionary<NodeId, Executed>(count);
        NodeId previous = default;
        for (int i = 0; i < count; i++)
        {
            offset = reader.Consumed;
            reader.ReadArrayHeader(ClientFieldCount);
            var client = reader.ReadNodeId();
            var executed = new Executed(reader.ReadUInt64(), reader.ReadHash256(), reader.ReadUInt64(), reader.ReadInt32(), reader.ReadBinaryArray());
            if ((i > 0 && client.CompareTo(previous) <= 0) || executed.Height > block.Height || executed.EntryIndex < 0
                || executed.Result.Length > BlockExecution.MaxResultBytes)
            {
                throw new CodecException(CodecError.ValueOutOfRange, offset, "client records out of order or out of range");
            }

            previous = client;
            last.Add(client, executed);
        }

        var applicationState = reader.ReadBinaryArray();
        reader.EnsureEnd();
        application.RestoreSnapshot(block.Height, applicationState);
        _last.Clear();
        foreach (var (client, executed) in last)
        {
            _last.Add(client, executed);
        }

        _replayed = (long)block.Height;
    }

    /// <summary>A client's last executed request: its timestamp and digest, where it was committed, and its result.</summary>
    public readonly record struct Executed(ulong Timestamp, Hash256 Digest, ulong Height, int EntryIndex, ReadOnlyMemory<byte> Result);
}
