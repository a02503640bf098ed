using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Benchmarks;

/// <summary>
/// End-to-end cross-chain transfers per second (issue 6): 4 banks' PPCs and one ICC, each chain 4 PBFT validators,
/// all in one process (<see cref="InProcessSettlementNetwork"/>: client signatures verified, relays carrying every
/// message between chains with f + 1 attestations). Several operator clients per bank keep transfers outstanding
/// (closed loop: each client submits its next <see cref="StartTransfer"/> as soon as its PPC committed the last; at
/// most <c>--window</c> transfers in flight in all), real time or netting (cycles of <c>--cycle-ms</c> closed by the
/// ICC's ticks); a transfer is done when the payee's PPC (validator 0) holds it <see cref="CrossChainTransactionState.Committed"/>. Throughput is counted over a timed window after a
/// warm-up, next to the signature bound measured in the same run: Ed25519 verifications per second on all cores
/// divided by the verifications one transfer needs (see <see cref="RequestVerificationsPerTransfer"/>).
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --settlement [--seconds 20] [--warmup 5] [--clients 8] [--window 64] [--batch-delay 5] [--timing realtime|netting] [--cycle-ms 2000] [--retry-ms 1000]</c>;
/// <c>SETTLEMENT_BENCH_VERBOSE=1</c> prints progress each second and the committed entries' codes per chain.</remarks>
public static class SettlementThroughput
{
    private const int Banks = 4;
    private const int ValidatorsPerChain = 4;
    private const int CustomersPerBank = 64;
    private const long OpeningBalance = 1_000_000_000_000;
    private static readonly AssetCode Usd = new("USD");
    private static readonly ChainId Icc = new("icc-0");

    /// <summary>
    /// Signature verifications one real-time, Mode I transfer needs, before consensus overhead (counted; see
    /// docs/BENCHMARKS.md): the bank's <see cref="StartTransfer"/> request verified by the 4 PPC1 validators (4), the
    /// bank's client checking f + 1 = 2 signed replies (2), and five cross-chain deliveries — request PPC1 → ICC,
    /// offer ICC → PPC2, accept PPC2 → ICC, committed ICC → PPC2 and ICC → PPC1 — each attested to the destination
    /// chain by its 4 validators, every attestation a client request verified by that chain's 4 validators (5 × 16 = 80).
    /// </summary>
    public const int RequestVerificationsPerTransfer = 4 + 2 + 5 * 4 * 4;

    /// <summary>Committed client requests one such transfer makes: its <see cref="StartTransfer"/> and 4 attestations of each of its 5 deliveries.</summary>
    public const int RequestsPerTransfer = 1 + 5 * 4;

    /// <summary>Consensus signature verifications per block of a 4-validator PBFT chain (counted; see docs/BENCHMARKS.md).</summary>
    public const int ConsensusVerificationsPerBlock = 32;

    public static async Task RunAsync(string[] args)
    {
        int seconds = PairedRatios.ArgValue(args, "--seconds", 20);
        int warmup = PairedRatios.ArgValue(args, "--warmup", 5);
        int clients = PairedRatios.ArgValue(args, "--clients", 8);
        int window = PairedRatios.ArgValue(args, "--window", 64);
        int batchDelay = PairedRatios.ArgValue(args, "--batch-delay", 5);
        int retryMs = PairedRatios.ArgValue(args, "--retry-ms", 1_000);
        int cycleMs = PairedRatios.ArgValue(args, "--cycle-ms", 2_000);
        int timingAt = Array.IndexOf(args, "--timing");
        var timing = timingAt >= 0 && timingAt + 1 < args.Length && args[timingAt + 1] == "netting" ? SettlementTiming.Netting : SettlementTiming.RealTime;

        double boundBefore = ConsensusThroughput.MeasureSignatureBound();
        var run = await RunOnceAsync(timing, seconds, warmup, clients, window, batchDelay, retryMs, cycleMs);
        double boundAfter = ConsensusThroughput.MeasureSignatureBound();
        double verifies = (boundBefore + boundAfter) / 2;
        double needed = RequestVerificationsPerTransfer + (run.BlocksPerTransfer * ConsensusVerificationsPerBlock);
        double bound = verifies / needed;
        double strictBound = verifies / RequestVerificationsPerTransfer;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Banks} PPCs + 1 ICC, {ValidatorsPerChain} PBFT validators each, {timing}, Mode I; {Banks} x {clients} operator clients, window {window}, batch delay {batchDelay} ms, relay retry {retryMs} ms{(timing == SettlementTiming.Netting ? $", netting cycles of {cycleMs} ms" : "")}; {warmup} s warm-up, {seconds} s timed."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Ed25519 verifies/s on {Environment.ProcessorCount} cores: {boundBefore:F0} before, {boundAfter:F0} after (mean {verifies:F0})."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Verifications one transfer needs: {RequestVerificationsPerTransfer} (requests, attestations, replies) + {ConsensusVerificationsPerBlock} x {run.BlocksPerTransfer:F2} blocks per transfer (consensus, this run's batches over the 5 chains) = {needed:F1}."));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Committed requests per transfer: {run.RequestsPerTransfer:F2} ({RequestsPerTransfer} its own; the rest ticks and resubmitted attestations)."));
        Console.WriteLine();
        Console.WriteLine("| transfers/s | signature bound | **of bound** | bound without consensus | of it | p50 ms | p99 ms | CPU busy | failed | completed in window |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {run.Tps:F1} | {bound:F1} | **{run.Tps / bound:P0}** | {strictBound:F1} | {run.Tps / strictBound:P0} | {run.P50:F0} | {run.P99:F0} | {run.Cpu:P0} | {run.Failed} | {run.Completed} |"));
    }

    private sealed record Result(double Tps, double P50, double P99, double Cpu, long Completed, long Failed,
        double BlocksPerTransfer, double RequestsPerTransfer);

    private static async Task<Result> RunOnceAsync(SettlementTiming timing, int seconds, int warmup, int clientsPerBank, int window, int batchDelay, int retryMs, int cycleMs)
    {
        var banks = Enumerable.Range(0, Banks).Select(b => new ChainId($"bank-{b}")).ToArray();
        var operatorKeys = banks.ToDictionary(b => b, b => Enumerable.Range(0, clientsPerBank)
            .Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(Encoding.UTF8.GetBytes($"bench/{b}/operator/{i}")).ToArray())).ToArray());
        var customers = Enumerable.Range(0, CustomersPerBank).Select(i => new AccountId($"customer-{i}")).ToArray();
        var balances = new Dictionary<AssetCode, long> { [Usd] = OpeningBalance };
        var spec = new SettlementNetworkSpec(
            [Usd],
            [.. banks.Select(b => new ParticipantSpec(b, [.. customers.Select(c => new CustomerSpec(c, balances))], balances, balances))],
            [new IntermediarySpec(Icc, banks)]);

        var codes = new SortedDictionary<string, long>();
        var inFlight = new ConcurrentDictionary<Hash256, (ChainId Payee, long StartedAt)>();
        var slots = new SemaphoreSlim(window, window);
        var latencies = new ConcurrentQueue<double>();
        long completed = 0, failed = 0, blocks = 0, requests = 0;
        long windowStart = long.MaxValue;
        bool measuring = false;

        var options = new InProcessSettlementOptions
        {
            UseDemoKeys = true,
            ValidatorsPerChain = ValidatorsPerChain,
            Operators = operatorKeys.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<NodeId>)kv.Value.Select(k => NodeId.FromPublicKey(k.PublicKey)).ToHashSet()),
            ConfigureReplica = o => o.BatchDelayMs = batchDelay,

            // Netting: cycles of cycleMs on the ICC's committed clock, closed by its ticks; a transfer commits at its cycle's end.
            Cycles = timing == SettlementTiming.Netting
                ? icc => new SettlementCycle(new CycleId(icc, 0), SettlementCyclePolicy.ByDuration(TimeSpan.FromMilliseconds(cycleMs)), 0)
                : null,
            ChainTickIntervalMs = PairedRatios.ArgValue(Environment.GetCommandLineArgs(), "--chain-tick-ms", 1_000),
            Relay = new CrossChainRelayOptions { RetryMs = retryMs, ResubmitMs = retryMs },
            Executed = (chain, result) =>
            {
                // Validator 0 of every chain, on its host's thread.
                if (Volatile.Read(ref measuring))
                {
                    Interlocked.Increment(ref blocks);
                    Interlocked.Add(ref requests, result.Entries.Count);
                }

                if (Volatile.Read(ref measuring))
                {
                    lock (codes)
                    {
                        foreach (var entry in result.Entries)
                        {
                            var k = $"{chain} {entry.Code} {entry.Execution?.Code}";
                            codes[k] = codes.GetValueOrDefault(k) + 1;
                        }

                        codes[$"{chain} outbound"] = codes.GetValueOrDefault($"{chain} outbound") + result.Outbound.Count;
                    }
                }

                foreach (var entry in result.Entries)
                {
                    if (entry.Execution is not { State: { } state } execution
                        || !inFlight.TryGetValue(execution.TransactionId, out var transfer) || transfer.Payee != chain && state is not (CrossChainTransactionState.Failed or CrossChainTransactionState.Cancelled))
                    {
                        continue;
                    }

                    bool done = state is CrossChainTransactionState.Committed;
                    bool lost = state is CrossChainTransactionState.Failed or CrossChainTransactionState.Cancelled;
                    if ((done || lost) && inFlight.TryRemove(execution.TransactionId, out _))
                    {
                        if (lost)
                        {
                            Interlocked.Increment(ref failed);
                        }
                        else if (transfer.StartedAt >= Volatile.Read(ref windowStart))
                        {
                            latencies.Enqueue(Stopwatch.GetElapsedTime(transfer.StartedAt).TotalMilliseconds);
                        }

                        if (done && Volatile.Read(ref measuring))
                        {
                            Interlocked.Increment(ref completed);
                        }

                        slots.Release();
                    }
                }
            },
        };

        await using var network = await InProcessSettlementNetwork.StartAsync(spec, options);
        using var stop = new CancellationTokenSource();
        long next = 0;
        long time1 = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var workers = new List<Task>();
        var chainClients = new List<ChainClient>();
        for (int b = 0; b < Banks; b++)
        {
            var payer = banks[b];
            foreach (var key in operatorKeys[payer])
            {
                var client = network.CreateClient(payer, key);
                chainClients.Add(client);
                workers.Add(Task.Run(async () =>
                {
                    try
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            await slots.WaitAsync(stop.Token);
                            long n = Interlocked.Increment(ref next);
                            var payee = banks[(Array.IndexOf(banks, payer) + 1 + (int)(n % (Banks - 1))) % Banks];
                            var tx = Hash256.Compute(BitConverter.GetBytes(n));
                            inFlight[tx] = (payee, Stopwatch.GetTimestamp());
                            var transfer = new StartTransfer(tx, Icc, customers[n % CustomersPerBank], payee, customers[(n / Banks) % CustomersPerBank],
                                Usd, new Amount(1), AckMode.ModeI, timing, time1);
                            await client.StartTransferAsync(transfer, stop.Token);
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        // Stopping.
                    }
                }));
            }
        }

        bool verbose = Environment.GetEnvironmentVariable("SETTLEMENT_BENCH_VERBOSE") == "1";
        var progress = verbose ? Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(1000);
                Console.WriteLine($"started {Interlocked.Read(ref next)}, in flight {inFlight.Count}, completed {Interlocked.Read(ref completed)}, relay backlog {network.RelayBacklog}, heights {string.Join(" ", network.Chains.Select(c => string.Join("/", network.ValidatorsOf(c).Select(v => v.ExecutedHeight ?? 0))))}");
            }
        }) : Task.CompletedTask;
        await Task.Delay(TimeSpan.FromSeconds(warmup));
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Volatile.Write(ref windowStart, Stopwatch.GetTimestamp());
        Volatile.Write(ref measuring, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);

        double elapsed = watch.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / (elapsed * Environment.ProcessorCount);
        long done = Interlocked.Read(ref completed);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        foreach (var client in chainClients)
        {
            await client.DisposeAsync();
        }

        foreach (var key in operatorKeys.Values.SelectMany(k => k))
        {
            key.Dispose();
        }

        if (verbose)
        {
            foreach (var (k, v) in codes)
            {
                Console.WriteLine($"{k}: {v}");
            }
        }

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        double p50 = sorted.Length == 0 ? double.NaN : PairedRatios.Percentile(sorted, 0.5);
        double p99 = sorted.Length == 0 ? double.NaN : PairedRatios.Percentile(sorted, 0.99);
        double blocksPerTransfer = done == 0 ? double.NaN : (double)blocks / done;
        double requestsPerTransfer = done == 0 ? double.NaN : (double)requests / done;

        return new Result(done / elapsed, p50, p99, cpu, done, Interlocked.Read(ref failed), blocksPerTransfer, requestsPerTransfer);
    }
}
