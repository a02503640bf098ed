using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Transport;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// The client side of K2: signs each payload into a <see cref="ClientRequest"/> with a fresh, strictly increasing
/// timestamp, sends it to every validator, resends it until f + 1 validators vouch for the same commit
/// (<see cref="ReplyCollector"/>), and returns that reply. Requests go one at a time (K2 deduplicates by client id
/// and timestamp, so a client has one request outstanding); use several clients for concurrency. Thread-safe.
/// </summary>
/// <remarks>
/// Two ways to reach the validators: <see cref="Connect"/> over any <see cref="ITransport"/> (validators whose
/// <see cref="ReplicaHost.ServeRemoteClients"/> is on answer over it), or <see cref="InProcessChain.CreateClient"/>.
/// </remarks>
public sealed class ChainClient : IAsyncDisposable, IDisposable
{
    /// <summary>Default time to wait for f + 1 replies before resending, in milliseconds.</summary>
    public const int DefaultRequestRetryMs = 1_000;

    private readonly ChainId _chainId;
    private readonly ValidatorSet _validators;
    private readonly PrivateKey _key;
    private readonly ClientAuthentication _mode;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retry;
    private readonly Func<ClientRequest, CancellationToken, ValueTask> _send;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private Task _pump = Task.CompletedTask;
    private Action<ChainClient>? _onDisposed;
    private (ReplyCollector Collector, TaskCompletionSource<ClientReply> Done)? _outstanding;
    private ulong _lastTimestamp;

    internal ChainClient(
        ChainId chainId,
        ValidatorSet validators,
        PrivateKey key,
        ClientAuthentication mode,
        TimeProvider? time,
        int retryMs,
        Func<ClientRequest, CancellationToken, ValueTask> send)
    {
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryMs, 1);
        _chainId = chainId;
        _validators = validators;
        _key = key;
        _mode = mode;
        _time = time ?? TimeProvider.System;
        _retry = TimeSpan.FromMilliseconds(retryMs);
        _send = send;
        Id = NodeId.FromPublicKey(key.PublicKey);
    }

    /// <summary>The client's identity (the hash of its public key).</summary>
    public NodeId Id { get; }

    /// <summary>
    /// A client that reaches the validators over <paramref name="transport"/>, whose local node must be the client's
    /// key (so validators see the request's signer as the authenticated sender). Replies arriving on the transport
    /// are collected in the background until the client is disposed.
    /// </summary>
    /// <param name="transport">The client's transport, connected to the chain's validators.</param>
    /// <param name="chainId">The chain.</param>
    /// <param name="validators">The chain's validators.</param>
    /// <param name="clientKey">The client's key (the caller keeps ownership).</param>
    /// <param name="mode">The chain's client mode (which replies count).</param>
    /// <param name="timeProvider">Clock for timestamps and resends; the system clock when null.</param>
    /// <param name="requestRetryMs">How long to wait for f + 1 replies before resending.</param>
    /// <returns>The client; dispose it to stop listening (the transport stays the caller's).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The transport's node is not the client's key.</exception>
    public static ChainClient Connect(
        ITransport transport,
        ChainId chainId,
        ValidatorSet validators,
        PrivateKey clientKey,
        ClientAuthentication mode = ClientAuthentication.Signatures,
        TimeProvider? timeProvider = null,
        int requestRetryMs = DefaultRequestRetryMs)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(clientKey);
        if (transport.LocalNode != NodeId.FromPublicKey(clientKey.PublicKey))
        {
            throw new ArgumentException("The client's transport must be authenticated with the client's own key.", nameof(transport));
        }

        var client = new ChainClient(chainId, validators, clientKey, mode, timeProvider, requestRetryMs, async (request, cancellationToken) =>
        {
            byte[] bytes = Canonical.Encode(request);
            foreach (var validator in validators.NodeIds)
            {
                await transport.SendAsync(validator, bytes, cancellationToken).ConfigureAwait(false);
            }
        });
        client._pump = client.PumpAsync(transport, client._stopping.Token);
        return client;
    }

    /// <summary>Submits <paramref name="payload"/> and waits until f + 1 validators vouch for its commit.</summary>
    /// <param name="payload">The application command (at most <see cref="ClientRequest.MaxPayloadSizeBytes"/>).</param>
    /// <param name="cancellationToken">Stops waiting (the request may still commit).</param>
    /// <returns>The accepted reply: the height and entry index where the request was committed.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> is too large.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The client is disposed (a call in flight then ends with <see cref="OperationCanceledException"/>).</exception>
    public async Task<ClientReply> SubmitAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        cancellationToken = linked.Token; // disposing the client ends a call in flight
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Wall-clock microseconds keep timestamps increasing across client restarts; +1 keeps them strictly increasing within one.
            ulong now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
            _lastTimestamp = Math.Max(_lastTimestamp + 1, now);
            var request = ClientRequest.Create(_key, _chainId, _lastTimestamp, payload.Span);
            var done = new TaskCompletionSource<ClientReply>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _outstanding = (new ReplyCollector(_validators, request, _mode), done);
            }

            try
            {
                while (true)
                {
                    await _send(request, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        return await done.Task.WaitAsync(_retry, _time, cancellationToken).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // Replies lost or a view change under way: send it again (replicas deduplicate and answer from their reply cache).
                    }
                }
            }
            finally
            {
                lock (_gate)
                {
                    _outstanding = null;
                }
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Stops listening for replies.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        Interlocked.Exchange(ref _onDisposed, null)?.Invoke(this);

        // _stopping and _oneAtATime are not disposed: a call in flight may still be leaving (it ends with
        // OperationCanceledException); neither holds an unmanaged handle (no wait handle is ever requested).
    }

    /// <summary>Called once when the client is disposed (e.g. so an <see cref="InProcessChain"/> forgets it).</summary>
    internal void OnDisposed(Action<ChainClient> callback) => _onDisposed = callback;

    /// <summary>Stops listening for replies (blocking until the listener ends).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Takes a reply from a validator; replies to anything but the outstanding request are ignored.</summary>
    internal void OnReply(ClientReply reply)
    {
        lock (_gate)
        {
            if (_outstanding is { } outstanding && outstanding.Collector.Add(reply))
            {
                outstanding.Done.TrySetResult(outstanding.Collector.Accepted!);
            }
        }
    }

    private async Task PumpAsync(ITransport transport, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in transport.Inbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                ClientReply reply;
                try
                {
                    reply = Canonical.Decode<ClientReply>(message.Payload); // a copy
                }
                catch (CodecException)
                {
                    continue; // not a reply: a client ignores anything else
                }
                finally
                {
                    message.Release();
                }

                // The collector checks the signature; the transport vouches that it came from reply.Replica's node.
                if (reply.Replica == message.From)
                {
                    OnReply(reply);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
