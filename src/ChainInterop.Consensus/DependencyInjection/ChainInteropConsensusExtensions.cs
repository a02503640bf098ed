using ChainInterop;
using ChainInterop.Consensus.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>A chain this node takes part in, returned by <see cref="ChainInteropConsensusExtensions.AddChain"/> to choose its engine.</summary>
public interface IChainBuilder
{
    /// <summary>The chain.</summary>
    ChainId ChainId { get; }

    /// <summary>The host's services.</summary>
    IServiceCollection Services { get; }
}

/// <summary>Registers chains and their consensus engines (K1: the engine is chosen per chain).</summary>
public static class ChainInteropConsensusExtensions
{
    /// <summary>
    /// Declares a chain this node takes part in; choose its engine on the returned builder
    /// (<see cref="AddPbft"/>, <see cref="AddCbft"/>, <see cref="AddSingleAuthority"/>) and start it with <see cref="ChainNodeFactory"/>.
    /// </summary>
    /// <param name="builder">The ChainInterop builder.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="configure">Sets the validators, limits and this node's key.</param>
    /// <returns>The chain's builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IChainBuilder AddChain(this IChainInteropBuilder builder, ChainId chainId, Action<ChainNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<ChainNodeOptions>(chainId.Value)
            .Configure(options =>
            {
                options.Replica.ChainId = chainId;
                configure(options);
            });
        builder.Services.TryAddSingleton<ChainNodeFactory>();
        return new ChainBuilder(chainId, builder.Services);
    }

    /// <summary>Runs the chain with PBFT (K2): Byzantine-fault tolerant with N ≥ 3f + 1 validators.</summary>
    /// <param name="chain">The chain's builder.</param>
    /// <returns>The chain's builder.</returns>
    public static IChainBuilder AddPbft(this IChainBuilder chain) =>
        UseEngine(chain, ConsensusEngines.Pbft);

    /// <summary>
    /// Runs the chain with CBFT (K3): PBFT whose primary changes every block, drawn by credit-weighted roulette from
    /// committed state, so a primary that censors transactions or fails its round is chosen less and less often.
    /// The credit scores are rebuilt from the chain's stored blocks when the node starts.
    /// </summary>
    /// <param name="chain">The chain's builder.</param>
    /// <returns>The chain's builder.</returns>
    public static IChainBuilder AddCbft(this IChainBuilder chain) =>
        UseEngine(chain, ConsensusEngines.Cbft);

    /// <summary>
    /// Runs the chain with one signing authority (K1's database consistency): crash-fault tolerant only; it cannot
    /// expose a lying authority. Use PBFT where participants do not trust the operator.
    /// </summary>
    /// <param name="chain">The chain's builder.</param>
    /// <returns>The chain's builder.</returns>
    public static IChainBuilder AddSingleAuthority(this IChainBuilder chain) =>
        UseEngine(chain, ConsensusEngines.SingleAuthority);

    private static IChainBuilder UseEngine(IChainBuilder chain, ReplicaFactory factory)
    {
        ArgumentNullException.ThrowIfNull(chain);
        // One engine per chain: the last choice wins.
        chain.Services.RemoveAllKeyed<ReplicaFactory>(chain.ChainId);
        chain.Services.AddKeyedSingleton(chain.ChainId, factory);
        return chain;
    }

    private sealed class ChainBuilder(ChainId chainId, IServiceCollection services) : IChainBuilder
    {
        public ChainId ChainId { get; } = chainId;

        public IServiceCollection Services { get; } = services;
    }
}
