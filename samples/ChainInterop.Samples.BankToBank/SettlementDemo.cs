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
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// Bank-to-bank settlement (issue 6 §6, docs/SETTLEMENT.md): four banks, each a PPC run by 4 PBFT validators, and two
/// clearing ICCs (4 validators each) in one <see cref="InProcessSettlementNetwork"/>. A stream of real-time transfers
/// (Mode I and Mode II, USD and EUR) is submitted concurrently by several operator clients per bank while a progress
/// line shows transfers started, committed and cancelled and the relays' backlog; then one transfer whose Time1 has
/// already passed is cancelled (Alg. 12), one is refused by its payer's PPC and one by its payee's PPC, each shown with
/// its typed reason; finally every balance is read back from the validators and checked for conservation per asset.
/// </summary>
public static partial class SettlementDemo
{
    private static readonly ChainId BankA = new("bank-a");
    private static readonly ChainId BankB = new("bank-b");
    private static readonly ChainId BankC = new("bank-c");
    private static readonly ChainId BankD = new("bank-d");
    private static readonly ChainId IccEast = new("icc-east");
    private static readonly ChainId IccWest = new("icc-west");
    private static readonly AssetCode Usd = new("USD");
    private static readonly AssetCode Eur = new("EUR");

    /// <summary>Decimal places of both assets.</summary>
    private const int Scale = 2;

    /// <summary>Validators per chain: 4 tolerates one Byzantine validator per chain.</summary>
    private const int ValidatorsPerChain = 4;

    /// <summary>How far ahead of submission a stream transfer's Time1 lies at least, ms (real time: minutes, not a cycle).</summary>
    private const long StreamTime1AheadMs = 120_000;

    /// <summary>The opening state: 4 banks with 3 customers each; icc-east links A, B, C and icc-west links C, D, A, B, so every pair of banks shares an ICC.</summary>
    /// <returns>The genesis spec.</returns>
    public static SettlementNetworkSpec Spec()
    {
        Dictionary<AssetCode, long> Money(long usd, long eur) => new() { [Usd] = usd * 100, [Eur] = eur * 100 };
        ParticipantSpec Bank(ChainId chain, params string[] customers) => new(
            chain,
            [.. customers.Select((c, i) => new CustomerSpec(new AccountId(c), Money(10_000 + 1_000 * i, 8_000 - 1_000 * i)))],
            TransitLiquidity: Money(50_000, 50_000),
            AbcDeposit: Money(50_000, 50_000));
        return new SettlementNetworkSpec(
            [Usd, Eur],
            [
                Bank(BankA, "alice", "amir", "ana"),
                Bank(BankB, "bob", "bea", "bruno"),
                Bank(BankC, "carol", "chen", "cleo"),
                Bank(BankD, "dave", "dina", "dmitri"),
            ],
            [
                new IntermediarySpec(IccEast, [BankA, BankB, BankC]),
                new IntermediarySpec(IccWest, [BankC, BankD, BankA, BankB]),
            ]);
    }

    /// <summary>Runs the demo and prints it to <paramref name="output"/>.</summary>
    /// <param name="options">How to run; null for the defaults.</param>
    /// <param name="output">Where to print.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>What the run did; <see cref="SettlementDemoReport.Conserved"/> says whether every balance check passed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, or <see cref="SettlementDemoOptions.TimeoutMs"/> passed before the stream finished.</exception>
    public static async Task<SettlementDemoReport> RunAsync(SettlementDemoOptions? options, TextWriter output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        options ??= new SettlementDemoOptions();
        var total = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.TimeoutMs);
        var ct = timeout.Token;

        var spec = Spec();
        output.WriteLine();
        output.WriteLine($"Bank-to-bank settlement: {spec.Participants.Count} banks (PPCs) and {spec.Intermediaries.Count} clearing ICCs, {ValidatorsPerChain} PBFT validators per chain");
        foreach (var icc in spec.Intermediaries)
        {
            // Seed 000's dual chain: the ICC is an account chain (balances) and one trading chain per linked bank.
            output.WriteLine($"  {icc.Chain}: account chain (ABC) {icc.Chain} and trading chains {string.Join(", ", icc.Participants.Select(p => $"{icc.TradingChainOf(p)} ({p})"))}");
        }

        string? storeDirectory = options.FileStores
            ? Path.Combine(Path.GetTempPath(), "chaininterop-b2b-" + Guid.NewGuid().ToString("N")[..12])
            : null;
        output.WriteLine($"  consensus and relays: {(options.Tcp ? "TCP on 127.0.0.1" : "in-process transport")}; blocks: {(storeDirectory is null ? "in memory" : "file stores in " + storeDirectory)}");

        var chains = spec.Chains.ToList();
        var validatorKeys = chains.ToDictionary(c => c, _ => Enumerable.Range(0, ValidatorsPerChain).Select(_ => SignatureSchemes.Ed25519.GenerateKey()).ToArray());
        var operatorKeys = spec.Participants.ToDictionary(p => p.Chain, _ => Enumerable.Range(0, options.ClientsPerBank).Select(_ => SignatureSchemes.Ed25519.GenerateKey()).ToArray());
        var progress = new Progress();
        var clients = new List<ChainClient>();
        InProcessSettlementNetwork? network = null;
        ILoggerFactory? loggers = null;
        try
        {
            var networkOptions = new InProcessSettlementOptions
            {
                ValidatorsPerChain = ValidatorsPerChain,
                ValidatorKeys = (chain, i) => validatorKeys[chain][i],
                Operators = operatorKeys.ToDictionary(kv => kv.Key, kv => (IReadOnlySet<NodeId>)kv.Value.Select(k => NodeId.FromPublicKey(k.PublicKey)).ToHashSet()),
                ChainTickIntervalMs = 250,
                RelayTickIntervalMs = 50,
                Relay = new CrossChainRelayOptions { RetryMs = 300, ResubmitMs = 300 },
                ConfigureReplica = o => o.BatchDelayMs = 2,
                Executed = progress.OnExecuted,
                Cycles = icc => icc == IccEast && options.NettingTransfers > 0
                    ? new SettlementCycle(new CycleId(icc, 0), SettlementCyclePolicy.ByTransactionCount(options.NettingTransfers), 0)
                    : null,
            };
            if (storeDirectory is not null)
            {
                // Fsync once per append batch, as a bank's node would; each validator has its own directory.
                networkOptions.Stores = (chain, i) => new FileBlockStoreProvider(new FileStoreOptions
                {
                    Path = Path.Combine(storeDirectory, chain.ToString(), i.ToString(CultureInfo.InvariantCulture)),
                });
            }

            if (options.LogLevel is { } level)
            {
                loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                }).SetMinimumLevel(level));
                networkOptions.Loggers = loggers;
            }

            if (options.Tcp)
            {
                var tcp = LoopbackTcp.Allocate(spec, validatorKeys);
                networkOptions.ConsensusTransport = tcp.Consensus;
                networkOptions.RelayTransport = tcp.Relay;
                output.WriteLine($"  {tcp.PortCount} loopback ports: consensus {tcp.Describe(BankA)}, …; relays on their own ports");
            }

            var startUp = Stopwatch.StartNew();
            network = await InProcessSettlementNetwork.StartAsync(spec, networkOptions, ct).ConfigureAwait(false);
            startUp.Stop();
            output.WriteLine($"  {chains.Count} chains, {chains.Count * ValidatorsPerChain} validators started in {startUp.ElapsedMilliseconds} ms");

            var bankClients = operatorKeys.ToDictionary(kv => kv.Key, kv => kv.Value.Select(k => network.CreateClient(kv.Key, k)).ToArray());
            clients.AddRange(bankClients.Values.SelectMany(c => c));

            // 1. The stream.
            var plan = PlanStream(spec, options);
            output.WriteLine();
            output.WriteLine($"Stream: {plan.Count} real-time transfers (seed {options.Seed}), {options.ClientsPerBank} operator clients per bank, Mode I and Mode II, USD and EUR");
            var stream = Stopwatch.StartNew();
            using (var printer = new ProgressPrinter(output, options, () => progress.Line(plan.Count, network.RelayBacklog, stream.Elapsed)))
            {
                await RunStreamAsync(network, bankClients, plan, progress, ct).ConfigureAwait(false);
                stream.Stop();
            }

            output.WriteLine($"  {progress.Committed} committed, {progress.Cancelled} cancelled, {progress.Failed} failed in {stream.ElapsedMilliseconds} ms "
                + $"({plan.Count * 1000.0 / Math.Max(1, stream.ElapsedMilliseconds):F0} transfers/s end to end)");

            // 2. A transfer that times out, and two that are refused, each with its typed reason.
            output.WriteLine();
            output.WriteLine("Exceptions (Alg. 12, Alg. 3–4):");
            var (timedOut, unfunded, unknownPayee) = await RunExceptionsAsync(network, bankClients, progress, options, output, ct).ConfigureAwait(false);

            // 3. A netting cycle through icc-east and its report.
            output.WriteLine();
            var netting = options.NettingTransfers > 0 ? await RunNettingAsync(network, bankClients, options, output, ct).ConfigureAwait(false) : null;

            // 4. Every balance, read back from the validators, checked for conservation.
            await WaitUntilSettledAsync(network, options.SettleWaitMs, ct).ConfigureAwait(false);
            output.WriteLine();
            PrintDualChain(network, output, storeDirectory is null ? "in memory" : "logical isolation: one store per chain and validator");
            output.WriteLine();
            PrintBalances(network, output);
            var checks = CheckConservation(network);
            output.WriteLine();
            output.WriteLine("Conservation (per asset; every validator of every chain):");
            foreach (var check in checks)
            {
                output.WriteLine($"  {(check.Passed ? "PASS" : "FAIL")}  {check.Name,-46} genesis {Format(check),14}  now {Format(check, actual: true),14}");
            }

            bool conserved = checks.All(c => c.Passed);
            output.WriteLine($"  conservation: {(conserved ? "PASS" : "FAIL")}");

            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            clients.Clear();
            await network.DisposeAsync().ConfigureAwait(false);
            network = null;
            output.WriteLine($"  total {total.ElapsedMilliseconds} ms (start-up {startUp.ElapsedMilliseconds} ms, stream {stream.ElapsedMilliseconds} ms)");
            return new SettlementDemoReport(plan.Count, progress.Committed, progress.Cancelled, progress.Failed, timedOut, unfunded, unknownPayee,
                netting, checks, startUp.ElapsedMilliseconds, stream.ElapsedMilliseconds, total.ElapsedMilliseconds);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            if (network is not null)
            {
                await network.DisposeAsync().ConfigureAwait(false);
            }

            loggers?.Dispose();
            foreach (var key in validatorKeys.Values.Concat(operatorKeys.Values).SelectMany(k => k))
            {
                key.Dispose();
            }

            if (storeDirectory is not null && Directory.Exists(storeDirectory))
            {
                Directory.Delete(storeDirectory, recursive: true);
                output.WriteLine($"  removed {storeDirectory}");
            }
        }
    }

    /// <summary>The stream, drawn from the seed: random payer and payee customers of two different banks, an ICC both banks are linked to.</summary>
    private static List<StartTransfer> PlanStream(SettlementNetworkSpec spec, SettlementDemoOptions options)
    {
        var random = new Random(options.Seed);
        long time1 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Time1AheadMs(options);
        var plan = new List<StartTransfer>(options.Transfers);
        for (int n = 0; n < options.Transfers; n++)
        {
            var payer = spec.Participants[random.Next(spec.Participants.Count)];
            var others = spec.Participants.Where(p => p.Chain != payer.Chain).ToList();
            var payee = others[random.Next(others.Count)];
            var shared = spec.IntermediariesOf(payer.Chain).Intersect(spec.IntermediariesOf(payee.Chain)).ToList();
            if (shared.Count == 0)
            {
                throw new InvalidOperationException($"{payer.Chain} and {payee.Chain} share no ICC: the topology cannot carry this transfer.");
            }

            plan.Add(new StartTransfer(
                TransactionId(options.Seed, $"stream/{n}"),
                shared[random.Next(shared.Count)],
                payer.Customers[random.Next(payer.Customers.Count)].Account,
                payee.Chain,
                payee.Customers[random.Next(payee.Customers.Count)].Account,
                random.Next(2) == 0 ? Usd : Eur,
                Amount.FromMinorUnits(random.Next(1_00, 250_01)),
                random.Next(2) == 0 ? AckMode.ModeI : AckMode.ModeII,
                SettlementTiming.RealTime,
                time1));
        }

        return plan;
    }

    /// <summary>
    /// Each bank's clients submit its transfers concurrently, each client one at a time: it starts a transfer on its
    /// PPC, waits for the payer PPC's outcome, then starts the next (at most banks × clients transfers in flight).
    /// </summary>
    private static async Task RunStreamAsync(InProcessSettlementNetwork network, Dictionary<ChainId, ChainClient[]> bankClients,
        List<StartTransfer> plan, Progress progress, CancellationToken ct)
    {
        var submitters = new List<Task>();
        foreach (var (bank, clients) in bankClients)
        {
            var own = plan.Select((t, n) => (t, n)).Where(x => PayerOf(network.Spec, x.t) == bank).ToList();
            for (int c = 0; c < clients.Length; c++)
            {
                var client = clients[c];
                var share = own.Where((_, i) => i % clients.Length == c).Select(x => x.t).ToList();
                submitters.Add(Task.Run(async () =>
                {
                    foreach (var transfer in share)
                    {
                        await client.StartTransferAsync(transfer, ct).ConfigureAwait(false);
                        progress.Started();
                        await TrackAsync(network, bank, transfer.TransactionId, progress, ct).ConfigureAwait(false);
                    }
                }, ct));
            }
        }

        await Task.WhenAll(submitters).ConfigureAwait(false);
    }

    private static async Task TrackAsync(InProcessSettlementNetwork network, ChainId payer, Hash256 tx, Progress progress, CancellationToken ct) =>
        progress.Finished(await network.WaitForOutcomeAsync(payer, tx, ct).ConfigureAwait(false));

    private static async Task<(TransferOutcome TimedOut, TransferOutcome Unfunded, TransferOutcome UnknownPayee)> RunExceptionsAsync(
        InProcessSettlementNetwork network, Dictionary<ChainId, ChainClient[]> bankClients, Progress progress, SettlementDemoOptions options, TextWriter output,
        CancellationToken ct)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var late = new StartTransfer(TransactionId(0, "late"), IccEast, new AccountId("alice"), BankB, new AccountId("bob"), Usd,
            Amount.FromMinorUnits(75_00), AckMode.ModeI, SettlementTiming.RealTime, now - 5_000);
        var unfunded = new StartTransfer(TransactionId(0, "unfunded"), IccWest, new AccountId("chen"), BankD, new AccountId("dave"), Eur,
            Amount.FromMinorUnits(1_000_000_00), AckMode.ModeII, SettlementTiming.RealTime, now + Time1AheadMs(options));
        var stranger = new StartTransfer(TransactionId(0, "stranger"), IccWest, new AccountId("dina"), BankA, new AccountId("mallory"), Usd,
            Amount.FromMinorUnits(20_00), AckMode.ModeII, SettlementTiming.RealTime, now + Time1AheadMs(options));
        foreach (var t in new[] { late, unfunded, stranger })
        {
            progress.Watch(t.TransactionId);
        }

        var results = await Task.WhenAll(
            RunOneAsync(network, bankClients[BankA][0], BankA, late, progress, ct),
            RunOneAsync(network, bankClients[BankC][0], BankC, unfunded, progress, ct),
            RunOneAsync(network, bankClients[BankD][0], BankD, stranger, progress, ct)).ConfigureAwait(false);

        // Let the decisions reach the other chains too, so each trail is complete.
        await WaitUntilSettledAsync(network, options.SettleWaitMs, ct).ConfigureAwait(false);
        results = [.. results.Select((r, i) => r with { Trail = progress.TrailOf(r.TransactionId, Chains(new[] { late, unfunded, stranger }[i])) })];
        Print(output, $"alice@bank-a pays bob@bank-b 75.00 USD with Time1 5 s ago (via icc-east)", results[0]);
        Print(output, $"chen@bank-c pays dave@bank-d 1000000.00 EUR, more than chen holds (via icc-west)", results[1]);
        Print(output, $"dina@bank-d pays mallory@bank-a 20.00 USD, an account bank-a does not have (via icc-west)", results[2]);
        return (results[0], results[1], results[2]);
    }

    private static async Task<TransferOutcome> RunOneAsync(InProcessSettlementNetwork network, ChainClient client, ChainId payer, StartTransfer transfer,
        Progress progress, CancellationToken ct)
    {
        // The PPC's reply tells at once whether it accepted the transfer; a refusal is final with its reason.
        var started = await client.StartTransferAsync(transfer, ct).ConfigureAwait(false);
        var state = await network.WaitForOutcomeAsync(started, transfer.TransactionId, ct).ConfigureAwait(false);
        var reason = started.IsAccepted
            ? network.ReadParticipant(payer, 0, p => p.GetReason(transfer.TransactionId)) ?? TransferFailureReason.None
            : started.Reason;
        return new TransferOutcome(transfer.TransactionId, state, reason, progress.TrailOf(transfer.TransactionId, Chains(transfer)));
    }

    /// <summary>Seed 000's dual chain as it ran: each ICC's ABC and TBCs with their heights, and one TBC's records of its bank.</summary>
    private static void PrintDualChain(InProcessSettlementNetwork network, TextWriter output, string storage)
    {
        output.WriteLine($"The intermediaries as dual chains (validator 0; storage: {storage}):");
        foreach (var icc in network.Spec.Intermediaries)
        {
            output.WriteLine($"  {icc.Chain,-14} ABC  height {network.ValidatorsOf(icc.Chain)[0].ExecutedHeight,6}  balances of {icc.Participants.Count} banks and the clearing account");
            foreach (var bank in icc.Participants)
            {
                var tbc = icc.TradingChainOf(bank);
                var (count, committed) = network.ReadTradingChain(tbc, 0, t =>
                    (t.Records.TransactionCount, t.Records.TransactionIds.Count(id => t.Records.Find(id)!.Status == TradeStatus.Committed)));
                output.WriteLine($"  {tbc,-14} TBC  height {network.ValidatorsOf(tbc)[0].ExecutedHeight,6}  {count,4} transaction records of {bank}, {committed} committed");
            }
        }

        var sample = network.Spec.Intermediaries[0];
        var first = sample.Participants[0];
        var records = network.ReadTradingChain(sample.TradingChainOf(first), 0, t => t.Records.TransactionIds.Take(3).Select(id => t.Records.Find(id)!).ToList());
        output.WriteLine($"  first records of {first} on {sample.TradingChainOf(first)} (payer → payee, asset, amount, status, ABC leg):");
        foreach (var r in records)
        {
            output.WriteLine($"    {r.TransactionId.ToShortString()}  {r.Payer} → {r.Payee}  {r.Asset} {r.Amount}  {r.Status}  {r.AbcTransfer}");
        }
    }

    private static ChainId[] Chains(StartTransfer t) =>
        [Spec().Participants.First(p => p.Customers.Any(c => c.Account == t.Payer)).Chain, t.Intermediary, t.PayeeChain];

    private static void Print(TextWriter output, string what, TransferOutcome outcome)
    {
        output.WriteLine($"  {what}");
        output.WriteLine($"    tx {outcome.TransactionId.ToShortString()}: {string.Join(" | ", outcome.Trail)}");
        output.WriteLine($"    outcome on the payer's PPC: {outcome.State}, reason {outcome.Reason}");
    }

    /// <summary>
    /// Netting mode (Alg. 11, S3): a batch of transfers between icc-east's banks, in both directions and both assets,
    /// joins icc-east's settlement cycle, which closes once it admitted the batch (a transaction-count policy); at the
    /// cycle end the ICC posts only the net positions on the ABC and both PPCs post their legs. Prints the cycle's report.
    /// </summary>
    private static async Task<CycleReport?> RunNettingAsync(InProcessSettlementNetwork network, Dictionary<ChainId, ChainClient[]> bankClients,
        SettlementDemoOptions options, TextWriter output, CancellationToken ct)
    {
        var spec = network.Spec;
        var members = spec.Intermediaries.First(i => i.Chain == IccEast).Participants;
        var random = new Random(options.Seed + 1);
        long time1 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + Time1AheadMs(options);
        var batch = new List<(ChainId Payer, ChainId Payee, StartTransfer Transfer)>();
        for (int n = 0; n < options.NettingTransfers; n++)
        {
            var payerChain = members[n % members.Count];
            var payeeChain = members[(n + 1 + random.Next(members.Count - 1)) % members.Count];
            var payer = spec.Participants.First(p => p.Chain == payerChain);
            var payee = spec.Participants.First(p => p.Chain == payeeChain);
            batch.Add((payer.Chain, payee.Chain, new StartTransfer(
                TransactionId(options.Seed, $"netting/{n}"),
                IccEast,
                payer.Customers[random.Next(payer.Customers.Count)].Account,
                payee.Chain,
                payee.Customers[random.Next(payee.Customers.Count)].Account,
                random.Next(2) == 0 ? Usd : Eur,
                Amount.FromMinorUnits(random.Next(10_00, 500_01)),
                AckMode.ModeI,
                SettlementTiming.Netting,
                time1)));
        }

        output.WriteLine($"Netting: {batch.Count} netting-mode transfers among {string.Join(", ", members)} through {IccEast}, one settlement cycle closing after {batch.Count} transactions");

        // A netting transfer stays tentative until its cycle ends, so every bank submits its share, then all outcomes are awaited.
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(batch.GroupBy(b => b.Payer).Select(async share =>
        {
            foreach (var (_, _, transfer) in share)
            {
                await bankClients[share.Key][0].StartTransferAsync(transfer, ct).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        long submittedMs = clock.ElapsedMilliseconds;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(options.SettleWaitMs);
        CrossChainTransactionState[] states;
        try
        {
            states = await Task.WhenAll(batch.Select(b => network.WaitForOutcomeAsync(b.Payee, b.Transfer.TransactionId, bounded.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Say what each chain holds instead of waiting on: the conservation check will then report the pending legs.
            output.WriteLine($"  the cycle did not settle within {options.SettleWaitMs} ms:");
            output.WriteLine(network.ReadIntermediary(IccEast, 0, i =>
                $"    {IccEast}: open cycle {i.Cycle?.Id} {i.Cycle?.State} started {i.Cycle?.StartedCount} inflight {i.Cycle?.InFlightCount}; closed: "
                + string.Join("; ", i.ClosedCycles.Select(c => $"{c.Id} {c.State} started {c.StartedCount} inflight {c.InFlightCount} abandoned {c.AbandonedCount} book {c.Obligations.Count}"))
                + $"; under review {i.CyclesUnderReview.Count}; batch states: " + string.Join(",", batch.Select(b => i.GetState(b.Transfer.TransactionId)?.ToString() ?? "null").GroupBy(x => x).Select(g => $"{g.Key}={g.Count()}"))));
            foreach (var bank in members)
            {
                output.WriteLine($"    {bank}: " + network.ReadParticipant(bank, 0, p => string.Join(",", batch.Where(b => b.Payer == bank || b.Payee == bank).Select(b => p.GetState(b.Transfer.TransactionId)?.ToString() ?? "null").GroupBy(x => x).Select(g => $"{g.Key}={g.Count()}"))));
            }

            return null;
        }

        output.WriteLine($"  submitted in {submittedMs} ms; {states.Count(s => s == CrossChainTransactionState.Committed)} committed at the cycle end, "
            + $"{states.Count(s => s != CrossChainTransactionState.Committed)} not, {clock.ElapsedMilliseconds} ms after the first");

        // Validator 0 of the ICC may execute the cycle end a little after the validators whose decisions reached the PPCs.
        CycleReport? report;
        while ((report = network.ReadIntermediary(IccEast, 0, i => i.CompletedCycles.Count > 0 ? i.CompletedCycles[^1] : null)) is null)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        output.WriteLine($"  cycle {report.Cycle} report ({report.ParticipantCount} banks, digest {report.Digest.ToShortString()}):");
        output.WriteLine($"    {"asset",-5} {"gross",6} {"gross value",14} {"net",4} {"net value",14} {"liquidity saved",16}");
        foreach (var asset in report.Assets)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {asset.Asset,-5} {asset.GrossCount,6} {asset.GrossValue.ToDecimalString(Scale),14} {asset.NetCount,4} {asset.NetValue.ToDecimalString(Scale),14} {asset.LiquiditySaved.ToDecimalString(Scale),16} ({asset.LiquiditySavedPpm / 10_000.0:F1} %)"));
        }

        return report;
    }

    /// <summary>
    /// A transfer's Time1, ahead of now: at least <see cref="StreamTime1AheadMs"/>, and beyond the demo's own timeout, so
    /// that no transfer is cancelled for lateness while the demo still waits for it (a busy machine runs slowly).
    /// </summary>
    private static long Time1AheadMs(SettlementDemoOptions options) => Math.Max(StreamTime1AheadMs, options.TimeoutMs);

    /// <summary>Waits (at most <paramref name="settleWaitMs"/>) until no relay has anything unacknowledged and no validator of any chain holds a pending leg.</summary>
    private static async Task WaitUntilSettledAsync(InProcessSettlementNetwork network, int settleWaitMs, CancellationToken ct)
    {
        int quiet = 0;
        var waited = Stopwatch.StartNew();
        while (quiet < 3 && waited.ElapsedMilliseconds < settleWaitMs)
        {
            bool settled = network.RelayBacklog == 0 && PendingLegs(network) == 0;
            quiet = settled ? quiet + 1 : 0;
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    private static ChainId PayerOf(SettlementNetworkSpec spec, StartTransfer transfer) =>
        spec.Participants.First(p => p.Customers.Any(c => c.Account == transfer.Payer)).Chain;

    private static Hash256 TransactionId(int seed, string name) =>
        Hash256.Compute(Encoding.UTF8.GetBytes($"chaininterop/samples/bank-to-bank/{seed}/{name}"));

    private static string Money(long minorUnits) => Amount.FromMinorUnits(minorUnits).ToDecimalString(Scale);

    /// <summary>Counts the stream's outcomes and keeps the executed steps of watched transactions (called on validator 0's threads).</summary>
    private sealed class Progress
    {
        private readonly ConcurrentDictionary<Hash256, ConcurrentQueue<(ChainId Chain, CrossChainExecution Execution)>> _watched = new();
        private int _started;
        private int _committed;
        private int _cancelled;
        private int _failed;
        private long _blocks;

        public int Committed => Volatile.Read(ref _committed);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public int Failed => Volatile.Read(ref _failed);

        public void Started() => Interlocked.Increment(ref _started);

        public void Finished(CrossChainTransactionState state)
        {
            switch (state)
            {
                case CrossChainTransactionState.Committed:
                    Interlocked.Increment(ref _committed);
                    break;
                case CrossChainTransactionState.Cancelled:
                    Interlocked.Increment(ref _cancelled);
                    break;
                default:
                    Interlocked.Increment(ref _failed);
                    break;
            }
        }

        public void Watch(Hash256 tx) => _watched.TryAdd(tx, new ConcurrentQueue<(ChainId, CrossChainExecution)>());

        public void OnExecuted(ChainId chain, SettlementBlockResult result)
        {
            Interlocked.Increment(ref _blocks);
            if (_watched.IsEmpty)
            {
                return;
            }

            foreach (var entry in result.Entries)
            {
                if (entry.Execution is { } execution && _watched.TryGetValue(execution.TransactionId, out var steps)
                    && execution.Code is not (CrossChainResultCode.AlreadyApplied or CrossChainResultCode.NotYetDue))
                {
                    steps.Enqueue((chain, execution));
                }
            }
        }

        /// <summary>Each chain's steps for <paramref name="tx"/>, chain by chain in <paramref name="chains"/> order, e.g. "icc-west: Tentative, Failed (RejectedByPayee)".</summary>
        public IReadOnlyList<string> TrailOf(Hash256 tx, IEnumerable<ChainId> chains) => _watched.TryGetValue(tx, out var steps)
            ? [.. chains.Select(chain => (chain, steps: steps.Where(s => s.Chain == chain).Select(s =>
                    (s.Execution.State?.ToString() ?? s.Execution.Code.ToString())
                    + (s.Execution.Reason == TransferFailureReason.None ? string.Empty : $" ({s.Execution.Reason})")).ToList()))
                .Where(x => x.steps.Count > 0)
                .Select(x => $"{x.chain}: {string.Join(", ", x.steps)}")]
            : [];

        public string Line(int planned, int relayBacklog, TimeSpan elapsed)
        {
            int started = Volatile.Read(ref _started);
            int finished = Committed + Cancelled + Failed;
            return string.Create(CultureInfo.InvariantCulture,
                $"  [{elapsed.TotalSeconds,5:F1} s] started {started,4}/{planned}  committed {Committed,4}  cancelled {Cancelled,3}  failed {Failed,3}  in flight {started - finished,3}  relay backlog {relayBacklog,4}  blocks {Interlocked.Read(ref _blocks),6}");
        }
    }

    /// <summary>Prints the progress line while the stream runs: rewritten in place on a terminal, a line every few seconds otherwise.</summary>
    private sealed class ProgressPrinter : IDisposable
    {
        private readonly TextWriter _output;
        private readonly bool _live;
        private readonly Func<string> _line;
        private readonly Timer _timer;
        private readonly Lock _gate = new();
        private bool _stopped;

        public ProgressPrinter(TextWriter output, SettlementDemoOptions options, Func<string> line)
        {
            _output = output;
            _live = options.LiveProgress;
            _line = line;
            int period = _live ? options.ProgressIntervalMs : options.ProgressLineIntervalMs;
            _timer = new Timer(_ => Print(final: false), null, period, period);
        }

        public void Dispose()
        {
            _timer.Dispose();
            Print(final: true);
            lock (_gate)
            {
                _stopped = true;
            }
        }

        private void Print(bool final)
        {
            lock (_gate)
            {
                if (_stopped)
                {
                    return;
                }

                string line = _line();
                if (_live)
                {
                    _output.Write("\r" + line);
                    if (final)
                    {
                        _output.WriteLine();
                    }
                }
                else
                {
                    _output.WriteLine(line);
                }

                _output.Flush();
            }
        }
    }
}
