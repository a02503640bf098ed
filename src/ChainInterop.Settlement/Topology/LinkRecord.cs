using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// A link with all its evidence (Alg. 7–9): the request, the PPC's vote, the PPC's signed verification information
/// and the ICC's vote. <see cref="TopologyNetwork.Link"/> verifies and applies it; committed on the PPC's, the ABC's
/// and the TBC's chains, it lets anyone re-check the link later against the chains' validator sets.
/// </summary>
/// <remarks>Canonical form: <c>[request, participantVote, verificationInfo, intermediaryVote]</c>.</remarks>
/// <param name="Request">The link request.</param>
/// <param name="ParticipantVote">The PPC's internal vote on <see cref="LinkRequest.Digest"/> (Alg. 8 line 1).</param>
/// <param name="VerificationInfo">The PPC's signed verification information (Alg. 8 line 3).</param>
/// <param name="IntermediaryVote">The ICC's vote on <see cref="LinkRequest.Digest"/> (Alg. 8 line 6).</param>
public sealed record LinkRecord(LinkRequest Request, TopologyVote ParticipantVote, LinkVerificationInfo VerificationInfo, TopologyVote IntermediaryVote)
    : ICanonicalEncodable<LinkRecord>
{
    /// <summary>SHA-256 of the canonical record.</summary>
    public Hash256 Digest => TopologyDigest.Of(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        ArgumentNullException.ThrowIfNull(Request);
        ArgumentNullException.ThrowIfNull(ParticipantVote);
        ArgumentNullException.ThrowIfNull(VerificationInfo);
        ArgumentNullException.ThrowIfNull(IntermediaryVote);
        writer.WriteArrayHeader(4);
        Request.Encode(ref writer);
        ParticipantVote.Encode(ref writer);
        VerificationInfo.Encode(ref writer);
        IntermediaryVote.Encode(ref writer);
    }

    /// <inheritdoc />
    public static LinkRecord Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        return new LinkRecord(LinkRequest.Decode(ref reader), TopologyVote.Decode(ref reader), LinkVerificationInfo.Decode(ref reader), TopologyVote.Decode(ref reader));
    }
}
