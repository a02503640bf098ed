using ChainInterop.Storage;
using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Crypto;

namespace ChainInterop.Simulation;

/// <summary>
/// One simulated node's identity and configuration, handed to <see cref="EngineUnderTest.Factory"/> at every
/// (re)start. <see cref="Id"/> is the node's network identity; <see cref="Key"/> is what its replica signs with
/// (a Byzantine behaviour may swap it for a wrong key, <see cref="IByzantineBehaviour.PrepareSetup"/>).
/// </summary>
/// <param name="Index">The node's index: validators first, in validator-set order, then followers.</param>
/// <param name="Id">The node's identity on the simulated network.</param>
/// <param name="Key">The key its replica signs with.</param>
/// <param name="Options">The replica's options (a fresh instance per start).</param>
/// <param name="IsValidator">Whether it is in the chain's validator set.</param>
/// <param name="Store">The node's durable store (it survives crashes): engines with replicated selection state replay it.</param>
/// <param name="Application">The node's copy of the chain's application; null for an ordering-only chain.</param>
/// <remarks>The simulator replays the store into the built replica (<see cref="IReplica.Replay"/>) before starting it, as the runtime host does.</remarks>
public sealed record NodeSetup(int Index, NodeId Id, PrivateKey Key, ReplicaOptions Options, bool IsValidator, IBlockStore Store, IChainApplication? Application = null);

/// <summary>
/// The engine a simulation runs: how to build a replica, how many validators (and non-validating followers) the
/// chain has, and which fault classes apply. Adding an engine to the simulator is one of these.
/// </summary>
/// <param name="Name">Shown in failures and reproduction commands (<c>CHAININTEROP_SIM_ENGINE</c>).</param>
/// <param name="ValidatorCount">N, the validators of the chain.</param>
/// <param name="Factory">Builds a replica from the node's setup and the last block of its store (null when empty), as a real (re)start would.</param>
public sealed record EngineUnderTest(string Name, int ValidatorCount, Func<NodeSetup, Block?, IReplica> Factory)
{
    /// <summary>Nodes beyond the validators (e.g. single-authority followers); 0 for BFT engines.</summary>
    public int FollowerCount { get; init; }

    /// <summary>Whether the engine claims Byzantine fault tolerance, so up to f validators may be Byzantine.</summary>
    public bool ByzantineFaultsApply { get; init; }

    /// <summary>Whether, after the fault period, every honest node must reach the highest committed height (state transfer).</summary>
    public bool RequiresConvergence { get; init; } = true;

    /// <summary>Adjusts the options every replica runs with (timeouts, batch sizes).</summary>
    public Action<ReplicaOptions>? ConfigureOptions { get; init; }

    /// <summary>Renders one of the engine's messages for a debug log (<see cref="Simulation.Log"/>); null: its length only.</summary>
    public Func<ReadOnlyMemory<byte>, string>? DescribeMessage { get; init; }

    /// <summary>All nodes of the chain.</summary>
    public int NodeCount => ValidatorCount + FollowerCount;

    /// <inheritdoc />
    public override string ToString() => Name;
}
