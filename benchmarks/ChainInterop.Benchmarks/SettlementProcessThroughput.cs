using System.Diagnostics;
using System.Globalization;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Hosting;
using ChainInterop.Integration.Tests;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Storage;
using Microsoft.Extensions.Configuration;

namespace ChainInterop.Benchmarks;

/// <summary>
/// The same settlement network as node processes over TCP and as one process (issues 15 and 16): two banks' PPCs and one
/// ICC (its ABC and two TBCs), 4 PBFT validators per chain, as 12 processes (logical isolation: an ICC process runs its
/// ABC and TBC validators) and as 20 (physical isolation), laid out by <see cref="SettlementNetworkLayout"/> (same keys, operators, balances; file stores
/// in both). The workload is the same code in both: each bank's operator client runs a closed loop — start a transfer to
/// the other bank, wait for its outcome on its own PPC (<see cref="SettlementClientExtensions.WaitForOutcomeAsync(ChainClient, TransferStarted, TimeSpan, CancellationToken)"/>,
/// reading through consensus every 20 ms), start the next. The three networks take turns for <c>--rounds</c> rounds of
/// <c>--seconds</c> each, so both see the same machine; the table gives medians over the rounds.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --settlement-processes [--rounds 3] [--seconds 15] [--warmup 3]</c>.</remarks>
public static class SettlementProcessThroughput
{
    private static readonly AssetCode Usd = new("USD");
    private static readonly ChainId BankA = new("ppc-bank-a");
    private static readonly ChainId BankB = new("ppc-bank-b");
    private static readonly ChainId Icc = new("icc-1");

    public static async Task RunAsync(string[] args)
    {
        int rounds = PairedRatios.ArgValue(args, "--rounds", 3);
        int seconds = PairedRatios.ArgValue(args, "--seconds", 15);
        int warmup = PairedRatios.ArgValue(args, "--warmup", 3);
        string root = Path.Combine(Path.GetTempPath(), "chaininterop-bench-sn-" + Guid.NewGuid().ToString("N"));
        var inProcess = new List<Round>();
        var processes = new List<Round>();
        var physical = new List<Round>();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                inProcess.Add(await InProcessRoundAsync(Path.Combine(root, $"in-process-{round}"), seconds, warmup));
                processes.Add(await ProcessRoundAsync(Path.Combine(root, $"processes-{round}"), seconds, warmup, IntermediaryStorage.Logical));
                physical.Add(await ProcessRoundAsync(Path.Combine(root, $"physical-{round}"), seconds, warmup, IntermediaryStorage.Physical));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}: in-process {inProcess[^1].Describe()}; 12 processes {processes[^1].Describe()}; 20 processes {physical[^1].Describe()}"));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A stopping process may still hold a file; the temp directory is cleaned eventually.
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"2 PPCs + 1 ICC (its ABC and 2 TBCs), 4 PBFT validators per chain, file stores; one operator client per bank in a closed loop (start, outcome read through consensus every 20 ms); {rounds} interleaved rounds of {seconds} s after {warmup} s warm-up; medians over rounds; {Environment.ProcessorCount} cores."));
        Console.WriteLine();
        Console.WriteLine("| network | transfers/s | p50 ms | p99 ms | transfers timed |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        foreach (var (name, list) in new[]
        {
            ("one process (in-memory transport)", inProcess),
            ("12 processes, logical isolation: an ICC process runs its ABC and TBC validators (TCP on 127.0.0.1)", processes),
            ("20 processes, physical isolation: a process per ABC and TBC validator (TCP on 127.0.0.1)", physical),
        })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {PairedRatios.Median([.. list.Select(r => r.PerSecond)]):F1} | {PairedRatios.Median([.. list.Select(r => r.P50)]):F0} | {PairedRatios.Median([.. list.Select(r => r.P99)]):F0} | {list.Sum(r => r.Count)} |"));
        }

        double ratio = PairedRatios.Median([.. processes.Zip(inProcess, (p, i) => p.PerSecond / i.PerSecond)]);
        Console.WriteLine();
        double physicalRatio = PairedRatios.Median([.. physical.Zip(processes, (p, l) => p.PerSecond / l.PerSecond)]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"12 processes / one process, transfers/s (median of the per-round ratios): {ratio:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"physical / logical isolation (20 / 12 processes), transfers/s (median of the per-round ratios): {physicalRatio:F2}"));
    }

    private static async Task<Round> InProcessRoundAsync(string directory, int seconds, int warmup)
    {
        var files = SettlementNetworkLayout.Write(directory, new SettlementLayoutOptions());
        var network = Network(files);
        var keys = new Dictionary<(ChainId, int), PrivateKey>();
        foreach (var chain in network.Chains)
        {
            for (int i = 0; i < network.ValidatorsOf(chain).Count; i++)
            {
                keys[(chain, i)] = KeyFile.Read(Path.Combine(directory, "keys", $"{chain}-{i}.key"));
            }
        }

        using var operatorA = KeyFile.Read(files.OperatorKeys[0]);
        using var operatorB = KeyFile.Read(files.OperatorKeys[1]);
        try
        {
            await using var settlement = await InProcessSettlementNetwork.StartAsync(network.ToSpec(), new InProcessSettlementOptions
            {
                ValidatorKeys = (chain, i) => keys[(chain, i)],
                Operators = network.Chains.ToDictionary(c => c, network.OperatorsOf),
                Stores = (chain, i) => new FileBlockStoreProvider(new FileStoreOptions { Path = Path.Combine(directory, "data", $"{chain}-{i}") }),
            });
            using var a = settlement.CreateClient(BankA, operatorA);
            using var b = settlement.CreateClient(BankB, operatorB);
            return await MeasureAsync(a, b, seconds, warmup);
        }
        finally
        {
            foreach (var key in keys.Values)
            {
                key.Dispose();
            }
        }
    }

    private static async Task<Round> ProcessRoundAsync(string directory, int seconds, int warmup, IntermediaryStorage isolation)
    {
        var layout = new SettlementLayoutOptions { IntermediaryStorage = isolation };
        layout.BasePort = ChainInterop.Testing.FreePorts.Block(SettlementNetworkLayout.PortsNeeded(layout));
        var files = SettlementNetworkLayout.Write(directory, layout);
        var nodes = new List<NodeProcess>();
        try
        {
            nodes.AddRange(await Task.WhenAll(files.NodeConfigs.Select(c => NodeProcess.StartAsync(["settlement", "run", c]))));
            await using var a = SettlementClientSession.Open(files.ClientConfigs[0]);
            await using var b = SettlementClientSession.Open(files.ClientConfigs[1]);
            return await MeasureAsync(a.Client, b.Client, seconds, warmup);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }

    /// <summary>Both banks' closed loops at once; transfers that complete within the timed window count.</summary>
    private static async Task<Round> MeasureAsync(ChainClient a, ChainClient b, int seconds, int warmup)
    {
        var start = Stopwatch.GetTimestamp();
        double from = warmup, to = warmup + seconds;
        var latencies = await Task.WhenAll(LoopAsync(a, BankB), LoopAsync(b, BankA));
        var timed = latencies.SelectMany(l => l).Where(l => l.DoneAt >= from && l.DoneAt < to).Select(l => l.Ms).Order().ToArray();
        return new Round(timed.Length / (double)seconds, timed.Length == 0 ? double.NaN : PairedRatios.Percentile(timed, 0.5),
            timed.Length == 0 ? double.NaN : PairedRatios.Percentile(timed, 0.99), timed.Length);

        async Task<List<(double DoneAt, double Ms)>> LoopAsync(ChainClient client, ChainId payee)
        {
            var done = new List<(double, double)>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(to + 60));
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < to)
            {
                var began = Stopwatch.GetTimestamp();
                var tx = Hash256.Compute(Guid.NewGuid().ToByteArray());
                var started = await client.StartTransferAsync(new StartTransfer(tx, Icc, new AccountId("customer-1"), payee, new AccountId("customer-2"), Usd,
                    new Amount(1), AckMode.ModeI, SettlementTiming.RealTime, DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeMilliseconds()), stop.Token);
                if (!started.IsAccepted)
                {
                    throw new InvalidOperationException($"transfer {tx.ToShortString()} refused: {started.Result}");
                }

                var outcome = await client.WaitForOutcomeAsync(started, TimeSpan.FromMilliseconds(20), stop.Token);
                if (outcome != CrossChainTransactionState.Committed)
                {
                    throw new InvalidOperationException($"transfer {tx.ToShortString()} ended {outcome}");
                }

                done.Add((Stopwatch.GetElapsedTime(start).TotalSeconds, Stopwatch.GetElapsedTime(began).TotalMilliseconds));
            }

            return done;
        }
    }

    private static SettlementNetworkOptions Network(ChainInterop.Hosting.SettlementLayoutFiles files)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(files.ClientConfigs[0]).Build();
        var network = new SettlementNetworkOptions();
        configuration.GetSection(SettlementNetworkOptions.SectionName).Bind(network);
        return network;
    }

    private sealed record Round(double PerSecond, double P50, double P99, int Count)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{PerSecond:F1}/s p50 {P50:F0} ms p99 {P99:F0} ms");
    }
}
