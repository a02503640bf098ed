namespace ChainInterop.Settlement.Topology;

/// <summary>
/// How many cross-chain legs of a participant chain are still pending (SPEC S2: the PPC1–ICC or ICC–PPC2 leg of a
/// transfer that is neither committed nor cancelled). Supplied by the driver from the cross-chain transaction
/// protocol's state, so that <see cref="TopologyNetwork.Leave"/> refuses a bank that would leave money in flight.
/// </summary>
/// <remarks>Declared here, where it is consumed; <see cref="PendingLegsSnapshot"/> is the in-memory implementation.</remarks>
public interface IPendingLegs
{
    /// <summary>The number of pending legs that involve <paramref name="ppc"/>.</summary>
    /// <param name="ppc">The participant chain.</param>
    /// <returns>Zero or more.</returns>
    int CountPending(ChainId ppc);
}
