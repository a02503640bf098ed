using ChainInterop.Blocks;

namespace ChainInterop.Consensus.Pbft;

/// <summary>
/// Decides which validator proposes the block at a height in a view. PBFT uses p = v mod N
/// (<see cref="RoundRobinPrimarySelector"/>); CBFT (K3) plugs in per-height rotation and a credit-weighted roulette
/// derived from committed state. Every honest replica must compute the same answer from the same inputs.
/// </summary>
/// <remarks>
/// The answer must depend only on the arguments and on the chain committed up to <c>lastCommitted</c>, never on how
/// far this replica has committed beyond it: replicas at different heights judge the same VIEW-CHANGE and NEW-VIEW
/// messages, which name an older (or a newer) tip than their own. A selector with replicated state therefore keeps
/// that state per committed header, and says it does not know when asked about a header it has no state for.
/// </remarks>
public interface IPrimarySelector
{
    /// <summary>The primary for <paramref name="height"/> in <paramref name="view"/>, when the chain ends at <paramref name="lastCommitted"/>.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="view">The view.</param>
    /// <param name="height">The height being proposed.</param>
    /// <param name="lastCommitted">The header at <paramref name="height"/> − 1, or null for genesis.</param>
    /// <param name="primary">The primary, when the selector knows the state after <paramref name="lastCommitted"/>.</param>
    /// <returns>
    /// <see langword="false"/> when the selector has no state for <paramref name="lastCommitted"/>: it is beyond this
    /// replica's committed tip, or older than the history the selector keeps. The replica then cannot judge who the
    /// primary is until it has caught up.
    /// </returns>
    bool TrySelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted, out NodeId primary);

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
    /// <remarks>Stateless: always answers.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public bool TrySelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted, out NodeId primary)
    {
        ArgumentNullException.ThrowIfNull(validators);
        primary = validators.NodeIds[(int)(view % (ulong)validators.Count)];
        return true;
    }
}
