using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Netting;
using ChainInterop.Settlement.Relay;
using ChainInterop.Storage;

namespace ChainInterop.Settlement.Tests.Hosting;

/// <summary>
/// Checkpoints of the settlement applications (C5): a participant or intermediary chain's state written at any height
/// and restored into a fresh copy executes every later block exactly as the copy that never stopped; and a network whose
/// validators restart from their snapshots settles on.
/// </summary>
public sealed class SettlementSnapshotTests : IDisposable
{
    private static readonly ChainId BankA = new("bank-a");
    private static readonly ChainId BankB = new("bank-b");
    private static readonly ChainId BankC = new("bank-c");
    private static readonly ChainId Icc = new("icc-1");
    private static readonly AssetCode Usd = new("USD");
    private static readonly AccountId Alice = new("alice");
    private static readonly AccountId Bob = new("bob");
    private static readonly AccountId Carol = new("carol");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaininterop-settle-snap-" + Guid.NewGuid().ToString("N"));
    private readonly PrivateKey _bankA = Key("operator-a");
    private readonly PrivateKey _bankB = Key("operator-b");

    public void Dispose()
    {
        _bankA.Dispose();
        _bankB.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_chain_state_restored_from_a_snapshot_at_any_height_executes_every_later_block_exactly_as_the_original_C5()
    {
        var blocks = new Dictionary<ChainId, List<Block>>();
        await using (var network = await StartAsync(snapshots: false))
        {
            await RunTrafficAsync(network);
            foreach (var chain in network.Chains)
            {
                var store = network.ValidatorsOf(chain)[0].Store;
                var list = new List<Block>();
                await foreach (var block in store.ReadAsync(0))
                {
                    list.Add(block);
                }

                blocks.Add(chain, list);
            }
        }

        foreach (var (chain, list) in blocks)
        {
            // The original: every block in order, its results and its snapshot at every fifth height kept.
            var original = CreateExecutor(chain);
            var results = new List<byte[]>();
            var snapshots = new Dictionary<ulong, byte[]>();
            var clients = new ClientFilter();
            foreach (var block in list)
            {
                results.Add(Encode(original.Execute(clients.Committed(block))));
                snapshots.Add(block.Height, Snapshot(original));
            }

            byte[] final = Snapshot(original);
            Assert.True(snapshots.Count >= 5, $"{chain} committed only {list.Count} blocks");

            foreach (var (height, bytes) in snapshots)
            {
                var restored = CreateExecutor(chain);
                restored.RestoreSnapshot(height, bytes);
                Assert.Equal(height, restored.LastAppliedHeight);
                Assert.Equal(bytes, Snapshot(restored)); // byte for byte: nothing lost, nothing reordered
                var later = new ClientFilter();
                foreach (var block in list)
                {
                    var committed = later.Committed(block);
                    if (block.Height > height)
                    {
                        Assert.Equal(results[(int)block.Height], Encode(restored.Execute(committed)));
                    }
                }

                Assert.Equal(final, Snapshot(restored));
            }
        }
    }

    [Fact]
    public void A_damaged_snapshot_is_refused_and_leaves_the_chain_state_as_it_was_C5()
    {
        var participant = CreateExecutor(BankA);
        var intermediary = CreateExecutor(Icc);
        var donor = Snapshot(CreateExecutor(Icc));
        foreach (var executor in new[] { participant, intermediary })
        {
            byte[] before = Snapshot(executor);
            Assert.Throws<CodecException>(() => executor.RestoreSnapshot(0, donor.AsMemory(0, donor.Length - 3))); // truncated
            Assert.Throws<CodecException>(() => executor.RestoreSnapshot(0, new byte[] { 0x91, 0x07 })); // not a snapshot
            Assert.Equal(before, Snapshot(executor));
        }

        // Another chain's snapshot, or one taken at another height, is not this chain's state.
        Assert.Throws<CodecException>(() => participant.RestoreSnapshot(0, donor));
        var other = CreateExecutor(BankB);
        Assert.Throws<CodecException>(() => participant.RestoreSnapshot(0, Snapshot(other)));
    }

    [Fact]
    public async Task Validators_restarted_from_their_snapshots_replay_only_later_blocks_and_settle_new_transfers_C5_S1()
    {
        var tx = Hash256.Compute("after-restart"u8);
        await using (var network = await StartAsync(snapshots: true))
        {
            await RunTrafficAsync(network);
            Assert.All(network.Chains.SelectMany(network.ValidatorsOf), v => Assert.NotNull(v.Host.LastSnapshotHeight));
        }

        await using (var restarted = await StartAsync(snapshots: true))
        {
            // Each validator restored a snapshot before replaying the blocks after it (the restore precedes the replay).
            foreach (var validator in restarted.Chains.SelectMany(restarted.ValidatorsOf))
            {
                await validator.WaitForHeightAsync(validator.Store.Tip!.Height).WaitAsync(Timeout);
                Assert.NotNull(validator.Host.RestoredHeight);
            }

            for (int v = 0; v < 4; v++)
            {
                Assert.Equal(CrossChainTransactionState.Committed, restarted.ReadParticipant(BankA, v, p => p.GetState(Hash256.Compute("rt-1"u8))));
                Assert.Equal(CrossChainTransactionState.Committed, restarted.ReadParticipant(BankB, v, p => p.GetState(Hash256.Compute("n-3"u8))));
                Assert.Single(restarted.ReadIntermediary(Icc, v, i => i.CompletedCycles));
            }

            using var client = restarted.CreateClient(BankA, _bankA);
            using var cts = new CancellationTokenSource(Timeout);
            var started = await client.StartTransferAsync(
                new StartTransfer(tx, Icc, Alice, BankC, Carol, Usd, new Amount(40), AckMode.ModeI, SettlementTiming.RealTime, FarFuture()), cts.Token);
            Assert.Equal(CrossChainTransactionState.Committed, await restarted.WaitForOutcomeAsync(started, tx, cts.Token));
            Assert.Equal(CrossChainTransactionState.Committed, await restarted.WaitForOutcomeAsync(BankC, tx, cts.Token));
        }
    }

    /// <summary>Real-time and netting transfers both ways, refusals and a cancellation, each to its final state.</summary>
    private async Task RunTrafficAsync(InProcessSettlementNetwork network)
    {
        using var clientA = network.CreateClient(BankA, _bankA);
        using var clientB = network.CreateClient(BankB, _bankB);
        using var cts = new CancellationTokenSource(Timeout);
        var transfers = new List<(ChainClient Client, StartTransfer Transfer, CrossChainTransactionState Expected)>
        {
            (clientA, Transfer("rt-1", Alice, BankB, Bob, 100, SettlementTiming.RealTime), CrossChainTransactionState.Committed),
            (clientA, Transfer("rt-2", Alice, BankC, Carol, 70, SettlementTiming.RealTime), CrossChainTransactionState.Committed),
            (clientB, Transfer("rt-3", Bob, BankA, Alice, 20, SettlementTiming.RealTime), CrossChainTransactionState.Committed),
            (clientA, Transfer("n-1", Alice, BankB, Bob, 100, SettlementTiming.Netting), CrossChainTransactionState.Committed),
            (clientA, Transfer("n-2", Alice, BankB, Bob, 50, SettlementTiming.Netting), CrossChainTransactionState.Committed),
            (clientB, Transfer("n-3", Bob, BankA, Alice, 30, SettlementTiming.Netting), CrossChainTransactionState.Committed),
            (clientA, Transfer("no-payee", Alice, BankB, new AccountId("nobody"), 10, SettlementTiming.RealTime), CrossChainTransactionState.Cancelled),
            (clientA, Transfer("too-much", Alice, BankB, Bob, 1_000_000, SettlementTiming.RealTime), CrossChainTransactionState.Failed),
            (clientA, Transfer("late", Alice, BankB, Bob, 10, SettlementTiming.RealTime, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds()), CrossChainTransactionState.Cancelled),
        };
        var started = new List<(TransferStarted Started, StartTransfer Transfer, CrossChainTransactionState Expected)>();
        foreach (var (client, transfer, expected) in transfers)
        {
            started.Add((await client.StartTransferAsync(transfer, cts.Token), transfer, expected));
        }

        foreach (var (s, transfer, expected) in started)
        {
            if (s.IsRecorded)
            {
                Assert.Equal(expected, await network.WaitForOutcomeAsync(s, transfer.TransactionId, cts.Token));
            }
            else
            {
                Assert.Equal(CrossChainTransactionState.Failed, expected);
            }
        }
    }

    private static StartTransfer Transfer(string name, AccountId payer, ChainId payeeChain, AccountId payee, long amount, SettlementTiming timing, long? time1Ms = null) =>
        new(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(name)), Icc, payer, payeeChain, payee, Usd, new Amount(amount), AckMode.ModeI, timing, time1Ms ?? FarFuture());

    private static long FarFuture() => DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds();

    private static PrivateKey Key(string name) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(name)).ToArray());

    private static PrivateKey ValidatorKey(ChainId chain, int index) => Key($"{chain}/{index}");

    private static ValidatorSet ValidatorsOf(ChainId chain)
    {
        var keys = Enumerable.Range(0, 4).Select(i => ValidatorKey(chain, i)).ToArray();
        var set = new ValidatorSet(keys.Select(k => k.PublicKey));
        foreach (var key in keys)
        {
            key.Dispose();
        }

        return set;
    }

    private static SettlementNetworkSpec Spec()
    {
        var usd1000 = new Dictionary<AssetCode, long> { [Usd] = 1_000 };
        var usd500 = new Dictionary<AssetCode, long> { [Usd] = 500 };
        return new SettlementNetworkSpec(
            [Usd],
            [
                new ParticipantSpec(BankA, [new CustomerSpec(Alice, usd1000)], usd1000, usd500),
                new ParticipantSpec(BankB, [new CustomerSpec(Bob, usd1000)], usd1000, usd500),
                new ParticipantSpec(BankC, [new CustomerSpec(Carol, new Dictionary<AssetCode, long> { [Usd] = 0 })], usd1000, usd500),
            ],
            [new IntermediarySpec(Icc, [BankA, BankB, BankC])]);
    }

    private static SettlementCycle FirstCycle(ChainId icc) => new(new CycleId(icc, 0), SettlementCyclePolicy.ByTransactionCount(3), 0);

    private Dictionary<ChainId, IReadOnlySet<NodeId>> Operators() => new()
    {
        [BankA] = new HashSet<NodeId> { NodeId.FromPublicKey(_bankA.PublicKey) },
        [BankB] = new HashSet<NodeId> { NodeId.FromPublicKey(_bankB.PublicKey) },
    };

    /// <summary>A fresh copy of a chain's executor, built as the network's validators build theirs.</summary>
    private SettlementChainExecutor CreateExecutor(ChainId chain)
    {
        var spec = Spec();
        var operators = Operators().GetValueOrDefault(chain) ?? new HashSet<NodeId>();
        return chain == Icc ? SettlementChainExecutor.ForIntermediary(spec.CreateIntermediary(chain, FirstCycle(chain)), ValidatorsOf(chain), operators, spec.PeersOf(chain))
            : spec.IsTradingChain(chain) ? SettlementChainExecutor.ForTradingChain(spec.CreateTradingChain(chain), ValidatorsOf(chain), operators)
            : SettlementChainExecutor.ForParticipant(spec.CreateParticipant(chain), ValidatorsOf(chain), operators, spec.PeersOf(chain));
    }

    private Task<InProcessSettlementNetwork> StartAsync(bool snapshots) =>
        InProcessSettlementNetwork.StartAsync(Spec(), new InProcessSettlementOptions
        {
            ValidatorKeys = ValidatorKey,
            Operators = Operators(),
            Cycles = FirstCycle,
            ChainTickIntervalMs = 200,
            RelayTickIntervalMs = 50,
            Relay = new CrossChainRelayOptions { RetryMs = 300, ResubmitMs = 300 },
            ConfigureReplica = o => o.BatchDelayMs = 1,
            Stores = (chain, i) => new FileBlockStoreProvider(new FileStoreOptions { Path = Path.Combine(_root, chain.Value, $"{i}") }),
            Snapshots = snapshots
                ? (chain, i) => new ReplicaSnapshots(new FileStateSnapshotStore(Path.Combine(_root, chain.Value, $"{i}", "snapshots")), IntervalBlocks: 5)
                : null,
        });

    private static byte[] Snapshot(SettlementChainExecutor executor)
    {
        var output = new ArrayBufferWriter<byte>();
        executor.WriteSnapshot(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A block's results and outbound messages as bytes.</summary>
    private static byte[] Encode(BlockExecution execution)
    {
        var output = new ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(output);
        w.WriteArrayHeader(execution.Results.Count + execution.Outbound.Count);
        foreach (var result in execution.Results)
        {
            w.WriteBinary(result.Span);
        }

        foreach (var message in execution.Outbound)
        {
            w.WriteBinary(Canonical.Encode(message));
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>K2's client table, as consensus applies it: a request executes once, above its client's last timestamp.</summary>
    private sealed class ClientFilter
    {
        private readonly Dictionary<NodeId, ulong> _last = [];

        public CommittedBlock Committed(Block block)
        {
            var fresh = new List<CommittedRequest>();
            foreach (var request in CommittedBlock.Decode(block).Requests)
            {
                if (!_last.TryGetValue(request.Request.ClientId, out ulong t) || request.Request.Timestamp > t)
                {
                    _last[request.Request.ClientId] = request.Request.Timestamp;
                    fresh.Add(request);
                }
            }

            return new CommittedBlock(block, fresh);
        }
    }
}
