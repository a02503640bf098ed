using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// A participant chain's request to leave the network; the PPC's validators vote on its <see cref="Digest"/>, so
/// nobody else can remove a bank.
/// </summary>
/// <remarks>
/// <see cref="MemberSince"/> is the network <see cref="TopologyNetwork.Sequence"/> at which the PPC joined: a leave
/// vote from an earlier membership is <see cref="TopologyCode.StaleRequest"/> after the PPC joins again.
/// Canonical form: <c>[participant, memberSince]</c>.
/// </remarks>
public sealed class LeaveRequest : ICanonicalEncodable<LeaveRequest>
{
    /// <summary>Creates a request (normally <see cref="TopologyNetwork.ProposeLeave"/> does).</summary>
    /// <param name="participant">The leaving PPC.</param>
    /// <param name="memberSince">The network sequence at which it joined.</param>
    /// <exception cref="ArgumentException"><paramref name="participant"/> is default.</exception>
    public LeaveRequest(ChainId participant, ulong memberSince)
    {
        if (participant.IsDefault)
        {
            throw new ArgumentException("A leave request names the participant chain.", nameof(participant));
        }

        Participant = participant;
        MemberSince = memberSince;
    }

    /// <summary>The leaving PPC.</summary>
    public ChainId Participant { get; }

    /// <summary>The network sequence at which it joined.</summary>
    public ulong MemberSince { get; }

    /// <summary>SHA-256 of the canonical request: the subject of the PPC's vote.</summary>
    public Hash256 Digest => TopologyDigest.Of(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteChainId(Participant);
        writer.WriteUInt64(MemberSince);
    }

    /// <inheritdoc />
    public static LeaveRequest Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        return new LeaveRequest(reader.ReadChainId(), reader.ReadUInt64());
    }
}
