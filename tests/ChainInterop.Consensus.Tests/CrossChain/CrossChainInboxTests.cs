using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Tests.CrossChain;

public sealed class CrossChainInboxTests : IDisposable
{
    private static readonly ChainId Source = new("ppc-bank-a");
    private static readonly ChainId Destination = new("icc-clearing");

    private readonly PrivateKey[] _sourceKeys = Keys(100, 4);
    private readonly PrivateKey[] _strangerKeys = Keys(200, 4);
    private readonly PrivateKey _client = Keys(300, 1)[0];

    private static PrivateKey[] Keys(int seed, int count) =>
        Enumerable.Range(seed, count).Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(BitConverter.GetBytes(i)).ToArray())).ToArray();

    private ValidatorSet SourceValidators => new(_sourceKeys.Select(k => k.PublicKey));

    private NodeId SourceNode(int i) => NodeId.FromPublicKey(_sourceKeys[i].PublicKey);

    private CrossChainInbox NewInbox(int maxPending = CrossChainInbox.DefaultMaxPendingMessages, ulong window = CrossChainInbox.DefaultSequenceWindow) =>
        new(Destination, new Dictionary<ChainId, CrossChainSource>
        {
            [Source] = new(SourceValidators, new HashSet<NodeId> { NodeId.FromPublicKey(_client.PublicKey) }),
        }, maxPending, window);

    private static CrossChainMessage Message(ulong sequence, string payload = "pay 10 EUR") =>
        new(Source, Destination, sequence, System.Text.Encoding.UTF8.GetBytes(payload));

    private static byte[] Scattered(CrossChainMessage message) => Canonical.Encode(CrossChainEnvelope.Scatter(message));

    /// <summary>A source block committing <paramref name="message"/> as a client request, certified by <paramref name="signers"/>.</summary>
    private Block CertifiedBlock(CrossChainMessage message, IEnumerable<PrivateKey> signers, PrivateKey? sender = null)
    {
        var request = ClientRequest.Create(sender ?? _client, Source, 1, Canonical.Encode(message));
        var block = Block.Create(Source, 7, Hash256.Zero, 1_700_000_000_000, SourceNode(0), view: 0,
            [Canonical.Encode(ClientRequest.Create(_client, Source, 0, "other"u8)), Canonical.Encode(request)]);
        return block.WithCertificate(CommitCertificate.Sign(block.Header, signers));
    }

    [Fact]
    public void Scatter_accepts_once_f_plus_1_distinct_source_validators_sent_identical_content_C6()
    {
        var inbox = NewInbox();
        var message = Message(0);
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(0), Scattered(message)).Status);
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(0), Scattered(message)).Status); // same sender again
        var accepted = inbox.Receive(SourceNode(1), Scattered(message));
        Assert.Equal(CrossChainDeliveryStatus.Accepted, accepted.Status);
        Assert.Equal(message.Digest, accepted.Message!.Digest);

        // The remaining copies, and any replay later, are duplicates: delivered exactly once.
        Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(SourceNode(2), Scattered(message)).Status);
        Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(SourceNode(3), Scattered(message)).Status);
        Assert.Equal(0, inbox.PendingMessages);
    }

    [Fact]
    public void Scatter_one_byzantine_validator_alone_cannot_make_a_message_accepted_C6()
    {
        var inbox = NewInbox();
        var forged = Message(0, "pay 1,000,000 EUR");
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(3), Scattered(forged)).Status);
        Assert.Equal(CrossChainDeliveryStatus.Conflicting, inbox.Receive(SourceNode(3), Scattered(Message(0))).Status);

        // Honest validators send the genuine content: it wins with f + 1 = 2 of them; the forgery never does.
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(0), Scattered(Message(0))).Status);
        var accepted = inbox.Receive(SourceNode(1), Scattered(Message(0)));
        Assert.Equal(CrossChainDeliveryStatus.Accepted, accepted.Status);
        Assert.Equal(Message(0).Digest, accepted.Message!.Digest);
    }

    [Fact]
    public void Scatter_ignores_nodes_that_are_not_validators_of_the_source_chain_and_unknown_chains_C6()
    {
        var inbox = NewInbox();
        var stranger = NodeId.FromPublicKey(_strangerKeys[0].PublicKey);
        Assert.Equal(CrossChainDeliveryStatus.NotAValidator, inbox.Receive(stranger, Scattered(Message(0))).Status);
        var elsewhere = new CrossChainMessage(new ChainId("ppc-bank-z"), Destination, 0, [1]);
        Assert.Equal(CrossChainDeliveryStatus.UnknownChain, inbox.Receive(SourceNode(0), Scattered(elsewhere)).Status);
        var notForUs = new CrossChainMessage(Source, new ChainId("icc-other"), 0, [1]);
        Assert.Equal(CrossChainDeliveryStatus.UnknownChain, inbox.Receive(SourceNode(0), Scattered(notForUs)).Status);
        Assert.Equal(0, inbox.PendingMessages);
    }

    [Fact]
    public void Scatter_bounds_what_each_source_validator_may_leave_waiting_so_one_cannot_starve_the_others_C6()
    {
        var inbox = NewInbox(maxPending: 8); // quota 2 per validator of four
        // A Byzantine validator floods future sequences: it is stopped at its quota.
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(3), Scattered(Message(5, "forged"))).Status);
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(3), Scattered(Message(6, "forged"))).Status);
        Assert.Equal(CrossChainDeliveryStatus.LimitExceeded, inbox.Receive(SourceNode(3), Scattered(Message(7, "forged"))).Status);

        // Honest validators still get every genuine message through, and their quota comes back on delivery.
        for (ulong sequence = 0; sequence < 5; sequence++)
        {
            Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(0), Scattered(Message(sequence))).Status);
            Assert.Equal(CrossChainDeliveryStatus.Accepted, inbox.Receive(SourceNode(1), Scattered(Message(sequence))).Status);
        }
    }

    [Fact]
    public void A_sequence_far_ahead_of_the_next_expected_one_is_dropped_unchanged_C6()
    {
        var inbox = NewInbox(window: 4);
        Assert.Equal(CrossChainDeliveryStatus.OutOfWindow, inbox.Receive(SourceNode(0), Scattered(Message(4))).Status);
        Assert.Equal(CrossChainDeliveryStatus.OutOfWindow, inbox.Receive(SourceNode(0), Scattered(Message(ulong.MaxValue))).Status);
        Assert.Equal(0, inbox.PendingMessages);
        inbox.Receive(SourceNode(0), Scattered(Message(0)));
        Assert.Equal(CrossChainDeliveryStatus.Accepted, inbox.Receive(SourceNode(1), Scattered(Message(0))).Status);
        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(0), Scattered(Message(4))).Status); // the window moved
    }

    [Fact]
    public void After_a_restart_the_restored_delivered_sequences_are_duplicates_C6()
    {
        var inbox = NewInbox();
        inbox.RestoreDelivered(Source, nextSequence: 3);
        var replay = Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(CertifiedBlock(Message(2), _sourceKeys.Take(3)), 1)));
        Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(SourceNode(0), replay).Status);
        var next = Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(CertifiedBlock(Message(3), _sourceKeys.Take(3)), 1)));
        Assert.Equal(CrossChainDeliveryStatus.Accepted, inbox.Receive(SourceNode(0), next).Status);
    }

    [Fact]
    public void Certificate_refuses_a_message_committed_by_a_client_the_source_did_not_authorise_C6()
    {
        // Consensus orders any client's request; only the registered senders speak for the chain.
        var block = CertifiedBlock(Message(0), _sourceKeys.Take(3), sender: _strangerKeys[1]);
        var outcome = NewInbox().Receive(SourceNode(0), Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(block, 1))));
        Assert.Equal(CrossChainDeliveryStatus.UnauthorizedSender, outcome.Status);
    }

    [Fact]
    public void Sequences_delivered_out_of_order_are_each_accepted_once_C6()
    {
        var inbox = NewInbox();
        foreach (ulong sequence in new ulong[] { 3, 0, 2, 1, 3, 0 })
        {
            inbox.Receive(SourceNode(0), Scattered(Message(sequence)));
            inbox.Receive(SourceNode(1), Scattered(Message(sequence)));
        }

        foreach (ulong sequence in new ulong[] { 0, 1, 2, 3 })
        {
            Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(SourceNode(2), Scattered(Message(sequence))).Status);
        }

        Assert.Equal(CrossChainDeliveryStatus.Pending, inbox.Receive(SourceNode(2), Scattered(Message(4))).Status);
    }

    [Fact]
    public void Certificate_accepts_one_message_carrying_a_quorum_certificate_and_merkle_proof_C6_C3()
    {
        var inbox = NewInbox();
        var message = Message(0);
        var block = CertifiedBlock(message, _sourceKeys.Take(3));
        var envelope = Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(block, 1)));

        // Any node may carry it: the proof, not the carrier, is what is trusted.
        var carrier = NodeId.FromPublicKey(_strangerKeys[0].PublicKey);
        var accepted = inbox.Receive(carrier, envelope);
        Assert.Equal(CrossChainDeliveryStatus.Accepted, accepted.Status);
        Assert.Equal(message.Digest, accepted.Message!.Digest);
        Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(carrier, envelope).Status);
        // The same message scattered afterwards is a duplicate too: one delivery whatever the mode.
        Assert.Equal(CrossChainDeliveryStatus.Duplicate, inbox.Receive(SourceNode(0), Scattered(message)).Status);
    }

    [Fact]
    public void Certificate_refuses_too_few_signatures_unregistered_signers_and_another_entry_C6_C3()
    {
        var message = Message(0);
        var sender = SourceNode(0);

        var weak = CertifiedBlock(message, _sourceKeys.Take(2)); // quorum is 3 of 4
        Assert.Equal(CrossChainDeliveryStatus.InvalidCertificate,
            NewInbox().Receive(sender, Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(weak, 1)))).Status);

        var strangers = CertifiedBlock(message, _strangerKeys.Take(3));
        Assert.Equal(CrossChainDeliveryStatus.InvalidCertificate,
            NewInbox().Receive(sender, Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(strangers, 1)))).Status);

        // A genuine certificate with a proof of another entry than the one carried.
        var genuine = CertifiedBlock(message, _sourceKeys.Take(3));
        var swapped = new CertifiedEntry(genuine.Header, genuine.Certificate!, genuine.Entries[1].Span, genuine.ProveEntry(0));
        Assert.Equal(CrossChainDeliveryStatus.InvalidCertificate,
            NewInbox().Receive(sender, Canonical.Encode(CrossChainEnvelope.Certificate(swapped))).Status);
    }

    [Fact]
    public void Flipping_any_byte_of_a_certified_envelope_never_gets_a_different_message_accepted_C6()
    {
        var message = Message(0);
        var envelope = Canonical.Encode(CrossChainEnvelope.Certificate(CertifiedEntry.FromBlock(CertifiedBlock(message, _sourceKeys.Take(3)), 1)));
        for (int i = 0; i < envelope.Length; i++)
        {
            var tampered = (byte[])envelope.Clone();
            tampered[i] ^= 0x04;
            var outcome = NewInbox().Receive(SourceNode(0), tampered);
            // A flip in an unsigned part (e.g. which validator signed first) may still prove the same message; never another one.
            Assert.True(outcome.Status != CrossChainDeliveryStatus.Accepted || outcome.Message!.Digest == message.Digest, $"byte {i}");
        }
    }

    [Fact]
    public void Garbage_bytes_are_malformed_and_change_nothing_C6()
    {
        var inbox = NewInbox();
        Assert.Equal(CrossChainDeliveryStatus.Malformed, inbox.Receive(SourceNode(0), new byte[] { 0x92, 0x07, 0xc0 }).Status);
        Assert.Equal(CrossChainDeliveryStatus.Malformed, inbox.Receive(SourceNode(0), Array.Empty<byte>()).Status);
        Assert.Equal(0, inbox.PendingMessages);
    }

    public void Dispose()
    {
        foreach (var key in _sourceKeys.Concat(_strangerKeys).Append(_client))
        {
            key.Dispose();
        }
    }
}
