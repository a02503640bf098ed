namespace ChainInterop.Crypto;

/// <summary>
/// A private signing key. The schemes of <see cref="SignatureSchemes"/> create keys held in memory; an integrator whose
/// keys live in a hardware security module or a key service derives from this class (<see cref="SignCore"/> asks the
/// device to sign, <see cref="ExportCore"/> throws <see cref="NotSupportedException"/>) and hands such keys to the host
/// through its key provider: the secret never enters the process.
/// </summary>
/// <remarks>
/// <para>
/// The secret bytes live in memory owned by the key (for Ed25519 an NSec key in libsodium's guarded memory, which
/// <c>sodium_free</c> wipes; for P-256 the platform key object) and are released and wiped by <see cref="Dispose"/>.
/// After disposal <see cref="Sign(ReadOnlySpan{byte}, Span{byte})"/>, <see cref="Sign(ReadOnlySpan{byte})"/> and
/// <see cref="ExportPrivateKey"/> throw <see cref="ObjectDisposedException"/>; the public parts
/// (<see cref="Algorithm"/>, <see cref="Scheme"/>, <see cref="PublicKey"/>, <see cref="ToString"/>) stay readable.
/// </para>
/// <para>
/// Signing is thread-safe. <see cref="Dispose"/> waits for signing calls already in progress on other threads, so the
/// secret is never wiped under a running operation.
/// </para>
/// <para><see cref="ToString"/> never reveals secret bytes.</para>
/// </remarks>
public abstract class PrivateKey : IDisposable
{
    // Guards _inFlight and _disposed; Dispose waits on it until _inFlight is 0.
    private readonly object _gate = new();
    private int _inFlight;
    private bool _disposed;

    /// <summary>Creates a key of <paramref name="scheme"/> whose public half is <paramref name="publicKey"/>.</summary>
    /// <param name="scheme">The scheme that verifies its signatures (e.g. <see cref="SignatureSchemes.Ed25519"/>).</param>
    /// <param name="publicKey">The matching public key.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The public key is of another algorithm than the scheme.</exception>
    protected PrivateKey(ISignatureScheme scheme, PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (scheme.Algorithm != publicKey.Algorithm)
        {
            throw new ArgumentException($"A {publicKey.Algorithm} public key does not go with the {scheme.Algorithm} scheme.", nameof(publicKey));
        }

        Scheme = scheme;
        PublicKey = publicKey;
    }

    /// <summary>The algorithm of this key.</summary>
    public SignatureAlgorithm Algorithm => Scheme.Algorithm;

    /// <summary>The scheme that created this key and signs with it.</summary>
    public ISignatureScheme Scheme { get; }

    /// <summary>The matching public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>Signs <paramref name="message"/> into the first <see cref="ISignatureScheme.SignatureSizeBytes"/> bytes of <paramref name="signature"/>.</summary>
    /// <param name="message">The message to sign.</param>
    /// <param name="signature">At least <see cref="ISignatureScheme.SignatureSizeBytes"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="signature"/> is too short.</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        int size = Scheme.SignatureSizeBytes;
        if (signature.Length < size)
        {
            throw new ArgumentException($"A {Algorithm} signature needs {size} bytes, got {signature.Length}.", nameof(signature));
        }

        Enter();
        try
        {
            SignCore(message, signature[..size]);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Signs <paramref name="message"/>.</summary>
    /// <param name="message">The message to sign.</param>
    /// <returns>A new array of <see cref="ISignatureScheme.SignatureSizeBytes"/> bytes.</returns>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[Scheme.SignatureSizeBytes];
        Sign(message, signature);
        return signature;
    }

    /// <summary>
    /// Writes the secret key (<see cref="ISignatureScheme.PrivateKeySizeBytes"/> bytes) to <paramref name="destination"/>,
    /// for storing in a key file. The caller is responsible for wiping <paramref name="destination"/>.
    /// </summary>
    /// <remarks>
    /// Every key can be exported, whether generated or imported: Ed25519 keys are created with NSec's
    /// <c>KeyExportPolicies.AllowPlaintextExport</c> for this method (the export is the 32-byte RFC 8032 seed).
    /// </remarks>
    /// <param name="destination">At least <see cref="ISignatureScheme.PrivateKeySizeBytes"/> bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    /// <exception cref="ObjectDisposedException">The key has been disposed.</exception>
    /// <exception cref="NotSupportedException">The key cannot leave its device (an HSM-backed key).</exception>
    public void ExportPrivateKey(Span<byte> destination)
    {
        int size = Scheme.PrivateKeySizeBytes;
        if (destination.Length < size)
        {
            throw new ArgumentException($"A {Algorithm} private key needs {size} bytes, got {destination.Length}.", nameof(destination));
        }

        Enter();
        try
        {
            ExportCore(destination[..size]);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Wipes the secret bytes. Idempotent; later signing or export throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_inFlight > 0)
            {
                Monitor.Wait(_gate);
            }
        }

        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Describes the key by algorithm and a public-key prefix; never contains secret bytes.</summary>
    /// <returns>For example <c>PrivateKey(Ed25519, public=d75a980182b10ab7…)</c>.</returns>
    public override string ToString() => $"PrivateKey({Algorithm}, public={PublicKey.ToString()[..16]}…)";

    /// <summary>Signs; <paramref name="signature"/> is exactly the signature size and the key is alive. May be called from several threads at once.</summary>
    /// <param name="message">The message.</param>
    /// <param name="signature">Where the signature goes (exactly <see cref="ISignatureScheme.SignatureSizeBytes"/> bytes).</param>
    protected abstract void SignCore(ReadOnlySpan<byte> message, Span<byte> signature);

    /// <summary>Exports; <paramref name="destination"/> is exactly the private key size and the key is alive. A key that cannot leave its device throws <see cref="NotSupportedException"/>.</summary>
    /// <param name="destination">Where the secret goes.</param>
    protected abstract void ExportCore(Span<byte> destination);

    /// <summary>Wipes the secret (or releases the device's handle); called once, with no operation in flight.</summary>
    protected abstract void DisposeCore();

    internal bool IsDisposed
    {
        get
        {
            lock (_gate)
            {
                return _disposed;
            }
        }
    }

    private void Enter()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _inFlight++;
        }
    }

    private void Exit()
    {
        lock (_gate)
        {
            if (--_inFlight == 0 && _disposed)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }
}
