namespace ChainInterop.Storage;

/// <summary>
/// How the chains of an intermediary (its ABC and every TBC) share storage (C5, seed 000 [0014]-[0015]). Each chain
/// keeps its own blocks and runs its own consensus in both modes; only where the bytes live differs.
/// </summary>
public enum StorageIsolation
{
    /// <summary>Each chain in its own store (its own directory, disk or server).</summary>
    Physical = 1,

    /// <summary>All chains in one store, each in its own area.</summary>
    Logical = 2,
}
