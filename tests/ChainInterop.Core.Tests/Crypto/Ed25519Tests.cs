using System.Numerics;
using System.Runtime.InteropServices;
using ChainInterop.Crypto;
using static ChainInterop.Tests.Crypto.Ed25519TestSupport;

namespace ChainInterop.Tests.Crypto;

public sealed class Ed25519Tests
{
    public static TheoryData<string> BackendNames => Backends();

    public static TheoryData<string, string> BackendsAndVectors()
    {
        var data = new TheoryData<string, string>();
        foreach (string backend in Backends())
        {
            foreach (Rfc8032Vectors.Vector v in Rfc8032Vectors.All)
            {
                data.Add(backend, v.Name);
            }
        }

        return data;
    }

    [Fact]
    public void Libsodium_backend_loads_on_linux_C1()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        ISignatureScheme? sodium = SignatureSchemes.Ed25519Libsodium;
        Assert.NotNull(sodium);
        Assert.StartsWith("Ed25519 (libsodium 1.0.", sodium.Name, StringComparison.Ordinal);
        Assert.Equal(SignatureAlgorithm.Ed25519, sodium.Algorithm);
    }

    [Fact]
    public void Default_Ed25519_is_libsodium_when_loaded_unless_forced_managed_C1()
    {
        string? forced = Environment.GetEnvironmentVariable(SignatureSchemes.Ed25519BackendEnvironmentVariable);
        ISignatureScheme expected = string.Equals(forced, "managed", StringComparison.OrdinalIgnoreCase)
            ? SignatureSchemes.Ed25519Managed
            : SignatureSchemes.Ed25519Libsodium ?? SignatureSchemes.Ed25519Managed;
        Assert.Same(expected, SignatureSchemes.Ed25519);
        Assert.Same(SignatureSchemes.Ed25519, SignatureSchemes.Get(SignatureAlgorithm.Ed25519));
        Assert.Equal("Ed25519 (managed)", SignatureSchemes.Ed25519Managed.Name);
    }

    [Fact]
    public void Backend_environment_variable_managed_forces_managed_C1()
    {
        ISignatureScheme fake = SignatureSchemes.EcdsaP256; // any non-null stand-in for "libsodium loaded"
        bool loaded = false;
        ISignatureScheme? Load()
        {
            loaded = true;
            return fake;
        }

        Assert.Same(SignatureSchemes.Ed25519Managed, SignatureSchemes.ChooseEd25519("managed", Load));
        Assert.Same(SignatureSchemes.Ed25519Managed, SignatureSchemes.ChooseEd25519(" Managed ", Load));
        Assert.False(loaded, "forcing managed must not load libsodium");
        Assert.Same(fake, SignatureSchemes.ChooseEd25519(null, Load));
        Assert.Same(fake, SignatureSchemes.ChooseEd25519("libsodium", Load));
        Assert.Same(fake, SignatureSchemes.ChooseEd25519("", Load));
        Assert.Same(SignatureSchemes.Ed25519Managed, SignatureSchemes.ChooseEd25519(null, () => null));
        Assert.Equal("CHAININTEROP_ED25519_BACKEND", SignatureSchemes.Ed25519BackendEnvironmentVariable);
    }

    [Fact]
    public void Schemes_report_sizes_C1()
    {
        foreach (ISignatureScheme scheme in AllEd25519())
        {
            Assert.Equal(32, scheme.PublicKeySizeBytes);
            Assert.Equal(32, scheme.PrivateKeySizeBytes);
            Assert.Equal(64, scheme.SignatureSizeBytes);
        }

        Assert.Equal(65, SignatureSchemes.EcdsaP256.PublicKeySizeBytes);
        Assert.Equal(32, SignatureSchemes.EcdsaP256.PrivateKeySizeBytes);
        Assert.Equal(64, SignatureSchemes.EcdsaP256.SignatureSizeBytes);
        Assert.Equal("ECDSA P-256", SignatureSchemes.EcdsaP256.Name);
    }

    [Fact]
    public void Get_unknown_algorithm_throws_C1()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SignatureSchemes.Get((SignatureAlgorithm)0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SignatureSchemes.Get((SignatureAlgorithm)3));
        Assert.Same(SignatureSchemes.EcdsaP256, SignatureSchemes.Get(SignatureAlgorithm.EcdsaP256));
    }

    [Theory]
    [MemberData(nameof(BackendsAndVectors))]
    public void Ed25519_Rfc8032_vectors_match_C1(string backend, string vectorName)
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.All.Single(x => x.Name == vectorName);
        Ed25519Scheme scheme = Scheme(backend);
        byte[] message = Hex(v.Message);

        using PrivateKey key = scheme.ImportPrivateKey(Hex(v.SecretKey));
        Assert.Equal(v.PublicKey, key.PublicKey.ToString());
        Assert.Equal(v.Signature, Convert.ToHexStringLower(key.Sign(message)));

        Span<byte> into = stackalloc byte[70];
        into.Fill(0xaa);
        key.Sign(message, into);
        Assert.Equal(v.Signature, Convert.ToHexStringLower(into[..64]));
        Assert.True(into[64..].IndexOfAnyExcept((byte)0xaa) < 0, "bytes past the signature untouched");

        Assert.True(scheme.Verify(Hex(v.PublicKey), message, Hex(v.Signature)));
        Assert.True(key.PublicKey.Verify(message, Hex(v.Signature)));

        Span<byte> exported = stackalloc byte[32];
        key.ExportPrivateKey(exported);
        Assert.Equal(v.SecretKey, Convert.ToHexStringLower(exported));
    }

    [Fact]
    public void Ed25519_backends_cross_verify_and_sign_identically_C1()
    {
        if (SignatureSchemes.Ed25519Libsodium is not { } sodium)
        {
            return;
        }

        ISignatureScheme managed = SignatureSchemes.Ed25519Managed;
        var random = new Random(20240601);
        for (int i = 0; i < 200; i++)
        {
            byte[] seed = new byte[32];
            random.NextBytes(seed);
            byte[] message = new byte[random.Next(0, 300)];
            random.NextBytes(message);

            using PrivateKey a = sodium.ImportPrivateKey(seed);
            using PrivateKey b = managed.ImportPrivateKey(seed);
            Assert.Equal(a.PublicKey, b.PublicKey);

            byte[] sigA = a.Sign(message);
            byte[] sigB = b.Sign(message);
            Assert.Equal(sigA, sigB);
            Assert.True(managed.Verify(a.PublicKey.Bytes, message, sigA), $"seed {Convert.ToHexString(seed)}");
            Assert.True(sodium.Verify(b.PublicKey.Bytes, message, sigB), $"seed {Convert.ToHexString(seed)}");
        }

        using PrivateKey generated = sodium.GenerateKey();
        byte[] sig = generated.Sign("generated"u8);
        Assert.True(managed.Verify(generated.PublicKey.Bytes, "generated"u8, sig));
        using PrivateKey generatedManaged = managed.GenerateKey();
        Assert.True(sodium.Verify(generatedManaged.PublicKey.Bytes, "x"u8, generatedManaged.Sign("x"u8)));
    }

    [Theory]
    [MemberData(nameof(BackendNames))]
    public void Ed25519_rejects_every_single_bit_flip_of_the_signature_C1(string backend)
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test3;
        byte[] pk = Hex(v.PublicKey);
        byte[] message = Hex(v.Message);
        byte[] sig = Hex(v.Signature);
        for (int bit = 0; bit < 512; bit++)
        {
            byte[] bad = (byte[])sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            AssertAllReject(pk, message, bad, $"bit {bit}");
        }

        Assert.True(Scheme(backend).Verify(pk, message, sig));
    }

    [Fact]
    public void Ed25519_rejects_flipped_message_and_wrong_key_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test2;
        byte[] pk = Hex(v.PublicKey);
        byte[] sig = Hex(v.Signature);
        AssertAllReject(pk, [0x73], sig, "message bit flip");
        AssertAllReject(pk, [], sig, "empty message");
        AssertAllReject(pk, [0x72, 0x00], sig, "appended byte");
        AssertAllReject(Hex(Rfc8032Vectors.Test1.PublicKey), Hex(v.Message), sig, "wrong key");
    }

    [Fact]
    public void Ed25519_rejects_non_canonical_S_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test1;
        byte[] pk = Hex(v.PublicKey);
        byte[] message = Hex(v.Message);
        byte[] sig = Hex(v.Signature);

        BigInteger s = LittleEndian(sig.AsSpan(32));
        Assert.True(s < L);
        byte[] malleated = sig[..32].Concat(ToLittleEndian32(s + L)).ToArray();
        AssertAllReject(pk, message, malleated, "S + L");

        // Neither backend's own equation accepts it either: both check S < L themselves.
        foreach (string backend in Backends())
        {
            Assert.False(Scheme(backend).VerifyCofactorless(pk, message, malleated), backend);
        }

        // S = L exactly, and all-ones S.
        AssertAllReject(pk, message, sig[..32].Concat(ToLittleEndian32(L)).ToArray(), "S = L");
        AssertAllReject(pk, message, sig[..32].Concat(Enumerable.Repeat((byte)0xff, 32)).ToArray(), "S = 2^256 - 1");
        Assert.True(Ed25519Strict.IsCanonicalScalar(ToLittleEndian32(L - 1)));
        Assert.False(Ed25519Strict.IsCanonicalScalar(ToLittleEndian32(L)));
    }

    [Fact]
    public void Ed25519_rejects_wrong_lengths_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test2;
        byte[] pk = Hex(v.PublicKey);
        byte[] message = Hex(v.Message);
        byte[] sig = Hex(v.Signature);
        foreach (int n in new[] { 0, 1, 31, 63, 65, 96, 128 })
        {
            byte[] s = new byte[n];
            sig.AsSpan(0, Math.Min(n, 64)).CopyTo(s);
            AssertAllReject(pk, message, s, $"signature length {n}");
        }

        foreach (int n in new[] { 0, 1, 31, 33, 64, 65 })
        {
            byte[] k = new byte[n];
            pk.AsSpan(0, Math.Min(n, 32)).CopyTo(k);
            AssertAllReject(k, message, sig, $"public key length {n}");
        }

        // The signature with trailing bytes is also rejected: lengths are exact.
        AssertAllReject(pk, message, sig.Concat(new byte[1]).ToArray(), "trailing byte");
    }

    [Fact]
    public void Ed25519_small_order_blacklist_constants_are_small_order_points_C1()
    {
        Assert.Equal(7, Ed25519Strict.SmallOrderBlacklist.Length);
        var ys = new HashSet<BigInteger>();
        foreach (byte[] encoded in Ed25519Strict.SmallOrderBlacklist)
        {
            Assert.Equal(0, encoded[31] & 0x80);
            BigInteger y = LittleEndian(encoded);
            var point = Decompress(y, negative: false);
            Assert.NotNull(point);
            var eight = Multiply(8, point.Value);
            Assert.Equal((BigInteger.Zero, BigInteger.One), eight);
            ys.Add(Mod(y));
        }

        // y = p and p + 1 are the non-canonical spellings of 0 and 1.
        Assert.Equal(5, ys.Count);
        Assert.Contains(BigInteger.Zero, ys);
        Assert.Contains(BigInteger.One, ys);
        Assert.Contains(P - 1, ys);
        Assert.Equal(P, LittleEndian(Ed25519Strict.SmallOrderBlacklist[5]));
        Assert.Equal(P + 1, LittleEndian(Ed25519Strict.SmallOrderBlacklist[6]));

        // The two order-8 y values really have order 8 (not smaller).
        foreach (int i in new[] { 2, 3 })
        {
            var point = Decompress(LittleEndian(Ed25519Strict.SmallOrderBlacklist[i]), negative: false)!.Value;
            Assert.NotEqual((BigInteger.Zero, BigInteger.One), Multiply(4, point));
        }

        // L really is the order of the base point (y = 4/5).
        var basePoint = Decompress(Mod(4 * Inverse(5)), negative: false)!.Value;
        Assert.Equal((BigInteger.Zero, BigInteger.One), Multiply(L, basePoint));
        Assert.Equal(L, LittleEndian(Ed25519Strict.GroupOrderL));
    }

    [Fact]
    public void Ed25519_rejects_small_order_public_keys_C1()
    {
        byte[] message = "small order"u8.ToArray();
        foreach (byte[] entry in Ed25519Strict.SmallOrderBlacklist)
        {
            foreach (bool signBit in new[] { false, true })
            {
                byte[] a = (byte[])entry.Clone();
                if (signBit)
                {
                    a[31] |= 0x80;
                }

                // The classic forgery against a small-order key: R = identity, S = 0 satisfies the cofactorless
                // equation for every message when A is the identity.
                byte[] identity = Ed25519Strict.SmallOrderBlacklist[1];
                byte[] forged = identity.Concat(new byte[32]).ToArray();
                AssertAllReject(a, message, forged, $"A={Convert.ToHexString(a)} forged");

                byte[] validLooking = Hex(Rfc8032Vectors.Test1.Signature);
                AssertAllReject(a, message, validLooking, $"A={Convert.ToHexString(a)} vector signature");
            }
        }
    }

    [Fact]
    public void Ed25519_pre_check_is_what_stops_the_identity_key_forgery_C1()
    {
        byte[] identity = Ed25519Strict.SmallOrderBlacklist[1];
        byte[] forged = identity.Concat(new byte[32]).ToArray();
        // BouncyCastle's own verification accepts (A = identity, R = identity, S = 0) for any message;
        // the shared strict rule must reject it on every backend.
        Assert.True(Scheme(Managed).VerifyCofactorless(identity, "anything"u8, forged));
        Assert.False(SignatureSchemes.Ed25519Managed.Verify(identity, "anything"u8, forged));
        if (SignatureSchemes.Ed25519Libsodium is { } sodium)
        {
            Assert.False(sodium.Verify(identity, "anything"u8, forged));
        }
    }

    [Fact]
    public void Ed25519_rejects_small_order_R_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test2;
        byte[] pk = Hex(v.PublicKey);
        byte[] message = Hex(v.Message);
        byte[] sig = Hex(v.Signature);
        foreach (byte[] entry in Ed25519Strict.SmallOrderBlacklist)
        {
            foreach (byte signBit in new byte[] { 0, 0x80 })
            {
                byte[] r = (byte[])entry.Clone();
                r[31] |= signBit;
                AssertAllReject(pk, message, r.Concat(sig[32..]).ToArray(), $"R={Convert.ToHexString(r)}");
                AssertAllReject(pk, message, r.Concat(new byte[32]).ToArray(), $"R={Convert.ToHexString(r)}, S=0");
            }
        }
    }

    [Fact]
    public void Ed25519_rejects_non_canonical_public_keys_C1()
    {
        byte[] message = "non-canonical"u8.ToArray();
        byte[] sig = Hex(Rfc8032Vectors.Test1.Signature);
        int found = 0;
        for (int k = 0; k < 19; k++)
        {
            BigInteger y = P + k; // 2^255 - 19 + k < 2^255: fits with the sign bit clear
            foreach (bool negative in new[] { false, true })
            {
                byte[] a = ToLittleEndian32(y);
                if (negative)
                {
                    a[31] |= 0x80;
                }

                Assert.False(Ed25519Strict.IsCanonicalPoint(a));
                AssertAllReject(a, message, sig, $"A = p + {k}, sign {negative}");
                if (Decompress(y, negative) is not null && !Ed25519Strict.HasSmallOrder(a))
                {
                    found++;
                }
            }
        }

        // Some of those are non-canonical encodings of real, large-order points: the canonical-A rule matters.
        Assert.True(found > 0);
        Assert.True(Ed25519Strict.IsCanonicalPoint(ToLittleEndian32(P - 1)));
        Assert.True(Ed25519Strict.IsCanonicalPoint(Hex(Rfc8032Vectors.Test1.PublicKey)));
    }

    [ChainInterop.Testing.Property(MaxTest = 1000)]
    public FsCheck.Property Ed25519_verify_never_throws_on_garbage_C1()
    {
        FsCheck.Arbitrary<byte[]> bytes(int max) =>
            ChainInterop.Testing.CommonArbitraries.Bytes(
                FsCheck.Fluent.Gen.Frequency(
                    (1, FsCheck.Fluent.Gen.Choose(0, max)),
                    (3, FsCheck.Fluent.Gen.Elements(32, 64, 65))));

        return FsCheck.Fluent.Prop.ForAll(
            bytes(70),
            bytes(100),
            bytes(70),
            (key, message, signature) =>
            {
                foreach (ISignatureScheme scheme in AllEd25519().Append(SignatureSchemes.EcdsaP256))
                {
                    if (scheme.Verify(key, message, signature))
                    {
                        return false;
                    }
                }

                return true;
            });
    }

    [Fact]
    public void Ed25519_backends_agree_on_mutated_signatures_C1()
    {
        // Mutate a valid (key, message, signature) triple in random ways; whatever the outcome, both backends
        // and the managed reference must give the same answer.
        if (SignatureSchemes.Ed25519Libsodium is not { } sodium)
        {
            return;
        }

        ISignatureScheme managed = SignatureSchemes.Ed25519Managed;
        var random = new Random(8032);
        using PrivateKey key = managed.ImportPrivateKey(Hex(Rfc8032Vectors.TestShaAbc.SecretKey));
        byte[] message = Hex(Rfc8032Vectors.TestShaAbc.Message);
        byte[] sig = key.Sign(message);
        int accepted = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] pk = key.PublicKey.Bytes.ToArray();
            byte[] s = (byte[])sig.Clone();
            switch (random.Next(6))
            {
                case 0: s[random.Next(64)] = (byte)random.Next(256); break;
                case 1: pk[random.Next(32)] ^= (byte)(1 << random.Next(8)); break;
                case 2: Ed25519Strict.SmallOrderBlacklist[random.Next(7)].CopyTo(s, 0); break;
                case 3: Ed25519Strict.SmallOrderBlacklist[random.Next(7)].CopyTo(pk, 0); break;
                case 4: ToLittleEndian32(LittleEndian(s.AsSpan(32)) + (L * random.Next(1, 15))).CopyTo(s, 32); break;
                default: break;
            }

            bool expected = managed.Verify(pk, message, s);
            Assert.Equal(expected, sodium.Verify(pk, message, s));

            // The shared rule is libsodium 1.0.18's own: raw crypto_sign_verify_detached gives the same answer.
            Assert.Equal(expected, ((Ed25519Scheme)sodium).VerifyCofactorless(pk, message, s));
            accepted += expected ? 1 : 0;
        }

        Assert.True(accepted > 0);
    }

    [Fact]
    public void Ed25519_import_rejects_wrong_length_C1()
    {
        foreach (ISignatureScheme scheme in AllEd25519())
        {
            Assert.Throws<ArgumentException>(() => scheme.ImportPrivateKey(new byte[31]));
            Assert.Throws<ArgumentException>(() => scheme.ImportPrivateKey(new byte[64]));
            Assert.Throws<ArgumentException>(() => scheme.ImportPrivateKey([]));
        }
    }

    [Fact]
    public void Ed25519_signs_large_and_empty_messages_C1()
    {
        byte[] big = new byte[1 << 20];
        new Random(1).NextBytes(big);
        foreach (ISignatureScheme scheme in AllEd25519())
        {
            using PrivateKey key = scheme.GenerateKey();
            Assert.True(scheme.Verify(key.PublicKey.Bytes, big, key.Sign(big)));
            Assert.True(scheme.Verify(key.PublicKey.Bytes, ReadOnlySpan<byte>.Empty, key.Sign(ReadOnlySpan<byte>.Empty)));
            Assert.True(scheme.Verify(key.PublicKey.Bytes, default, key.Sign(default(ReadOnlySpan<byte>))));
        }
    }

    private static void AssertAllReject(byte[] publicKey, byte[] message, byte[] signature, string because)
    {
        foreach (ISignatureScheme scheme in AllEd25519())
        {
            Assert.False(scheme.Verify(publicKey, message, signature), $"{scheme.Name}: {because}");
        }
    }
}
