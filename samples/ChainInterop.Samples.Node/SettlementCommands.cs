using System.Globalization;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Hosting;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChainInterop.Samples.Node;

/// <summary>
/// The settlement node program (README "Run a settlement network on your machines"):
/// <c>init</c> writes a whole network's keys and configs, <c>run</c> runs the validators a config names on the .NET
/// Generic Host, <c>transfer</c> and <c>balance</c> are a bank's settlement client.
/// </summary>
internal static partial class SettlementCommands
{
    public const string Usage =
        "settlement init --dir DIR [--banks 2] [--validators 4] [--intermediaries 1] [--base-port 7100] [--engine pbft|cbft] [--isolation logical|physical]\n"
        + "settlement run NODE.json [--print-heights]\n"
        + "settlement transfer CLIENT.json --from ACCOUNT --to CHAIN:ACCOUNT --amount MINOR_UNITS [--asset USD] [--via ICC] [--count 1]\n"
        + "settlement balance CLIENT.json ACCOUNT [--asset USD]";

    public static async Task<int> RunAsync(string[] args)
    {
        string verb = args.Length > 1 ? args[1] : "";
        return verb switch
        {
            "init" => Init(args),
            "run" when args.Length > 2 => await RunNodeAsync(args[2], args.Contains("--print-heights")),
            "transfer" when args.Length > 2 => await TransferAsync(args[2], args),
            "balance" when args.Length > 3 => await BalanceAsync(args[2], args[3], Text(args, "--asset") ?? "USD"),
            _ => PrintUsage(),
        };
    }

    private static int PrintUsage()
    {
        Console.WriteLine("usage:\n" + Usage);
        return 1;
    }

    private static int Init(string[] args)
    {
        string dir = Text(args, "--dir") ?? throw new InvalidDataException("settlement init needs --dir");
        var files = SettlementNetworkLayout.Write(dir, new SettlementLayoutOptions
        {
            Banks = Number(args, "--banks", 2),
            ValidatorsPerChain = Number(args, "--validators", 4),
            Intermediaries = Number(args, "--intermediaries", 1),
            BasePort = Number(args, "--base-port", 7100),
            Engine = Text(args, "--engine") switch
            {
                null or "pbft" => ConsensusEngine.Pbft,
                "cbft" => ConsensusEngine.Cbft,
                var other => throw new InvalidDataException($"settlement init: unknown engine '{other}' (pbft or cbft)"),
            },
            // Where an ICC's ABC and TBC validators run: one process per ICC validator (logical) or one per chain's validator (physical).
            IntermediaryStorage = Text(args, "--isolation") switch
            {
                null or "logical" => IntermediaryStorage.Logical,
                "physical" => IntermediaryStorage.Physical,
                var other => throw new InvalidDataException($"settlement init: unknown isolation '{other}' (logical or physical)"),
            },
        });
        foreach (string node in files.NodeConfigs)
        {
            Console.WriteLine($"node:   {node}");
        }

        foreach (string client in files.ClientConfigs)
        {
            Console.WriteLine($"client: {client}");
        }

        return 0;
    }

    /// <summary>Runs the validators of one node config until SIGTERM or Ctrl+C; prints READY once they run.</summary>
    private static async Task<int> RunNodeAsync(string path, bool printHeights)
    {
        string file = Path.GetFullPath(path);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = Path.GetDirectoryName(file) });
        builder.Configuration.AddJsonFile(file, optional: false);
        builder.Configuration.AddEnvironmentVariables(); // after the file: ChainInterop__Node__DataDirectory=… overrides it
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddChainInterop().AddSettlementNode(builder.Configuration, Path.GetDirectoryName(file));
        builder.Services.AddHostedService<HealthReporter>();
        if (printHeights)
        {
            builder.Services.AddHostedService<HeightPrinter>();
        }

        using var host = builder.Build();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            var validators = host.Services.GetRequiredService<SettlementNodeService>().Validators;
            Console.WriteLine($"READY {string.Join(" ", validators.Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Chain}/{v.Index}")))}");
        });
        try
        {
            await host.RunAsync();
        }
        catch (OptionsValidationException e)
        {
            foreach (string failure in e.Failures)
            {
                await Console.Error.WriteLineAsync($"configuration error: {failure}");
            }

            return 2;
        }
        catch (KeyFileException e)
        {
            await Console.Error.WriteLineAsync($"key error: {e.Message}");
            return 2;
        }

        Console.WriteLine("STOPPED");
        return 0;
    }

    /// <summary>Starts transfers from a bank's PPC and waits for each outcome, as the bank's settlement service.</summary>
    private static async Task<int> TransferAsync(string path, string[] args)
    {
        await using var session = SettlementClientSession.Open(path);
        string to = Text(args, "--to") ?? throw new InvalidDataException("settlement transfer needs --to CHAIN:ACCOUNT");
        int colon = to.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new InvalidDataException($"--to {to}: expected CHAIN:ACCOUNT");
        }

        var payer = new AccountId(Text(args, "--from") ?? throw new InvalidDataException("settlement transfer needs --from ACCOUNT"));
        var payeeChain = new ChainId(to[..colon]);
        var payee = new AccountId(to[(colon + 1)..]);
        var asset = new AssetCode(Text(args, "--asset") ?? "USD");
        long amount = long.Parse(Text(args, "--amount") ?? throw new InvalidDataException("settlement transfer needs --amount"), CultureInfo.InvariantCulture);
        var via = Text(args, "--via") is { } icc ? new ChainId(icc) : session.Network.ToSpec().IntermediariesOf(session.Chain)[0];
        int count = Number(args, "--count", 1);
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            var tx = Hash256.Compute(Guid.NewGuid().ToByteArray());
            long time1 = DateTimeOffset.UtcNow.AddMinutes(2).ToUnixTimeMilliseconds();
            var started = await session.Client.StartTransferAsync(new StartTransfer(tx, via, payer, payeeChain, payee, asset, new Amount(amount),
                AckMode.ModeI, SettlementTiming.RealTime, time1)).WaitAsync(TimeSpan.FromSeconds(60));
            Console.WriteLine($"TRANSFER {tx.ToShortString()} {(started.IsAccepted ? "accepted" : started.Result.Code == Settlement.Relay.SettlementEntryCode.Executed ? $"refused {started.Reason}" : $"refused {started.Result.Code}")}");
            if (!started.IsAccepted)
            {
                failures++;
                continue;
            }

            var outcome = await session.Client.WaitForOutcomeAsync(started, TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromMinutes(3));
            Console.WriteLine($"OUTCOME {tx.ToShortString()} {outcome}");
            failures += outcome == CrossChainTransactionState.Committed ? 0 : 1;
        }

        return failures == 0 ? 0 : 4;
    }

    private static async Task<int> BalanceAsync(string path, string account, string asset)
    {
        await using var session = SettlementClientSession.Open(path);
        var answer = await session.Client.QueryBalanceAsync(new AccountId(account), new AssetCode(asset)).WaitAsync(TimeSpan.FromSeconds(60));
        if (answer.Balance is not { } balance)
        {
            Console.WriteLine($"BALANCE {session.Chain} {account} {asset} none ({answer.Code})");
            return answer.Code == Settlement.Relay.SettlementEntryCode.Answered ? 0 : 4;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BALANCE {session.Chain} {account} {asset} posted {balance.Posted.MinorUnits} pending-debits {balance.PendingDebits.MinorUnits} pending-credits {balance.PendingCredits.MinorUnits}"));
        return 0;
    }

    private static int Number(string[] args, string name, int fallback) =>
        Text(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? Text(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>Prints <c>COMMITTED height</c> whenever the node's first validator executed a higher block (for scripts and tests).</summary>
    private sealed class HeightPrinter(SettlementNodeService node) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            ulong? printed = null;
            try
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
                    if (node.Validators is [var first, ..] && first.ExecutedHeight is { } height && height != printed)
                    {
                        printed = height;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COMMITTED {height}"));
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping.
            }
        }
    }

    /// <summary>Logs the node's health report every 10 s (the settlement-node health check).</summary>
    private sealed partial class HealthReporter(HealthCheckService health, ILogger<HealthReporter> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                while (!stoppingToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), stoppingToken);
                    var report = await health.CheckHealthAsync(stoppingToken);
                    foreach (var (name, entry) in report.Entries)
                    {
                        string data = string.Join("; ", entry.Data.Select(d => $"{d.Key}: {d.Value}"));
                        LogHealth(log, name, entry.Status, entry.Description ?? "", data);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping.
            }
        }

        [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "health {Name}: {Status}: {Description} [{Data}]")]
        private static partial void LogHealth(ILogger logger, string name, HealthStatus status, string description, string data);
    }
}
