using ChainInterop.Crypto;
using ChainInterop.Hosting;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Integration.Tests;

/// <summary>
/// A settlement network as separate processes over TCP on 127.0.0.1 (README "Run a settlement network on your
/// machines"): two banks' PPCs and one ICC, 4 validators each, 12 node processes laid out by <c>settlement init</c>.
/// Transfers stream both ways while one validator of each chain is SIGKILLed and restarted from its file store.
/// </summary>
public sealed class SettlementNetworkProcessTests : IDisposable
{
    private static readonly AssetCode Usd = new("USD");
    private static readonly ChainId BankA = new("ppc-bank-a");
    private static readonly ChainId BankB = new("ppc-bank-b");
    private static readonly ChainId Icc = new("icc-1");
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(240); // a busy machine runs 12 processes slowly; a green run never waits for it

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chaininterop-sn-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Twelve_node_processes_settle_transfers_both_ways_through_a_SIGKILL_per_chain_atomically_and_conserve_every_asset_S1_S2_C6()
    {
        // Snapshots every 5 blocks, so the restarted validators restore one and replay only the blocks after it.
        var layout = new SettlementLayoutOptions { SnapshotIntervalBlocks = 5 };
        layout.BasePort = ChainInterop.Testing.FreePorts.Block(SettlementNetworkLayout.PortsNeeded(layout));
        var files = SettlementNetworkLayout.Write(_directory, layout);
        var nodes = new NodeProcess?[files.NodeConfigs.Count];
        using var budget = new CancellationTokenSource(Budget);
        var ct = budget.Token;
        try
        {
            var running = await Task.WhenAll(files.NodeConfigs.Select(c => NodeProcess.StartAsync(["settlement", "run", c, "--print-heights"])));
            running.CopyTo(nodes, 0);
            await using var bankA = SettlementClientSession.Open(files.ClientConfigs[0]);
            await using var bankB = SettlementClientSession.Open(files.ClientConfigs[1]);
            await using var icc = SettlementClientSession.Open(files.ClientConfigs[2]);

            // A refusal comes back at once in the PPC's reply, typed, and reserves nothing.
            var refused = await bankA.Client.StartTransferAsync(Transfer(Hash256.Compute("refused"u8), new AccountId("nobody"), BankB, "customer-1", 5), ct);
            Assert.Equal((false, TransferFailureReason.UnknownPayer), (refused.IsAccepted, refused.Reason));

            var transfers = new List<(TransferStarted Started, ChainId Payer, ChainId Payee, long Amount)>();
            async Task StreamAsync(int count, int phase)
            {
                // Both ways at once: bank A's customer-1 pays bank B's customer-1, bank B's customer-2 pays bank A's customer-2.
                var ab = Enumerable.Range(0, count).Select(i => (Payer: bankA, Payee: BankB, From: "customer-1", To: "customer-1", Amount: 100L + (phase * 10) + i));
                var ba = Enumerable.Range(0, count).Select(i => (Payer: bankB, Payee: BankA, From: "customer-2", To: "customer-2", Amount: 50L + (phase * 10) + i));
                var results = await Task.WhenAll(new[] { ab, ba }.Select(async stream =>
                {
                    var mine = new List<(TransferStarted, ChainId, ChainId, long)>();
                    foreach (var t in stream)
                    {
                        var tx = Hash256.Compute(Guid.NewGuid().ToByteArray());
                        var answer = await t.Payer.Client.StartTransferAsync(Transfer(tx, new AccountId(t.From), t.Payee, t.To, t.Amount), ct);
                        Assert.True(answer.IsAccepted, $"{tx.ToShortString()}: {answer.Result}");
                        mine.Add((answer, t.Payer.Chain, t.Payee, t.Amount));
                    }

                    return mine;
                }));
                transfers.AddRange(results.SelectMany(r => r));
            }

            await StreamAsync(4, phase: 0);

            // SIGKILL validator 3 of every chain (f = 1 each): the others keep settling.
            int[] victims = [3, 7, 11];
            foreach (int v in victims)
            {
                nodes[v]!.Kill();
                nodes[v]!.Dispose();
                nodes[v] = null;
            }

            await StreamAsync(4, phase: 1);

            // Restart them from their file stores and snapshots; they catch up and take part again.
            var restarted = await Task.WhenAll(victims.Select(v => NodeProcess.StartAsync(["settlement", "run", files.NodeConfigs[v], "--print-heights"])));
            for (int i = 0; i < victims.Length; i++)
            {
                nodes[victims[i]] = restarted[i];
            }

            await Task.WhenAll(restarted.Select(node => node.WaitForLineAsync("restored its snapshot", ct)));

            await StreamAsync(4, phase: 2);

            // Every outcome arrives, and it is the same on the payer's PPC, the ICC and the payee's PPC.
            var clients = new Dictionary<ChainId, SettlementClientSession> { [BankA] = bankA, [BankB] = bankB };
            foreach (var (started, payer, payee, _) in transfers)
            {
                var tx = started.Result.TransactionId;
                var final = await clients[payer].Client.WaitForOutcomeAsync(started, TimeSpan.FromMilliseconds(200), ct);
                Assert.Equal(CrossChainTransactionState.Committed, final);
                Assert.Equal(final, (await icc.Client.QueryTransactionAsync(tx, ct)).State);
                Assert.Equal(final, await clients[payee].Client.WaitForFinalStateAsync(tx, TimeSpan.FromMilliseconds(100), ct)); // a relay hop later
            }

            // Conservation per asset: each bank's transit plus its ABC account, all customers together, the clearing account.
            long committedAb = transfers.Where(t => t.Payer == BankA).Sum(t => t.Amount);
            long committedBa = transfers.Where(t => t.Payer == BankB).Sum(t => t.Amount);
            foreach (var (bank, session) in clients)
            {
                long transit = (await session.Client.QueryBalanceAsync(SettlementNetworkSpec.TransitAccount, Usd, ct)).Balance!.Value.Posted.MinorUnits;
                long abc = (await icc.Client.QueryBalanceAsync(SettlementNetworkSpec.AbcAccountOf(bank), Usd, ct)).Balance!.Value.Posted.MinorUnits;
                Assert.Equal(layout.TransitLiquidity + layout.AbcDeposit, transit + abc);
            }

            Assert.Equal(layout.CustomerBalance - committedAb, await PostedAsync(bankA, "customer-1", ct));
            Assert.Equal(layout.CustomerBalance + committedBa, await PostedAsync(bankA, "customer-2", ct));
            Assert.Equal(layout.CustomerBalance + committedAb, await PostedAsync(bankB, "customer-1", ct));
            Assert.Equal(layout.CustomerBalance - committedBa, await PostedAsync(bankB, "customer-2", ct));
            Assert.Equal(0, (await icc.Client.QueryBalanceAsync(SettlementNetworkSpec.ClearingAccount, Usd, ct)).Balance?.Posted.MinorUnits ?? 0);

            // The README's client commands, as a bank runs them: a transfer and its outcome, then a balance read.
            var (exit, output) = await NodeProcess.RunOnceAsync(
                ["settlement", "transfer", files.ClientConfigs[1], "--from", "customer-1", "--to", "ppc-bank-a:customer-1", "--amount", "7"], ct);
            Assert.True(exit == 0 && output.Contains("OUTCOME", StringComparison.Ordinal) && output.Contains("Committed", StringComparison.Ordinal), output);
            (exit, output) = await NodeProcess.RunOnceAsync(["settlement", "balance", files.ClientConfigs[0], "customer-1"], ct);
            Assert.True(exit == 0, output);
            Assert.Contains($"BALANCE ppc-bank-a customer-1 USD posted {layout.CustomerBalance - committedAb + 7} ", output, StringComparison.Ordinal);

            // The restarted validators caught up with their chains: each executes the height of a read ordered just now.
            foreach (int v in victims)
            {
                var session = v < 4 ? bankA : v < 8 ? bankB : icc;
                var read = await session.Client.SubmitAsync(SettlementEntry.Ask(SettlementQuery.Transaction(Hash256.Zero)).ToCanonicalBytes(), ct);
                await nodes[v]!.WaitForHeightAsync((long)read.Height, ct);
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                node?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed process may still be releasing files; the temp directory is cleaned by the OS eventually.
        }
    }

    private static StartTransfer Transfer(Hash256 tx, AccountId payer, ChainId payeeChain, string payee, long amount) =>
        new(tx, Icc, payer, payeeChain, new AccountId(payee), Usd, new Amount(amount), AckMode.ModeI, SettlementTiming.RealTime,
            DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds());

    private static async Task<long> PostedAsync(SettlementClientSession bank, string account, CancellationToken ct) =>
        (await bank.Client.QueryBalanceAsync(new AccountId(account), Usd, ct)).Balance!.Value.Posted.MinorUnits;
}
