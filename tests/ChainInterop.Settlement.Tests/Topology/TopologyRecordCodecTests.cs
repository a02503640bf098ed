using ChainInterop.Codec;
using ChainInterop.Settlement.Topology;
using ChainInterop.Testing;
using static ChainInterop.Settlement.Tests.Topology.TopologyTestSupport;

namespace ChainInterop.Settlement.Tests.Topology;

/// <summary>The topology change records have one canonical byte form and a deterministic digest (C2), so chains can commit them.</summary>
public class TopologyRecordCodecTests
{
    private static readonly LinkRequest Request = new(Id("icc-x"), Id("icc-x:tbc3"), true, 0, Id("C"));

    [Fact]
    public void S1_C2_a_link_record_round_trips_byte_for_byte_and_still_verifies()
    {
        var network = Network(["A", "B"], "icc-x:A,B");
        Complete(network, network.PlanParticipantJoin(Ppc("C"), []));
        var record = Approve(Assert.Single(network.ProposeLink(Id("icc-x"), Id("C")).Requests));
        var bytes = Canonical.Encode(record);

        var decoded = Canonical.Decode<LinkRecord>(bytes);

        Assert.Equal(bytes, Canonical.Encode(decoded));
        Assert.Equal(record.Digest, decoded.Digest);
        Assert.Equal(record.Request.Digest, decoded.Request.Digest);
        Assert.Equal(record.ParticipantVote.Signers, decoded.ParticipantVote.Signers);
        Assert.True(network.Link(decoded).IsOk); // the decoded evidence is what the network checks
    }

    [Fact]
    public void S1_C2_a_link_record_decodes_at_every_split_of_its_bytes()
    {
        var bytes = Canonical.Encode(Approve(Request));
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.Equal(bytes, Canonical.Encode(Canonical.Decode<LinkRecord>(Sequences.Split(bytes, cut))));
        }

        Assert.Equal(bytes, Canonical.Encode(Canonical.Decode<LinkRecord>(Sequences.OneBytePerSegment(bytes))));
    }

    [Fact]
    public void S1_C2_digests_are_deterministic_and_change_with_every_field()
    {
        Assert.Equal(Request.Digest, new LinkRequest(Id("icc-x"), Id("icc-x:tbc3"), true, 0, Id("C")).Digest);
        Assert.Equal(Approve(Request).Digest, Approve(Request).Digest); // Ed25519 signatures are deterministic
        var variants = new[]
        {
            Request,
            new LinkRequest(Id("icc-y"), Id("icc-x:tbc3"), true, 0, Id("C")),
            new LinkRequest(Id("icc-x"), Id("icc-x:tbc4"), true, 0, Id("C")),
            new LinkRequest(Id("icc-x"), Id("icc-x:tbc3"), false, 0, Id("C")),
            new LinkRequest(Id("icc-x"), Id("icc-x:tbc3"), false, 1, Id("C")),
            new LinkRequest(Id("icc-x"), Id("icc-x:tbc3"), true, 0, Id("D")),
        };
        Assert.Equal(variants.Length, variants.Select(v => v.Digest).Distinct().Count());
        Assert.NotEqual(new LeaveRequest(Id("C"), 1).Digest, new LeaveRequest(Id("C"), 2).Digest);
    }

    [Fact]
    public void S1_C2_a_leave_record_and_a_vote_round_trip()
    {
        var leave = new LeaveRequest(Id("C"), 7);
        var record = new LeaveRecord(leave, Vote(leave.Digest, "C", decision: TopologyVoteDecision.Reject));
        var bytes = Canonical.Encode(record);

        var decoded = Canonical.Decode<LeaveRecord>(bytes);

        Assert.Equal(bytes, Canonical.Encode(decoded));
        Assert.Equal((Id("C"), 7UL), (decoded.Request.Participant, decoded.Request.MemberSince));
        Assert.Equal(TopologyVoteDecision.Reject, decoded.ParticipantVote.Decision);
        Assert.Equal(record.Digest, decoded.Digest);
    }

    [Fact]
    public void S1_C2_truncated_trailing_and_non_canonical_records_are_typed_errors()
    {
        var bytes = Canonical.Encode(Approve(Request));

        Assert.Equal(CodecError.TrailingBytes, Assert.Throws<CodecException>(() => Canonical.Decode<LinkRecord>(bytes.Append((byte)0).ToArray())).Error);
        for (int length = 0; length < bytes.Length; length += 7)
        {
            Assert.Throws<CodecException>(() => Canonical.Decode<LinkRecord>(bytes.AsMemory(0, length)));
        }
    }

    [Fact]
    public void S1_C2_a_vote_with_unordered_signers_or_an_undefined_decision_is_refused()
    {
        var vote = Vote(Request.Digest, "C", signers: 2);
        var reordered = WriteVote(vote, reverseSigners: true, decision: 1);
        var undefined = WriteVote(vote, reverseSigners: false, decision: 7);

        Assert.Equal(CodecError.NonCanonical, Assert.Throws<CodecException>(() => Canonical.Decode<TopologyVote>(reordered)).Error);
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<TopologyVote>(undefined)).Error);
        Assert.Equal(Canonical.Encode(vote), WriteVote(vote, reverseSigners: false, decision: 1));
    }

    [Fact]
    public void S1_C2_a_link_request_naming_one_chain_twice_does_not_decode()
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(writer);
        w.WriteArrayHeader(5);
        w.WriteChainId(Id("icc-x"));
        w.WriteChainId(Id("icc-x"));
        w.WriteBoolean(true);
        w.WriteUInt64(0);
        w.WriteChainId(Id("C"));

        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<LinkRequest>(writer.WrittenMemory)).Error);
    }

    /// <summary>Re-encodes <paramref name="vote"/> by hand, optionally with its signers reversed or another decision byte.</summary>
    private static byte[] WriteVote(TopologyVote vote, bool reverseSigners, uint decision)
    {
        // Take the signature bytes from the canonical encoding: [subject, voter, decision, [[signer, sig], ...]].
        var reader = new CanonicalReader(Canonical.Encode(vote));
        reader.ReadArrayHeader(4);
        reader.ReadHash256();
        reader.ReadChainId();
        reader.ReadByte();
        int count = reader.ReadArrayHeader();
        var pairs = new List<(NodeId, byte[])>();
        for (int i = 0; i < count; i++)
        {
            reader.ReadArrayHeader(2);
            pairs.Add((reader.ReadNodeId(), reader.ReadBinaryArray()));
        }

        if (reverseSigners)
        {
            pairs.Reverse();
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(4);
        writer.WriteHash256(vote.Subject);
        writer.WriteChainId(vote.Voter);
        writer.WriteUInt32(decision);
        writer.WriteArrayHeader(pairs.Count);
        foreach (var (signer, signature) in pairs)
        {
            writer.WriteArrayHeader(2);
            writer.WriteNodeId(signer);
            writer.WriteBinary(signature);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
