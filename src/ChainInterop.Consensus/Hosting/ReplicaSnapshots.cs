using ChainInterop.Storage;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// Checkpoints of a replica's state (its client table and application, <see cref="IReplica.TakeSnapshot"/>): a
/// <see cref="ReplicaHost"/> saves one every <see cref="IntervalBlocks"/> committed blocks and, on start, restores the
/// newest one that matches its stored chain, so a restart re-executes only the blocks after it. The block store stays
/// the source of truth: a missing, damaged or foreign snapshot only costs a replay from height 0.
/// </summary>
/// <param name="Store">Where the snapshots are kept (e.g. <see cref="FileStateSnapshotStore"/> beside the block store).</param>
/// <param name="IntervalBlocks">How many committed blocks between two snapshots (at least 1).</param>
public sealed record ReplicaSnapshots(IStateSnapshotStore Store, int IntervalBlocks = ReplicaSnapshots.DefaultIntervalBlocks)
{
    /// <summary>The default <see cref="IntervalBlocks"/>.</summary>
    public const int DefaultIntervalBlocks = 1_000;

    /// <summary>Throws unless the settings are usable.</summary>
    /// <exception cref="ArgumentException"><see cref="Store"/> is null or <see cref="IntervalBlocks"/> is below 1.</exception>
    public void Validate()
    {
        if (Store is null)
        {
            throw new ArgumentException("Snapshots need a store.", nameof(Store));
        }

        if (IntervalBlocks < 1)
        {
            throw new ArgumentException($"The snapshot interval is at least 1 block, not {IntervalBlocks}.", nameof(IntervalBlocks));
        }
    }
}
