using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Gives the host the signing key of each validator it runs. The default reads key files
/// (<see cref="KeyFileSigningKeyProvider"/>); demos derive public keys (<see cref="DemoSigningKeyProvider"/>); a host
/// can register its own before or instead of <c>AddSettlementNodeOptions</c>'s default, e.g. one backed by an HSM that
/// returns a <see cref="PrivateKey"/> subclass signing through the device (the secret never enters the process).
/// </summary>
public interface ISigningKeyProvider
{
    /// <summary>The private key of validator <paramref name="validatorIndex"/> of <paramref name="chain"/>.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="validatorIndex">The validator's position in the chain's validator list.</param>
    /// <returns>A key the caller owns and disposes; its public key is the network's entry for that validator.</returns>
    PrivateKey GetSigningKey(ChainId chain, int validatorIndex);
}
