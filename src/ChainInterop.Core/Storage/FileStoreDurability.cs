namespace ChainInterop.Storage;

/// <summary>When the durable file store forces appended blocks to stable storage (fsync). Values are stable codes.</summary>
public enum FileStoreDurability
{
    /// <summary>Every block is written and fsynced on its own before the append returns (a batch costs one fsync per block).</summary>
    EveryBlock = 0,

    /// <summary>A batch is written and fsynced once before the append returns; a single append is a batch of one.</summary>
    EveryBatch = 1,

    /// <summary>
    /// Appends return after the write (the bytes are in the OS cache, not yet on disk); a background timer fsyncs
    /// every <see cref="FileStoreOptions.FlushIntervalMs"/>. A crash may lose the last interval's blocks, never
    /// corrupt earlier ones.
    /// </summary>
    Interval = 2,
}
