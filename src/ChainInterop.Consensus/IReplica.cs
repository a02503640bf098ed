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
