using System.Collections.Concurrent;
using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// Clients of a chain whose validators run in this process: a client hands its signed request to every local
/// <see cref="ReplicaHost"/> directly (no transport) and takes the replies the hosts produce. Used by
/// <see cref="InProcessChain"/> and by hosts that run all of a chain's validators in one process; clients of validators
/// in other processes use <see cref="ChainClient.Connect"/>.
/// </summary>
public sealed class LocalChainClients : IAsyncDisposable
{
    private readonly ChainId _chain;
    private readonly ValidatorSet _validators;
    private readonly IReadOnlyList<ReplicaHost> _hosts;
    private readonly ClientAuthentication _mode;
    private readonly TimeProvider? _time;
    private readonly int _requestRetryMs;
    private readonly ConcurrentDictionary<NodeId, ChainClient> _clients = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _pumps;
    private int _disposed;

    /// <summary>Starts taking the hosts' replies (each host's <see cref="ReplicaHost.Replies"/> is read here only).</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="validators">Its validators.</param>
    /// <param name="hosts">The local validators' hosts.</param>
    /// <param name="mode">The chain's client mode (which replies count).</param>
    /// <param name="timeProvider">Clock for timestamps and resends; the system clock when null.</param>
    /// <param name="requestRetryMs">How long a client waits for f + 1 replies before resending.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requestRetryMs"/> is below 1.</exception>
    public LocalChainClients(ChainId chain, ValidatorSet validators, IReadOnlyList<ReplicaHost> hosts, ClientAuthentication mode = ClientAuthentication.Signatures,
        TimeProvider? timeProvider = null, int requestRetryMs = ChainClient.DefaultRequestRetryMs)
    {
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentOutOfRangeException.ThrowIfLessThan(requestRetryMs, 1);
        _chain = chain;
        _validators = validators;
        _hosts = [.. hosts];
        _mode = mode;
        _time = timeProvider;
        _requestRetryMs = requestRetryMs;
        _pumps = [.. _hosts.Select(host => Task.Run(() => PumpRepliesAsync(host, _stopping.Token)))];
    }

    /// <summary>A client of the chain: submits requests one at a time under <paramref name="clientKey"/> (see <see cref="ChainClient"/>).</summary>
    /// <param name="clientKey">The client's key (the caller keeps ownership).</param>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clientKey"/> is null.</exception>
    /// <exception cref="InvalidOperationException">A live client with this key exists already (a disposed one is forgotten).</exception>
    public ChainClient CreateClient(PrivateKey clientKey)
    {
        ArgumentNullException.ThrowIfNull(clientKey);
        var client = new ChainClient(_chain, _validators, clientKey, _mode, _time, _requestRetryMs, (request, _) =>
        {
            // Every validator independently and without waiting: a stopped or saturated validator must not hold the
            // others up (the f + 1 reply rule decides; the client resends).
            Submit(request);
            return ValueTask.CompletedTask;
        });
        if (!_clients.TryAdd(client.Id, client))
        {
            throw new InvalidOperationException("A client with this key exists already: share it (it is thread-safe) or use another key.");
        }

        client.OnDisposed(c => _clients.TryRemove(new KeyValuePair<NodeId, ChainClient>(c.Id, c)));
        return client;
    }

    /// <summary>
    /// Hands a signed request to every local validator without waiting for replies (fire-and-forget): for submitters
    /// that learn the outcome from the committed state. A saturated validator drops it; the submitter resends.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public void Submit(ClientRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var host in _hosts)
        {
            host.TrySubmit(request);
        }
    }

    /// <summary>Stops taking replies (the hosts stay the caller's; stop them first so the reply streams end).</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_pumps).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task PumpRepliesAsync(ReplicaHost host, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var reply in host.Replies.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_clients.TryGetValue(reply.ClientId, out var client))
                {
                    client.OnReply(reply);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
