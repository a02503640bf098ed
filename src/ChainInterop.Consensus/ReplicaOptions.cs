using ChainInterop.Blocks;

namespace ChainInterop.Consensus;

/// <summary>The configuration one replica of one chain runs with; every limit names its unit.</summary>
public sealed class ReplicaOptions
{
    /// <summary>The chain.</summary>
    public ChainId ChainId { get; set; }

    /// <summary>The chain's validators (N, f and the quorum come from here).</summary>
    public ValidatorSet? Validators { get; set; }

    /// <summary>How clients are authenticated: by their signatures (default) or by a trusted channel.</summary>
    public ClientAuthentication ClientAuthentication { get; set; } = ClientAuthentication.Signatures;

    /// <summary>The most client requests in one block.</summary>
    public int MaxBatchRequests { get; set; } = 1000;

    /// <summary>The most bytes of request payloads in one block.</summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long the primary waits for more requests before proposing a non-full batch.</summary>
    public int BatchDelayMs { get; set; } = 5;

    /// <summary>How long a backup waits for progress on a request it knows before suspecting the primary (doubles per failed view).</summary>
    public int ViewChangeTimeoutMs { get; set; } = 2000;

    /// <summary>A checkpoint every this many blocks; the protocol log below the last stable checkpoint is truncated.</summary>
    public int CheckpointIntervalBlocks { get; set; } = 64;

    /// <summary>The most blocks a replica may commit beyond its last stable checkpoint (the high-water mark window).</summary>
    public int WindowBlocks { get; set; } = 256;

    /// <summary>The most client requests a replica holds waiting to be proposed.</summary>
    public int MaxPendingRequests { get; set; } = 100_000;

    /// <summary>The most blocks sent in one state-transfer reply.</summary>
    public int MaxStateTransferBlocks { get; set; } = 64;

    /// <summary>Throws unless the options are usable.</summary>
    /// <exception cref="ArgumentException">A missing chain or validator set, or a non-positive limit.</exception>
    public void Validate()
    {
        if (ChainId.IsDefault || Validators is null)
        {
            throw new ArgumentException("A replica needs its chain id and the chain's validator set.");
        }

        if (!Enum.IsDefined(ClientAuthentication))
        {
            throw new ArgumentException($"Unknown client authentication mode {(int)ClientAuthentication}.");
        }

        if (MaxBatchRequests <= 0 || MaxBatchBytes <= 0 || BatchDelayMs < 0 || ViewChangeTimeoutMs <= 0
            || CheckpointIntervalBlocks <= 0 || WindowBlocks < CheckpointIntervalBlocks || MaxPendingRequests <= 0 || MaxStateTransferBlocks <= 0)
        {
            throw new ArgumentException("Replica limits must be positive, and WindowBlocks at least CheckpointIntervalBlocks.");
        }
    }
}
