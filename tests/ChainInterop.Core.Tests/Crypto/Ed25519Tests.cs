using System.Numerics;
using ChainInterop.Crypto;
using static ChainInterop.Tests.Crypto.Ed25519TestSupport;

namespace ChainInterop.Tests.Crypto;

public sealed class Ed25519Tests
{
    private static readonly ISignatureScheme Ed25519 = SignatureSchemes.Ed25519;

    public static TheoryData<string> VectorNames()
    {
        var data = new TheoryData<string>();
        foreach (Rfc8032Vectors.Vector v in Rfc8032Vectors.All)
        {
            data.Add(v.Name);
        }

        return data;
    }

    [Fact]
    public void Ed25519_is_NSec_over_the_packaged_libsodium_C1()
    {
        Assert.Same(Ed25519, SignatureSchemes.Get(SignatureAlgorithm.Ed25519));
        Assert.Equal("Ed25519 (NSec, libsodium)", Ed25519.Name);
        Assert.Equal(SignatureAlgorithm.Ed25519, Ed25519.Algorithm);
        using PrivateKey key = Ed25519.ImportPrivateKey(Hex(Rfc8032Vectors.Test1.SecretKey));
        Assert.Equal(Rfc8032Vectors.Test1.Signature, Convert.ToHexStringLower(key.Sign([])));

        // The libsodium that NSec loaded is the one its package ships beside this assembly (1.0.22), not a system
        // copy such as Debian's libsodium23 (1.0.18): no system libsodium is needed.
        if (OperatingSystem.IsLinux())
        {
            string[] mapped = File.ReadAllLines("/proc/self/maps")
                .Where(line => line.Contains("libsodium", StringComparison.Ordinal))
                .Select(line => line[line.IndexOf('/', StringComparison.Ordinal)..])
                .Distinct()
                .ToArray();
            Assert.NotEmpty(mapped);
            Assert.All(mapped, path => Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Schemes_report_sizes_C1()
    {
        Assert.Equal(32, Ed25519.PublicKeySizeBytes);
        Assert.Equal(32, Ed25519.PrivateKeySizeBytes);
        Assert.Equal(64, Ed25519.SignatureSizeBytes);

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
    [MemberData(nameof(VectorNames))]
    public void Ed25519_Rfc8032_vectors_match_C1(string vectorName)
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.All.Single(x => x.Name == vectorName);
        ISignatureScheme scheme = Ed25519;
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
    public void Ed25519_signs_and_verifies_like_the_RFC_8032_reference_computation_C1()
    {
        // The textbook computation (BigInteger arithmetic, SHA-512 from the BCL) is independent of libsodium: the
        // same seed gives the same public key and, Ed25519 being deterministic, the same signature.
        var random = new Random(20240601);
        for (int i = 0; i < 200; i++)
        {
            byte[] seed = new byte[32];
            random.NextBytes(seed);
            byte[] message = new byte[random.Next(0, 300)];
            random.NextBytes(message);

            using PrivateKey key = Ed25519.ImportPrivateKey(seed);
            Assert.Equal(ReferencePublicKey(seed), key.PublicKey.Bytes.ToArray());

            byte[] sig = key.Sign(message);
            Assert.Equal(ReferenceSign(seed, message), sig);
            Assert.True(Ed25519.Verify(key.PublicKey.Bytes, message, sig), $"seed {Convert.ToHexString(seed)}");
            Assert.True(ReferenceVerify(key.PublicKey.Bytes, message, sig), $"seed {Convert.ToHexString(seed)}");
        }

        using PrivateKey generated = Ed25519.GenerateKey();
        byte[] generatedSeed = new byte[32];
        generated.ExportPrivateKey(generatedSeed);
        Assert.Equal(ReferencePublicKey(generatedSeed), generated.PublicKey.Bytes.ToArray());
        Assert.Equal(ReferenceSign(generatedSeed, "generated"u8), generated.Sign("generated"u8));
    }

    [Fact]
    public void Ed25519_rejects_every_single_bit_flip_of_the_signature_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test3;
        byte[] pk = Hex(v.PublicKey);
        byte[] message = Hex(v.Message);
        byte[] sig = Hex(v.Signature);
        for (int bit = 0; bit < 512; bit++)
        {
            byte[] bad = (byte[])sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            AssertRejects(pk, message, bad, $"bit {bit}");
        }

        Assert.True(Ed25519.Verify(pk, message, sig));
    }

    [Fact]
    public void Ed25519_rejects_flipped_message_and_wrong_key_C1()
    {
        Rfc8032Vectors.Vector v = Rfc8032Vectors.Test2;
        byte[] pk = Hex(v.PublicKey);
        byte[] sig = Hex(v.Signature);
        AssertRejects(pk, [0x73], sig, "message bit flip");
        AssertRejects(pk, [], sig, "empty message");
        AssertRejects(pk, [0x72, 0x00], sig, "appended byte");
        AssertRejects(Hex(Rfc8032Vectors.Test1.PublicKey), Hex(v.Message), sig, "wrong key");
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
        AssertRejects(pk, message, malleated, "S + L");

        // libsodium's own verification (without our pre-check) checks S < L too.
        Assert.False(Ed25519Scheme.VerifyCofactorless(pk, message, malleated));

        // S = L exactly, and all-ones S.
        AssertRejects(pk, message, sig[..32].Concat(ToLittleEndian32(L)).ToArray(), "S = L");
        AssertRejects(pk, message, sig[..32].Concat(Enumerable.Repeat((byte)0xff, 32)).ToArray(), "S = 2^256 - 1");
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
            AssertRejects(pk, message, s, $"signature length {n}");
        }

        foreach (int n in new[] { 0, 1, 31, 33, 64, 65 })
        {
            byte[] k = new byte[n];
            pk.AsSpan(0, Math.Min(n, 32)).CopyTo(k);
            AssertRejects(k, message, sig, $"public key length {n}");
        }

        // The signature with trailing bytes is also rejected: lengths are exact.
        AssertRejects(pk, message, sig.Concat(new byte[1]).ToArray(), "trailing byte");
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
                AssertRejects(a, message, forged, $"A={Convert.ToHexString(a)} forged");

                byte[] validLooking = Hex(Rfc8032Vectors.Test1.Signature);
                AssertRejects(a, message, validLooking, $"A={Convert.ToHexString(a)} vector signature");
            }
        }
    }

    [Fact]
    public void Ed25519_pre_check_is_what_stops_the_identity_key_forgery_C1()
    {
        byte[] identity = Ed25519Strict.SmallOrderBlacklist[1];
        byte[] forged = identity.Concat(new byte[32]).ToArray();
        // (A = identity, R = identity, S = 0) satisfies the cofactorless equation for any message: rule 5 alone
        // (computed independently here) accepts it, so rule 4 is what must reject it, on every libsodium build.
        Assert.True(CofactorlessEquationHolds(identity, "anything"u8, forged));
        Assert.True(CofactorlessEquationHolds(identity, "something else"u8, forged));
        Assert.False(Ed25519Strict.PreCheck(identity, forged));
        Assert.False(Ed25519.Verify(identity, "anything"u8, forged));
        Assert.False(ReferenceVerify(identity, "anything"u8, forged));

        // libsodium 1.0.22's default build rejects it by itself as well; the pre-check does not rely on that.
        Assert.False(Ed25519Scheme.VerifyCofactorless(identity, "anything"u8, forged));
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
                AssertRejects(pk, message, r.Concat(sig[32..]).ToArray(), $"R={Convert.ToHexString(r)}");
                AssertRejects(pk, message, r.Concat(new byte[32]).ToArray(), $"R={Convert.ToHexString(r)}, S=0");
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
                AssertRejects(a, message, sig, $"A = p + {k}, sign {negative}");
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
                foreach (ISignatureScheme scheme in new[] { Ed25519, SignatureSchemes.EcdsaP256 })
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
    public void Ed25519_verdicts_on_mutated_signatures_follow_the_rule_C1()
    {
        // Mutate a valid (key, message, signature) triple in random ways; whatever the outcome, the scheme must give
        // the verdict of the reference verifier (the rule computed from its definitions, in BigIntegers).
        var random = new Random(8032);
        using PrivateKey key = Ed25519.ImportPrivateKey(Hex(Rfc8032Vectors.TestShaAbc.SecretKey));
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

            bool expected = ReferenceVerify(pk, message, s);
            Assert.Equal(expected, Ed25519.Verify(pk, message, s));

            // The rule is also libsodium 1.0.22's own: its crypto_sign_verify_detached, without our pre-check, agrees.
            Assert.Equal(expected, Ed25519Scheme.VerifyCofactorless(pk, message, s));
            accepted += expected ? 1 : 0;
        }

        Assert.InRange(accepted, 1, 1999);
    }

    [Fact]
    public void Ed25519_import_rejects_wrong_length_C1()
    {
        Assert.Throws<ArgumentException>(() => Ed25519.ImportPrivateKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => Ed25519.ImportPrivateKey(new byte[64]));
        Assert.Throws<ArgumentException>(() => Ed25519.ImportPrivateKey([]));
    }

    [Fact]
    public void Ed25519_signs_large_and_empty_messages_C1()
    {
        byte[] big = new byte[1 << 20];
        new Random(1).NextBytes(big);
        using PrivateKey key = Ed25519.GenerateKey();
        Assert.True(Ed25519.Verify(key.PublicKey.Bytes, big, key.Sign(big)));
        Assert.True(Ed25519.Verify(key.PublicKey.Bytes, ReadOnlySpan<byte>.Empty, key.Sign(ReadOnlySpan<byte>.Empty)));
        Assert.True(Ed25519.Verify(key.PublicKey.Bytes, default, key.Sign(default(ReadOnlySpan<byte>))));
    }

    private static void AssertRejects(byte[] publicKey, byte[] message, byte[] signature, string because) =>
        Assert.False(Ed25519.Verify(publicKey, message, signature), because);
}
