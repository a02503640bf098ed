using ChainInterop.Consensus.Cbft;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Consensus.SingleAuthority;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// The replica factories of the engines this package ships, chosen per chain (K1): by dependency injection
/// (<c>AddChain(…).AddPbft()</c>) or directly (e.g. <see cref="InProcessChain"/>).
/// </summary>
public static class ConsensusEngines
{
    /// <summary>PBFT (K2): Byzantine-fault tolerant with N ≥ 3f + 1 validators.</summary>
    public static ReplicaFactory Pbft { get; } = (c, _) =>
        ValueTask.FromResult<IReplica>(new PbftReplica(c.Options, c.Key, c.LastCommitted, c.Loggers.CreateLogger<PbftReplica>()));

    /// <summary>
    /// CBFT (K3): PBFT whose primary changes every block, drawn by credit-weighted roulette from committed state.
    /// The credit scores are rebuilt from the chain's stored blocks when the replica is built.
    /// </summary>
    public static ReplicaFactory Cbft { get; } = async (c, cancellationToken) =>
    {
        var selector = new CbftPrimarySelector(c.Options.Validators!);
        await foreach (var block in c.Store.ReadAsync(0, cancellationToken).ConfigureAwait(false))
        {
            selector.OnCommitted(block);
        }

        return new PbftReplica(c.Options, c.Key, c.LastCommitted, selector, c.Loggers.CreateLogger<PbftReplica>());
    };

    /// <summary>One signing authority (K1's database consistency): crash-fault tolerant only, it cannot expose a lying authority.</summary>
    public static ReplicaFactory SingleAuthority { get; } = (c, _) =>
        ValueTask.FromResult<IReplica>(new SingleAuthorityReplica(c.Options, c.Key, c.LastCommitted, c.Loggers.CreateLogger<SingleAuthorityReplica>()));
}
