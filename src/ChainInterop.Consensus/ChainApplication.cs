using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;

namespace ChainInterop.Consensus;

/// <summary>
/// A chain's application: the replicated state machine consensus feeds committed blocks (a participant chain's
/// ledger, an intermediary's books, a voucher ledger, a channel contract). Every validator runs its own copy; the
/// engine calls <see cref="Execute"/> on the replica's thread, in height order, exactly once per height — for live
/// commits and, after a restart, for the blocks of the validator's own store (the state is the replay of the chain).
/// </summary>
/// <remarks>
/// <para>Execution must be deterministic (no clock, no randomness, no I/O: the block's time is
/// <see cref="CommittedBlock.TimestampUnixMs"/>) and synchronous, so every honest copy reaches the same state and
/// returns the same results; the replies that carry them are vouched for by f + 1 validators.</para>
/// <para>An exception thrown by <see cref="Execute"/> stops the replica (its host fails): an application that cannot
/// execute a committed block cannot go on without diverging from the other copies.</para>
/// <para>Checkpoints: <see cref="WriteSnapshot"/> and <see cref="RestoreSnapshot"/> let a host save the state every so
/// many blocks and, after a restart, restore the newest snapshot and re-execute only the blocks after it
/// (<see cref="IReplica.TakeSnapshot"/>, <see cref="IReplica.Restore"/>). The replica calls both on its own thread,
/// between blocks.</para>
/// </remarks>
public interface IChainApplication
{
    /// <summary>Executes one committed block's new requests.</summary>
    /// <param name="block">The block and the requests consensus decoded, verified and found new for their client.</param>
    /// <returns>One result per request of <see cref="CommittedBlock.Requests"/>, in order, and the cross-chain messages the block emits.</returns>
    BlockExecution Execute(CommittedBlock block);

    /// <summary>
    /// Writes the whole replicated state, as of the last block executed: everything <see cref="Execute"/> reads, so a
    /// copy restored from it executes every later block exactly as this one does. Deterministic: copies that executed
    /// the same blocks write the same bytes (their hash can be compared).
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    void WriteSnapshot(IBufferWriter<byte> output);

    /// <summary>
    /// Replaces the state with one <see cref="WriteSnapshot"/> wrote on a copy configured alike (same chain, same
    /// options). The bytes are checked, not trusted; when this throws, the state is unchanged.
    /// </summary>
    /// <param name="height">The height of the last block the snapshot's state executed.</param>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a snapshot of this application.</exception>
    void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot);
}

/// <summary>A committed request that is new for its client (K2's exactly-once rule), with its place in the block.</summary>
/// <param name="EntryIndex">Its index among the block's entries.</param>
/// <param name="Request">The decoded request (its signature was checked as the chain's client mode requires).</param>
public readonly record struct CommittedRequest(int EntryIndex, ClientRequest Request);

/// <summary>
/// A certified block as an application receives it: the block, and its entries that consensus already decoded and
/// verified and found new for their client, so no application decodes or verifies the same bytes again.
/// </summary>
public sealed class CommittedBlock
{
    /// <summary>Creates a committed block.</summary>
    /// <param name="block">The certified block.</param>
    /// <param name="requests">Its new requests, in entry order.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An entry index is out of the block's range or not increasing.</exception>
    public CommittedBlock(Block block, IReadOnlyList<CommittedRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(requests);
        int previous = -1;
        foreach (var request in requests)
        {
            if (request.Request is null || request.EntryIndex <= previous || request.EntryIndex >= block.Entries.Count)
            {
                throw new ArgumentException("Each request names an entry of the block, in increasing order.", nameof(requests));
            }

            previous = request.EntryIndex;
        }

        Block = block;
        Requests = requests;
    }

    /// <summary>The certified block.</summary>
    public Block Block { get; }

    /// <summary>The block's chain.</summary>
    public ChainId ChainId => Block.Header.ChainId;

    /// <summary>The block's height.</summary>
    public ulong Height => Block.Height;

    /// <summary>The block's time, agreed by consensus: the only clock an application may read.</summary>
    public long TimestampUnixMs => Block.Header.TimestampUnixMs;

    /// <summary>The requests to execute: the block's entries that are new for their client, in entry order.</summary>
    public IReadOnlyList<CommittedRequest> Requests { get; }

    /// <summary>
    /// Decodes every entry of a block as a request, without the client table's deduplication: for tools that read a
    /// stored chain outside a replica (audits, tests). Entries that do not decode are left out.
    /// </summary>
    /// <param name="block">The block.</param>
    /// <returns>The committed block.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    public static CommittedBlock Decode(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var requests = new List<CommittedRequest>(block.Entries.Count);
        for (int i = 0; i < block.Entries.Count; i++)
        {
            try
            {
                requests.Add(new CommittedRequest(i, Canonical.Decode<ClientRequest>(block.Entries[i])));
            }
            catch (CodecException)
            {
                // Not a request: nothing to execute.
            }
        }

        return new CommittedBlock(block, requests);
    }
}

/// <summary>
/// What an application did with a committed block: one result per request (carried by the replica's reply, so a
/// client learns the outcome vouched for by f + 1 validators) and the cross-chain messages the block emits (the
/// relay ships them). Applications may derive from it to hand richer detail to what follows the chain.
/// </summary>
public class BlockExecution
{
    /// <summary>The largest result one request may have, in bytes.</summary>
    public const int MaxResultBytes = 4096;

    /// <summary>Creates an execution.</summary>
    /// <param name="results">One result per request, in order (empty for none).</param>
    /// <param name="outbound">The cross-chain messages emitted, in order.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A result exceeds <see cref="MaxResultBytes"/>.</exception>
    public BlockExecution(IReadOnlyList<ReadOnlyMemory<byte>> results, IReadOnlyList<CrossChainMessage> outbound)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(outbound);
        foreach (var result in results)
        {
            if (result.Length > MaxResultBytes)
            {
                throw new ArgumentException($"A request's result is at most {MaxResultBytes} bytes, not {result.Length}.", nameof(results));
            }
        }

        Results = results;
        Outbound = outbound;
    }

    /// <summary>One result per request of the block, in order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Results { get; }

    /// <summary>The cross-chain messages the block emits, in order.</summary>
    public IReadOnlyList<CrossChainMessage> Outbound { get; }

    /// <summary>The execution of a block by an application with no results and no messages.</summary>
    /// <param name="block">The block.</param>
    /// <returns>An empty result per request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    public static BlockExecution Empty(CommittedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return new BlockExecution(block.Requests.Count == 0 ? [] : new ReadOnlyMemory<byte>[block.Requests.Count], []);
    }
}

/// <summary>The application of a chain that only orders requests (its clients read the blocks): empty results, no messages.</summary>
public sealed class OrderingOnlyApplication : IChainApplication
{
    /// <summary>The one instance (it has no state).</summary>
    public static OrderingOnlyApplication Instance { get; } = new();

    private OrderingOnlyApplication()
    {
    }

    /// <inheritdoc />
    public BlockExecution Execute(CommittedBlock block) => BlockExecution.Empty(block);

    /// <inheritdoc />
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        var writer = new CanonicalWriter(output);
        writer.WriteArrayHeader(0);
    }

    /// <inheritdoc />
    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
    {
        var reader = new CanonicalReader(snapshot);
        reader.ReadArrayHeader(0);
        reader.EnsureEnd();
    }
}

/// <summary>
/// Follows a chain after consensus: receives each committed block and what the application did with it, after the
/// driver stored the block (e.g. a relay that ships <see cref="BlockExecution.Outbound"/>, an index, a notifier).
/// </summary>
public interface ICommittedBlockObserver
{
    /// <summary>Called in height order once per block: for stored blocks re-executed at start, then for new commits.</summary>
    /// <param name="block">The committed block.</param>
    /// <param name="execution">What the application did.</param>
    /// <param name="replayed">True for a block re-executed from the store at start (it was observed before a restart, perhaps only in part).</param>
    /// <param name="cancellationToken">Cancelled when the host stops.</param>
    /// <returns>A task that completes when the observer took the block.</returns>
    ValueTask OnCommittedAsync(CommittedBlock block, BlockExecution execution, bool replayed, CancellationToken cancellationToken);
}
