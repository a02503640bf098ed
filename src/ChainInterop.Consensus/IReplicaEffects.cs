namespace ChainInterop.Consensus;

/// <summary>
/// What a replica asks its driver to do. Drivers (runtime, simulator) implement it; a replica never performs I/O
/// itself. Calls are requests: a message may be lost, delayed or duplicated on the way, and the protocol copes.
/// </summary>
public interface IReplicaEffects
{
    /// <summary>Sends <paramref name="message"/> to validator <paramref name="recipient"/>.</summary>
    /// <param name="recipient">The recipient.</param>
    /// <param name="message">The encoded, signed message.</param>
    void Send(NodeId recipient, ReadOnlyMemory<byte> message);

    /// <summary>Sends <paramref name="message"/> to every other validator of the chain.</summary>
    /// <param name="message">The encoded, signed message.</param>
    void Broadcast(ReadOnlyMemory<byte> message);

    /// <summary>Arms <paramref name="timer"/> to fire after <paramref name="delayMs"/>, replacing an armed timer with the same value.</summary>
    /// <param name="timer">The timer.</param>
    /// <param name="delayMs">The delay in milliseconds.</param>
    void SetTimer(ReplicaTimer timer, long delayMs);

    /// <summary>Disarms <paramref name="timer"/> if it is armed.</summary>
    /// <param name="timer">The timer.</param>
    void CancelTimer(ReplicaTimer timer);

    /// <summary>
    /// Delivers the next committed block, in height order and exactly once per height, with what the application
    /// did with it (the replica executed it through its <see cref="IChainApplication"/>). The driver stores the block
    /// (<see cref="Storage.IBlockStore"/>) before it carries out anything asked after this call (the replies), then
    /// hands the execution to what follows the chain (<see cref="ICommittedBlockObserver"/>).
    /// </summary>
    /// <param name="block">The certified block (<see cref="CommittedBlock.Block"/>) and its new requests.</param>
    /// <param name="execution">What the application did.</param>
    void Commit(CommittedBlock block, BlockExecution execution);

    /// <summary>
    /// Asks the driver to read committed blocks from the replica's own store (to serve a lagging peer's state
    /// transfer); the driver answers with <see cref="IReplica.OnBlocksLoaded"/>.
    /// </summary>
    /// <param name="requester">The peer the blocks are for.</param>
    /// <param name="fromHeight">The first height wanted.</param>
    /// <param name="maxCount">The most blocks to load.</param>
    void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount);

    /// <summary>Answers a client whose request was committed.</summary>
    /// <param name="reply">The signed reply.</param>
    void Reply(ClientReply reply);
}
