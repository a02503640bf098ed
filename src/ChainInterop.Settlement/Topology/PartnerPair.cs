namespace ChainInterop.Settlement.Topology;

/// <summary>A PPC and a trading partner it declared when it joined (Alg. 5 line 12).</summary>
/// <param name="Participant">The PPC that declared the partner.</param>
/// <param name="Partner">The PPC it must trade with.</param>
public readonly record struct PartnerPair(ChainId Participant, ChainId Partner);
