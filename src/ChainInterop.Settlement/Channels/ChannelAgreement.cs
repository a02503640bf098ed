using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// Channel terms signed by both parties (P4 "open"): the payer's signature authorises the collateral deposit, the
/// provider's shows it agreed to serve under these terms. The payer puts the agreement on chain with
/// <see cref="OpenChannelCommand"/>; both endpoints are built from it.
/// </summary>
/// <remarks>Canonical form: <c>[terms, payerSignature, providerSignature]</c>.</remarks>
public sealed class ChannelAgreement : ICanonicalEncodable<ChannelAgreement>
{
    /// <summary>The longest signature accepted, in bytes (Ed25519 and P-256 signatures are 64 bytes).</summary>
    public const int MaxSignatureSizeBytes = 64;

    private readonly byte[] _payerSignature;
    private readonly byte[] _providerSignature;

    /// <summary>Creates the agreement from the terms and both signatures (copied).</summary>
    /// <param name="terms">The terms.</param>
    /// <param name="payerSignature">The payer's <see cref="ChannelTerms.Sign"/>.</param>
    /// <param name="providerSignature">The provider's <see cref="ChannelTerms.Sign"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="terms"/> is null.</exception>
    /// <exception cref="ArgumentException">A signature is longer than <see cref="MaxSignatureSizeBytes"/>.</exception>
    public ChannelAgreement(ChannelTerms terms, ReadOnlySpan<byte> payerSignature, ReadOnlySpan<byte> providerSignature)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (payerSignature.Length > MaxSignatureSizeBytes || providerSignature.Length > MaxSignatureSizeBytes)
        {
            throw new ArgumentException($"A signature is at most {MaxSignatureSizeBytes} bytes.", nameof(payerSignature));
        }

        Terms = terms;
        _payerSignature = payerSignature.ToArray();
        _providerSignature = providerSignature.ToArray();
    }

    /// <summary>The terms.</summary>
    public ChannelTerms Terms { get; }

    /// <summary>The channel's id (<see cref="ChannelTerms.Id"/>).</summary>
    public Crypto.Hash256 ChannelId => Terms.Id;

    /// <summary>The payer's signature of the terms.</summary>
    public ReadOnlyMemory<byte> PayerSignature => _payerSignature;

    /// <summary>The provider's signature of the terms.</summary>
    public ReadOnlyMemory<byte> ProviderSignature => _providerSignature;

    /// <summary>Checks the terms (<see cref="ChannelTerms.Check"/>) and both signatures.</summary>
    /// <param name="nowUnixMs">The current time (Unix milliseconds).</param>
    /// <returns><see cref="ChannelResultCode.Ok"/>, a code of <see cref="ChannelTerms.Check"/>, or <see cref="ChannelResultCode.InvalidSignature"/>.</returns>
    public ChannelResultCode Verify(long nowUnixMs)
    {
        var code = Terms.Check(nowUnixMs);
        if (code != ChannelResultCode.Ok)
        {
            return code;
        }

        return Terms.VerifySignature(Terms.PayerKey, _payerSignature) && Terms.VerifySignature(Terms.ProviderKey, _providerSignature)
            ? ChannelResultCode.Ok
            : ChannelResultCode.InvalidSignature;
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        Terms.Encode(ref writer);
        writer.WriteBinary(_payerSignature);
        writer.WriteBinary(_providerSignature);
    }

    /// <inheritdoc />
    public static ChannelAgreement Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        var terms = ChannelTerms.Decode(ref reader);
        return new ChannelAgreement(terms, ReadSignature(ref reader), ReadSignature(ref reader));
    }

    /// <summary>Reads a binary of at most <see cref="MaxSignatureSizeBytes"/> bytes.</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="CodecException">Malformed input or a longer binary.</exception>
    internal static byte[] ReadSignature(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        var bytes = reader.ReadBinaryArray();
        return bytes.Length <= MaxSignatureSizeBytes
            ? bytes
            : throw new CodecException(CodecError.LimitExceeded, offset, $"a signature is at most {MaxSignatureSizeBytes} bytes, found {bytes.Length}");
    }
}
