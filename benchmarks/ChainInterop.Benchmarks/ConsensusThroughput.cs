using System.Diagnostics;
using System.Globalization;
using ChainInterop.Blocks;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;

namespace ChainInterop.Benchmarks;

/// <summary>
/// PBFT throughput and latency with four replicas in one process over the in-memory transport, under the runtime
/// driver (<see cref="ReplicaHost"/>), next to the signature bound measured in the same run: Ed25519 verifications
/// per second on all cores divided by the number of replicas (every replica verifies every request once).
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --consensus [--requests N]</c>.</remarks>
public static class ConsensusThroughput
{
    private const int Replicas = 4;
    private static readonly ChainId Chain = new("bench-chain");

    // Process CPU time over wall time × cores during the last measured run: near 100 % means CPU-bound.
    private static double LastCpuUtilisation;

    public static async Task RunAsync(string[] args)
    {
        int requests = PairedRatios.ArgValue(args, "--requests", 20_000);
        // --zero-only skips the signed runs and their bound (e.g. to profile the protocol alone).
        if (!args.Contains("--zero-only"))
        {
            await RunSignedAsync(requests);
        }

        // The BFT-SMaRt style "0/0" microbenchmark: empty requests and replies, no client signatures to verify and
        // no reply signatures (ClientAuthentication.TrustedTransport); what is left is the protocol itself.
        Console.WriteLine();
        Console.WriteLine("0/0 (empty payloads, TrustedTransport):");
        Console.WriteLine();
        Console.WriteLine("| batch (max requests/block) | requests | committed ops/s | CPU busy | blocks |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (int batch in new[] { 100, 1000, 4000 })
        {
            var (ops, blocks, _, _) = await RunOnceAsync(batch, requests * 5, offeredPerSecond: null, ClientAuthentication.TrustedTransport, payloadBytes: 0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {batch} | {requests * 5} | {ops:F0} | {LastCpuUtilisation:P0} | {blocks} |"));
        }
    }

    /// <summary>Signed requests at batch sizes 1, 100 and 1,000, next to the signature bound measured first.</summary>
    private static async Task RunSignedAsync(int requests)
    {
        double bound = MeasureSignatureBound() / Replicas;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Signature bound: {bound * Replicas:F0} Ed25519 verifies/s on {Environment.ProcessorCount} cores / {Replicas} replicas = {bound:F0} requests/s"));
        Console.WriteLine();
        Console.WriteLine("| batch (max requests/block) | requests | committed tx/s | of signature bound | CPU busy | blocks | p50 latency ms | p99 latency ms |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int batch in new[] { 1, 100, 1000 })
        {
            int n = batch == 1 ? Math.Min(requests, 2_000) : requests;
            var (tps, blocks, _, _) = await RunOnceAsync(batch, n, offeredPerSecond: null, ClientAuthentication.Signatures, payloadBytes: 8);
            double cpu = LastCpuUtilisation;
            // Latency at half of the measured peak: offer requests at a steady rate of tps / 2.
            var (_, _, p50, p99) = await RunOnceAsync(batch, Math.Min(n, 4_000), offeredPerSecond: tps / 2, ClientAuthentication.Signatures, payloadBytes: 8);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} | {n} | {tps:F0} | {tps / bound:P0} | {cpu:P0} | {blocks} | {p50:F1} | {p99:F1} |"));
        }
    }

    private static async Task<(double Tps, ulong Blocks, double P50, double P99)> RunOnceAsync(
        int batch, int count, double? offeredPerSecond, ClientAuthentication mode, int payloadBytes)
    {
        var keys = Enumerable.Range(0, Replicas).Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(i)).ToArray())).ToArray();
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var network = new InMemoryNetwork();
        var hosts = new List<ReplicaHost>();
        var stores = new List<InMemoryBlockStore>();
        // Pre-signed requests from many clients (client signing is the client's cost, not the chain's).
        var clients = Enumerable.Range(0, 64).Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(1000 + i)).ToArray())).ToArray();
        var pending = Enumerable.Range(0, count)
            .Select(i => ClientRequest.Create(clients[i % clients.Length], Chain, (ulong)(i / clients.Length) + 1, BitConverter.GetBytes(i).AsSpan(0, payloadBytes == 0 ? 0 : 4)))
            .ToArray();
        var submittedAt = new long[count];
        var latencies = new List<double>(count);
        var index = pending.Select((r, i) => (r.Digest, i)).ToDictionary(p => p.Digest, p => p.i);
        try
        {
            foreach (var key in keys)
            {
                var options = new ReplicaOptions
                {
                    ChainId = Chain, Validators = validators, MaxBatchRequests = batch, BatchDelayMs = 1, ViewChangeTimeoutMs = 10_000,
                    MaxPendingRequests = count + 1, ClientAuthentication = mode,
                };
                var replica = new PbftReplica(options, key, null);
                var store = new InMemoryBlockStore(Chain);
                stores.Add(store);
                var host = new ReplicaHost(replica, validators, network.Connect(replica.Id), store);
                host.Start();
                hosts.Add(host);
            }

            var primary = hosts[0]; // view 0
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var consumer = Task.Run(async () =>
            {
                // Replies of the primary's node mark commits (every honest replica replies; one suffices to time it).
                int done = 0;
                await foreach (var reply in primary.Replies.ReadAllAsync())
                {
                    latencies.Add(Stopwatch.GetElapsedTime(submittedAt[index[reply.RequestDigest]]).TotalMilliseconds);
                    if (++done == count)
                    {
                        return;
                    }
                }
            });

            double intervalTicks = offeredPerSecond is { } rate ? Stopwatch.Frequency / rate : 0;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                if (intervalTicks > 0)
                {
                    long due = start + (long)(i * intervalTicks);
                    while (Stopwatch.GetTimestamp() < due)
                    {
                        await Task.Yield();
                    }
                }

                submittedAt[i] = Stopwatch.GetTimestamp();
                await primary.SubmitAsync(pending[i]);
            }

            if (await Task.WhenAny(consumer, Task.Delay(TimeSpan.FromMinutes(3))) != consumer)
            {
                throw new TimeoutException($"batch {batch}: {latencies.Count} of {count} committed in 3 minutes");
            }

            double seconds = watch.Elapsed.TotalSeconds;
            LastCpuUtilisation = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (seconds * Environment.ProcessorCount);
            latencies.Sort();
            ulong blocks = (stores[0].Tip?.Height ?? 0) + 1;
            return (count / seconds, blocks, latencies[latencies.Count / 2], latencies[(int)(latencies.Count * 0.99)]);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            foreach (var key in keys.Concat(clients))
            {
                key.Dispose();
            }
        }
    }

    /// <summary>Ed25519 verifications per second with every core verifying (the raw bound a replica set shares; the settlement mode's too).</summary>
    internal static double MeasureSignatureBound()
    {
        using var key = SignatureSchemes.Ed25519.ImportPrivateKey(new byte[32]);
        var message = new byte[128];
        var signature = key.Sign(message);
        var publicKey = key.PublicKey;
        long total = 0;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, _ =>
        {
            long local = 0;
            while (watch.ElapsedMilliseconds < 2000)
            {
                publicKey.Verify(message, signature);
                local++;
            }

            Interlocked.Add(ref total, local);
        });
        return total / watch.Elapsed.TotalSeconds;
    }
}
