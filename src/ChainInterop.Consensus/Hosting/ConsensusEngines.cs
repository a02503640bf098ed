using ChainInterop.Blocks;
using ChainInterop.Consensus.Cbft;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Consensus.SingleAuthority;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// The replica factories of the engines this package ships, chosen per chain (K1): by dependency injection
/// (<c>AddChain(…).AddPbft()</c>) or directly (e.g. <see cref="InProcessChain"/>).
/// </summary>
public static class ConsensusEngines
{
    /// <summary>
    /// PBFT (K2): Byzantine-fault tolerant with N ≥ 3f + 1 validators. The client table (deduplication and reply
    /// cache) and the application are rebuilt by the driver's replay of the stored blocks.
    /// </summary>
    public static ReplicaFactory Pbft { get; } = (c, _) =>
        ValueTask.FromResult<IReplica>(new PbftReplica(c.Options, c.Key, c.LastCommitted, c.Application, c.Loggers.CreateLogger<PbftReplica>()));

    /// <summary>
    /// CBFT (K3): PBFT whose primary changes every block, drawn by credit-weighted roulette from committed state.
    /// The credit scores are rebuilt from the chain's stored blocks when the replica is built; the client table and
    /// the application by the driver's replay.
    /// </summary>
    public static ReplicaFactory Cbft { get; } = async (c, cancellationToken) =>
    {
        var stored = await ReadAllAsync(c.Store, cancellationToken).ConfigureAwait(false);
        var selector = new CbftPrimarySelector(c.Options.Validators!);
        selector.Replay(stored);
        return new PbftReplica(c.Options, c.Key, c.LastCommitted, selector, c.Application, c.Loggers.CreateLogger<PbftReplica>());
    };

    /// <summary>One signing authority (K1's database consistency): crash-fault tolerant only, it cannot expose a lying authority.</summary>
    public static ReplicaFactory SingleAuthority { get; } = (c, _) =>
        ValueTask.FromResult<IReplica>(new SingleAuthorityReplica(c.Options, c.Key, c.LastCommitted, c.Application, c.Loggers.CreateLogger<SingleAuthorityReplica>()));

    private static async Task<List<Block>> ReadAllAsync(IBlockStore store, CancellationToken cancellationToken)
    {
        var blocks = new List<Block>();
        await foreach (var block in store.ReadAsync(0, cancellationToken).ConfigureAwait(false))
        {
            blocks.Add(block);
        }

        return blocks;
    }
}
