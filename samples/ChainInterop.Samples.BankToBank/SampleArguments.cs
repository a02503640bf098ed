using System.Globalization;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Samples.BankToBank;

/// <summary>The sample's command line: which parts run and how the settlement network is wired.</summary>
/// <param name="Help">Print the usage and stop.</param>
/// <param name="Settlement">Run the bank-to-bank settlement demo (issue 6).</param>
/// <param name="Earlier">Run the earlier demos (foundation, intermediary ledger, vouchers, payment channel).</param>
/// <param name="Demo">The settlement demo's options.</param>
public sealed record SampleArguments(bool Help, bool Settlement, bool Earlier, SettlementDemoOptions Demo)
{
    /// <summary>The usage text, one flag per line; the defaults are read from <see cref="SettlementDemoOptions"/>, so they cannot drift.</summary>
    public static string Usage { get; } = BuildUsage(new SettlementDemoOptions());

    private static string BuildUsage(SettlementDemoOptions defaults) => $"""
        usage: dotnet run --project samples/ChainInterop.Samples.BankToBank [-- FLAGS]
          (no flags)          the settlement demo (in-process transport, file stores in a temp dir), then the earlier demos
          --tcp               run every chain's consensus and the relays over TCP on 127.0.0.1 (free ports)
          --in-memory         keep blocks in memory instead of temp-dir file stores
          --transfers N       real-time transfers in the stream (default {defaults.Transfers}, 1..{SettlementDemoOptions.MaxTransfers})
          --netting N         netting-mode transfers in the cycle through icc-east (default {defaults.NettingTransfers}, 0 skips it)
          --clients N         operator clients per bank submitting concurrently (default {defaults.ClientsPerBank}, 1..{SettlementDemoOptions.MaxClientsPerBank})
          --log LEVEL         log consensus and relays to the console (Debug, Information, Warning, …)
          --seed N            seed of the transfer stream (default {defaults.Seed})
          --settlement-only   run only the settlement demo
          --earlier-only      run only the earlier demos (foundation, intermediary ledger, vouchers, channel)
          --help              this text
        exit code: 0 on success, 1 if the settlement demo's conservation check fails, 2 on a bad flag
        """;

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="parsed">The arguments when valid.</param>
    /// <param name="error">Why they are not, when invalid.</param>
    /// <returns>Whether the arguments are valid.</returns>
    public static bool TryParse(IReadOnlyList<string> args, out SampleArguments parsed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool help = false, settlement = true, earlier = true;
        var demo = new SettlementDemoOptions { LiveProgress = !Console.IsOutputRedirected };
        parsed = new SampleArguments(false, true, true, demo);
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    help = true;
                    break;
                case "--tcp":
                    demo = demo with { Tcp = true };
                    break;
                case "--in-memory":
                    demo = demo with { FileStores = false };
                    break;
                case "--settlement-only":
                    earlier = false;
                    break;
                case "--earlier-only":
                    settlement = false;
                    break;
                case "--log":
                    if (i + 1 >= args.Count || !Enum.TryParse<LogLevel>(args[i + 1], ignoreCase: true, out var level) || !Enum.IsDefined(level))
                    {
                        error = "--log needs a level: Trace, Debug, Information, Warning, Error or Critical";
                        return false;
                    }

                    demo = demo with { LogLevel = level };
                    i++;
                    break;
                case "--transfers" or "--netting" or "--clients" or "--seed":
                    if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int value))
                    {
                        error = $"{args[i]} needs a non-negative whole number";
                        return false;
                    }

                    (demo, error) = args[i] switch
                    {
                        "--transfers" when value is >= 1 and <= SettlementDemoOptions.MaxTransfers => (demo with { Transfers = value }, null),
                        "--netting" when value <= SettlementDemoOptions.MaxTransfers => (demo with { NettingTransfers = value }, null),
                        "--clients" when value is >= 1 and <= SettlementDemoOptions.MaxClientsPerBank => (demo with { ClientsPerBank = value }, null),
                        "--seed" => (demo with { Seed = value }, null),
                        _ => (demo, $"{args[i]} {value} is out of range"),
                    };
                    if (error is not null)
                    {
                        return false;
                    }

                    i++;
                    break;
                default:
                    error = $"unknown flag '{args[i]}'";
                    return false;
            }
        }

        if (!settlement && !earlier)
        {
            error = "--settlement-only and --earlier-only exclude each other";
            return false;
        }

        parsed = new SampleArguments(help, settlement, earlier, demo);
        error = null;
        return true;
    }
}
