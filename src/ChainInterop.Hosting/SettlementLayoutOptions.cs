using ChainInterop.Blocks;

namespace ChainInterop.Hosting;

/// <summary>
/// The shape of a network that <see cref="SettlementNetworkLayout.Write"/> lays out on one host: banks, intermediaries,
/// validators per chain, ports and opening balances. The defaults give 2 banks and 1 intermediary, each a 4-validator
/// PBFT chain on 127.0.0.1 from port 7100, settling USD.
/// </summary>
public sealed class SettlementLayoutOptions
{
    /// <summary>How many banks, each with its participant chain <c>ppc-bank-a</c>, <c>ppc-bank-b</c>, …; at least 2.</summary>
    public int Banks { get; set; } = 2;

    /// <summary>How many validators each chain has, 1 to <see cref="ValidatorSet.MaxValidators"/>.</summary>
    public int ValidatorsPerChain { get; set; } = 4;

    /// <summary>How many intermediary chains, <c>icc-1</c>, <c>icc-2</c>, …, each linking every bank; at least 1.</summary>
    public int Intermediaries { get; set; } = 1;

    /// <summary>The first port; each validator, banks' chains first, takes the next two: consensus, then relay.</summary>
    public int BasePort { get; set; } = 7100;

    /// <summary>The address every validator listens on (an IPv4 address, a bracketed IPv6 address or a DNS name).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The engine every chain runs.</summary>
    public ConsensusEngine Engine { get; set; } = ConsensusEngine.Pbft;

    /// <summary>The assets settled; each bank's customers, transit account and ABC deposits are funded in every one.</summary>
    public IReadOnlyList<AssetCode> Assets { get; set; } = [new AssetCode("USD")];

    /// <summary>How many customer accounts each bank opens (<c>customer-1</c>, <c>customer-2</c>, …).</summary>
    public int CustomersPerBank { get; set; } = 2;

    /// <summary>Each customer's opening balance per asset, in minor units.</summary>
    public long CustomerBalance { get; set; } = 1_000_000;

    /// <summary>Each bank's transit liquidity per asset, in minor units.</summary>
    public long TransitLiquidity { get; set; } = 10_000_000;

    /// <summary>Each bank's deposit per asset on each intermediary's ABC, in minor units.</summary>
    public long AbcDeposit { get; set; } = 10_000_000;

    /// <summary>Each node's <see cref="SettlementNodeOptions.SnapshotIntervalBlocks"/> (0: no snapshots).</summary>
    public int SnapshotIntervalBlocks { get; set; } = Consensus.Hosting.ReplicaSnapshots.DefaultIntervalBlocks;

    /// <summary>How an ICC's ABC and TBC validators are laid out on processes (seed 000 [0014]); logical by default.</summary>
    public IntermediaryStorage IntermediaryStorage { get; set; } = IntermediaryStorage.Logical;
}

/// <summary>
/// The two storage modes of an intermediary's dual chain (seed 000 [0014]): each ABC and TBC is a chain with its own
/// consensus and store either way.
/// </summary>
public enum IntermediaryStorage
{
    /// <summary>Logical isolation: validator i of the ABC and of every TBC run in one process (one server), each chain in its own storage area.</summary>
    Logical = 0,

    /// <summary>Physical isolation: every ABC and TBC validator runs in a process of its own (its own server).</summary>
    Physical = 1,
}

/// <summary>The files <see cref="SettlementNetworkLayout.Write"/> wrote, as absolute paths.</summary>
/// <param name="Directory">The layout's directory.</param>
/// <param name="NodeConfigs">One <c>node-&lt;chain&gt;-&lt;index&gt;.json</c> per validator: network and node sections.</param>
/// <param name="ValidatorKeys">One <c>keys/&lt;chain&gt;-&lt;index&gt;.key</c> per validator.</param>
/// <param name="OperatorKeys">One <c>keys/&lt;chain&gt;-operator.key</c> per chain (banks first): its operator client's key.</param>
/// <param name="ClientConfigs">One <c>client-&lt;chain&gt;.json</c> per chain (banks first): network and client sections.</param>
public sealed record SettlementLayoutFiles(
    string Directory,
    IReadOnlyList<string> NodeConfigs,
    IReadOnlyList<string> ValidatorKeys,
    IReadOnlyList<string> OperatorKeys,
    IReadOnlyList<string> ClientConfigs);
