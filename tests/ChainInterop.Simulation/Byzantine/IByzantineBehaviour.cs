using ChainInterop.Blocks;
using ChainInterop.Consensus;

namespace ChainInterop.Simulation;

/// <summary>
/// What a Byzantine node does instead of (or around) its honest replica. The node still runs a replica built by the
/// engine's factory (from <see cref="PrepareSetup"/>'s setup); every message that replica sends passes through
/// <see cref="OnSend"/>, which may deliver it unchanged, change it, drop it, or send other bytes to anyone
/// (<see cref="ByzantineContext.Deliver"/>). Protocol-specific behaviours (PBFT equivocation, censoring one request)
/// implement this interface in the engine's own suite.
/// </summary>
public interface IByzantineBehaviour
{
    /// <summary>Shown in traces and failures.</summary>
    string Name { get; }

    /// <summary>The setup the node's replica is built from; e.g. a wrong key. The honest setup by default.</summary>
    /// <param name="honest">The node's honest setup.</param>
    /// <param name="context">The node's context.</param>
    /// <returns>The setup to build the replica from.</returns>
    NodeSetup PrepareSetup(NodeSetup honest, ByzantineContext context) => honest;

    /// <summary>A message arrived for this node (before its replica sees it); e.g. to record it for replay.</summary>
    /// <param name="from">The sender.</param>
    /// <param name="message">The bytes.</param>
    /// <param name="context">The node's context.</param>
    void OnReceive(NodeId from, ReadOnlyMemory<byte> message, ByzantineContext context)
    {
    }

    /// <summary>The node's replica answers a client: return the reply to send (possibly a forged one), or null to send none.</summary>
    /// <param name="reply">The honest reply.</param>
    /// <param name="context">The node's context.</param>
    /// <returns>What the client receives.</returns>
    ClientReply? OnReply(ClientReply reply, ByzantineContext context) => reply;

    /// <summary>The node's replica sends <paramref name="message"/> to <paramref name="recipient"/>; deliver whatever the behaviour wants.</summary>
    /// <param name="recipient">The intended recipient.</param>
    /// <param name="message">The honest bytes (a private copy).</param>
    /// <param name="context">The node's context.</param>
    void OnSend(NodeId recipient, byte[] message, ByzantineContext context);
}

/// <summary>What a Byzantine behaviour can see and do. Randomness comes from the run's one seeded source.</summary>
public sealed class ByzantineContext
{
    private readonly Action<NodeId, byte[]> _deliver;

    internal ByzantineContext(NodeSetup setup, ValidatorSet validators, IReadOnlyList<NodeId> nodes, Random random, Func<long> now, Action<NodeId, byte[]> deliver)
    {
        Setup = setup;
        Validators = validators;
        Nodes = nodes;
        Random = random;
        Now = now;
        _deliver = deliver;
    }

    /// <summary>The node's honest setup (its real key, to craft validly signed lies).</summary>
    public NodeSetup Setup { get; }

    /// <summary>The chain's validators.</summary>
    public ValidatorSet Validators { get; }

    /// <summary>Every node of the chain, in index order.</summary>
    public IReadOnlyList<NodeId> Nodes { get; }

    /// <summary>The run's random source (shared, so draws stay reproducible).</summary>
    public Random Random { get; }

    /// <summary>The virtual time.</summary>
    public Func<long> Now { get; }

    /// <summary>Sends <paramref name="message"/> from this node to <paramref name="recipient"/> through the simulated network.</summary>
    /// <param name="recipient">The recipient.</param>
    /// <param name="message">The bytes.</param>
    public void Deliver(NodeId recipient, byte[] message) => _deliver(recipient, message);
}
