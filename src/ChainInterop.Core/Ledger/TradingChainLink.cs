namespace ChainInterop.Ledger;

/// <summary>One trading chain (TBC) of an intermediary and the participant chain (PPC) it links.</summary>
/// <param name="TradingChain">The TBC.</param>
/// <param name="ParticipantChain">The PPC on the other side.</param>
public sealed record TradingChainLink(ChainId TradingChain, ChainId ParticipantChain);
