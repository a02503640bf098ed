using ChainInterop.Crypto;
using static ChainInterop.Tests.Crypto.Ed25519TestSupport;

namespace ChainInterop.Tests.Crypto;

public sealed class PrivateKeyTests
{
    public static TheoryData<string> AllSchemeNames()
    {
        var data = new TheoryData<string>();
        foreach (ISignatureScheme s in AllSchemes())
        {
            data.Add(s.Name);
        }

        return data;
    }

    private static IEnumerable<ISignatureScheme> AllSchemes() => [SignatureSchemes.Ed25519, SignatureSchemes.EcdsaP256];

    private static ISignatureScheme ByName(string name) => AllSchemes().Single(s => s.Name == name);

    [Fact]
    public void Ed25519_dispose_disposes_the_NSec_key_that_holds_the_secret_C1()
    {
        // The secret lives in libsodium's guarded memory inside NSec's key (sodium_free wipes it); there is no managed
        // buffer of ours to inspect, so check that our key hands the NSec key over to disposal and nothing signs after.
        byte[] seed = Hex(Rfc8032Vectors.Test2.SecretKey);
        byte[] message = Hex(Rfc8032Vectors.Test2.Message);
        var key = (Ed25519PrivateKey)SignatureSchemes.Ed25519.ImportPrivateKey(seed);
        NSec.Cryptography.Key nsecKey = key.NSecKeyForTesting;
        Assert.Equal(Rfc8032Vectors.Test2.Signature, Convert.ToHexStringLower(Ed25519Scheme.NSecEd25519.Sign(nsecKey, message)));

        key.Dispose();

        Assert.True(key.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => key.Sign(message));
        Assert.Throws<ObjectDisposedException>(() => Ed25519Scheme.NSecEd25519.Sign(nsecKey, message));
        Assert.Throws<ObjectDisposedException>(() => nsecKey.Export(NSec.Cryptography.KeyBlobFormat.RawPrivateKey));
    }

    [Fact]
    public void Ed25519_keys_export_the_seed_they_hold_C1()
    {
        // Generated and imported keys alike allow plaintext export (PrivateKey.ExportPrivateKey is public API for key
        // files); the export is the RFC 8032 seed, which gives back the same public key.
        foreach (Rfc8032Vectors.Vector v in Rfc8032Vectors.All)
        {
            using var key = (Ed25519PrivateKey)SignatureSchemes.Ed25519.ImportPrivateKey(Hex(v.SecretKey));
            Assert.Equal(NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport, key.NSecKeyForTesting.ExportPolicy);
            byte[] exported = new byte[32];
            key.ExportPrivateKey(exported);
            Assert.Equal(v.SecretKey, Convert.ToHexStringLower(exported));
            Array.Clear(exported);
            key.ExportPrivateKey(exported); // again: AllowPlaintextExport, not NSec's export-once archiving
            Assert.Equal(v.SecretKey, Convert.ToHexStringLower(exported));
            using PrivateKey again = SignatureSchemes.Ed25519.ImportPrivateKey(exported);
            Assert.Equal(v.PublicKey, again.PublicKey.ToString());
        }

        using var generated = (Ed25519PrivateKey)SignatureSchemes.Ed25519.GenerateKey();
        Assert.Equal(NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport, generated.NSecKeyForTesting.ExportPolicy);
        byte[] seed = new byte[32];
        generated.ExportPrivateKey(seed);
        Assert.Equal(ReferencePublicKey(seed), generated.PublicKey.Bytes.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllSchemeNames))]
    public void Use_after_dispose_throws_ObjectDisposedException_C1(string schemeName)
    {
        ISignatureScheme scheme = ByName(schemeName);
        PrivateKey key = scheme.GenerateKey();
        PublicKey publicKey = key.PublicKey;
        key.Dispose();
        key.Dispose(); // idempotent

        Assert.Throws<ObjectDisposedException>(() => key.Sign("m"u8));
        Assert.Throws<ObjectDisposedException>(() => key.Sign("m"u8, new byte[64]));
        Assert.Throws<ObjectDisposedException>(() => key.ExportPrivateKey(new byte[32]));

        // Public parts stay readable.
        Assert.Same(publicKey, key.PublicKey);
        Assert.Same(scheme, key.Scheme);
        Assert.StartsWith("PrivateKey(", key.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllSchemeNames))]
    public void ToString_never_contains_secret_bytes_C1(string schemeName)
    {
        ISignatureScheme scheme = ByName(schemeName);
        for (int i = 0; i < 20; i++)
        {
            using PrivateKey key = scheme.GenerateKey();
            byte[] secret = new byte[scheme.PrivateKeySizeBytes];
            key.ExportPrivateKey(secret);
            string text = key.ToString();
            string secretHex = Convert.ToHexStringLower(secret);

            Assert.Equal($"PrivateKey({scheme.Algorithm}, public={key.PublicKey.ToString()[..16]}…)", text);
            Assert.DoesNotContain(secretHex, text, StringComparison.OrdinalIgnoreCase);
            for (int start = 0; start + 8 <= secretHex.Length; start += 2)
            {
                // No 4-byte run of the secret appears either (a chance match is about 2^-24 per key).
                Assert.DoesNotContain(secretHex.Substring(start, 8), text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllSchemeNames))]
    public void Export_then_import_round_trips_C1(string schemeName)
    {
        ISignatureScheme scheme = ByName(schemeName);
        using PrivateKey key = scheme.GenerateKey();
        byte[] secret = new byte[scheme.PrivateKeySizeBytes + 3];
        key.ExportPrivateKey(secret);
        Assert.Equal(new byte[3], secret[^3..]);

        using PrivateKey again = scheme.ImportPrivateKey(secret.AsSpan(0, scheme.PrivateKeySizeBytes));
        Assert.Equal(key.PublicKey, again.PublicKey);
        Assert.Equal(scheme.Algorithm, again.Algorithm);
        byte[] sig = again.Sign("round trip"u8);
        Assert.True(scheme.Verify(key.PublicKey.Bytes, "round trip"u8, sig));
        Assert.True(key.PublicKey.Verify("round trip"u8, sig));

        Assert.Throws<ArgumentException>(() => key.ExportPrivateKey(new byte[scheme.PrivateKeySizeBytes - 1]));
        Assert.Throws<ArgumentException>(() => key.Sign("m"u8, new byte[scheme.SignatureSizeBytes - 1]));
    }

    [Fact]
    public void PublicKey_equality_is_by_algorithm_and_bytes_C1()
    {
        byte[] bytes = Hex(Rfc8032Vectors.Test1.PublicKey);
        PublicKey a = PublicKey.Create(SignatureAlgorithm.Ed25519, bytes);
        PublicKey b = PublicKey.Create(SignatureAlgorithm.Ed25519, bytes);
        PublicKey c = PublicKey.Create(SignatureAlgorithm.Ed25519, Hex(Rfc8032Vectors.Test2.PublicKey));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.True(a != c);
        Assert.False(a.Equals(null));
        Assert.False(a == null);
        Assert.True((PublicKey?)null == null);
        Assert.False(a.Equals((object)bytes));
        Assert.Equal(Rfc8032Vectors.Test1.PublicKey, a.ToString());
        Assert.Equal(SignatureAlgorithm.Ed25519, a.Algorithm);

        // The key holds its own copy.
        bytes[0] ^= 1;
        Assert.Equal(Rfc8032Vectors.Test1.PublicKey, a.ToString());

        using PrivateKey p256 = SignatureSchemes.EcdsaP256.GenerateKey();
        PublicKey p = PublicKey.Create(SignatureAlgorithm.EcdsaP256, p256.PublicKey.Bytes);
        Assert.Equal(p256.PublicKey, p);
        Assert.NotEqual<PublicKey>(a, p);

        using PrivateKey fromVector = SignatureSchemes.Ed25519.ImportPrivateKey(Hex(Rfc8032Vectors.Test1.SecretKey));
        Assert.Equal(a, fromVector.PublicKey);
        Assert.True(a.Verify([], Hex(Rfc8032Vectors.Test1.Signature)));
    }

    [Fact]
    public void PublicKey_Create_rejects_wrong_lengths_C1()
    {
        foreach (int n in new[] { 0, 31, 33, 65 })
        {
            Assert.Throws<ArgumentException>(() => PublicKey.Create(SignatureAlgorithm.Ed25519, new byte[n]));
        }

        foreach (int n in new[] { 0, 32, 33, 64, 66 })
        {
            Assert.Throws<ArgumentException>(() => PublicKey.Create(SignatureAlgorithm.EcdsaP256, new byte[n]));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => PublicKey.Create((SignatureAlgorithm)9, new byte[32]));
    }

    [Fact]
    public async Task Concurrent_signing_and_dispose_is_safe_C1()
    {
        foreach (ISignatureScheme scheme in AllSchemes())
        {
            PrivateKey key = scheme.GenerateKey();
            PublicKey pk = key.PublicKey;
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                for (int i = 0; i < 200; i++)
                {
                    byte[] sig;
                    try
                    {
                        sig = key.Sign("concurrent"u8);
                    }
                    catch (ObjectDisposedException)
                    {
                        return;
                    }

                    // A signature that completed was made with the intact key.
                    Assert.True(scheme.Verify(pk.Bytes, "concurrent"u8, sig));
                }
            })).ToArray();
            await Task.Delay(5);
            key.Dispose();
            await Task.WhenAll(workers);
            Assert.Throws<ObjectDisposedException>(() => key.Sign("late"u8));
        }
    }
}

/// <summary>A key whose secret stays in a device (an HSM or a key service): it signs through the device and never exports.</summary>
public sealed class DeviceKeyTests
{
    [Fact]
    public void A_key_held_in_a_device_signs_verifiably_through_the_contract_and_refuses_export_C1()
    {
        using var device = new DeviceKey(SignatureSchemes.Ed25519.GenerateKey());
        byte[] signature = device.Sign("settle"u8);

        Assert.True(SignatureSchemes.Ed25519.Verify(device.PublicKey.Bytes, "settle"u8, signature));
        Assert.Equal(1, device.Signed);
        Assert.Throws<NotSupportedException>(() => device.ExportPrivateKey(new byte[32]));

        var header = ChainInterop.Blocks.Block.Create(new ChainId("device-chain"), 0, Hash256.Zero, 1, NodeId.FromPublicKey(device.PublicKey), 0, []).Header;
        var certificate = ChainInterop.Blocks.CommitCertificate.Sign(header, [device]);
        Assert.True(certificate.Verify(header, new ChainInterop.Blocks.ValidatorSet([device.PublicKey], faultTolerance: 0)).IsValid);

        device.Dispose();
        Assert.Throws<ObjectDisposedException>(() => device.Sign("late"u8));
    }

    [Fact]
    public void A_device_key_must_name_a_public_key_of_its_schemes_algorithm()
    {
        using var p256 = SignatureSchemes.EcdsaP256.GenerateKey();
        Assert.Throws<ArgumentException>(() => new MismatchedKey(p256.PublicKey));
    }

    /// <summary>Stands in for an HSM: the inner key plays the device, reachable only through signing.</summary>
    private sealed class DeviceKey(PrivateKey inside) : PrivateKey(inside.Scheme, inside.PublicKey)
    {
        public int Signed { get; private set; }

        protected override void SignCore(ReadOnlySpan<byte> message, Span<byte> signature)
        {
            inside.Sign(message, signature);
            Signed++;
        }

        protected override void ExportCore(Span<byte> destination) => throw new NotSupportedException("The key does not leave the device.");

        protected override void DisposeCore() => inside.Dispose();
    }

    private sealed class MismatchedKey(PublicKey publicKey) : PrivateKey(SignatureSchemes.Ed25519, publicKey)
    {
        protected override void SignCore(ReadOnlySpan<byte> message, Span<byte> signature) => throw new NotSupportedException();

        protected override void ExportCore(Span<byte> destination) => throw new NotSupportedException();

        protected override void DisposeCore()
        {
        }
    }
}
