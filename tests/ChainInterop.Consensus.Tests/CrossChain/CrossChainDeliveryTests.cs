using System.Collections.Concurrent;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Transport;

using ChainInterop.Consensus.Tests.Hosting;

namespace ChainInterop.Consensus.Tests.CrossChain;

/// <summary>
/// Two chains of four validators: the source chain commits cross-chain messages under PBFT, its validators relay
/// them over a shared in-memory network, the destination validators' inboxes accept each once. Counts the
/// network messages per cross-chain message in both modes (C6).
/// </summary>
public class CrossChainDeliveryTests
{
    private static readonly ChainId Source = new("ppc-bank-a");
    private static readonly ChainId Destination = new("icc-clearing");

    private static PrivateKey[] Keys(int seed, int count) =>
        Enumerable.Range(seed, count).Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(i)).ToArray())).ToArray();

    [Theory]
    [InlineData(CrossChainMode.Scatter, 16)]    // m × n = 4 × 4
    [InlineData(CrossChainMode.Certificate, 1)] // one certified message
    public async Task Committed_cross_chain_messages_reach_the_destination_once_each_with_m_times_n_or_1_messages_C6(CrossChainMode mode, int expectedPerMessage)
    {
        const int Messages = 5;
        var sourceKeys = Keys(400, 4);
        var destinationKeys = Keys(500, 4);
        using var client = Keys(600, 1)[0];
        var sourceValidators = new ValidatorSet(sourceKeys.Select(k => k.PublicKey));
        var destinationValidators = new ValidatorSet(destinationKeys.Select(k => k.PublicKey));
        var interchain = new InMemoryNetwork();
        long sent = 0;
        var relayed = new int[sourceKeys.Length]; // cross-chain messages each source validator has finished relaying

        // Destination side: every validator has an inbox fed by its transport.
        var accepted = destinationValidators.NodeIds.ToDictionary(id => id, _ => new ConcurrentBag<ulong>());
        var receivers = destinationValidators.NodeIds.Select(id =>
        {
            var transport = interchain.Connect(id);
            var inbox = new CrossChainInbox(Destination, new Dictionary<ChainId, CrossChainSource>
            {
                [Source] = new(sourceValidators, new HashSet<NodeId> { NodeId.FromPublicKey(client.PublicKey) }),
            });
            return (transport, Pump: Task.Run(async () =>
            {
                await foreach (var message in transport.Inbound.ReadAllAsync())
                {
                    var outcome = inbox.Receive(message.From, message.Payload);
                    if (outcome.Status == CrossChainDeliveryStatus.Accepted)
                    {
                        accepted[id].Add(outcome.Message!.Sequence);
                    }
                }
            }));
        }).ToArray();

        // Source side: what follows each validator's chain plans its sends for every committed cross-chain message.
        var destinations = new Dictionary<ChainId, ValidatorSet> { [Destination] = destinationValidators };
        var senders = sourceValidators.NodeIds.Select(id => (Outbox: new CrossChainOutbox(id, sourceValidators, destinations, mode), Transport: interchain.Connect(id))).ToArray();
        await using (var chain = await InProcessChain.StartAsync(
            new InProcessChainOptions
            {
                ChainId = Source,
                ValidatorKeys = sourceKeys,
                ConfigureReplica = o => o.BatchDelayMs = 1,
                Observers = i => new InlineObserver(async (block, _, _, cancellationToken) =>
                {
                    foreach (var (entry, request) in block.Requests)
                    {
                        var message = Canonical.Decode<CrossChainMessage>(request.Payload);
                        foreach (var (recipient, envelope) in senders[i].Outbox.Plan(block.Block, entry, message))
                        {
                            await senders[i].Transport.SendAsync(recipient, envelope, cancellationToken);
                            Interlocked.Increment(ref sent);
                        }

                        Interlocked.Increment(ref relayed[i]);
                    }
                }),
            }))
        {
            using var submitter = chain.CreateClient(client);
            for (ulong sequence = 0; sequence < Messages; sequence++)
            {
                await submitter.SubmitAsync(Canonical.Encode(new CrossChainMessage(Source, Destination, sequence, BitConverter.GetBytes(sequence))))
                    .WaitAsync(TimeSpan.FromSeconds(120));
            }

            // Every source validator commits and relays every message; once all have, no send is left to come (the
            // client submitted nothing else), so the count below is final.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (Enumerable.Range(0, relayed.Length).Any(i => Volatile.Read(ref relayed[i]) < Messages))
            {
                Assert.True(DateTime.UtcNow < deadline, $"relayed {string.Join(",", relayed)} of {Messages} per validator");
                await Task.Delay(10);
            }
        }

        foreach (var (transport, _) in receivers)
        {
            await transport.DisposeAsync();
        }

        await Task.WhenAll(receivers.Select(r => r.Pump));
        foreach (var (_, transport) in senders)
        {
            await transport.DisposeAsync();
        }

        Assert.Equal(Messages * expectedPerMessage, Interlocked.Read(ref sent));
        var all = accepted.Values.SelectMany(s => s).ToList();
        if (mode == CrossChainMode.Scatter)
        {
            // Every destination validator accepted every message exactly once.
            Assert.All(accepted.Values, got => Assert.Equal(Enumerable.Range(0, Messages).Select(s => (ulong)s), got.OrderBy(s => s)));
        }
        else
        {
            // One destination validator (rotating with the sequence) accepted each message, exactly once overall.
            Assert.Equal(Enumerable.Range(0, Messages).Select(s => (ulong)s), all.OrderBy(s => s));
        }

        foreach (var key in sourceKeys.Concat(destinationKeys))
        {
            key.Dispose();
        }
    }
}
