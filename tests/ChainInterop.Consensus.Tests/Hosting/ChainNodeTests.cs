using ChainInterop.Blocks;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using ChainInterop.Transport;
using Microsoft.Extensions.DependencyInjection;

namespace ChainInterop.Consensus.Tests.Hosting;

public class ChainNodeTests
{
    private static readonly ChainId Chain = new("ppc-bank-a");

    private static PrivateKey Key(int i) => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(i)).ToArray());

    [Theory]
    [InlineData("pbft")]
    [InlineData("cbft")]
    public async Task Four_BFT_nodes_wired_through_DI_commit_client_requests_over_the_runtime_driver_K1_K2_K3(string engine)
    {
        var keys = Enumerable.Range(0, 4).Select(Key).ToArray();
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var network = new InMemoryNetwork();
        var providers = new List<ServiceProvider>();
        var hosts = new List<ReplicaHost>();
        PrivateKey[] clients = [];
        try
        {
            foreach (var key in keys)
            {
                var services = new ServiceCollection();
                var chain = services.AddChainInterop().AddInMemoryStore()
                    .AddChain(Chain, o =>
                    {
                        o.Replica.Validators = validators;
                        o.Replica.BatchDelayMs = 2;
                        o.SigningKey = key;
                    });
                _ = engine == "cbft" ? chain.AddCbft() : chain.AddPbft();
                var provider = services.BuildServiceProvider();
                providers.Add(provider);
                hosts.Add(await provider.GetRequiredService<ChainNodeFactory>().StartAsync(Chain, network.Connect(NodeId.FromPublicKey(key.PublicKey))));
            }

            // Twenty clients, one request each, sent to different nodes (backups forward to the primary). A single
            // client would send one request at a time: K2 executes a client's requests in timestamp order only.
            clients = Enumerable.Range(100, 20).Select(Key).ToArray();
            var requests = clients.Select((c, i) => ClientRequest.Create(c, Chain, 1, BitConverter.GetBytes(i))).ToArray();
            for (int i = 0; i < requests.Length; i++)
            {
                await hosts[i % 4].SubmitAsync(requests[i]);
            }

            // Each client accepts its result after f + 1 matching replies. A client that has none after a while sends
            // its request to every validator, as a PBFT client must (K2; ChainClient does so every RequestRetryMs):
            // a request only one validator holds can be stranded when the primary moves on before it arrives (CBFT
            // draws a primary per block), and then too few replicas hold it to start a view change. On a busy
            // machine that race is common.
            var collectors = requests.ToDictionary(r => r.ClientId, r => new ReplyCollector(validators, r));
            var deadline = DateTime.UtcNow.AddSeconds(120); // generous: a green run never waits for it
            var resendAt = DateTime.UtcNow.AddSeconds(2);
            int repliesSeen = 0;
            while (collectors.Values.Any(c => c.Accepted is null))
            {
                if (DateTime.UtcNow >= resendAt)
                {
                    foreach (var request in requests.Where(r => collectors[r.ClientId].Accepted is null))
                    {
                        foreach (var host in hosts)
                        {
                            await host.SubmitAsync(request);
                        }
                    }

                    resendAt = DateTime.UtcNow.AddSeconds(2);
                }

                if (DateTime.UtcNow >= deadline)
                {
                    var tips = new List<string>();
                    foreach (var p in providers)
                    {
                        tips.Add((await p.GetRequiredService<IBlockStoreProvider>().OpenAsync(Chain)).Tip?.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none");
                    }

                    Assert.Fail($"requests did not commit within 120 s: {collectors.Values.Count(c => c.Accepted is not null)} accepted, {repliesSeen} replies, tips {string.Join(",", tips)}, dropped {network.DroppedMessages}, faults {string.Join(";", hosts.Select(h => h.Completion.Status))}");
                }

                foreach (var host in hosts)
                {
                    while (host.Replies.TryRead(out var reply))
                    {
                        repliesSeen++;
                        collectors[reply.ClientId].Add(reply);
                    }
                }

                await Task.Delay(5);
            }

            // Every node stored the same certified chain.
            ulong height = collectors.Values.Max(c => c.Accepted!.Height);
            var chains = new List<List<Block>>();
            foreach (var provider in providers)
            {
                var store = await provider.GetRequiredService<IBlockStoreProvider>().OpenAsync(Chain);
                var deadlineStore = DateTime.UtcNow.AddSeconds(120);
                while ((store.Tip?.Height ?? 0) < height)
                {
                    Assert.True(DateTime.UtcNow < deadlineStore);
                    await Task.Delay(5);
                }

                var blocks = await store.ReadAsync().Take((int)height + 1).ToListAsync();
                Assert.True(ChainVerifier.Verify(Chain, validators, blocks).IsValid);
                chains.Add(blocks);
            }

            Assert.All(chains, c => Assert.Equal(chains[0].Select(b => b.Hash), c.Select(b => b.Hash)));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }

            foreach (var provider in providers)
            {
                await provider.DisposeAsync();
            }

            foreach (var key in keys.Concat(clients))
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task Under_a_trusted_transport_replicas_skip_request_signatures_and_reply_unsigned_K2()
    {
        var keys = Enumerable.Range(200, 4).Select(Key).ToArray();
        var validators = new ValidatorSet(keys.Select(k => k.PublicKey));
        var network = new InMemoryNetwork();
        var hosts = new List<ReplicaHost>();
        using var client = Key(300);
        try
        {
            foreach (var key in keys)
            {
                var options = new ReplicaOptions
                {
                    ChainId = Chain, Validators = validators, BatchDelayMs = 1, ClientAuthentication = ClientAuthentication.TrustedTransport,
                };
                var replica = new ChainInterop.Consensus.Pbft.PbftReplica(options, key, null);
                var host = new ReplicaHost(replica, validators, network.Connect(replica.Id), new InMemoryBlockStore(Chain));
                host.Start();
                hosts.Add(host);
            }

            // A request whose signature is garbage: refused under signatures, committed here.
            var genuine = ChainInterop.Codec.Canonical.Encode(ClientRequest.Create(client, Chain, 1, "trusted channel"u8));
            genuine[^1] ^= 0xff;
            var request = ChainInterop.Codec.Canonical.Decode<ClientRequest>(genuine);
            Assert.False(request.VerifySignature());
            await hosts[0].SubmitAsync(request);

            var collector = new ReplyCollector(validators, request, ClientAuthentication.TrustedTransport);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (collector.Accepted is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "the request did not commit");
                foreach (var host in hosts)
                {
                    while (host.Replies.TryRead(out var reply))
                    {
                        Assert.False(reply.IsSigned);
                        collector.Add(reply);
                    }
                }

                await Task.Delay(5);
            }
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
    public async Task Starting_a_chain_without_an_engine_is_a_clear_error_K1()
    {
        using var key = Key(1);
        var services = new ServiceCollection();
        services.AddChainInterop().AddInMemoryStore().AddChain(Chain, o =>
        {
            o.Replica.Validators = new ValidatorSet([key.PublicKey]);
            o.SigningKey = key;
        });
        await using var provider = services.BuildServiceProvider();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            provider.GetRequiredService<ChainNodeFactory>().StartAsync(Chain, new InMemoryNetwork().Connect(NodeId.FromPublicKey(key.PublicKey))));
        Assert.Contains("AddPbft", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_single_authority_chain_wired_through_DI_commits_and_replies_K1()
    {
        using var key = Key(2);
        using var client = Key(3);
        var services = new ServiceCollection();
        services.AddChainInterop().AddInMemoryStore()
            .AddChain(Chain, o =>
            {
                o.Replica.Validators = new ValidatorSet([key.PublicKey]);
                o.Replica.BatchDelayMs = 1;
                o.SigningKey = key;
            })
            .AddSingleAuthority();
        await using var provider = services.BuildServiceProvider();
        await using var host = await provider.GetRequiredService<ChainNodeFactory>().StartAsync(Chain, new InMemoryNetwork().Connect(NodeId.FromPublicKey(key.PublicKey)));
        var request = ClientRequest.Create(client, Chain, 1, "pay"u8);
        await host.SubmitAsync(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var reply = await host.Replies.ReadAsync(timeout.Token);
        Assert.Equal(request.Digest, reply.RequestDigest);
        var store = await provider.GetRequiredService<IBlockStoreProvider>().OpenAsync(Chain);
        Assert.Equal(reply.Height, store.Tip!.Height);
    }
}
