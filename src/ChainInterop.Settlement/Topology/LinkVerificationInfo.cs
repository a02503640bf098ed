using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The verification information a PPC sends to the TBC after its internal vote approved a link (Alg. 8 line 3):
/// "this PPC asks to be linked by this request, its vote is this one", signed by the PPC's validators under
/// "ChainInterop/topology-link-verification/v1". The ICC's ABC verifies it (Alg. 9) against the validators the network
/// registered for the PPC.
/// </summary>
/// <remarks>
/// <para>It binds the request digest, the digest of the PPC's vote, the PPC and the TBC, so it cannot be moved to
/// another request, vote or TBC. Verification needs a quorum of the PPC's validators (the chain speaks, not one
/// node) and no unknown signer or bad signature.</para>
/// <para>Canonical form: <c>[requestDigest, participantVoteDigest, participant, tradingChain, [[signer, signature], …]]</c>.</para>
/// </remarks>
public sealed class LinkVerificationInfo : ICanonicalEncodable<LinkVerificationInfo>
{
    private readonly QuorumSignatures _signatures;
    private Hash256? _digest;

    private LinkVerificationInfo(Hash256 requestDigest, Hash256 participantVoteDigest, ChainId participant, ChainId tradingChain, QuorumSignatures signatures)
    {
        RequestDigest = requestDigest;
        ParticipantVoteDigest = participantVoteDigest;
        Participant = participant;
        TradingChain = tradingChain;
        _signatures = signatures;
    }

    /// <summary>The digest of the link request.</summary>
    public Hash256 RequestDigest { get; }

    /// <summary>The digest of the PPC's vote approving it.</summary>
    public Hash256 ParticipantVoteDigest { get; }

    /// <summary>The PPC.</summary>
    public ChainId Participant { get; }

    /// <summary>The TBC it is sent to.</summary>
    public ChainId TradingChain { get; }

    /// <summary>The validators that signed, ascending.</summary>
    public IReadOnlyList<NodeId> Signers => _signatures.Signers;

    /// <summary>What each validator signs: SHA-256 of <c>[requestDigest, participantVoteDigest, participant, tradingChain]</c>.</summary>
    public Hash256 SigningDigest => ComputeSigningDigest(RequestDigest, ParticipantVoteDigest, Participant, TradingChain);

    /// <summary>SHA-256 of the whole canonical record, signatures included.</summary>
    public Hash256 Digest => _digest ??= TopologyDigest.Of(this);

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/topology-link-verification/v1"u8;

    /// <summary>Signs the verification information for <paramref name="request"/> with the PPC validators' keys.</summary>
    /// <param name="request">The link request.</param>
    /// <param name="participantVote">The PPC's vote approving it.</param>
    /// <param name="validatorKeys">Keys of the PPC's validators.</param>
    /// <returns>The information (the ABC checks it with <see cref="Verify"/>).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A key is repeated.</exception>
    public static LinkVerificationInfo Create(LinkRequest request, TopologyVote participantVote, IEnumerable<PrivateKey> validatorKeys)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(participantVote);
        var digest = ComputeSigningDigest(request.Digest, participantVote.Digest, request.Participant, request.TradingChain);
        return new LinkVerificationInfo(request.Digest, participantVote.Digest, request.Participant, request.TradingChain,
            QuorumSignatures.Sign(validatorKeys, DomainTag, digest));
    }

    /// <summary>
    /// Alg. 9, the ABC's check: the information speaks for <paramref name="request"/>'s PPC, is about that request,
    /// that vote and that TBC, and is signed by a quorum of <paramref name="participantValidators"/> with no bad or
    /// unknown signature.
    /// </summary>
    /// <param name="request">The link request.</param>
    /// <param name="participantVote">The PPC's vote presented with it.</param>
    /// <param name="participantValidators">The PPC's registered validators.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EvidenceCheck Verify(LinkRequest request, TopologyVote participantVote, ValidatorSet participantValidators)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(participantVote);
        ArgumentNullException.ThrowIfNull(participantValidators);
        if (Participant != request.Participant)
        {
            return new EvidenceCheck(EvidenceFailure.WrongChain, $"information of {Participant}, expected {request.Participant}");
        }

        if (RequestDigest != request.Digest || ParticipantVoteDigest != participantVote.Digest || TradingChain != request.TradingChain)
        {
            return new EvidenceCheck(EvidenceFailure.WrongSubject, "the information names another request, vote or trading chain");
        }

        return _signatures.Verify(participantValidators, DomainTag, SigningDigest);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(5);
        writer.WriteHash256(RequestDigest);
        writer.WriteHash256(ParticipantVoteDigest);
        writer.WriteChainId(Participant);
        writer.WriteChainId(TradingChain);
        _signatures.Encode(ref writer);
    }

    /// <inheritdoc />
    public static LinkVerificationInfo Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(5);
        return new LinkVerificationInfo(reader.ReadHash256(), reader.ReadHash256(), reader.ReadChainId(), reader.ReadChainId(), QuorumSignatures.Decode(ref reader));
    }

    private static Hash256 ComputeSigningDigest(Hash256 requestDigest, Hash256 voteDigest, ChainId participant, ChainId tradingChain)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteHash256(requestDigest);
        writer.WriteHash256(voteDigest);
        writer.WriteChainId(participant);
        writer.WriteChainId(tradingChain);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
