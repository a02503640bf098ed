using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// A client of an <see cref="InProcessChain"/>: signs each payload into a <see cref="ClientRequest"/> with a fresh,
/// strictly increasing timestamp and waits for f + 1 validators to vouch for its commit. Requests go one at a time
/// (K2 deduplicates by client id and timestamp, so a client has one request outstanding); use several clients for
/// concurrency. Thread-safe.
/// </summary>
public sealed class ChainClient : IDisposable
{
    private readonly InProcessChain _chain;
    private readonly PrivateKey _key;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private ulong _lastTimestamp;

    internal ChainClient(InProcessChain chain, PrivateKey key, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(key);
        _chain = chain;
        _key = key;
        _time = time;
    }

    /// <summary>The client's identity (the hash of its public key).</summary>
    public NodeId Id => NodeId.FromPublicKey(_key.PublicKey);

    /// <summary>Submits <paramref name="payload"/> and waits for it to commit.</summary>
    /// <param name="payload">The application command (at most <see cref="ClientRequest.MaxPayloadSizeBytes"/>).</param>
    /// <param name="cancellationToken">Stops waiting (the request may still commit).</param>
    /// <returns>The accepted reply: the height and entry index where the request was committed.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is too large.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<ClientReply> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Wall-clock microseconds keep timestamps increasing across client restarts; +1 keeps them strictly increasing within one.
            ulong now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
            _lastTimestamp = Math.Max(_lastTimestamp + 1, now);
            var request = ClientRequest.Create(_key, _chain.ChainId, _lastTimestamp, payload.Span);
            return await _chain.SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Releases the client's wait handle (the key stays the caller's).</summary>
    public void Dispose() => _oneAtATime.Dispose();
}
