namespace ChainInterop.Consensus;

/// <summary>
/// One validator of one chain running a consensus protocol (K1–K3), as a deterministic state machine ("sans-IO"):
/// it owns no threads, sockets, clocks or random sources. A driver feeds it one input at a time with the current
/// time, and it answers through <see cref="IReplicaEffects"/> (messages to send, timers to set, blocks committed,
/// replies to clients). The runtime driver feeds it from a transport and a <see cref="TimeProvider"/>; the simulator
/// from a seeded scheduler with virtual time; the same inputs always produce the same effects.
/// </summary>
/// <remarks>Implementations are not thread-safe: a driver calls them from one logical thread.</remarks>
public interface IReplica
{
    /// <summary>This validator.</summary>
    NodeId Id { get; }

    /// <summary>The chain it validates.</summary>
    ChainId ChainId { get; }

    /// <summary>The height of the last block this replica committed, or null before genesis.</summary>
    ulong? CommittedHeight { get; }

    /// <summary>
    /// Re-executes one block of this replica's own store after a restart, before <see cref="Start"/>: the client table
    /// and the application are rebuilt by replaying the stored chain from height 0 up to the tip the replica was built
    /// from, one block at a time, in height order. A replica built from a tip must be replayed up to it before it starts.
    /// </summary>
    /// <param name="block">The next stored block.</param>
    /// <returns>The block as the application saw it and what it did (for what follows the chain, e.g. a relay restoring its outbox).</returns>
    /// <exception cref="ArgumentException">The block is not the next one to replay (another chain, a gap, above the tip, or not the stored tip).</exception>
    /// <exception cref="InvalidOperationException">The replica already started.</exception>
    (CommittedBlock Block, BlockExecution Execution) Replay(Blocks.Block block);

    /// <summary>
    /// Restores a checkpoint after a restart, before <see cref="Replay"/> and <see cref="Start"/>: the client table and
    /// the application as <see cref="TakeSnapshot"/> saved them at <paramref name="block"/>'s height, in place of
    /// replaying heights 0 to it; replay then goes on from the next height. When this throws, nothing changed (replay
    /// from height 0 instead).
    /// </summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="block">The replica's own stored block at the snapshot's height (the snapshot must name it).</param>
    /// <exception cref="ArgumentException">The snapshot is of another chain or block, above the stored tip, or blocks were replayed already.</exception>
    /// <exception cref="Codec.CodecException">The bytes are not a snapshot of this replica's application.</exception>
    /// <exception cref="InvalidOperationException">The replica already started.</exception>
    void Restore(Storage.StateSnapshot snapshot, Blocks.Block block);

    /// <summary>
    /// The replicated state as of <see cref="CommittedHeight"/> (the client table and the application): a checkpoint a
    /// host saves so that a restart restores it (<see cref="Restore"/>) and replays only later blocks. Call it on the
    /// replica's thread, after the driver stored the committed blocks.
    /// </summary>
    /// <returns>The snapshot.</returns>
    /// <exception cref="InvalidOperationException">Nothing is committed yet, or the replica has not started.</exception>
    Storage.StateSnapshot TakeSnapshot();

    /// <summary>Starts (or restarts, from its committed blocks) the protocol: arms timers, announces itself, asks for missing blocks.</summary>
    /// <param name="nowUnixMs">The driver's current time.</param>
    /// <param name="effects">Where the replica's actions go.</param>
    /// <exception cref="InvalidOperationException">The replica was built from a stored tip and not replayed up to it (<see cref="Replay"/>).</exception>
    void Start(long nowUnixMs, IReplicaEffects effects);

    /// <summary>A client request arrived (from a client or forwarded by a peer).</summary>
    /// <param name="request">The request; the replica verifies its signature.</param>
    /// <param name="nowUnixMs">The driver's current time.</param>
    /// <param name="effects">Where the replica's actions go.</param>
    void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects);

    /// <summary>
    /// Bytes arrived from peer <paramref name="from"/> (authenticated by the transport). The replica decodes and
    /// verifies them; malformed or forged input is dropped (and may be logged) and never changes state or throws.
    /// </summary>
    /// <param name="from">The authenticated sender.</param>
    /// <param name="message">
    /// The message bytes, valid only during the call: a host may hand their memory back to the transport for reuse
    /// (<see cref="Transport.InboundMessage.Release"/>) once the call returns, so a replica copies what it keeps
    /// (decoding does).
    /// </param>
    /// <param name="nowUnixMs">The driver's current time.</param>
    /// <param name="effects">Where the replica's actions go.</param>
    void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects);

    /// <summary>Committed blocks the replica asked for with <see cref="IReplicaEffects.LoadBlocks"/>, read from its own store.</summary>
    /// <param name="requester">The peer they are for.</param>
    /// <param name="blocks">The blocks in height order (fewer than asked when the store ends).</param>
    /// <param name="nowUnixMs">The driver's current time.</param>
    /// <param name="effects">Where the replica's actions go.</param>
    void OnBlocksLoaded(NodeId requester, IReadOnlyList<Blocks.Block> blocks, long nowUnixMs, IReplicaEffects effects);

    /// <summary>A timer the replica set has fired.</summary>
    /// <param name="timer">The timer.</param>
    /// <param name="nowUnixMs">The driver's current time.</param>
    /// <param name="effects">Where the replica's actions go.</param>
    void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects);
}
