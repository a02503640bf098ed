using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>A P-256 private key held by the platform <see cref="ECDsa"/> object; disposing it releases and wipes the key.</summary>
internal sealed class EcdsaP256PrivateKey : PrivateKey
{
    private readonly ECDsa _ecdsa;

    internal EcdsaP256PrivateKey(EcdsaP256Scheme scheme, PublicKey publicKey, ECDsa ecdsa)
        : base(scheme, publicKey)
    {
        _ecdsa = ecdsa;
    }

    protected override void SignCore(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (!_ecdsa.TrySignData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out int written)
            || written != EcdsaP256Scheme.SignatureSize)
        {
            throw new CryptographicException("P-256 signing produced an unexpected signature size.");
        }

        EcdsaP256Scheme.NormalizeLowS(signature);
    }

    protected override void ExportCore(Span<byte> destination)
    {
        ECParameters parameters = _ecdsa.ExportParameters(includePrivateParameters: true);
        byte[] d = parameters.D!;
        try
        {
            destination.Clear();
            d.CopyTo(destination[(EcdsaP256Scheme.ScalarSize - d.Length)..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    protected override void DisposeCore() => _ecdsa.Dispose();
}
