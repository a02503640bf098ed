using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.Pbft;

public class PbftNormalCaseTests
{
    internal static PrivateKey ClientKey(byte seed) => SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat((byte)(100 + seed), 32).ToArray());

    internal static ClientRequest Request(PrivateKey client, ulong timestamp, string payload = "pay") =>
        ClientRequest.Create(client, PbftTestNetwork.Chain, timestamp, System.Text.Encoding.UTF8.GetBytes($"{payload} {timestamp}"));

    internal static void AssertSameChains(PbftTestNetwork net, params int[] nodes)
    {
        var ids = nodes.Length == 0 ? Enumerable.Range(0, net.Replicas.Length).ToArray() : nodes;
        foreach (int i in ids)
        {
            Assert.True(ChainVerifier.Verify(PbftTestNetwork.Chain, net.Validators, net.Committed[i]).IsValid, $"replica {i}'s chain verifies");
        }

        // No two replicas commit different blocks at the same height.
        for (int a = 0; a < net.Replicas.Length; a++)
        {
            for (int b = a + 1; b < net.Replicas.Length; b++)
            {
                foreach (var (x, y) in net.Committed[a].Zip(net.Committed[b]))
                {
                    Assert.Equal(x.Hash, y.Hash);
                }
            }
        }
    }

    [Fact]
    public void Requests_commit_on_all_replicas_in_identical_certified_blocks_and_clients_accept_f_plus_1_replies_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(1);
        net.StartAll();
        var requests = Enumerable.Range(1, 5).Select(t => Request(client, (ulong)t)).ToArray();
        foreach (var request in requests)
        {
            net.Submit(request);
        }

        Assert.True(net.RunUntil(() => Enumerable.Range(0, 4).All(i => net.RequestsCommitted(i) == 5)));
        AssertSameChains(net);
        Assert.Equal(0UL, net.Committed[0][0].Height);
        foreach (var request in requests)
        {
            var collector = new ReplyCollector(net.Validators, request);
            foreach (var reply in net.Replies.SelectMany(r => r))
            {
                collector.Add(reply);
            }

            Assert.NotNull(collector.Accepted);
            var block = net.Committed[0].Single(b => b.Height == collector.Accepted!.Height);
            Assert.Equal(Canonical.Encode(request), block.Entries[collector.Accepted!.EntryIndex].ToArray());
        }

        Assert.All(net.Replicas, r => Assert.Equal(0, r.PendingRequestCount));
    }

    [Fact]
    public void A_full_batch_is_proposed_at_once_and_a_partial_batch_when_the_batch_timer_fires_K2()
    {
        using var net = new PbftTestNetwork(configure: o => { o.MaxBatchRequests = 3; o.BatchDelayMs = 50; });
        using var client = ClientKey(2);
        net.StartAll();
        long start = net.Now;
        for (ulong t = 1; t <= 3; t++)
        {
            net.Submit(Request(client, t));
        }

        // A full batch needs no timer: it commits before virtual time moves.
        Assert.True(net.RunUntil(() => net.AllAtLeast(0), maxMs: 0));
        Assert.Equal(3, net.Committed[0][0].Entries.Count);
        Assert.Equal(start, net.Now);

        net.Submit(Request(client, 4));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1)));
        Assert.Single(net.Committed[0][1].Entries);
        Assert.Equal(start + 50, net.Now);

        // Seven requests at once: a block of 3 now, then 3, then 1 after the batch delay.
        for (ulong t = 5; t <= 11; t++)
        {
            net.Submit(Request(client, t));
        }

        Assert.True(net.RunUntil(() => Enumerable.Range(0, 4).All(i => net.RequestsCommitted(i) == 11)));
        Assert.Equal([3, 1, 3, 3, 1], net.Committed[0].Select(b => b.Entries.Count));
        AssertSameChains(net);
    }

    [Fact]
    public void A_request_sent_twice_with_the_same_client_and_timestamp_commits_once_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(3);
        net.StartAll();
        var request = Request(client, 7);
        net.Submit(request);
        net.Submit(request);
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        net.Submit(request);

        // An older timestamp from the same client is a replay too.
        net.Submit(Request(client, 6));
        net.Submit(Request(client, 8));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1)));
        net.RunFor(5_000);
        foreach (int i in Enumerable.Range(0, 4))
        {
            var entries = net.Committed[i].SelectMany(b => b.Entries).Select(e => Canonical.Decode<ClientRequest>(e).Timestamp).ToArray();
            Assert.Equal([7UL, 8UL], entries);

            // The third submission of t7 is answered from the reply cache (same height and entry), not re-executed.
            Assert.Equal(2, net.Replies[i].DistinctBy(r => (r.Timestamp, r.Height, r.EntryIndex)).Count());
        }

        Assert.All(net.Replicas, r => Assert.Equal(0UL, r.View));
    }

    [Fact]
    public void Another_request_under_an_executed_timestamp_is_neither_committed_nor_answered_from_the_reply_cache_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(5);
        net.StartAll();
        net.Submit(Request(client, 7, "first"));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        var other = Request(client, 7, "second");
        net.Submit(other);
        net.RunFor(5_000);
        foreach (int i in Enumerable.Range(0, 4))
        {
            Assert.Single(net.Committed[i].SelectMany(b => b.Entries));
            Assert.DoesNotContain(net.Replies[i], r => r.RequestDigest == other.Digest);
        }
    }

    [Fact]
    public void A_request_with_a_forged_signature_is_never_committed_K2_C1()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(4);
        net.StartAll();
        var bytes = Canonical.Encode(Request(client, 1, "forged"));
        bytes[^3] ^= 0x01;
        var forged = Canonical.Decode<ClientRequest>(bytes);
        Assert.False(forged.VerifySignature());
        net.Submit(forged);
        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));
        net.RunFor(5_000);
        Assert.All(net.Committed, c => Assert.Equal(1, c.Sum(b => b.Entries.Count)));
        Assert.All(net.Committed, c => Assert.Equal(2UL, Canonical.Decode<ClientRequest>(c[0].Entries[0]).Timestamp));
    }

    [Fact]
    public void A_primary_proposing_a_block_with_a_forged_request_gets_no_prepares_and_is_replaced_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(5);
        net.StartAll();

        // The primary (replica 0) swaps its block for one holding a forged request, correctly signed by itself.
        net.ReplaceProposals((to, view, block) =>
        {
            if (view != 0)
            {
                return null;
            }

            var forged = Canonical.Encode(Canonical.Decode<ClientRequest>(block.Entries[0]));
            forged[^3] ^= 0x01;
            var h = block.Header;
            return Block.Create(h.ChainId, h.Height, h.PreviousHash, h.TimestampUnixMs, h.Proposer, h.View, [forged]);
        });
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0, 1, 2, 3)));
        AssertSameChains(net);
        Assert.All(net.Committed, c => Assert.True(Canonical.Decode<ClientRequest>(c[0].Entries[0]).VerifySignature()));
        Assert.Equal(1UL, net.Committed[1][0].Header.View);
    }

    [Fact]
    public void Garbage_bytes_and_messages_from_non_validators_are_ignored_C2_K2()
    {
        using var net = new PbftTestNetwork();
        using var client = ClientKey(6);
        using var outsider = SignatureSchemes.Ed25519.ImportPrivateKey(Enumerable.Repeat((byte)99, 32).ToArray());
        net.StartAll();
        net.Submit(Request(client, 1));
        Assert.True(net.RunUntil(() => net.AllAtLeast(0)));

        var replica = net.Replicas[1];
        var effects = new RecordingEffects();
        var random = new Random(1234);
        var valid = PbftMessage.Create(net.Keys[0], PbftTestNetwork.Chain, PbftMessageKind.Prepare, 0, new PrepareBody(1, Hash256.Compute("x"u8))).ToBytes();
        var inputs = new List<(NodeId From, byte[] Bytes)>();
        for (int i = 0; i < 300; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            inputs.Add((net.Ids[0], garbage));
        }

        for (int cut = 0; cut < valid.Length; cut++)
        {
            inputs.Add((net.Ids[0], valid[..cut]));
            var flipped = (byte[])valid.Clone();
            flipped[cut] ^= 0x10;
            inputs.Add((net.Ids[0], flipped));
        }

        // Well-formed and signed, but by a non-validator / claiming another sender / for another chain / a body that is not a body.
        var outsiderId = NodeId.FromPublicKey(outsider.PublicKey);
        inputs.Add((outsiderId, PbftMessage.Create(outsider, PbftTestNetwork.Chain, PbftMessageKind.ViewChange, 5, new ViewChangeBody(null, null, null, [])).ToBytes()));
        inputs.Add((net.Ids[2], valid));
        inputs.Add((net.Ids[0], PbftMessage.Create(net.Keys[0], new ChainId("other-chain"), PbftMessageKind.Checkpoint, 0, new CheckpointBody(63, Hash256.Zero)).ToBytes()));
        inputs.Add((net.Ids[0], PbftMessage.Create(net.Keys[0], PbftTestNetwork.Chain, PbftMessageKind.NewView, 9, new PrepareBody(1, Hash256.Zero)).ToBytes()));
        inputs.Add((net.Ids[0], PbftMessage.Create(net.Keys[0], PbftTestNetwork.Chain, PbftMessageKind.NewView, 9, new NewViewBody([valid, [1, 2, 3]], null)).ToBytes()));
        inputs.Add((net.Ids[0], PbftMessage.Create(net.Keys[0], PbftTestNetwork.Chain, PbftMessageKind.StateResponse, 0, new StateResponseBody([])).ToBytes()));

        ulong? height = replica.CommittedHeight;
        foreach (var (from, bytes) in inputs)
        {
            replica.OnMessage(from, bytes, net.Now, effects);
        }

        Assert.Equal(height, replica.CommittedHeight);
        Assert.Equal(0UL, replica.View);
        Assert.False(replica.IsChangingView);
        Assert.Empty(effects.Committed);
        Assert.Empty(effects.Sent);

        // The chain still works.
        net.Submit(Request(client, 2));
        Assert.True(net.RunUntil(() => net.AllAtLeast(1)));
        AssertSameChains(net);
    }

    internal sealed class RecordingEffects : IReplicaEffects
    {
        public List<byte[]> Sent { get; } = [];

        public List<Block> Committed { get; } = [];

        public void Send(NodeId recipient, ReadOnlyMemory<byte> message) => Sent.Add(message.ToArray());

        public void Broadcast(ReadOnlyMemory<byte> message) => Sent.Add(message.ToArray());

        public void SetTimer(ReplicaTimer timer, long delayMs)
        {
        }

        public void CancelTimer(ReplicaTimer timer)
        {
        }

        public void Commit(CommittedBlock block, BlockExecution execution) => Committed.Add(block.Block);

        public void LoadBlocks(NodeId requester, ulong fromHeight, int maxCount)
        {
        }

        public void Reply(ClientReply reply)
        {
        }
    }
}
