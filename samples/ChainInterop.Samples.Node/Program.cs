using System.Globalization;
using System.Runtime.InteropServices;
using ChainInterop;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Samples.Node;
using ChainInterop.Transport.Tcp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// One validator of one chain over TCP (C6), configured by a file; see README "Run a 4-node chain".
//   init   --dir DIR [--nodes 4] [--base-port 7100] [--chain ppc-bank-a] [--engine pbft|cbft|single-authority]
//   run    NODE.json                 runs a validator until SIGINT/SIGTERM
//   submit CLIENT.json [--count N]   submits N requests as the chain's client and prints the replies
// and a settlement network's validators and bank clients (README "Run a settlement network on your machines"):
//   settlement init|run|transfer|balance …   (SettlementCommands.Usage)
string command = args.FirstOrDefault() ?? "help";
try
{
    return command switch
    {
        "init" => Init(args),
        "run" when args.Length >= 2 => await RunAsync(args[1]),
        "submit" when args.Length >= 2 => await SubmitAsync(args[1], Option(args, "--count", 10)),
        "settlement" => await SettlementCommands.RunAsync(args),
        _ => Usage(),
    };
}
catch (InvalidDataException e)
{
    await Console.Error.WriteLineAsync($"configuration error: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.WriteLine("usage: init --dir DIR [--nodes 4] [--base-port 7100] [--chain ID] [--engine pbft|cbft|single-authority] | run NODE.json | submit CLIENT.json [--count N]");
    Console.WriteLine("   or: " + SettlementCommands.Usage.Replace("\n", "\n       ", StringComparison.Ordinal));
    return 1;
}

static int Init(string[] args)
{
    string dir = OptionText(args, "--dir") ?? throw new InvalidDataException("init needs --dir");
    var (nodes, client) = NodeConfig.WriteTestChain(dir, OptionText(args, "--chain") ?? "ppc-bank-a", Option(args, "--nodes", 4),
        Option(args, "--base-port", 7100), OptionText(args, "--engine") ?? "pbft");
    foreach (string node in nodes)
    {
        Console.WriteLine($"validator: {node}");
    }

    Console.WriteLine($"client:    {client}");
    return 0;
}

static async Task<int> RunAsync(string path)
{
    var config = NodeConfig.Load(path);
    using var key = config.LoadKey();
    var chainId = new ChainId(config.ChainId);
    var services = new ServiceCollection();
    services.AddLogging(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }).SetMinimumLevel(LogLevel.Information));
    var chain = services.AddChainInterop()
        .AddFileStore(config.Resolve(config.DataDirectory ?? throw new InvalidDataException($"{path}: a validator needs a dataDirectory")))
        .AddTcpTransport(o => config.ConfigureTransport(o, key))
        .AddChain(chainId, o =>
        {
            o.Replica.Validators = config.ValidatorSet();
            o.Replica.BatchDelayMs = config.BatchDelayMs;
            o.Replica.ViewChangeTimeoutMs = config.ViewChangeTimeoutMs;
            o.SigningKey = key;
            o.ServeRemoteClients = true;
        });
    _ = config.Engine switch
    {
        "pbft" => chain.AddPbft(),
        "cbft" => chain.AddCbft(),
        "single-authority" => chain.AddSingleAuthority(),
        _ => throw new InvalidDataException($"{path}: unknown engine '{config.Engine}'"),
    };

    await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    var transport = provider.GetRequiredService<TcpTransport>();
    await using var host = await provider.GetRequiredService<ChainNodeFactory>().StartAsync(chainId, transport, observer: new CommitPrinter());

    // Graceful shutdown on Ctrl+C or SIGTERM: stop the replica, then the transport and the store (disposed with the container).
    var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.TrySetResult();
    });
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.TrySetResult();
    };
    Console.WriteLine($"READY {NodeId.FromPublicKey(key.PublicKey).ToShortString()} {config.ChainId} {transport.ListenEndPoint}");
    await Task.WhenAny(stop.Task, host.Completion);
    Console.WriteLine("STOPPING");
    if (host.Completion.IsFaulted)
    {
        await Console.Error.WriteLineAsync($"replica stopped: {host.Completion.Exception?.GetBaseException().Message}");
        return 3;
    }

    return 0;
}

static async Task<int> SubmitAsync(string path, int count)
{
    var config = NodeConfig.Load(path);
    using var key = config.LoadKey();
    var options = new TcpTransportOptions();
    config.ConfigureTransport(options, key);
    await using var transport = TcpTransport.Start(options);
    await using var client = ChainClient.Connect(transport, new ChainId(config.ChainId), config.ValidatorSet(), key);
    for (int i = 0; i < count; i++)
    {
        var reply = await client.SubmitAsync(System.Text.Encoding.UTF8.GetBytes($"request {i}")).WaitAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"REPLY {i} height {reply.Height} entry {reply.EntryIndex}"));
    }

    return 0;
}

static int Option(string[] args, string name, int fallback)
{
    string? text = OptionText(args, name);
    return text is null ? fallback : int.Parse(text, CultureInfo.InvariantCulture);
}

static string? OptionText(string[] args, string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>Prints each block this node commits (after it is stored), for scripts that wait for progress.</summary>
internal sealed class CommitPrinter : ICommittedBlockObserver
{
    public ValueTask OnCommittedAsync(CommittedBlock block, BlockExecution execution, bool replayed, CancellationToken cancellationToken)
    {
        if (!replayed)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COMMITTED {block.Height} {block.Block.Entries.Count}"));
        }

        return ValueTask.CompletedTask;
    }
}
