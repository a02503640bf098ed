using ChainInterop.Codec;

namespace ChainInterop.Settlement.Relay;

/// <summary>The kind of a <see cref="RelayFrame"/>. Stable numbers.</summary>
public enum RelayFrameKind
{
    /// <summary>A <see cref="ChainInterop.Consensus.CrossChain.CrossChainEnvelope"/> from a source validator.</summary>
    Envelope = 1,

    /// <summary>A destination validator's acknowledgement: its chain executed these sequences from the receiver's chain, and every sequence below a watermark.</summary>
    Ack = 2,
}

/// <summary>
/// What <see cref="CrossChainRelay"/>s send each other between chains: an envelope, or an acknowledgement that the
/// sender's chain executed some of the receiver's chain's messages.
/// </summary>
/// <remarks>Canonical form: <c>[1, envelope bytes]</c> or <c>[2, [executed below, [sequence…]]]</c>.</remarks>
public sealed class RelayFrame : ICanonicalEncodable<RelayFrame>
{
    /// <summary>The most sequences one acknowledgement carries.</summary>
    public const int MaxAckedSequences = 4_096;

    private readonly byte[] _envelope;

    private RelayFrame(RelayFrameKind kind, byte[] envelope, ulong executedBelow, IReadOnlyList<ulong> acked)
    {
        Kind = kind;
        _envelope = envelope;
        ExecutedBelow = executedBelow;
        Acked = acked;
    }

    /// <summary>The kind.</summary>
    public RelayFrameKind Kind { get; }

    /// <summary>The envelope bytes, for <see cref="RelayFrameKind.Envelope"/>.</summary>
    public ReadOnlyMemory<byte> Envelope => _envelope;

    /// <summary>The acknowledged sequences, for <see cref="RelayFrameKind.Ack"/>.</summary>
    public IReadOnlyList<ulong> Acked { get; }

    /// <summary>
    /// For <see cref="RelayFrameKind.Ack"/>: every sequence below this one (from the receiver's chain) was executed by
    /// the sender's chain, a cumulative acknowledgement. It lets a restarted relay learn at once which part of its
    /// history needs no resending.
    /// </summary>
    public ulong ExecutedBelow { get; }

    /// <summary>An envelope frame.</summary>
    /// <param name="envelope">The envelope's canonical bytes (copied).</param>
    /// <returns>The frame.</returns>
    public static RelayFrame ForEnvelope(ReadOnlySpan<byte> envelope) => new(RelayFrameKind.Envelope, envelope.ToArray(), 0, []);

    /// <summary>An acknowledgement frame.</summary>
    /// <param name="executedBelow">Every sequence below this one was executed (see <see cref="ExecutedBelow"/>).</param>
    /// <param name="sequences">The executed sequences (at most <see cref="MaxAckedSequences"/>).</param>
    /// <returns>The frame.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentException">Too many sequences.</exception>
    public static RelayFrame ForAck(ulong executedBelow, IReadOnlyList<ulong> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count > MaxAckedSequences)
        {
            throw new ArgumentException($"An acknowledgement carries at most {MaxAckedSequences} sequences.", nameof(sequences));
        }

        return new RelayFrame(RelayFrameKind.Ack, [], executedBelow, [.. sequences]);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt32((uint)Kind);
        if (Kind == RelayFrameKind.Envelope)
        {
            writer.WriteBinary(_envelope);
            return;
        }

        writer.WriteArrayHeader(2);
        writer.WriteUInt64(ExecutedBelow);
        writer.WriteArrayHeader(Acked.Count);
        foreach (ulong sequence in Acked)
        {
            writer.WriteUInt64(sequence);
        }
    }

    /// <inheritdoc />
    /// <exception cref="CodecException">The bytes are not a canonical relay frame.</exception>
    public static RelayFrame Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        long kindOffset = reader.Consumed;
        switch ((RelayFrameKind)reader.ReadUInt32())
        {
            case RelayFrameKind.Envelope:
                return new RelayFrame(RelayFrameKind.Envelope, reader.ReadBinaryArray(), 0, []);
            case RelayFrameKind.Ack:
                reader.ReadArrayHeader(2);
                ulong below = reader.ReadUInt64();
                long countOffset = reader.Consumed;
                int count = reader.ReadArrayHeader();
                if (count > MaxAckedSequences)
                {
                    throw new CodecException(CodecError.ValueOutOfRange, countOffset, $"an acknowledgement of {count} sequences (at most {MaxAckedSequences})");
                }

                var acked = new ulong[count];
                for (int i = 0; i < count; i++)
                {
                    acked[i] = reader.ReadUInt64();
                }

                return new RelayFrame(RelayFrameKind.Ack, [], below, acked);
            case var kind:
                throw new CodecException(CodecError.ValueOutOfRange, kindOffset, $"unknown relay frame kind {(int)kind}");
        }
    }

    /// <summary>The canonical bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] ToCanonicalBytes() => Canonical.Encode(this);
}
