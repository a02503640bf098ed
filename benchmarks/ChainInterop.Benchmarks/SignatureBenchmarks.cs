using BenchmarkDotNet.Attributes;
using ChainInterop.Crypto;
using KeyBlobFormat = NSec.Cryptography.KeyBlobFormat;
using NSecKey = NSec.Cryptography.Key;
using NSecPublicKey = NSec.Cryptography.PublicKey;
using NSecSignatureAlgorithm = NSec.Cryptography.SignatureAlgorithm;

namespace ChainInterop.Benchmarks;

/// <summary>
/// Ed25519 sign and verify of a 64-byte message (C1) through our API, next to NSec called directly ("raw") with the
/// same seed and message; ECDSA P-256 for comparison.
/// </summary>
/// <remarks>
/// Who imports what on the verify side: our API (<see cref="PublicKey.Verify"/>) gets the 32 key bytes, runs the
/// strict pre-check, imports them into an NSec <c>PublicKey</c> and verifies, on every call. <see cref="Raw_NSec_verify"/>
/// is what any caller holding key bytes does with NSec: import, then verify, per call.
/// <see cref="Raw_NSec_verify_key_imported_once"/> imports the key once in setup, the strictest bound.
/// </remarks>
[BenchmarkCategory("signatures")]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SignatureBenchmarks
{
    private readonly byte[] _message = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
    private readonly byte[] _signature = new byte[64];
    private PrivateKey _ed25519Key = null!;
    private PrivateKey _ecdsaKey = null!;
    private NSecKey _rawKey = null!;
    private byte[] _rawPublicKeyBytes = null!;
    private NSecPublicKey _rawPublicKey = null!;
    private byte[] _ed25519Signature = null!;
    private byte[] _ecdsaSignature = null!;

    private static NSec.Cryptography.Ed25519 NSecEd25519 => NSecSignatureAlgorithm.Ed25519;

    [GlobalSetup]
    public void Setup()
    {
        byte[] seed = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        _ed25519Key = SignatureSchemes.Ed25519.ImportPrivateKey(seed);
        _ecdsaKey = SignatureSchemes.EcdsaP256.ImportPrivateKey(seed);
        _ed25519Signature = _ed25519Key.Sign(_message);
        _ecdsaSignature = _ecdsaKey.Sign(_message);
        _rawKey = NSecKey.Import(NSecEd25519, seed, KeyBlobFormat.RawPrivateKey);
        _rawPublicKeyBytes = _rawKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        _rawPublicKey = NSecPublicKey.Import(NSecEd25519, _rawPublicKeyBytes, KeyBlobFormat.RawPublicKey);
        if (!_rawPublicKeyBytes.AsSpan().SequenceEqual(_ed25519Key.PublicKey.Bytes)
            || !NSecEd25519.Sign(_rawKey, _message).AsSpan().SequenceEqual(_ed25519Signature))
        {
            throw new InvalidOperationException("raw NSec and our API disagree on the key or the signature");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ed25519Key.Dispose();
        _ecdsaKey.Dispose();
        _rawKey.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("sign")]
    public byte Raw_NSec_sign()
    {
        NSecEd25519.Sign(_rawKey, _message, _signature);
        return _signature[0];
    }

    [Benchmark]
    [BenchmarkCategory("sign")]
    public byte Ed25519_sign()
    {
        _ed25519Key.Sign(_message, _signature);
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
    public bool Raw_NSec_verify() =>
        NSecEd25519.Verify(NSecPublicKey.Import(NSecEd25519, _rawPublicKeyBytes, KeyBlobFormat.RawPublicKey), _message, _ed25519Signature);

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool Raw_NSec_verify_key_imported_once() => NSecEd25519.Verify(_rawPublicKey, _message, _ed25519Signature);

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool Ed25519_verify() => _ed25519Key.PublicKey.Verify(_message, _ed25519Signature);

    [Benchmark]
    [BenchmarkCategory("verify")]
    public bool EcdsaP256_verify() => _ecdsaKey.PublicKey.Verify(_message, _ecdsaSignature);
}
