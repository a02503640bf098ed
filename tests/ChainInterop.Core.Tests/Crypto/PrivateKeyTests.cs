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

    private static IEnumerable<ISignatureScheme> AllSchemes() => AllEd25519().Append(SignatureSchemes.EcdsaP256);

    private static ISignatureScheme ByName(string name) => AllSchemes().Single(s => s.Name == name);

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Ed25519_dispose_zeroes_the_secret_buffer_C1(string backend)
    {
        byte[] seed = Hex(Rfc8032Vectors.Test2.SecretKey);
        PrivateKey key = Scheme(backend).ImportPrivateKey(seed);
        Assert.Equal(seed, key.SecretBufferForTesting[..32].ToArray());
        Assert.Equal(Hex(Rfc8032Vectors.Test2.PublicKey), key.SecretBufferForTesting[32..].ToArray());

        key.Dispose();

        Assert.Equal(64, key.SecretBufferForTesting.Length);
        Assert.True(key.SecretBufferForTesting.IndexOfAnyExcept((byte)0) < 0, "secret buffer wiped");
        Assert.True(key.IsDisposed);
    }

    public static TheoryData<string> BackendNames => Backends();

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
