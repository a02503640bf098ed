namespace ChainInterop.Settlement.Topology;

/// <summary>
/// An ICC that a joining PPC generates for itself (Alg. 5 lines 1–9): linked to the joining PPC and to
/// <see cref="OtherParticipants"/>, existing PPCs, so that it links at least two.
/// </summary>
/// <param name="Intermediary">The new intermediary.</param>
/// <param name="OtherParticipants">The existing PPCs it links besides the joining one; at least one.</param>
public sealed record OwnIntermediary(IntermediaryChain Intermediary, IReadOnlyList<ChainId> OtherParticipants);
