namespace ChainInterop.Consensus;

/// <summary>What a replica timer is for.</summary>
public enum ReplicaTimerKind
{
    /// <summary>Close the current batch of requests into a proposal.</summary>
    Batch = 1,

    /// <summary>Progress has stalled in the current view: start a view change.</summary>
    ViewChange = 2,

    /// <summary>Retry a request for missing blocks (state transfer).</summary>
    StateTransfer = 3,

    /// <summary>Re-send what peers may have missed (e.g. after a partition heals).</summary>
    Retransmit = 4,
}

/// <summary>A timer a replica arms through <see cref="IReplicaEffects.SetTimer"/>: its kind and what it is about (a view, a height).</summary>
/// <param name="Kind">What the timer is for.</param>
/// <param name="Subject">The view, height or sequence number it concerns; 0 when none.</param>
public readonly record struct ReplicaTimer(ReplicaTimerKind Kind, ulong Subject = 0);
