using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using ChainInterop.Crypto;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Ed25519 sign and verify of a 64-byte message (C1) through our API for both backends, next to a raw libsodium
/// call loop in the same process; ECDSA P-256 for comparison.
/// </summary>
[BenchmarkCategory("signatures")]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class SignatureBenchmarks
{
    private readonly byte[] _message = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
    private readonly byte[] _signature = new byte[64];
    private readonly byte[] _rawSecretKey = new byte[64];
    private readonly byte[] _rawPublicKey = new byte[32];
    private PrivateKey _libsodiumKey = null!;
    private PrivateKey _managedKey = null!;
    private PrivateKey _ecdsaKey = null!;
    private byte[] _ed25519Signature = null!;
    private byte[] _ecdsaSignature = null!;

    [GlobalSetup]
    public void Setup()
    {
        var libsodium = SignatureSchemes.Ed25519Libsodium
            ?? throw new InvalidOperationException("libsodium is not loadable: the raw-loop comparison needs it.");
        byte[] seed = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        _libsodiumKey = libsodium.ImportPrivateKey(seed);
        _managedKey = SignatureSchemes.Ed25519Managed.ImportPrivateKey(seed);
        _ecdsaKey = SignatureSchemes.EcdsaP256.ImportPrivateKey(seed);
        _ed25519Signature = _libsodiumKey.Sign(_message);
        _ecdsaSignature = _ecdsaKey.Sign(_message);
        fixed (byte* pk = _rawPublicKey, sk = _rawSecretKey, s = seed)
        {
            if (RawSodium.crypto_sign_seed_keypair(pk, sk, s) != 0)
            {
                throw new InvalidOperationException("crypto_sign_seed_keypair failed");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _libsodiumKey.Dispose();
        _managedKey.Dispose();
        _ecdsaKey.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sign")]
    public int Raw_libsodium_sign()
    {
        fixed (byte* sig = _signature, m = _message, sk = _rawSecretKey)
        {
            return RawSodium.crypto_sign_detached(sig, null, m, (ulong)_message.Length, sk);
        }
    }

    [Benchmark]
    [BenchmarkCategory("sign")]
    public byte Ed25519_libsodium_sign()
    {
        _libsodiumKey.Sign(_message, _signature);
        return _signature[0];
    }

    [Benchmark]
    [BenchmarkCategory("sign")]
    public byte Ed25519_managed_sign()
    {
        _managedKey.Sign(_message, _signature);
        return _signature[0];
    }

    [Benchmark]
    [BenchmarkCategory("sign")]
    public byte EcdsaP256_sign()
    {
        _ecdsaKey.Sign(_message, _signature);
        return _signature[0];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("verify")]
    public int Raw_libsodium_verify()
    {
        fixed (byte* sig = _ed25519Signature, m = _message, pk = _rawPublicKey)
        {
            return RawSodium.crypto_sign_verify_detached(sig, m, (ulong)_message.Length, pk);
        }
    }

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool Ed25519_libsodium_verify() =>
        SignatureSchemes.Ed25519Libsodium!.Verify(_libsodiumKey.PublicKey.Bytes, _message, _ed25519Signature);

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool Ed25519_managed_verify() =>
        SignatureSchemes.Ed25519Managed.Verify(_managedKey.PublicKey.Bytes, _message, _ed25519Signature);

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool EcdsaP256_verify() =>
        SignatureSchemes.EcdsaP256.Verify(_ecdsaKey.PublicKey.Bytes, _message, _ecdsaSignature);

    /// <summary>A direct binding, independent of the library's own, for the raw-loop reference.</summary>
    internal static class RawSodium
    {
        private const string Library = "libsodium.so.23";

        [DllImport(Library)]
        public static extern int crypto_sign_seed_keypair(byte* pk, byte* sk, byte* seed);

        [DllImport(Library)]
        public static extern int crypto_sign_detached(byte* sig, ulong* siglen, byte* m, ulong mlen, byte* sk);

        [DllImport(Library)]
        public static extern int crypto_sign_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);
    }
}
