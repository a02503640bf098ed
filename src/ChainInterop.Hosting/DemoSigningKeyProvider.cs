using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Demo keys: validator <c>i</c> of chain <c>c</c> signs with the Ed25519 key whose seed is
/// SHA-256(UTF-8 "ChainInterop demo validator key v1|" + c + "|" + i). The text is public, so <b>anyone can derive every
/// demo key</b> and sign as any demo validator: for demos and tests on one machine only, never for real money.
/// </summary>
public sealed class DemoSigningKeyProvider : ISigningKeyProvider
{
    /// <summary>What a host logs as a warning when it runs with demo keys (<see cref="SettlementNodeOptions.UseDemoKeys"/>).</summary>
    public const string Warning =
        "UseDemoKeys is on: validator keys are derived from public data (chain id and index) and anyone can sign as these validators. Use key files for anything but a demo.";

    private const string Domain = "ChainInterop demo validator key v1|";

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="chain"/> is <c>default</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validatorIndex"/> is negative.</exception>
    public PrivateKey GetSigningKey(ChainId chain, int validatorIndex) => DeriveKey(chain, validatorIndex);

    /// <summary>Derives the demo key of validator <paramref name="validatorIndex"/> of <paramref name="chain"/>; deterministic, and public.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="validatorIndex">The validator's position in the chain's validator list.</param>
    /// <returns>The key; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is <c>default</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validatorIndex"/> is negative.</exception>
    public static PrivateKey DeriveKey(ChainId chain, int validatorIndex)
    {
        if (chain.IsDefault)
        {
            throw new ArgumentException("A demo key needs a chain id.", nameof(chain));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(validatorIndex);
        Span<byte> seed = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Domain}{chain}|{validatorIndex}")), seed);
            return SignatureSchemes.Ed25519.ImportPrivateKey(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
