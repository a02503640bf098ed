namespace ChainInterop.Crypto;

/// <summary>
/// The strict pre-check in front of NSec's (libsodium's) cofactorless verification, so that the set of accepted
/// (public key, signature) pairs is ours on every platform and libsodium build. See <see cref="SignatureSchemes.Ed25519"/>
/// for the rule and <c>docs/CRYPTO.md</c> for the reasoning.
/// </summary>
/// <remarks>
/// These are the checks libsodium (1.0.18 through 1.0.22) makes in <c>crypto_sign_verify_detached</c> when built
/// without <c>ED25519_COMPAT</c>: canonical S, canonical A, and neither A nor R in the small-order blacklist.
/// All checks are on public data, so they need not be constant-time.
/// </remarks>
internal static class Ed25519Strict
{
    internal const int PublicKeySizeBytes = 32;
    internal const int SignatureSizeBytes = 64;
    internal const int SeedSizeBytes = 32;

    /// <summary>L = 2^252 + 27742317777372353535851937790883648493, little-endian.</summary>
    internal static ReadOnlySpan<byte> GroupOrderL =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ];

    /// <summary>
    /// Encodings (sign bit cleared) whose y coordinate is that of a point of order 1, 2, 4 or 8, including the
    /// non-canonical y = p and y = p + 1. Same list, same order as libsodium's <c>ge25519_has_small_order</c> (1.0.18 to 1.0.22).
    /// </summary>
    internal static readonly byte[][] SmallOrderBlacklist =
    [
        // y = 0 (order 4)
        Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000000"),
        // y = 1 (order 1, the identity)
        Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000"),
        // the two y values of the order-8 points
        Convert.FromHexString("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        Convert.FromHexString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        // y = p - 1 (order 2)
        Convert.FromHexString("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        // y = p (non-canonical 0, order 4)
        Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        // y = p + 1 (non-canonical 1, order 1)
        Convert.FromHexString("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ];

    /// <summary>Rules 1 to 4: whether the pair may be handed to libsodium's cofactorless verification.</summary>
    /// <param name="publicKey">A, expected 32 bytes.</param>
    /// <param name="signature">R ‖ S, expected 64 bytes.</param>
    /// <returns><see langword="false"/> when any rule rejects the input.</returns>
    internal static bool PreCheck(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySizeBytes || signature.Length != SignatureSizeBytes)
        {
            return false;
        }

        ReadOnlySpan<byte> r = signature[..32];
        ReadOnlySpan<byte> s = signature[32..];
        return IsCanonicalScalar(s)
            && IsCanonicalPoint(publicKey)
            && !HasSmallOrder(publicKey)
            && !HasSmallOrder(r);
    }

    /// <summary>Whether the little-endian 32-byte scalar is below L.</summary>
    internal static bool IsCanonicalScalar(ReadOnlySpan<byte> scalar)
    {
        ReadOnlySpan<byte> l = GroupOrderL;
        for (int i = 31; i >= 0; i--)
        {
            if (scalar[i] != l[i])
            {
                return scalar[i] < l[i];
            }
        }

        return false; // equal to L
    }

    /// <summary>Whether y (the encoding with the sign bit cleared) is below p = 2^255 - 19.</summary>
    internal static bool IsCanonicalPoint(ReadOnlySpan<byte> encoded)
    {
        // y >= p exactly when bits 255..5 are all ones (after clearing the sign bit) and the low byte is >= 0xed.
        if ((encoded[31] & 0x7f) != 0x7f)
        {
            return true;
        }

        for (int i = 30; i > 0; i--)
        {
            if (encoded[i] != 0xff)
            {
                return true;
            }
        }

        return encoded[0] < 0xed;
    }

    /// <summary>Whether the encoding, sign bit cleared, is in <see cref="SmallOrderBlacklist"/>.</summary>
    internal static bool HasSmallOrder(ReadOnlySpan<byte> encoded)
    {
        foreach (byte[] bad in SmallOrderBlacklist)
        {
            if (encoded[..31].SequenceEqual(bad.AsSpan(0, 31)) && (encoded[31] & 0x7f) == bad[31])
            {
                return true;
            }
        }

        return false;
    }
}
