using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The network of seed 000 (SPEC S1): participant chains (PPC), intermediaries (ICC = one ABC + TBCs) and the links
/// between them, each link being one TBC of an ICC dedicated to one PPC. Implements Alg. 0 (<see cref="Build"/>),
/// Alg. 5 (<see cref="PlanParticipantJoin"/>), Alg. 6 (<see cref="PlanIntermediaryJoin"/>), Alg. 7
/// (<see cref="ProposeLink"/>), Alg. 8–9 (<see cref="Link"/>) and leaving (<see cref="ProposeLeave"/>, <see cref="Leave"/>).
/// </summary>
/// <remarks>
/// <para>A deterministic state machine: no clocks, threads, I/O or randomness; every collection is kept in chain-id
/// order, so replicas that apply the same operations reach the same <see cref="ComputeStateHash"/>. Not
/// thread-safe: one driver feeds it.</para>
/// <para>Linking is two-phase because the votes are other chains' consensus outcomes: a plan names the link requests
/// (the TBC reused or created for each, Alg. 7), the driver collects the PPC's vote, its signed verification
/// information and the ICC's vote for each request, and <see cref="Link"/> verifies them (Alg. 8, 9) and links the
/// TBC. Registration happens when a plan is accepted; until its links are made, the ICCs it registered are reported by
/// <see cref="UnderlinkedIntermediaries"/>.</para>
/// <para>Invariants (checked by the property tests): every TBC links at most one PPC and a PPC at most one TBC per
/// ICC; every chain id (PPC, ABC, TBC) is used once; an ICC with fewer than two linked PPCs is in
/// <see cref="UnderlinkedIntermediaries"/>; a refused operation changes nothing.</para>
/// </remarks>
public sealed partial class TopologyNetwork
{
    /// <summary>The most chain ids (PPCs, ABCs and TBCs together) one network holds.</summary>
    public const int MaxChains = 4096;

    /// <summary>The most TBCs one ICC runs, free or linked (so also the most PPCs it links).</summary>
    public const int MaxTradingChainsPerIntermediary = 256;

    private readonly SortedDictionary<ChainId, Participant> _participants = [];
    private readonly SortedDictionary<ChainId, Intermediary> _intermediaries = [];

    // Every chain id in use: registered PPCs, ICCs' ABCs and every TBC (a freed TBC keeps its id). Never above MaxChains.
    private readonly HashSet<ChainId> _chainIds = [];

    /// <summary>The number of changes applied so far (registrations, links, leaves); a fresh network is at 0.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>The registered PPCs, in id order.</summary>
    public IReadOnlyList<ChainId> Participants => [.. _participants.Keys];

    /// <summary>The registered ICCs (by account chain), in id order.</summary>
    public IReadOnlyList<ChainId> Intermediaries => [.. _intermediaries.Keys];

    /// <summary>The ICCs that link fewer than two PPCs, in id order: planned ones whose links are not all made yet, and
    /// those a leaving PPC left with one (see <see cref="LeaveOutcome.UnderlinkedIntermediaries"/>).</summary>
    public IReadOnlyList<ChainId> UnderlinkedIntermediaries =>
        [.. _intermediaries.Where(p => p.Value.ByParticipant.Count < 2).Select(p => p.Key)];

    /// <summary>The registered PPC <paramref name="id"/>.</summary>
    /// <param name="id">The chain.</param>
    /// <param name="participant">The PPC when registered.</param>
    /// <returns>Whether it is registered.</returns>
    public bool TryGetParticipant(ChainId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParticipantChain? participant)
    {
        participant = _participants.TryGetValue(id, out var p) ? p.Chain : null;
        return participant is not null;
    }

    /// <summary>The registered ICC whose account chain is <paramref name="id"/>.</summary>
    /// <param name="id">The account chain.</param>
    /// <param name="intermediary">The ICC when registered.</param>
    /// <returns>Whether it is registered.</returns>
    public bool TryGetIntermediary(ChainId id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IntermediaryChain? intermediary)
    {
        intermediary = _intermediaries.TryGetValue(id, out var i) ? i.Chain : null;
        return intermediary is not null;
    }

    /// <summary>The ICCs through which <paramref name="ppc1"/> and <paramref name="ppc2"/> can trade: both linked to them.</summary>
    /// <param name="ppc1">One PPC.</param>
    /// <param name="ppc2">Another PPC.</param>
    /// <returns>The ICCs in id order; empty when none (or a PPC is unknown, or both are the same).</returns>
    public IReadOnlyList<ChainId> IntermediariesBetween(ChainId ppc1, ChainId ppc2)
    {
        if (ppc1 == ppc2 || !_participants.TryGetValue(ppc1, out var a) || !_participants.TryGetValue(ppc2, out var b))
        {
            return [];
        }

        return [.. a.Intermediaries.Where(b.Intermediaries.Contains)];
    }

    /// <summary>The PPCs <paramref name="ppc"/> can trade with: those linked to an ICC it is linked to (Alg. 1 goes through one ICC).</summary>
    /// <param name="ppc">The PPC.</param>
    /// <returns>The PPCs in id order, never <paramref name="ppc"/> itself; empty when unknown.</returns>
    public IReadOnlyList<ChainId> TradingPartnersOf(ChainId ppc)
    {
        if (!_participants.TryGetValue(ppc, out var p))
        {
            return [];
        }

        var partners = new SortedSet<ChainId>();
        foreach (var icc in p.Intermediaries)
        {
            partners.UnionWith(_intermediaries[icc].ByParticipant.Keys);
        }

        partners.Remove(ppc);
        return [.. partners];
    }

    /// <summary>The ICCs <paramref name="ppc"/> is linked to.</summary>
    /// <param name="ppc">The PPC.</param>
    /// <returns>The ICCs in id order; empty when unknown.</returns>
    public IReadOnlyList<ChainId> IntermediariesOf(ChainId ppc) =>
        _participants.TryGetValue(ppc, out var p) ? [.. p.Intermediaries] : [];

    /// <summary>The PPCs linked to <paramref name="icc"/>.</summary>
    /// <param name="icc">The ICC (its account chain).</param>
    /// <returns>The PPCs in id order; empty when unknown.</returns>
    public IReadOnlyList<ChainId> LinkedParticipantsOf(ChainId icc) =>
        _intermediaries.TryGetValue(icc, out var i) ? [.. i.ByParticipant.Keys] : [];

    /// <summary>The linked TBCs of <paramref name="icc"/> with their PPCs, as the ledger names them.</summary>
    /// <param name="icc">The ICC (its account chain).</param>
    /// <returns>The links in TBC order; empty when unknown.</returns>
    public IReadOnlyList<TradingChainLink> TradingChainsOf(ChainId icc) =>
        _intermediaries.TryGetValue(icc, out var i)
            ? [.. i.TradingChains.Where(t => !t.Value.IsFree).Select(t => new TradingChainLink(t.Key, t.Value.Participant))]
            : [];

    /// <summary>The free TBCs of <paramref name="icc"/>: never linked, or freed by a leaving PPC; the next link reuses the first (Alg. 7 line 1).</summary>
    /// <param name="icc">The ICC (its account chain).</param>
    /// <returns>The TBCs in id order; empty when unknown.</returns>
    public IReadOnlyList<ChainId> FreeTradingChainsOf(ChainId icc) =>
        _intermediaries.TryGetValue(icc, out var i) ? [.. i.TradingChains.Where(t => t.Value.IsFree).Select(t => t.Key)] : [];

    /// <summary>How many times TBC <paramref name="tradingChain"/> of <paramref name="icc"/> has been linked (the next request's <see cref="LinkRequest.Generation"/>).</summary>
    /// <param name="icc">The ICC.</param>
    /// <param name="tradingChain">The TBC.</param>
    /// <returns>The generation, or null when the ICC does not run that TBC.</returns>
    public ulong? GenerationOf(ChainId icc, ChainId tradingChain) =>
        _intermediaries.TryGetValue(icc, out var i) && i.TradingChains.TryGetValue(tradingChain, out var t) ? t.Generation : null;

    /// <summary>The trading partners <paramref name="ppc"/> declared when it joined (Alg. 5 line 12), minus those that left.</summary>
    /// <param name="ppc">The PPC.</param>
    /// <returns>The partners in id order; empty when unknown or none.</returns>
    public IReadOnlyList<ChainId> DeclaredPartnersOf(ChainId ppc) =>
        _participants.TryGetValue(ppc, out var p) ? [.. p.Partners] : [];

    /// <summary>The declared partners that no ICC connects yet (a join plan whose links are not all made, or were refused).</summary>
    /// <returns>The pairs in (PPC, partner) order; empty when every PPC reaches every partner it declared.</returns>
    public IReadOnlyList<PartnerPair> UnreachablePartners()
    {
        var pairs = new List<PartnerPair>();
        foreach (var (id, p) in _participants)
        {
            foreach (var partner in p.Partners)
            {
                if (!p.Intermediaries.Overlaps(_participants[partner].Intermediaries))
                {
                    pairs.Add(new PartnerPair(id, partner));
                }
            }
        }

        return pairs;
    }

    /// <summary>
    /// The ledger configuration of <paramref name="icc"/> as linked now: its ABC and one <see cref="TradingChainLink"/>
    /// per linked TBC (free TBCs have no participant chain and are left out).
    /// </summary>
    /// <param name="icc">The ICC.</param>
    /// <returns>Options for <see cref="IntermediaryLedger.OpenAsync"/> (which needs at least two links).</returns>
    /// <exception cref="ArgumentException"><paramref name="icc"/> is not registered.</exception>
    public IntermediaryLedgerOptions CreateLedgerOptions(ChainId icc)
    {
        if (!_intermediaries.ContainsKey(icc))
        {
            throw new ArgumentException($"Intermediary {icc} is not registered.", nameof(icc));
        }

        var options = new IntermediaryLedgerOptions { AccountChain = icc };
        foreach (var link in TradingChainsOf(icc))
        {
            options.TradingChains.Add(link);
        }

        return options;
    }

    /// <summary>
    /// SHA-256 over the whole topology in id order: sequence, PPCs (validators, membership, declared partners), ICCs
    /// (validators, each TBC with its PPC and generation). Equal on every replica that applied the same operations.
    /// </summary>
    /// <returns>The state hash.</returns>
    public Hash256 ComputeStateHash()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.WriteUInt64(Sequence);
        writer.WriteArrayHeader(_participants.Count);
        foreach (var (id, p) in _participants)
        {
            writer.WriteArrayHeader(4);
            writer.WriteChainId(id);
            writer.WriteUInt64(p.MemberSince);
            WriteValidators(ref writer, p.Chain.Validators);
            writer.WriteArrayHeader(p.Partners.Count);
            foreach (var partner in p.Partners)
            {
                writer.WriteChainId(partner);
            }
        }

        writer.WriteArrayHeader(_intermediaries.Count);
        foreach (var (id, i) in _intermediaries)
        {
            writer.WriteArrayHeader(3);
            writer.WriteChainId(id);
            WriteValidators(ref writer, i.Chain.Validators);
            writer.WriteArrayHeader(i.TradingChains.Count);
            foreach (var (tbc, slot) in i.TradingChains)
            {
                writer.WriteArrayHeader(3);
                writer.WriteChainId(tbc);
                if (slot.IsFree)
                {
                    writer.WriteNil();
                }
                else
                {
                    writer.WriteChainId(slot.Participant);
                }

                writer.WriteUInt64(slot.Generation);
            }
        }

        return Hash256.Compute(buffer.WrittenSpan);
    }

    private static void WriteValidators(ref CanonicalWriter writer, ValidatorSet validators)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt32((uint)validators.FaultTolerance);
        writer.WriteArrayHeader(validators.Count);
        foreach (var key in validators.PublicKeys)
        {
            writer.WritePublicKey(key);
        }
    }

    /// <summary>A registered PPC.</summary>
    private sealed class Participant(ParticipantChain chain, ulong memberSince)
    {
        public ParticipantChain Chain { get; } = chain;

        public ulong MemberSince { get; } = memberSince;

        /// <summary>Declared trading partners; all registered (a partner that leaves is removed).</summary>
        public SortedSet<ChainId> Partners { get; } = [];

        /// <summary>The ICCs this PPC is linked to; mirrors <see cref="Intermediary.ByParticipant"/>.</summary>
        public SortedSet<ChainId> Intermediaries { get; } = [];
    }

    /// <summary>A registered ICC.</summary>
    private sealed class Intermediary(IntermediaryChain chain)
    {
        public IntermediaryChain Chain { get; } = chain;

        /// <summary>Every TBC, free or linked; at most <see cref="MaxTradingChainsPerIntermediary"/>.</summary>
        public SortedDictionary<ChainId, TradingChainSlot> TradingChains { get; } = [];

        /// <summary>Linked PPC → its TBC: one TBC per PPC, and (by construction) one PPC per TBC.</summary>
        public SortedDictionary<ChainId, ChainId> ByParticipant { get; } = [];

        public ChainId? FirstFreeTradingChain(HashSet<ChainId>? reserved = null)
        {
            foreach (var (tbc, slot) in TradingChains)
            {
                if (slot.IsFree && (reserved is null || !reserved.Contains(tbc)))
                {
                    return tbc;
                }
            }

            return null;
        }
    }

    /// <summary>One TBC: free (default <see cref="Participant"/>) or linked to one PPC.</summary>
    private sealed class TradingChainSlot
    {
        public ChainId Participant { get; set; }

        /// <summary>How many times the TBC has been linked; grows by one per link, never decreases.</summary>
        public ulong Generation { get; set; }

        public bool IsFree => Participant.IsDefault;
    }
}
