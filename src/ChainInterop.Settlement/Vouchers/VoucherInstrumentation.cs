using System.Diagnostics.Metrics;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The names of the voucher protocol's metrics (System.Diagnostics.Metrics; OpenTelemetry picks them up by meter name).
/// Every signature a voucher party makes or checks is counted, so a host or a benchmark can see what a flow costs.
/// </summary>
public static class VoucherInstrumentation
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "ChainInterop.Settlement.Vouchers";

    /// <summary>Counter of signatures made (voucher signatures, co-signatures, confirmations, rejections), in signatures.</summary>
    public const string SignaturesCreated = "chaininterop.vouchers.signatures_created";

    /// <summary>Counter of signature verifications performed, in verifications.</summary>
    public const string SignaturesVerified = "chaininterop.vouchers.signatures_verified";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Created = Meter.CreateCounter<long>(SignaturesCreated, "{signature}", "Voucher signatures made");
    private static readonly Counter<long> Verified = Meter.CreateCounter<long>(SignaturesVerified, "{verification}", "Voucher signatures verified");

    /// <summary>Signs a digest under a domain tag, counted.</summary>
    internal static byte[] Sign(PrivateKey key, ReadOnlySpan<byte> domainTag, Hash256 digest)
    {
        Created.Add(1);
        return SignedDigest.Sign(key, domainTag, digest);
    }

    /// <summary>Verifies a signature of a digest under a domain tag, counted.</summary>
    internal static bool Verify(PublicKey key, ReadOnlySpan<byte> domainTag, Hash256 digest, ReadOnlySpan<byte> signature)
    {
        Verified.Add(1);
        return SignedDigest.Verify(key, domainTag, digest, signature);
    }
}
