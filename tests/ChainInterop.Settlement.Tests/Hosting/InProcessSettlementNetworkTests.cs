using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;
using ChainInterop.Storage;

namespace ChainInterop.Settlement.Tests.Hosting;

/// <summary>
/// Cross-chain transfers between banks' PPCs through an ICC, every chain a 4-validator PBFT chain in one process, the
/// relays carrying committed messages between them (S1, S2; Alg. 1–4, 10, 12).
/// </summary>
public class InProcessSettlementNetworkTests
{
    private static readonly ChainId BankA = new("bank-a");
    private static readonly ChainId BankB = new("bank-b");
    private static readonly ChainId BankC = new("bank-c");
    private static readonly ChainId Icc = new("icc-1");
    private static readonly AssetCode Usd = new("USD");
    private static readonly AccountId Alice = new("alice");
    private static readonly AccountId Bob = new("bob");
    private static readonly AccountId Carol = new("carol");
    // The whole scenario's budget: generous, because a busy machine runs it many times slower (a green run never waits for it).
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task A_real_time_transfer_commits_on_every_validator_of_all_three_chains_Alg1_Alg10()
    {
        using var bank = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bank);
        using var client = network.CreateClient(BankA, bank);
        var tx = Hash256.Compute("rt-1"u8);
        await client.StartTransferAsync(Transfer(tx, 250, AckMode.ModeII, FarFuture()));

        using var cts = new CancellationTokenSource(Timeout);
        Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(BankA, tx, cts.Token));
        Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(BankB, tx, cts.Token));
        await EventuallyOnEveryValidatorAsync(network, BankB, p => p.Ledger.GetBalance(Bob, Usd).Posted.MinorUnits == 250, cts.Token);
        await EventuallyOnEveryValidatorAsync(network, BankA, p => p.GetState(tx) == CrossChainTransactionState.Committed, cts.Token);

        await EventuallyOnEveryIccValidatorAsync(network, i => i.GetState(tx) == CrossChainTransactionState.Committed, cts.Token);
        // PPC1 committed, so f + 1 of TBC1's validators executed the decision on its way: the highest height any TBC1
        // validator executed is at or past it, and every validator that reaches that height recorded it.
        var tbc = network.Spec.Intermediaries[0].TradingChainOf(BankA);
        ulong decided = network.ValidatorsOf(tbc).Max(v => v.ExecutedHeight ?? 0);
        await Task.WhenAll(network.ValidatorsOf(tbc).Select(v => v.WaitForHeightAsync(decided, cts.Token)));

        for (int v = 0; v < 4; v++)
        {
            Assert.Equal(1_000 - 250, network.ReadParticipant(BankA, v, p => p.Ledger.GetBalance(Alice, Usd).Posted.MinorUnits));
            Assert.True(network.ReadParticipant(BankA, v, p => p.WasAcknowledged(tx))); // Mode II: 2a reached PPC1.
            Assert.Equal(CrossChainTransactionState.Committed, network.ReadIntermediary(Icc, v, i => i.GetState(tx)));
            Assert.Equal(CrossChainTransactionState.Committed, network.ReadTradingChain(tbc, v, t => t.GetState(tx)));
            Assert.Equal(500 - 250, network.ReadIntermediary(Icc, v, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(BankA), Usd).Posted.MinorUnits));
            Assert.Equal(500 + 250, network.ReadIntermediary(Icc, v, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(BankB), Usd).Posted.MinorUnits));
        }

        AssertConserved(network);
    }

    [Fact]
    public async Task An_operator_reads_a_transfers_outcome_and_a_balance_through_consensus_and_a_stranger_is_refused_S2()
    {
        using var bank = SignatureSchemes.Ed25519.GenerateKey();
        using var stranger = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bank);
        using var client = network.CreateClient(BankA, bank);
        using var strangerClient = network.CreateClient(BankA, stranger);
        using var cts = new CancellationTokenSource(Timeout);
        var tx = Hash256.Compute("read-1"u8);

        var started = await client.StartTransferAsync(Transfer(tx, 100, AckMode.ModeI, FarFuture()), cts.Token);
        Assert.Equal(CrossChainTransactionState.Committed, await client.WaitForOutcomeAsync(started, TimeSpan.FromMilliseconds(50), cts.Token));

        var outcome = await client.QueryTransactionAsync(tx, cts.Token);
        Assert.Equal((SettlementEntryCode.Answered, CrossChainTransactionState.Committed, TransferFailureReason.None), (outcome.Code, outcome.State, outcome.Reason));
        var balance = await client.QueryBalanceAsync(Alice, Usd, cts.Token);
        Assert.Equal(1_000 - 100, balance.Balance!.Value.Posted.MinorUnits);
        Assert.Null((await client.QueryBalanceAsync(new AccountId("nobody"), Usd, cts.Token)).Balance);
        Assert.Null((await client.QueryTransactionAsync(Hash256.Compute("unknown"u8), cts.Token)).State);

        // Reads are for the chain's operators; a stranger learns nothing.
        var refused = await strangerClient.QueryBalanceAsync(Alice, Usd, cts.Token);
        Assert.Equal((SettlementEntryCode.Unauthorized, null), (refused.Code, refused.Balance));
        AssertConserved(network);
    }

    public static TheoryData<string, TransferFailureReason, CrossChainTransactionState> Refusals => new()
    {
        // PPC1 judges these itself and reserves nothing.
        { "unknown-payer", TransferFailureReason.UnknownPayer, CrossChainTransactionState.Failed },
        { "unsupported-asset", TransferFailureReason.UnsupportedAsset, CrossChainTransactionState.Failed },
        { "unknown-intermediary", TransferFailureReason.UnknownIntermediary, CrossChainTransactionState.Failed },
        // The ICC answers at once: PPC1 releases its leg long before Time1 (ten minutes away).
        { "unknown-participant", TransferFailureReason.UnknownParticipant, CrossChainTransactionState.Cancelled },
        // PPC2's own reason reaches the payer.
        { "unknown-payee", TransferFailureReason.UnknownPayee, CrossChainTransactionState.Cancelled },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_transfer_ends_at_once_with_its_cause_and_moves_nothing_S2(string kind, TransferFailureReason reason, CrossChainTransactionState state)
    {
        using var bank = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bank);
        using var client = network.CreateClient(BankA, bank);
        var tx = Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(kind));
        var good = Transfer(tx, 250, AckMode.ModeI, FarFuture());
        var transfer = kind switch
        {
            "unknown-payer" => new StartTransfer(tx, Icc, new AccountId("nobody"), BankB, Bob, Usd, good.Amount, AckMode.ModeI, SettlementTiming.RealTime, good.Time1Ms),
            "unsupported-asset" => new StartTransfer(tx, Icc, Alice, BankB, Bob, new AssetCode("XAU"), good.Amount, AckMode.ModeI, SettlementTiming.RealTime, good.Time1Ms),
            "unknown-intermediary" => new StartTransfer(tx, new ChainId("icc-nowhere"), Alice, BankB, Bob, Usd, good.Amount, AckMode.ModeI, SettlementTiming.RealTime, good.Time1Ms),
            "unknown-participant" => Transfer(tx, 250, AckMode.ModeI, good.Time1Ms, (new ChainId("bank-nowhere"), Bob)),
            "unknown-payee" => Transfer(tx, 250, AckMode.ModeI, good.Time1Ms, (BankB, new AccountId("nobody"))),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var started = await client.StartTransferAsync(transfer);

        // The PPC's reply says at once what it did: refused with the reason when PPC1 judges it itself, else accepted
        // (the ICC or PPC2 refuses it next, and the payer's leg is released on their answer, not at Time1).
        bool judgedByPpc1 = state == CrossChainTransactionState.Failed;
        Assert.Equal(!judgedByPpc1, started.IsAccepted);
        Assert.Equal(judgedByPpc1 ? reason : TransferFailureReason.None, started.Reason);
        Assert.Equal((SettlementEntryCode.Executed, tx), (started.Result.Code, started.Result.TransactionId));

        using var cts = new CancellationTokenSource(Timeout);
        Assert.Equal(state, await network.WaitForOutcomeAsync(started, tx, cts.Token));
        await EventuallyOnEveryValidatorAsync(network, BankA, p => p.GetState(tx) == state, cts.Token);
        for (int v = 0; v < 4; v++)
        {
            Assert.Equal(reason, network.ReadParticipant(BankA, v, p => p.GetReason(tx)));
            var alice = network.ReadParticipant(BankA, v, p => p.Ledger.GetBalance(Alice, Usd));
            Assert.Equal((1_000L, 0L), (alice.Posted.MinorUnits, alice.PendingDebits.MinorUnits));
        }

        AssertConserved(network);
    }

    [Fact]
    public async Task A_StartTransfer_from_a_key_that_is_not_an_operator_fails_its_wait_at_once_and_moves_nothing_S2()
    {
        using var bank = SignatureSchemes.Ed25519.GenerateKey();
        using var stranger = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bank);
        using var client = network.CreateClient(BankA, stranger);
        using var operatorClient = network.CreateClient(BankA, bank);
        using var cts = new CancellationTokenSource(Timeout);

        var refused = Hash256.Compute("not-an-operator"u8);
        var reply = await client.StartTransferAsync(Transfer(refused, 250, AckMode.ModeI, FarFuture()), cts.Token);
        Assert.Equal(SettlementEntryCode.Unauthorized, reply.Result.Code);
        Assert.False(reply.IsAccepted);
        var e = await Assert.ThrowsAsync<TransferNotRecordedException>(() => network.WaitForOutcomeAsync(reply, refused, cts.Token));
        Assert.Equal((BankA, refused), (e.Chain, e.TransactionId));
        Assert.Equal(1_000, network.ReadParticipant(BankA, 0, p => p.Ledger.GetBalance(Alice, Usd).Available.MinorUnits));

        // The same wait completes for a transfer the PPC recorded.
        var accepted = Hash256.Compute("an-operator"u8);
        var started = await operatorClient.StartTransferAsync(Transfer(accepted, 250, AckMode.ModeI, FarFuture()), cts.Token);
        Assert.True(started.IsAccepted);
        Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(started, accepted, cts.Token));
    }

    [Fact]
    public async Task A_transfer_past_Time1_on_the_ICC_clock_is_cancelled_and_every_leg_released_Alg12()
    {
        using var bank = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bank);
        using var client = network.CreateClient(BankA, bank);
        var tx = Hash256.Compute("late-1"u8);
        await client.StartTransferAsync(Transfer(tx, 100, AckMode.ModeI, time1Ms: DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds()));

        using var cts = new CancellationTokenSource(Timeout);
        Assert.Equal(CrossChainTransactionState.Cancelled, await network.WaitForOutcomeAsync(BankA, tx, cts.Token));
        await EventuallyOnEveryValidatorAsync(network, BankA, p => p.Ledger.PendingCount == 0, cts.Token);
        await EventuallyOnEveryValidatorAsync(network, BankB, p => p.GetState(tx) is null or CrossChainTransactionState.Cancelled && p.Ledger.PendingCount == 0, cts.Token);
        Assert.Equal(1_000, network.ReadParticipant(BankA, 0, p => p.Ledger.GetBalance(Alice, Usd).Posted.MinorUnits));
        await EventuallyOnEveryIccValidatorAsync(network, i => i.Ledger.PendingCount == 0, cts.Token);
        AssertConserved(network);
    }

    [Fact]
    public async Task Transfers_and_their_outcomes_survive_a_restart_from_the_file_stores_S1()
    {
        string dir = Path.Combine(Path.GetTempPath(), "chaininterop-settle-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var bank = SignatureSchemes.Ed25519.GenerateKey();
            var tx = Hash256.Compute("durable-1"u8);
            await using (var network = await StartAsync(bank, dir))
            {
                using var client = network.CreateClient(BankA, bank);
                await client.StartTransferAsync(Transfer(tx, 300, AckMode.ModeI, FarFuture(), payee: (BankC, Carol)));
                using var cts = new CancellationTokenSource(Timeout);
                Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(BankC, tx, cts.Token));
            }

            await using (var restarted = await StartAsync(bank, dir))
            {
                using var cts = new CancellationTokenSource(Timeout);
                await EventuallyOnEveryValidatorAsync(restarted, BankA, p => p.GetState(tx) == CrossChainTransactionState.Committed, cts.Token);
                for (int v = 0; v < 4; v++)
                {
                    Assert.Equal(CrossChainTransactionState.Committed, restarted.ReadParticipant(BankA, v, p => p.GetState(tx)));
                    Assert.Equal(700, restarted.ReadParticipant(BankA, v, p => p.Ledger.GetBalance(Alice, Usd).Posted.MinorUnits));
                }

                await EventuallyOnEveryValidatorAsync(restarted, BankC, p => p.Ledger.GetBalance(Carol, Usd).Posted.MinorUnits == 300, cts.Token);

                // A replayed start changes nothing: the PPC knows the transaction (idempotent by id).
                using var client = restarted.CreateClient(BankA, bank);
                await client.StartTransferAsync(Transfer(tx, 300, AckMode.ModeI, FarFuture(), payee: (BankC, Carol)));
                Assert.Equal(700, restarted.ReadParticipant(BankA, 0, p => p.Ledger.GetBalance(Alice, Usd).Posted.MinorUnits));
                AssertConserved(restarted);
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Netting_transfers_settle_at_the_cycle_end_through_the_ICC_as_CCP_moving_only_the_nets_Alg11_S3()
    {
        using var bankA = SignatureSchemes.Ed25519.GenerateKey();
        using var bankB = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await StartAsync(bankA, spec: Spec(bobBalance: 100), configure: o =>
        {
            o.Operators = new Dictionary<ChainId, IReadOnlySet<NodeId>>
            {
                [BankA] = new HashSet<NodeId> { NodeId.FromPublicKey(bankA.PublicKey) },
                [BankB] = new HashSet<NodeId> { NodeId.FromPublicKey(bankB.PublicKey) },
            };
            o.Cycles = icc => new SettlementCycle(new CycleId(icc, 0), SettlementCyclePolicy.ByTransactionCount(3), 0);
        });
        using var clientA = network.CreateClient(BankA, bankA);
        using var clientB = network.CreateClient(BankB, bankB);

        // Gross: A pays B 100 and 50, B pays A 30. Net: A owes B 120.
        var transfers = new (ChainClient Client, Hash256 Tx, AccountId Payer, ChainId PayeeChain, AccountId Payee, long Amount)[]
        {
            (clientA, Hash256.Compute("n1"u8), Alice, BankB, Bob, 100),
            (clientA, Hash256.Compute("n2"u8), Alice, BankB, Bob, 50),
            (clientB, Hash256.Compute("n3"u8), Bob, BankA, Alice, 30),
        };
        foreach (var (client, tx, payer, payeeChain, payee, amount) in transfers)
        {
            await client.StartTransferAsync(new StartTransfer(tx, Icc, payer, payeeChain, payee, Usd,
                new Amount(amount), AckMode.ModeI, SettlementTiming.Netting, FarFuture()));
        }

        using var cts = new CancellationTokenSource(Timeout);
        foreach (var t in transfers)
        {
            Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(t.PayeeChain, t.Tx, cts.Token));
        }

        await EventuallyOnEveryValidatorAsync(network, BankA, p => p.Ledger.PendingCount == 0, cts.Token);
        await EventuallyOnEveryValidatorAsync(network, BankB, p => p.Ledger.PendingCount == 0, cts.Token);
        await EventuallyOnEveryIccValidatorAsync(network, i => i.Ledger.PendingCount == 0 && i.CompletedCycles.Count == 1, cts.Token);
        var report = network.ReadIntermediary(Icc, 0, i => Assert.Single(i.CompletedCycles));
        var usd = Assert.Single(report.Assets);
        Assert.Equal(3, usd.GrossCount);
        Assert.Equal(180, usd.GrossValue.MinorUnits);
        Assert.Equal(120, usd.NetValue.MinorUnits);
        Assert.Equal(60, usd.LiquiditySaved.MinorUnits);
        for (int v = 0; v < 4; v++)
        {
            Assert.Equal(500 - 120, network.ReadIntermediary(Icc, v, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(BankA), Usd).Posted.MinorUnits));
            Assert.Equal(500 + 120, network.ReadIntermediary(Icc, v, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(BankB), Usd).Posted.MinorUnits));
            Assert.Equal(0, network.ReadIntermediary(Icc, v, i => i.Ledger.PendingCount));
            Assert.Equal(1_000 - 150 + 30, network.ReadParticipant(BankA, v, p => p.Ledger.GetBalance(Alice, Usd).Posted.MinorUnits));
            Assert.Equal(100 + 150 - 30, network.ReadParticipant(BankB, v, p => p.Ledger.GetBalance(Bob, Usd).Posted.MinorUnits));
        }

        AssertConserved(network);
    }

    internal static SettlementNetworkSpec Spec(long bobBalance = 0)
    {
        var usd1000 = new Dictionary<AssetCode, long> { [Usd] = 1_000 };
        var usd500 = new Dictionary<AssetCode, long> { [Usd] = 500 };
        return new SettlementNetworkSpec(
            [Usd],
            [
                new ParticipantSpec(BankA, [new CustomerSpec(Alice, usd1000)], usd1000, usd500),
                new ParticipantSpec(BankB, [new CustomerSpec(Bob, new Dictionary<AssetCode, long> { [Usd] = bobBalance })], usd1000, usd500),
                new ParticipantSpec(BankC, [new CustomerSpec(Carol, new Dictionary<AssetCode, long> { [Usd] = 0 })], usd1000, usd500),
            ],
            [new IntermediarySpec(Icc, [BankA, BankB, BankC])]);
    }

    private static async Task<InProcessSettlementNetwork> StartAsync(PrivateKey bank, string? dir = null, Action<InProcessSettlementOptions>? configure = null, SettlementNetworkSpec? spec = null)
    {
        var options = new InProcessSettlementOptions
        {
            UseDemoKeys = true, // stable across a restart of the network
            Operators = new Dictionary<ChainId, IReadOnlySet<NodeId>> { [BankA] = new HashSet<NodeId> { NodeId.FromPublicKey(bank.PublicKey) } },
            ChainTickIntervalMs = 200,
            RelayTickIntervalMs = 50,
            Relay = new CrossChainRelayOptions { RetryMs = 300, ResubmitMs = 300 },
            ConfigureReplica = o => o.BatchDelayMs = 1,
        };
        if (dir is not null)
        {
            options.Stores = (chain, i) => new FileBlockStoreProvider(new FileStoreOptions { Path = Path.Combine(dir, chain.ToString(), i.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
        }

        configure?.Invoke(options);
        return await InProcessSettlementNetwork.StartAsync(spec ?? Spec(), options);
    }

    private static StartTransfer Transfer(Hash256 tx, long amount, AckMode mode, long time1Ms, (ChainId Chain, AccountId Account)? payee = null) =>
        new(tx, Icc, Alice, payee?.Chain ?? BankB, payee?.Account ?? Bob, Usd, new Amount(amount), mode, SettlementTiming.RealTime, time1Ms);

    private static long FarFuture() => DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();

    private static async Task EventuallyOnEveryValidatorAsync(InProcessSettlementNetwork network, ChainId chain, Func<ParticipantChainApplication, bool> condition, CancellationToken cancellationToken)
    {
        for (int v = 0; v < 4; v++)
        {
            while (!network.ReadParticipant(chain, v, condition))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static async Task EventuallyOnEveryIccValidatorAsync(InProcessSettlementNetwork network, Func<IntermediaryChainApplication, bool> condition, CancellationToken cancellationToken)
    {
        for (int v = 0; v < 4; v++)
        {
            while (!network.ReadIntermediary(Icc, v, condition))
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    /// <summary>Per asset, each bank's transit + its ABC account, and all customers' money, are what they were at genesis (S2).</summary>
    private static void AssertConserved(InProcessSettlementNetwork network)
    {
        var spec = network.Spec;
        long total = 0;
        foreach (var bank in spec.Participants)
        {
            long transit = network.ReadParticipant(bank.Chain, 0, p => p.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, Usd).Posted.MinorUnits);
            long abc = network.ReadIntermediary(Icc, 0, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(bank.Chain), Usd).Posted.MinorUnits);
            Assert.Equal(bank.TransitLiquidity[Usd] + bank.AbcDeposit[Usd], transit + abc);
            total += network.ReadParticipant(bank.Chain, 0, p => bank.Customers.Sum(c => p.Ledger.GetBalance(c.Account, Usd).Posted.MinorUnits));
        }

        Assert.Equal(spec.Participants.Sum(b => b.Customers.Sum(c => c.Balances[Usd])), total);
        Assert.Equal(0, network.ReadIntermediary(Icc, 0, i => i.Ledger.GetBalance(SettlementNetworkSpec.ClearingAccount, Usd).Posted.MinorUnits));
    }
}
