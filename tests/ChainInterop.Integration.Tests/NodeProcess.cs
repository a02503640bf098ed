using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ChainInterop.Integration.Tests;

/// <summary>One node host (samples/ChainInterop.Samples.Node) running as a child process; watches its stdout.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _output = new();
    private long _committedHeight = -1;
    private readonly List<(long Height, TaskCompletionSource Reached)> _heightWaiters = [];
    private readonly List<(string Fragment, TaskCompletionSource Seen)> _lineWaiters = [];

    private NodeProcess(IEnumerable<string> arguments)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ChainInterop.Samples.Node.dll");
        _process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", ["exec", dll, .. arguments])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
            EnableRaisingEvents = true,
        };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The highest height this node reported committed (-1 before any).</summary>
    public long CommittedHeight => Interlocked.Read(ref _committedHeight);

    /// <summary>Completes when the node reports (<c>COMMITTED</c>) a height at or above <paramref name="height"/>.</summary>
    public Task WaitForHeightAsync(long height, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_heightWaiters)
        {
            if (CommittedHeight >= height)
            {
                return Task.CompletedTask;
            }

            _heightWaiters.Add((height, reached));
        }

        return reached.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when the node prints (or printed, among its last 200 lines) a line containing <paramref name="fragment"/>.</summary>
    public Task WaitForLineAsync(string fragment, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lineWaiters)
        {
            if (_output.Any(line => line.Contains(fragment, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            _lineWaiters.Add((fragment, seen));
        }

        return seen.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The last lines the node printed (for failure messages).</summary>
    public string Tail => string.Join('\n', _output.TakeLast(30));

    /// <summary>How long a node may take to print READY: generous, because a busy machine starts processes many times slower.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Starts <c>run CONFIG</c> (one validator of one chain) and waits for READY.</summary>
    public static Task<NodeProcess> StartAsync(string config) => StartAsync(["run", config]);

    /// <summary>Starts the node program with <paramref name="arguments"/> and waits for READY.</summary>
    public static async Task<NodeProcess> StartAsync(IReadOnlyList<string> arguments)
    {
        string config = string.Join(' ', arguments);
        var node = new NodeProcess(arguments);

        // READY or the process's exit, whichever first; the budget cancels the wait for the exit.
        using var budget = new CancellationTokenSource(StartTimeout);
        if (await Task.WhenAny(node._ready.Task, node._process.WaitForExitAsync(budget.Token)) != node._ready.Task)
        {
            string tail = node.Tail;
            node.Dispose();
            throw new InvalidOperationException($"node {config} did not start:\n{tail}");
        }

        return node;
    }

    /// <summary>Runs the node program once with <paramref name="arguments"/> (a client command) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunOnceAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ChainInterop.Samples.Node.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", ["exec", dll, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await errors);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lineWaiters)
        {
            _output.Enqueue(line);
            foreach (var waiter in _lineWaiters.Where(w => line.Contains(w.Fragment, StringComparison.Ordinal)).ToList())
            {
                _lineWaiters.Remove(waiter);
                waiter.Seen.TrySetResult();
            }
        }

        while (_output.Count > 200)
        {
            _output.TryDequeue(out _);
        }

        if (line.StartsWith("READY", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
        else if (line.StartsWith("COMMITTED ", StringComparison.Ordinal))
        {
            long height = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture); // "COMMITTED height [entries]"
            long seen;
            while ((seen = Interlocked.Read(ref _committedHeight)) < height && Interlocked.CompareExchange(ref _committedHeight, height, seen) != seen)
            {
            }

            lock (_heightWaiters)
            {
                foreach (var waiter in _heightWaiters.Where(w => w.Height <= height).ToList())
                {
                    waiter.Reached.TrySetResult();
                    _heightWaiters.Remove(waiter);
                }
            }
        }
    }
}
