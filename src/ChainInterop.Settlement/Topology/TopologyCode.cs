namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The outcome of a topology operation (SPEC S1, seed 000 Alg. 0, 5–9, and leaving). Values are stable codes: they
/// may be stored, logged and compared across versions. Every refusal leaves the <see cref="TopologyNetwork"/> unchanged.
/// </summary>
public enum TopologyCode
{
    /// <summary>The operation succeeded.</summary>
    Ok = 0,

    /// <summary>A participant chain (PPC) or intermediary (ICC) named by the operation is not registered.</summary>
    UnknownChain = 1,

    /// <summary>A chain id is already used in the network (by a PPC, an ICC's account chain or a TBC), or repeated in the input.</summary>
    DuplicateChain = 2,

    /// <summary>An ICC would link fewer than two PPCs (Alg. 0 line 3, Alg. 5 line 4, Alg. 6 line 2).</summary>
    IccNeedsTwoParticipants = 3,

    /// <summary>The PPC is already linked to this ICC (through another TBC).</summary>
    AlreadyLinked = 4,

    /// <summary>
    /// The link or leave request no longer matches the network: the TBC was linked or created meanwhile (its
    /// generation moved on), or the PPC left and joined again. The votes were cast on another state; ask again.
    /// </summary>
    StaleRequest = 5,

    /// <summary>The PPC's internal vote (Alg. 8 line 1) is missing its quorum, badly signed, for another request, or a "no".</summary>
    PpcVoteRejected = 6,

    /// <summary>The ICC's ABC could not verify the PPC's signed verification information (Alg. 8 line 4, Alg. 9).</summary>
    VerificationFailed = 7,

    /// <summary>The ICC's vote (Alg. 8 line 6) is missing its quorum, badly signed, for another request, or a "no".</summary>
    IccVoteRejected = 8,

    /// <summary>A joining PPC must trade with a PPC that no existing or newly created ICC links (Alg. 5 line 14).</summary>
    UnreachablePartner = 9,

    /// <summary>The PPC still has pending cross-chain legs and cannot leave (<see cref="IPendingLegs"/>).</summary>
    PendingLegs = 10,

    /// <summary>A named limit would be exceeded (<see cref="TopologyNetwork.MaxChains"/>, <see cref="TopologyNetwork.MaxTradingChainsPerIntermediary"/>).</summary>
    LimitReached = 11,

    /// <summary>Alg. 0 builds a network from zero; this network already has chains.</summary>
    NetworkNotEmpty = 12,
}
