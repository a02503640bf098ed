using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Durable store throughput and recovery (C5), a Stopwatch harness because the work is fsync-bound:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --store [--dir PATH] [--runs N] [--recovery-mb N]
if (args.Contains("--store"))
{
    await ChainInterop.Benchmarks.StoreThroughput.RunAsync(args);
    return;
}

// PBFT throughput and latency, four replicas in one process, next to the signature bound of the same run:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --consensus [--requests N]
if (args.Contains("--consensus"))
{
    await ChainInterop.Benchmarks.ConsensusThroughput.RunAsync(args);
    return;
}

// Voucher co-signing flows per second (V1–V4, protocol objects only) next to the signature bound of the same run:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --vouchers [--flows N] [--rounds R]
if (args.Contains("--vouchers"))
{
    ChainInterop.Benchmarks.VoucherThroughput.Run(args);
    return;
}

// PBFT over TCP with four node processes, next to the same chain in one process (same run):
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --tcp-consensus [--clients N] [--requests N]
if (args.Contains("--tcp-consensus"))
{
    await ChainInterop.Benchmarks.TcpConsensusThroughput.RunAsync(args);
    return;
}

// Payment channel (seed 004): provider-side verification rate next to the raw Ed25519 verify loop, same run, one
// thread each; then a whole channel on a 4-validator PBFT chain to count its on-chain submissions:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --channel [--rounds N] [--units N]
if (args.Contains("--channel"))
{
    await ChainInterop.Benchmarks.ChannelThroughput.RunAsync(args);
    return;
}

// TCP transport vs a raw socket loop, two processes on loopback (the benchmark re-launches itself as the receiver):
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --transport [--rounds N] [--mb N]
if (args.Contains("--transport-child"))
{
    await ChainInterop.Benchmarks.TransportThroughput.RunChildAsync();
    return;
}

if (args.Contains("--transport"))
{
    await ChainInterop.Benchmarks.TransportThroughput.RunAsync(args);
    return;
}

// Cross-chain transfers end to end (issue 6): 4 PPCs + 1 ICC, 4 PBFT validators each, one process, next to the
// signature bound for the verifications one transfer needs, measured in the same run:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --settlement [--seconds N] [--warmup N] [--clients N] [--window N] [--batch-delay MS] [--timing realtime|netting]
if (args.Contains("--settlement"))
{
    await ChainInterop.Benchmarks.SettlementThroughput.RunAsync(args);
    return;
}

// The same 2-bank settlement network (its ICC an ABC and two TBCs) in one process, as 12 node processes (logical
// isolation) and as 20 (physical isolation) over TCP, interleaved rounds (issues 15 and 16):
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --settlement-processes [--rounds 3] [--seconds 15] [--warmup 3]
if (args.Contains("--settlement-processes"))
{
    await ChainInterop.Benchmarks.SettlementProcessThroughput.RunAsync(args);
    return;
}

// Same-run ratios (ours vs. Protobuf, Ed25519 through our API vs. raw NSec, System.IO.Hashing's CRC-32C vs. ours)
// from interleaved rounds, robust to a noisy machine; --crc runs the CRC-32C pairs alone:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --paired [--rounds N]
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --crc [--rounds N]
if (args.Contains("--paired") || args.Contains("--crc"))
{
    ChainInterop.Benchmarks.PairedRatios.Run(args);
    return;
}

// Issue 14: the canonical codec on MessagePack-CSharp vs the codec it replaced vs Protobuf, interleaved, one process:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --codec [--rounds N]
if (args.Contains("--codec"))
{
    ChainInterop.Benchmarks.CodecComparison.Run(args);
    return;
}

// Netting engine (S3, Alg. 11): 1,000,000 transactions among 100 participants x 3 assets, next to a bare summation
// loop over the same records in the same run:
//   dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --netting [--transactions N] [--rounds N] [--seed N]
if (args.Contains("--netting"))
{
    ChainInterop.Benchmarks.NettingThroughput.Run(args);
    return;
}

// Run all: dotnet run -c Release --project benchmarks/ChainInterop.Benchmarks -- --filter '*'
// The machine is shared and noisy: a short job, and the median column is the figure to quote.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(12).WithLaunchCount(1))
    .AddColumn(StatisticColumn.Median)
    .WithOption(ConfigOptions.JoinSummary, false);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
