using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ChainInterop.Crypto;

/// <summary>
/// Ed25519 through libsodium (<c>crypto_sign_*</c>), behind the shared strict pre-check. Created only when the
/// native library loads and <c>sodium_init</c> succeeds; see <see cref="TryCreate"/>.
/// </summary>
internal sealed unsafe partial class LibsodiumEd25519 : Ed25519Scheme
{
    private LibsodiumEd25519(string version)
    {
        Version = version;
        Name = $"Ed25519 (libsodium {version})";
    }

    /// <summary>The libsodium version string, e.g. <c>1.0.18</c>.</summary>
    internal string Version { get; }

    public override string Name { get; }

    /// <summary>Loads and initialises libsodium; <see langword="null"/> when it is missing or fails to initialise.</summary>
    /// <remarks>Call once (<see cref="SignatureSchemes"/> caches the result); <c>sodium_init</c> itself is idempotent and thread-safe.</remarks>
    internal static LibsodiumEd25519? TryCreate()
    {
        NativeLibraries.EnsureResolverRegistered();
        if (!NativeLibraries.TryLoad(NativeLibraries.Sodium, out _))
        {
            return null;
        }

        try
        {
            // 0: initialised now; 1: already initialised; -1: failure.
            if (Native.sodium_init() < 0)
            {
                return null;
            }

            if (Native.crypto_sign_bytes() != Ed25519Strict.SignatureSizeBytes
                || Native.crypto_sign_publickeybytes() != Ed25519Strict.PublicKeySizeBytes
                || Native.crypto_sign_secretkeybytes() != SecretKeySizeBytes
                || Native.crypto_sign_seedbytes() != Ed25519Strict.SeedSizeBytes)
            {
                return null;
            }

            string version = Marshal.PtrToStringUTF8(Native.sodium_version_string()) ?? "unknown";
            return new LibsodiumEd25519(version);
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private protected override void ExpandSeed(ReadOnlySpan<byte> seed, byte[] secretKey)
    {
        // Not aliased with the seed: crypto_sign_seed_keypair hashes the seed into sk before copying it back.
        Span<byte> publicKey = stackalloc byte[Ed25519Strict.PublicKeySizeBytes];
        fixed (byte* pk = publicKey)
        fixed (byte* sk = secretKey)
        fixed (byte* sd = seed)
        {
            if (Native.crypto_sign_seed_keypair(pk, sk, sd) != 0)
            {
                throw new CryptographicException("libsodium crypto_sign_seed_keypair failed.");
            }
        }
    }

    internal override void SignWith(byte[] secretKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        byte empty = 0;
        fixed (byte* sig = signature)
        fixed (byte* sk = secretKey)
        fixed (byte* m0 = message)
        {
            byte* m = message.IsEmpty ? &empty : m0;
            if (Native.crypto_sign_detached(sig, null, m, (ulong)message.Length, sk) != 0)
            {
                throw new CryptographicException("libsodium crypto_sign_detached failed.");
            }
        }
    }

    internal override bool VerifyCofactorless(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != Ed25519Strict.PublicKeySizeBytes || signature.Length != Ed25519Strict.SignatureSizeBytes)
        {
            return false;
        }

        byte empty = 0;
        fixed (byte* sig = signature)
        fixed (byte* pk = publicKey)
        fixed (byte* m0 = message)
        {
            byte* m = message.IsEmpty ? &empty : m0;
            return Native.crypto_sign_verify_detached(sig, m, (ulong)message.Length, pk) == 0;
        }
    }

    /// <summary>The libsodium entry points, resolved through <see cref="NativeLibraries"/>.</summary>
    private static partial class Native
    {
        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial int sodium_init();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial nint sodium_version_string();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial nuint crypto_sign_bytes();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial nuint crypto_sign_publickeybytes();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial nuint crypto_sign_secretkeybytes();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial nuint crypto_sign_seedbytes();

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial int crypto_sign_seed_keypair(byte* pk, byte* sk, byte* seed);

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial int crypto_sign_detached(byte* sig, ulong* siglen, byte* m, ulong mlen, byte* sk);

        [LibraryImport(NativeLibraries.Sodium)]
        internal static partial int crypto_sign_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);
    }
}
