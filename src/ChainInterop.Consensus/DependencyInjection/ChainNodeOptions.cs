using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Hosting;

/// <summary>How this node takes part in one chain: the replica's options and the node's signing key.</summary>
public sealed class ChainNodeOptions
{
    /// <summary>The chain's validators and the protocol's limits.</summary>
    public ReplicaOptions Replica { get; } = new();

    /// <summary>This node's private key (a validator key, or a follower's own key). Never logged.</summary>
    public PrivateKey? SigningKey { get; set; }

    /// <summary>Whether clients reach this node over its transport (see <see cref="ReplicaHost.ServeRemoteClients"/>); off by default.</summary>
    public bool ServeRemoteClients { get; set; }

    /// <summary>
    /// How many committed blocks between two snapshots of the replica's state, saved to the registered
    /// <c>IStateSnapshotStore</c> (<see cref="ReplicaSnapshots"/>); 0 turns snapshots off (a start replays the whole store).
    /// </summary>
    public int SnapshotIntervalBlocks { get; set; } = ReplicaSnapshots.DefaultIntervalBlocks;

    /// <summary>Throws unless the options are usable.</summary>
    /// <exception cref="ArgumentException">Missing key, chain or validators, or invalid limits.</exception>
    public void Validate()
    {
        Replica.Validate();
        if (SnapshotIntervalBlocks < 0)
        {
            throw new ArgumentException($"Chain {Replica.ChainId}: the snapshot interval is 0 (off) or more blocks, not {SnapshotIntervalBlocks}.");
        }

        if (SigningKey is null)
        {
            throw new ArgumentException($"Chain {Replica.ChainId}: a node needs its signing key (ChainNodeOptions.SigningKey).");
        }
    }
}
