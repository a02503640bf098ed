using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>A leave with its evidence: the request and the PPC's vote approving it. Canonical form: <c>[request, vote]</c>.</summary>
/// <param name="Request">The leave request.</param>
/// <param name="ParticipantVote">The PPC's vote on <see cref="LeaveRequest.Digest"/>.</param>
public sealed record LeaveRecord(LeaveRequest Request, TopologyVote ParticipantVote) : ICanonicalEncodable<LeaveRecord>
{
    /// <summary>SHA-256 of the canonical record.</summary>
    public Hash256 Digest => TopologyDigest.Of(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        ArgumentNullException.ThrowIfNull(Request);
        ArgumentNullException.ThrowIfNull(ParticipantVote);
        writer.WriteArrayHeader(2);
        Request.Encode(ref writer);
        ParticipantVote.Encode(ref writer);
    }

    /// <inheritdoc />
    public static LeaveRecord Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        return new LeaveRecord(LeaveRequest.Decode(ref reader), TopologyVote.Decode(ref reader));
    }
}
