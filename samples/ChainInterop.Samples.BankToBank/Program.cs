// ChainInterop sample: bank-to-bank settlement, built up issue by issue.
// Run: dotnet run --project samples/ChainInterop.Samples.BankToBank [-- --help]
using ChainInterop.Samples.BankToBank;
using ChainInterop.Storage;

if (!SampleArguments.TryParse(args, out var options, out string? error))
{
    await Console.Error.WriteLineAsync($"{error}{Environment.NewLine}{SampleArguments.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(SampleArguments.Usage);
    return 0;
}

int exitCode = 0;
if (options.Settlement)
{
    // 1. Four banks' PPCs and two clearing ICCs, each its own 4-validator PBFT chain: a stream of real-time transfers,
    //    a time-out, two refusals, and every balance checked for conservation (issue 6).
    var report = await SettlementDemo.RunAsync(options.Demo, Console.Out);
    exitCode = report.Conserved ? 0 : 1;
}

if (options.Earlier)
{
    // 2. Identities, signatures, canonical encoding and a verified chain.
    FoundationDemo.Run();

    // 3. An intermediary's dual-chain ledger (ABC + two TBCs) on disk, surviving a restart, in both storage modes:
    //    switching between physical and logical isolation is one option.
    await IntermediaryDemo.RunAsync(StorageIsolation.Physical);
    await IntermediaryDemo.RunAsync(StorageIsolation.Logical);

    // 4. A cross-bank card payment through co-signed vouchers, cleared on a PBFT voucher ledger (seed 001, V1–V4).
    await VoucherDemo.RunAsync();

    // 5. A metered service paid through an iterative payment channel: 1,000 payments off chain, one on chain (seed 004).
    await ChannelDemo.RunAsync();
}

return exitCode;
