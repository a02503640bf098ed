using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Settlement.Tests.Hosting;

/// <summary>
/// Seed 000 [0078]: chains run in parallel — banks trading through different intermediary chains need no common
/// central party, so one ICC's traffic never touches another, and one ICC being down stops nothing that does not need it.
/// </summary>
public class ParallelChainsTests
{
    private static readonly ChainId A = new("bank-a");
    private static readonly ChainId B = new("bank-b");
    private static readonly ChainId C = new("bank-c");
    private static readonly ChainId D = new("bank-d");
    private static readonly ChainId North = new("icc-north");
    private static readonly ChainId South = new("icc-south");
    private static readonly AssetCode Usd = new("USD");
    // The whole scenario's budget: generous, because a busy machine runs it many times slower (a green run never waits for it).
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task Transfers_through_different_ICCs_run_independently_and_survive_the_other_ICC_going_down_Seed000_0078()
    {
        using var bankA = SignatureSchemes.Ed25519.GenerateKey();
        using var bankC = SignatureSchemes.Ed25519.GenerateKey();
        await using var network = await InProcessSettlementNetwork.StartAsync(Spec(), new InProcessSettlementOptions
        {
            UseDemoKeys = true,
            Operators = new Dictionary<ChainId, IReadOnlySet<NodeId>>
            {
                [A] = new HashSet<NodeId> { NodeId.FromPublicKey(bankA.PublicKey) },
                [C] = new HashSet<NodeId> { NodeId.FromPublicKey(bankC.PublicKey) },
            },
            ChainTickIntervalMs = 200,
            RelayTickIntervalMs = 50,
            Relay = new CrossChainRelayOptions { RetryMs = 300, ResubmitMs = 300 },
            ConfigureReplica = o => o.BatchDelayMs = 1,
        });
        using var clientA = network.CreateClient(A, bankA);
        using var clientC = network.CreateClient(C, bankC);
        using var cts = new CancellationTokenSource(Timeout);

        // Both ICCs at once: A → B through north, C → D through south.
        var north = Enumerable.Range(0, 5).Select(i => Hash256.Compute(BitConverter.GetBytes(100 + i))).ToArray();
        var south = Enumerable.Range(0, 5).Select(i => Hash256.Compute(BitConverter.GetBytes(200 + i))).ToArray();
        await Task.WhenAll(
            StartAllAsync(clientA, north, North, B, "bob"),
            StartAllAsync(clientC, south, South, D, "dave"));
        foreach (var tx in north)
        {
            Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(B, tx, cts.Token));
        }

        foreach (var tx in south)
        {
            Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(D, tx, cts.Token));
        }

        // Each ICC saw only its own banks' transactions: no central party in the path. Each bank's TBC at its ICC
        // recorded them as committed.
        var northTbc = network.Spec.Intermediaries.Single(i => i.Chain == North).TradingChainOf(A);
        var southTbc = network.Spec.Intermediaries.Single(i => i.Chain == South).TradingChainOf(C);
        int Recorded(ChainId tbc, Hash256[] txs) =>
            network.ReadTradingChain(tbc, 0, t => txs.Count(tx => t.GetState(tx) == CrossChainTransactionState.Committed));
        while (Recorded(northTbc, north) < 5 || Recorded(southTbc, south) < 5)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.All(north, tx => Assert.Null(network.ReadIntermediary(South, 0, i => i.GetState(tx))));
        Assert.All(south, tx => Assert.Null(network.ReadIntermediary(North, 0, i => i.GetState(tx))));
        Assert.All(north, tx => Assert.Equal(CrossChainTransactionState.Committed, network.ReadIntermediary(North, 0, i => i.GetState(tx))));
        Assert.All(south, tx => Assert.Null(network.ReadTradingChain(northTbc, 0, t => t.GetState(tx))));
        Assert.DoesNotContain(await CommittedTransactionIdsAsync(network, South), north.Contains);

        // The south ICC (its ABC and its TBCs) goes down; the north keeps settling.
        foreach (var chain in network.Spec.Intermediaries.Single(i => i.Chain == South).TradingChains.Prepend(South))
        {
            await network.StopChainAsync(chain);
        }
        var later = Hash256.Compute("after-outage"u8);
        await StartAllAsync(clientA, [later], North, B, "bob");
        Assert.Equal(CrossChainTransactionState.Committed, await network.WaitForOutcomeAsync(B, later, cts.Token));
        while (network.ReadParticipant(B, 0, p => p.Ledger.GetBalance(new AccountId("bob"), Usd).Posted.MinorUnits) < 6 * 10)
        {
            await Task.Delay(20, cts.Token);
        }

        Assert.Equal(6 * 10, network.ReadParticipant(B, 0, p => p.Ledger.GetBalance(new AccountId("bob"), Usd).Posted.MinorUnits));
    }

    private static async Task StartAllAsync(ChainClient client, IEnumerable<Hash256> transactions, ChainId icc, ChainId payeeChain, string payee)
    {
        var payer = new AccountId(payeeChain == B ? "alice" : "carol");
        foreach (var tx in transactions)
        {
            await client.StartTransferAsync(new StartTransfer(tx, icc, payer, payeeChain, new AccountId(payee), Usd,
                new Amount(10), AckMode.ModeI, SettlementTiming.RealTime, DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds()));
        }
    }

    /// <summary>The transaction ids named by any entry the chain's validator 0 committed.</summary>
    private static async Task<HashSet<Hash256>> CommittedTransactionIdsAsync(InProcessSettlementNetwork network, ChainId chain)
    {
        var ids = new HashSet<Hash256>();
        var store = network.ValidatorsOf(chain)[0].Store;
        await foreach (var block in store.ReadAsync())
        {
            foreach (var bytes in block.Entries)
            {
                var entry = Canonical.Decode<SettlementEntry>(Canonical.Decode<ClientRequest>(bytes).Payload);
                ids.Add(entry.Command?.TransactionId ?? Canonical.Decode<TransferMessage>(entry.Delivered!.Payload).TransactionId);
            }
        }

        return ids;
    }

    private static SettlementNetworkSpec Spec()
    {
        var funds = new Dictionary<AssetCode, long> { [Usd] = 1_000 };
        var none = new Dictionary<AssetCode, long> { [Usd] = 0 };
        return new SettlementNetworkSpec(
            [Usd],
            [
                new ParticipantSpec(A, [new CustomerSpec(new AccountId("alice"), funds)], funds, funds),
                new ParticipantSpec(B, [new CustomerSpec(new AccountId("bob"), none)], funds, funds),
                new ParticipantSpec(C, [new CustomerSpec(new AccountId("carol"), funds)], funds, funds),
                new ParticipantSpec(D, [new CustomerSpec(new AccountId("dave"), none)], funds, funds),
            ],
            [new IntermediarySpec(North, [A, B]), new IntermediarySpec(South, [C, D])]);
    }
}
