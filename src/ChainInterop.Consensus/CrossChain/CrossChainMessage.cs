using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.CrossChain;

/// <summary>
/// A message one chain sends another (C6): committed on the source chain first (as the payload of a
/// <see cref="ClientRequest"/>), then delivered to the destination chain's validators, either scattered by every
/// source validator (<see cref="CrossChainMode.Scatter"/>) or carried with the source chain's commit certificate and
/// Merkle proof (<see cref="CrossChainMode.Certificate"/>). <see cref="Sequence"/> numbers the messages from one
/// source to one destination; the destination delivers each (source, sequence) once.
/// </summary>
/// <remarks>Canonical form: <c>[source, destination, sequence, payload]</c>.</remarks>
public sealed class CrossChainMessage : ICanonicalEncodable<CrossChainMessage>
{
    /// <summary>The largest payload, in bytes (what fits in a client request with the envelope).</summary>
    public const int MaxPayloadSizeBytes = ClientRequest.MaxPayloadSizeBytes - 1024;

    private readonly byte[] _payload;

    /// <summary>Creates a message.</summary>
    /// <param name="source">The sending chain.</param>
    /// <param name="destination">The receiving chain.</param>
    /// <param name="sequence">The message's number from <paramref name="source"/> to <paramref name="destination"/>.</param>
    /// <param name="payload">The application's bytes (copied).</param>
    /// <exception cref="ArgumentException">The chains are the same, or the payload is too large.</exception>
    public CrossChainMessage(ChainId source, ChainId destination, ulong sequence, ReadOnlySpan<byte> payload)
    {
        if (source == destination)
        {
            throw new ArgumentException("A cross-chain message goes to another chain.", nameof(destination));
        }

        if (payload.Length > MaxPayloadSizeBytes)
        {
            throw new ArgumentException($"A cross-chain payload is at most {MaxPayloadSizeBytes} bytes.", nameof(payload));
        }

        Source = source;
        Destination = destination;
        Sequence = sequence;
        _payload = payload.ToArray();
        Digest = Hash256.Compute(Canonical.Encode(this));
    }

    /// <summary>The sending chain.</summary>
    public ChainId Source { get; }

    /// <summary>The receiving chain.</summary>
    public ChainId Destination { get; }

    /// <summary>The message's number from <see cref="Source"/> to <see cref="Destination"/>.</summary>
    public ulong Sequence { get; }

    /// <summary>The application's bytes.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>SHA-256 of the canonical encoding: "identical content" in scatter mode means an equal digest.</summary>
    public Hash256 Digest { get; }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        writer.WriteChainId(Source);
        writer.WriteChainId(Destination);
        writer.WriteUInt64(Sequence);
        writer.WriteBinary(_payload);
    }

    /// <inheritdoc />
    public static CrossChainMessage Decode(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        reader.ReadArrayHeader(4);
        var source = reader.ReadChainId();
        var destination = reader.ReadChainId();
        ulong sequence = reader.ReadUInt64();
        var payload = reader.ReadBinaryArray();
        if (source == destination || payload.Length > MaxPayloadSizeBytes)
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, "a cross-chain message to its own chain or over the payload limit");
        }

        return new CrossChainMessage(source, destination, sequence, payload);
    }
}

/// <summary>How a cross-chain message travels from the source chain's validators to the destination chain's.</summary>
public enum CrossChainMode
{
    /// <summary>
    /// Each of the m source validators sends the message to each of the n destination validators (m × n messages); a
    /// receiver accepts it once f_source + 1 distinct source validators delivered identical content, so at least one
    /// honest validator vouches for it.
    /// </summary>
    Scatter = 1,

    /// <summary>
    /// One source validator sends one message carrying the source block's header, commit certificate and the entry's
    /// Merkle proof to one destination validator (1 message; another is tried on timeout, m at most); the receiver
    /// checks it against the source chain's registered validator set.
    /// </summary>
    Certificate = 2,
}
