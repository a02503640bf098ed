using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;

namespace ChainInterop.Consensus.Tests.Hosting;

/// <summary>Clients that reach the validators over a transport, as they do over TCP (K2's client protocol).</summary>
public class RemoteClientTests
{
    private static readonly ChainId Chain = new("ppc-bank-a");

    private static PrivateKey Key(int i) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(7000 + i)).ToArray());

    [Fact]
    public async Task A_client_on_the_transport_gets_its_requests_committed_and_f_plus_1_replies_back_K2_C6()
    {
        var keys = Enumerable.Range(0, 4).Select(Key).ToArray();
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var network = new InMemoryNetwork();
        var stores = keys.Select(_ => new InMemoryBlockStore(Chain)).ToArray();
        var hosts = keys.Select((key, i) =>
        {
            var replica = new PbftReplica(new ReplicaOptions { ChainId = Chain, Validators = validators, BatchDelayMs = 1 }, key, null);
            return new ReplicaHost(replica, validators, network.Connect(replica.Id), stores[i]) { ServeRemoteClients = true };
        }).ToArray();
        using var clientKey = Key(10);
        using var impostorKey = Key(11);
        try
        {
            foreach (var host in hosts)
            {
                host.Start();
            }

            await using var clientTransport = network.Connect(NodeId.FromPublicKey(clientKey.PublicKey));
            await using var client = ChainClient.Connect(clientTransport, Chain, validators, clientKey);
            for (int i = 0; i < 3; i++)
            {
                var reply = await client.SubmitAsync(new byte[] { (byte)i }).WaitAsync(TimeSpan.FromSeconds(120));
                Assert.Equal(client.Id, reply.ClientId);
                Assert.True(reply.Verify(validators.PublicKeys[validators.IndexOf(reply.Replica)]));
            }

            // A node may only submit requests it signed itself: one signed by someone else is dropped.
            await using var impostor = network.Connect(NodeId.FromPublicKey(impostorKey.PublicKey));
            var foreign = ClientRequest.Create(clientKey, Chain, ulong.MaxValue, "not mine"u8);
            foreach (var validator in validators.NodeIds)
            {
                await impostor.SendAsync(validator, Canonical.Encode(foreign));
                await impostor.SendAsync(validator, "garbage"u8.ToArray());
            }

            var last = await client.SubmitAsync("after"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(120));

            // f + 1 validators replied; validator 0 may not have stored the block yet. Its host stores a block before it
            // hands on the replies to its requests, so its own reply to the last request says the block is stored.
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            {
                await foreach (var reply in hosts[0].Replies.ReadAllAsync(wait.Token))
                {
                    if (reply.ClientId == last.ClientId && reply.Timestamp == last.Timestamp)
                    {
                        break;
                    }
                }
            }

            var committed = new List<ClientRequest>();
            await foreach (var block in stores[0].ReadAsync(0))
            {
                committed.AddRange(block.Entries.Select(e => Canonical.Decode<ClientRequest>(e)));
            }

            Assert.Equal(4, committed.Count);
            Assert.All(committed, r => Assert.Equal(client.Id, r.ClientId));
            Assert.DoesNotContain(committed, r => r.Timestamp == ulong.MaxValue);
            Assert.Equal(last.Height, stores[0].Tip!.Height);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task Disposing_a_client_ends_a_call_in_flight_and_refuses_new_ones_K2()
    {
        var keys = Enumerable.Range(20, 4).Select(Key).ToArray();
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var network = new InMemoryNetwork(); // no validator is running: nobody will ever answer
        using var clientKey = Key(30);
        await using var transport = network.Connect(NodeId.FromPublicKey(clientKey.PublicKey));
        var client = ChainClient.Connect(transport, Chain, validators, clientKey, requestRetryMs: 50);
        var call = client.SubmitAsync(new byte[] { 1 });
        await Task.Delay(200); // a few resends
        await client.DisposeAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(120)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.SubmitAsync(new byte[] { 2 }));
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }
}
