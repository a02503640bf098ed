using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// The outcome of a chain's internal vote on a topology change (Alg. 8 lines 1 and 6): the chain's validators sign
/// "ChainInterop/topology-vote/v1" ‖ SHA-256(<c>[subject, voter, decision]</c>) (<see cref="SignedDigest"/>), and a
/// quorum of them (<see cref="ValidatorSet.Quorum"/>) makes the decision the chain's.
/// </summary>
/// <remarks>
/// <para>The subject is the digest of what is voted on (<see cref="LinkRequest.Digest"/>, <see cref="LeaveRequest.Digest"/>),
/// so a vote for one request never counts for another. The domain tag keeps a vote signature from being read as any
/// other kind of signed message (a block commit, verification information).</para>
/// <para>Canonical form: <c>[subject, voter, decision, [[signer, signature], …]]</c>, signers strictly ascending.</para>
/// </remarks>
public sealed class TopologyVote : ICanonicalEncodable<TopologyVote>
{
    private readonly QuorumSignatures _signatures;
    private Hash256? _digest;

    private TopologyVote(Hash256 subject, ChainId voter, TopologyVoteDecision decision, QuorumSignatures signatures)
    {
        Subject = subject;
        Voter = voter;
        Decision = decision;
        _signatures = signatures;
    }

    /// <summary>The digest of what is voted on.</summary>
    public Hash256 Subject { get; }

    /// <summary>The chain that voted.</summary>
    public ChainId Voter { get; }

    /// <summary>What it decided.</summary>
    public TopologyVoteDecision Decision { get; }

    /// <summary>The validators that signed, ascending.</summary>
    public IReadOnlyList<NodeId> Signers => _signatures.Signers;

    /// <summary>What each validator signs (under the vote domain tag): SHA-256 of <c>[subject, voter, decision]</c>.</summary>
    public Hash256 SigningDigest => ComputeSigningDigest(Subject, Voter, Decision);

    /// <summary>SHA-256 of the whole canonical vote, signatures included: names this vote in other records.</summary>
    public Hash256 Digest => _digest ??= TopologyDigest.Of(this);

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/topology-vote/v1"u8;

    /// <summary>Signs a vote with the validators' keys (each key is one validator's ballot).</summary>
    /// <param name="subject">The digest of the request voted on.</param>
    /// <param name="voter">The voting chain.</param>
    /// <param name="decision">The decision.</param>
    /// <param name="validatorKeys">The keys of the validators that voted this way.</param>
    /// <returns>The vote (verify with <see cref="Verify"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="voter"/> is default, <paramref name="decision"/> undefined, or a key repeated.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="validatorKeys"/> is null.</exception>
    public static TopologyVote Create(Hash256 subject, ChainId voter, TopologyVoteDecision decision, IEnumerable<PrivateKey> validatorKeys)
    {
        if (voter.IsDefault || !Enum.IsDefined(decision))
        {
            throw new ArgumentException("A vote names its chain and a defined decision.", nameof(voter));
        }

        var signatures = QuorumSignatures.Sign(validatorKeys, DomainTag, ComputeSigningDigest(subject, voter, decision));
        return new TopologyVote(subject, voter, decision, signatures);
    }

    /// <summary>
    /// Checks, in this order, that the vote is <paramref name="voter"/>'s, about <paramref name="subject"/>, signed
    /// by a quorum of <paramref name="validators"/> with no bad or unknown signature, and an approval.
    /// </summary>
    /// <param name="subject">The digest of the request the vote must be about.</param>
    /// <param name="voter">The chain that must have voted.</param>
    /// <param name="validators">That chain's registered validators.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public EvidenceCheck Verify(Hash256 subject, ChainId voter, ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (Voter != voter)
        {
            return new EvidenceCheck(EvidenceFailure.WrongChain, $"vote of {Voter}, expected {voter}");
        }

        if (Subject != subject)
        {
            return new EvidenceCheck(EvidenceFailure.WrongSubject, $"vote on {Subject.ToShortString()}, expected {subject.ToShortString()}");
        }

        var signatures = _signatures.Verify(validators, DomainTag, SigningDigest);
        if (!signatures.IsValid)
        {
            return signatures;
        }

        return Decision == TopologyVoteDecision.Approve
            ? EvidenceCheck.Valid
            : new EvidenceCheck(EvidenceFailure.Rejected, $"{Voter} voted {Decision}");
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        writer.WriteHash256(Subject);
        writer.WriteChainId(Voter);
        writer.WriteUInt32((uint)Decision);
        _signatures.Encode(ref writer);
    }

    /// <inheritdoc />
    public static TopologyVote Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var subject = reader.ReadHash256();
        var voter = reader.ReadChainId();
        long offset = reader.Consumed;
        var decision = (TopologyVoteDecision)reader.ReadByte();
        if (!Enum.IsDefined(decision))
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, "not a vote decision");
        }

        return new TopologyVote(subject, voter, decision, QuorumSignatures.Decode(ref reader));
    }

    /// <summary>"voter decision on subject (n signers)".</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Voter} {Decision} on {Subject.ToShortString()} ({Signers.Count} signers)";

    private static Hash256 ComputeSigningDigest(Hash256 subject, ChainId voter, TopologyVoteDecision decision)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new CanonicalWriter(buffer);
        writer.WriteArrayHeader(3);
        writer.WriteHash256(subject);
        writer.WriteChainId(voter);
        writer.WriteUInt32((uint)decision);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
