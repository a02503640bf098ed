using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ChainInterop.Crypto;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ChainInterop.Tests.Transport.Tcp;

/// <summary>Keys, options and started transports for TCP tests; every listener binds port 0 on loopback.</summary>
internal sealed class TcpTestNodes : IAsyncDisposable
{
    public static readonly ChainId Chain = new("ppc-bank-a");

    private readonly List<PrivateKey> _keys = [];
    private readonly List<(TcpTransport Transport, TimeProvider? Time)> _transports = [];

    public CapturingLoggerFactory Logs { get; } = new();

    public PrivateKey NewKey()
    {
        var key = SignatureSchemes.Ed25519.GenerateKey();
        _keys.Add(key);
        return key;
    }

    /// <summary>Options for a node of <see cref="Chain"/> listening on 127.0.0.1:0, with short test-friendly backoff and a generous drain.</summary>
    public static TcpTransportOptions Options(PrivateKey key, IEnumerable<TcpPeer> peers, TcpTlsOptions? tls = null) => new()
    {
        ChainId = Chain,
        NodeKey = key,
        ListenEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        Peers = [.. peers],
        Tls = tls,
        ReconnectInitialDelayMs = 20,
        ReconnectMaxDelayMs = 500,
        JitterSeed = 7,

        // Dispose returns as soon as the peers answer the half-close; a busy machine must not cut what it drains.
        ShutdownDrainTimeoutMs = 60_000,
    };

    /// <summary>Starts a transport; with <paramref name="time"/> (e.g. a <see cref="FakeTimeProvider"/>) its timeouts and keep-alives follow that clock.</summary>
    public TcpTransport Start(TcpTransportOptions options, TimeProvider? time = null)
    {
        var transport = TcpTransport.Start(options, Logs, time);
        _transports.Add((transport, time));
        return transport;
    }

    /// <summary>
    /// Starts <paramref name="count"/> nodes that admit each other; node i dials the nodes started before it (whose
    /// ports are known by then), so every pair gets exactly one connection.
    /// </summary>
    public IReadOnlyList<TcpTransport> StartMesh(int count, TcpTlsOptions? tls = null, Action<TcpTransportOptions>? tweak = null)
    {
        var keys = Enumerable.Range(0, count).Select(_ => NewKey()).ToArray();
        var started = new List<TcpTransport>();
        for (int i = 0; i < count; i++)
        {
            var peers = keys.Select((k, j) => j == i ? null : new TcpPeer(k.PublicKey, j < i ? started[j].ListenEndPoint : null))
                .OfType<TcpPeer>();
            var options = Options(keys[i], peers, tls);
            tweak?.Invoke(options);
            started.Add(Start(options));
        }

        return started;
    }

    /// <summary>The next event of <paramref name="kind"/> for <paramref name="peer"/> (others are skipped), within <see cref="RawPeer.Timeout"/>.</summary>
    public static async Task<ChainInterop.Transport.ConnectionEvent> NextEventAsync(TcpTransport transport, NodeId peer, ChainInterop.Transport.ConnectionEventKind kind)
    {
        while (true)
        {
            var e = await transport.ConnectionEvents.ReadAsync().AsTask().WaitAsync(RawPeer.Timeout);
            if (e.Peer == peer && e.Kind == kind)
            {
                return e;
            }
        }
    }

    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=chaininterop-test-node", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (transport, time) in _transports)
        {
            // A virtual clock moves only when told: advance it while the transport shuts down, so that its drain
            // deadline can pass whatever the test left behind.
            var disposing = transport.DisposeAsync().AsTask();
            while (time is FakeTimeProvider fake && !disposing.IsCompleted)
            {
                fake.Advance(TimeSpan.FromMilliseconds(100));
                await Task.WhenAny(disposing, Task.Delay(10));
            }

            await disposing;
        }

        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}

/// <summary>An <see cref="ILoggerFactory"/> that keeps every entry with its structured fields, and lets a test wait for one.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly object _gate = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public IEnumerable<LogEntry> Closed(ChainInterop.Transport.ConnectionCloseReason reason) =>
        _entries.Where(e => e.EventId == 7102 && Equals(e.Get("Reason"), reason));

    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? RawPeer.Timeout);
        while (true)
        {
            Task added;
            lock (_gate)
            {
                added = _added.Task;
            }

            var found = _entries.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("No matching log entry. Entries:\n" + string.Join("\n", _entries.Select(e => e.Message)));
            }

            await Task.WhenAny(added, Task.Delay(left));
        }
    }

    public Task<LogEntry> WaitForCloseAsync(ChainInterop.Transport.ConnectionCloseReason reason) =>
        WaitForAsync(e => e.EventId == 7102 && Equals(e.Get("Reason"), reason));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        _entries.Enqueue(entry);
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    internal sealed record LogEntry(string Category, LogLevel Level, int EventId, IReadOnlyList<KeyValuePair<string, object?>> State, string Message)
    {
        public object? Get(string name) => State.FirstOrDefault(kv => kv.Key == name).Value;
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner.Add(new LogEntry(category, logLevel, eventId.Id, [.. fields], formatter(state, exception)));
        }
    }
}
