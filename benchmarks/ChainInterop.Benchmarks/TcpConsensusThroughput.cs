using System.Diagnostics;
using System.Globalization;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Samples.Node;
using ChainInterop.Transport.Tcp;

namespace ChainInterop.Benchmarks;

/// <summary>
/// PBFT with four node processes (samples/ChainInterop.Samples.Node) over TCP on loopback, next to the same chain
/// in one process (<see cref="InProcessChain"/>) in the same run: closed-loop clients, each with one request
/// outstanding (K2), every request Ed25519-signed and every reply checked.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --tcp-consensus [--clients N] [--requests N]</c>.</remarks>
public static class TcpConsensusThroughput
{
    public static async Task RunAsync(string[] args)
    {
        int clients = PairedRatios.ArgValue(args, "--clients", 32);
        int requests = PairedRatios.ArgValue(args, "--requests", 4_000);
        Console.WriteLine($"{clients} closed-loop clients, {requests} signed requests, 4 PBFT validators, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| chain | committed tx/s | p50 latency ms | p99 latency ms |");
        Console.WriteLine("|---|---:|---:|---:|");
        var inProcess = await InProcessAsync(clients, requests);
        Print("4 replicas in one process (in-memory transport)", inProcess);
        var tcp = await TcpAsync(clients, requests);
        Print("4 node processes over TCP (loopback)", tcp);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TCP / in-process throughput: {tcp.Tps / inProcess.Tps:F2}"));
    }

    private static void Print(string name, (double Tps, double P50, double P99) r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.Tps:F0} | {r.P50:F1} | {r.P99:F1} |"));

    private static async Task<(double Tps, double P50, double P99)> InProcessAsync(int clients, int requests)
    {
        await using var chain = await InProcessChain.StartAsync(new InProcessChainOptions { ChainId = new ChainId("bench-in-process"), UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 5 });
        var keys = Enumerable.Range(0, clients).Select(_ => SignatureSchemes.Ed25519.GenerateKey()).ToArray();
        var chainClients = keys.Select(chain.CreateClient).ToArray();
        try
        {
            return await DriveAsync(chainClients, requests);
        }
        finally
        {
            foreach (var client in chainClients)
            {
                await client.DisposeAsync();
            }

            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    private static async Task<(double Tps, double P50, double P99)> TcpAsync(int clients, int requests)
    {
        string directory = Path.Combine(Path.GetTempPath(), "chaininterop-bench-tcp-" + Guid.NewGuid().ToString("N"));
        var (nodes, clientFiles) = NodeConfig.WriteTestChain(directory, "bench-tcp", NodeConfig.FreeLoopbackPorts(4), clients);
        var processes = new List<Process>();
        var keys = new List<PrivateKey>();
        var transports = new List<TcpTransport>();
        var chainClients = new List<ChainClient>();
        try
        {
            foreach (string node in nodes)
            {
                processes.Add(await StartNodeAsync(node));
            }

            foreach (string file in clientFiles)
            {
                var config = NodeConfig.Load(file);
                var key = config.LoadKey();
                keys.Add(key);
                var options = new TcpTransportOptions();
                config.ConfigureTransport(options, key);
                var transport = TcpTransport.Start(options);
                transports.Add(transport);
                chainClients.Add(ChainClient.Connect(transport, new ChainId(config.ChainId), config.ValidatorSet(), key));
            }

            await DriveAsync([.. chainClients], Math.Min(200, requests)); // warm-up: connections, JIT
            return await DriveAsync([.. chainClients], requests);
        }
        finally
        {
            foreach (var client in chainClients)
            {
                await client.DisposeAsync();
            }

            foreach (var transport in transports)
            {
                await transport.DisposeAsync();
            }

            foreach (var key in keys)
            {
                key.Dispose();
            }

            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Each client submits its share of <paramref name="requests"/> one at a time; returns throughput and latency percentiles.</summary>
    private static async Task<(double Tps, double P50, double P99)> DriveAsync(ChainClient[] clients, int requests)
    {
        var latencies = new double[requests];
        int next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                long start = Stopwatch.GetTimestamp();
                await client.SubmitAsync(BitConverter.GetBytes(i)).WaitAsync(TimeSpan.FromMinutes(2));
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })));
        double seconds = watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return (requests / seconds, latencies[requests / 2], latencies[(int)(requests * 0.99)]);
    }

    private static async Task<Process> StartNodeAsync(string config)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ChainInterop.Samples.Node.dll");
        var process = new Process
        {
            StartInfo = new ProcessStartInfo("dotnet", ["exec", dll, "run", config]) { RedirectStandardOutput = true, UseShellExecute = false },
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith("READY", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        if (await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(60))) != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"node {config} did not start");
        }

        return process;
    }
}
