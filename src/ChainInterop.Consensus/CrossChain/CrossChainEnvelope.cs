using ChainInterop.Blocks;
using ChainInterop.Codec;

namespace ChainInterop.Consensus.CrossChain;

/// <summary>
/// What travels between chains on the wire: a bare message (scatter mode) or a certified entry holding it
/// (certificate mode).
/// </summary>
/// <remarks>Canonical form: <c>[1, message]</c> or <c>[2, certifiedEntry]</c>.</remarks>
public sealed class CrossChainEnvelope : ICanonicalEncodable<CrossChainEnvelope>
{
    private CrossChainEnvelope(CrossChainMode mode, CrossChainMessage? message, CertifiedEntry? certified)
    {
        Mode = mode;
        Message = message;
        Certified = certified;
    }

    /// <summary>How the message travels.</summary>
    public CrossChainMode Mode { get; }

    /// <summary>The message, in scatter mode.</summary>
    public CrossChainMessage? Message { get; }

    /// <summary>The source block's proof of the entry holding the message, in certificate mode.</summary>
    public CertifiedEntry? Certified { get; }

    /// <summary>An envelope for scatter mode.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static CrossChainEnvelope Scatter(CrossChainMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new CrossChainEnvelope(CrossChainMode.Scatter, message, null);
    }

    /// <summary>An envelope for certificate mode.</summary>
    /// <param name="certified">The certified entry (a client request whose payload is the message).</param>
    /// <returns>The envelope.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certified"/> is null.</exception>
    public static CrossChainEnvelope Certificate(CertifiedEntry certified)
    {
        ArgumentNullException.ThrowIfNull(certified);
        return new CrossChainEnvelope(CrossChainMode.Certificate, null, certified);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteUInt32((byte)Mode);
        if (Mode == CrossChainMode.Scatter)
        {
            Message!.Encode(ref writer);
        }
        else
        {
            Certified!.Encode(ref writer);
        }
    }

    /// <inheritdoc />
    public static CrossChainEnvelope Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        long offset = reader.Consumed;
        return (CrossChainMode)reader.ReadByte() switch
        {
            CrossChainMode.Scatter => Scatter(CrossChainMessage.Decode(ref reader)),
            CrossChainMode.Certificate => Certificate(CertifiedEntry.Decode(ref reader)),
            _ => throw new CodecException(CodecError.ValueOutOfRange, offset, "unknown cross-chain mode"),
        };
    }
}
