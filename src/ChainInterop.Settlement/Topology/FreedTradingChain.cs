namespace ChainInterop.Settlement.Topology;

/// <summary>A TBC that a leaving PPC no longer uses: free again, reusable by the next link to its ICC (Alg. 7 line 1).</summary>
/// <param name="Intermediary">The ICC (its account chain).</param>
/// <param name="TradingChain">The TBC.</param>
public readonly record struct FreedTradingChain(ChainId Intermediary, ChainId TradingChain);
