using System.Collections.Concurrent;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.Hosting;

public class InProcessChainTests
{
    private static readonly ChainId Chain = new("icc-local");

    private static PrivateKey Key(int i) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(5000 + i)).ToArray());

    public static TheoryData<string> Engines => new() { "pbft", "cbft", "single-authority" };

    private static (ReplicaFactory Factory, int Validators) Engine(string name) => name switch
    {
        "pbft" => (ConsensusEngines.Pbft, 4),
        "cbft" => (ConsensusEngines.Cbft, 4),
        _ => (ConsensusEngines.SingleAuthority, 1),
    };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Every_validator_application_executes_the_same_committed_payloads_and_clients_get_its_result_from_f_plus_1_replies_K1_K2(string engine)
    {
        var (factory, validators) = Engine(engine);
        var executed = Enumerable.Range(0, validators).Select(_ => new ConcurrentQueue<string>()).ToArray();
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true, ValidatorCount = validators, Engine = factory, ConfigureReplica = o => o.BatchDelayMs = 1 },
            i => new InlineApplication(block =>
            {
                var results = new ReadOnlyMemory<byte>[block.Requests.Count];
                for (int r = 0; r < results.Length; r++)
                {
                    var payload = block.Requests[r].Request.Payload;
                    executed[i].Enqueue(Convert.ToHexString(payload.Span));
                    results[r] = payload.ToArray().Reverse().ToArray(); // the application's answer: the payload reversed
                }

                return new BlockExecution(results, []);
            }));

        var keys = Enumerable.Range(0, 3).Select(Key).ToArray();
        var clients = keys.Select(chain.CreateClient).ToArray();
        try
        {
            // Three clients in parallel, five sequential requests each.
            var replies = await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
            {
                var mine = new List<ClientReply>();
                for (int r = 0; r < 5; r++)
                {
                    mine.Add(await client.SubmitAsync(new byte[] { (byte)c, (byte)r }).WaitAsync(TimeSpan.FromSeconds(120)));
                }

                return mine;
            })));

            Assert.All(replies.SelectMany(r => r), reply => Assert.Equal(Chain, reply.ChainId));
            // Timestamps strictly increase per client, so the chain executed every request (none deduplicated away).
            Assert.All(replies, mine => Assert.Equal(mine.Count, mine.Select(r => r.Timestamp).Distinct().Count()));
            // Each reply carries what the application returned for that request (c, r reversed), vouched for by f + 1.
            Assert.All(replies.Select((mine, c) => (mine, c)), x => Assert.All(x.mine.Select((reply, r) => (reply, r)),
                y => Assert.Equal(new byte[] { (byte)y.r, (byte)x.c }, y.reply.Result.ToArray())));

            // Every validator that committed the last reply's height executed the same payloads in the same order. A
            // block is executed before it is stored, and validators finish at their own pace (a view change on a
            // busy machine may add an empty block): wait until all stored the same tip and executed all 15.
            ulong last = replies.SelectMany(r => r).Max(r => r.Height);
            await WaitUntilAsync(() => chain.Stores.All(s => s.Tip?.Height >= last && Equals(s.Tip, chain.Stores[0].Tip)) && executed.All(e => e.Count >= 15));
            var reference = executed[0].ToArray();
            Assert.Equal(15, reference.Length);
            Assert.All(executed, e => Assert.Equal(reference, e.ToArray()));
            Assert.All(chain.Stores, s => Assert.Equal(chain.Stores[0].Tip, s.Tip));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task One_key_makes_one_live_client()
    {
        await using var chain = await InProcessChain.StartAsync(new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true });
        using var key = Key(9);
        var client = chain.CreateClient(key);
        Assert.Throws<InvalidOperationException>(() => chain.CreateClient(key));
        await client.DisposeAsync();
        await using var again = chain.CreateClient(key); // a disposed client is forgotten
        Assert.Equal(client.Id, again.Id);
    }

    [Fact]
    public async Task Options_with_the_wrong_number_of_keys_are_refused()
    {
        using var key = Key(1);
        await Assert.ThrowsAsync<ArgumentException>(() => InProcessChain.StartAsync(new InProcessChainOptions { ChainId = Chain, ValidatorCount = 4, ValidatorKeys = [key] }));
    }

    [Fact]
    public async Task Without_keys_a_chain_refuses_to_start_unless_demo_keys_are_asked_for_and_then_it_warns()
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => InProcessChain.StartAsync(new InProcessChainOptions { ChainId = Chain }));
        Assert.Contains(nameof(InProcessChainOptions.UseDemoKeys), refused.Message, StringComparison.Ordinal);

        using var loggers = new ChainInterop.Testing.ListLoggerFactory();
        await using var chain = await InProcessChain.StartAsync(new InProcessChainOptions { ChainId = Chain, UseDemoKeys = true, Loggers = loggers });
        lock (loggers.Events)
        {
            Assert.Contains(loggers.Events, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("demo validator keys", StringComparison.Ordinal));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120); // generous: a green run never waits for it
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}

public class ReplicatedApplicationTests
{
    [Fact]
    public async Task Each_validator_applies_blocks_to_its_own_copy_and_waiting_for_a_height_sees_all_copies_K1()
    {
        var replicas = new ReplicatedApplication<HeightLog>(4, _ => new HeightLog());
        await using var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions { ChainId = new ChainId("replicated-app"), UseDemoKeys = true, ConfigureReplica = o => o.BatchDelayMs = 1 }, replicas.Application);
        using var key = SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute([42]).ToArray());
        using var client = chain.CreateClient(key);
        var reply = await client.SubmitAsync(new byte[] { 1 }).WaitAsync(TimeSpan.FromSeconds(120));
        await replicas.WaitForHeightAsync(reply.Height).WaitAsync(TimeSpan.FromSeconds(120));
        for (int i = 0; i < replicas.Count; i++)
        {
            Assert.Equal(reply.Height, replicas.Read(i, log => log.Heights[^1]));
        }

        using var cancelled = new CancellationTokenSource();
        var never = replicas.WaitForHeightAsync(reply.Height + 100, cancelled.Token);
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => never);
    }

    /// <summary>An application that records the heights it executed.</summary>
    private sealed class HeightLog : IChainApplication
    {
        public List<ulong> Heights { get; } = [];

        public BlockExecution Execute(CommittedBlock block)
        {
            Heights.Add(block.Height);
            return BlockExecution.Empty(block);
        }

        public void WriteSnapshot(System.Buffers.IBufferWriter<byte> output)
        {
            var w = new Codec.CanonicalWriter(output);
            w.WriteArrayHeader(Heights.Count);
            foreach (ulong height in Heights)
            {
                w.WriteUInt64(height);
            }
        }

        public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
        {
            var r = new Codec.CanonicalReader(snapshot);
            var heights = new List<ulong>();
            for (int n = r.ReadArrayHeader(); heights.Count < n;)
            {
                heights.Add(r.ReadUInt64());
            }

            r.EnsureEnd();
            Heights.Clear();
            Heights.AddRange(heights);
        }
    }
}
