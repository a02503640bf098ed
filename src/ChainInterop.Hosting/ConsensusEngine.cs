namespace ChainInterop.Hosting;

/// <summary>
/// The consensus engine a chain runs, as named in configuration: <c>pbft</c>, <c>cbft</c> or <c>single-authority</c>
/// (<see cref="ChainOptions.Engine"/>).
/// </summary>
public enum ConsensusEngine
{
    /// <summary><c>pbft</c>: PBFT, Byzantine-fault tolerant with N ≥ 3f + 1 validators (K2).</summary>
    Pbft,

    /// <summary><c>cbft</c>: PBFT whose primary is drawn per block by credit-weighted roulette (K3).</summary>
    Cbft,

    /// <summary><c>single-authority</c>: one signing authority, crash-fault tolerant only (K1).</summary>
    SingleAuthority,
}
