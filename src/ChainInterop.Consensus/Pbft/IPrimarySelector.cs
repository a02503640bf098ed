using ChainInterop.Blocks;

namespace ChainInterop.Consensus.Pbft;

/// <summary>
/// Decides which validator proposes the block at a height in a view. PBFT uses p = v mod N
/// (<see cref="RoundRobinPrimarySelector"/>); CBFT (K3) plugs in per-height rotation and a credit-weighted roulette
/// derived from committed state. Every honest replica must compute the same answer from the same inputs.
/// </summary>
public interface IPrimarySelector
{
    /// <summary>The primary for <paramref name="height"/> in <paramref name="view"/>.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="view">The view.</param>
    /// <param name="height">The height being proposed.</param>
    /// <param name="lastCommitted">The header at <paramref name="height"/> − 1, or null for genesis.</param>
    /// <returns>The primary.</returns>
    NodeId SelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted);

    /// <summary>Called once per committed block, in height order, so a selector can keep replicated state (e.g. credit scores).</summary>
    /// <param name="block">The committed block.</param>
    void OnCommitted(Block block)
    {
    }
}

/// <summary>PBFT's primary rule (K2): the primary of view v is <c>Validators.NodeIds[v mod N]</c>, whatever the height.</summary>
public sealed class RoundRobinPrimarySelector : IPrimarySelector
{
    /// <summary>The shared instance (the selector is stateless).</summary>
    public static RoundRobinPrimarySelector Instance { get; } = new();

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public NodeId SelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted)
    {
        ArgumentNullException.ThrowIfNull(validators);
        return validators.NodeIds[(int)(view % (ulong)validators.Count)];
    }
}
