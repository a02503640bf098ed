using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Settlement.Tests.Relay;

/// <summary>
/// The relay of one validator (C6 scatter mode, S2): committed messages are sent to every destination validator and
/// resent until f + 1 of them acknowledge execution; delivered messages are attested to the own chain once f + 1
/// source validators sent identical content, and acknowledged once executed. Loss, duplicates and replays change nothing.
/// </summary>
public sealed class CrossChainRelayTests : IDisposable
{
    private static readonly ChainId Local = new("bank-a");
    private static readonly ChainId Remote = new("icc-1");

    private readonly PrivateKey[] _localKeys = [.. Enumerable.Range(0, 4).Select(_ => SignatureSchemes.Ed25519.GenerateKey())];
    private readonly PrivateKey[] _remoteKeys = [.. Enumerable.Range(0, 4).Select(_ => SignatureSchemes.Ed25519.GenerateKey())];
    private readonly NodeId[] _remote;
    private readonly CrossChainRelay _relay;
    private readonly Effects _effects = new();

    public CrossChainRelayTests()
    {
        _remote = [.. _remoteKeys.Select(k => NodeId.FromPublicKey(k.PublicKey))];
        var peers = new Dictionary<ChainId, ValidatorSet> { [Remote] = new(_remoteKeys.Select(k => k.PublicKey)) };
        _relay = new CrossChainRelay(NodeId.FromPublicKey(_localKeys[0].PublicKey), Local, peers, new CrossChainRelayOptions { RetryMs = 100, ResubmitMs = 100 });
    }

    public void Dispose()
    {
        foreach (var key in _localKeys.Concat(_remoteKeys))
        {
            key.Dispose();
        }
    }

    [Fact]
    public void A_committed_message_goes_to_every_destination_validator_and_is_resent_until_f_plus_one_acknowledge_C6()
    {
        var message = Message(Local, Remote, 0);
        _relay.OnBlock(Executed(outbound: [message]), 0, _effects);
        Assert.Equal(_remote, _effects.Recipients());
        Assert.Equal(1, _relay.UnackedCount);

        _relay.Tick(50, _effects.Clear());
        Assert.Empty(_effects.Sent); // not yet due

        Assert.Equal(RelayReceiveCode.Acknowledged, _relay.Receive(_remote[2], Ack(0), 60, _effects.Clear()));
        _relay.Tick(100, _effects.Clear());
        Assert.Equal([_remote[0], _remote[1], _remote[3]], _effects.Recipients()); // the acknowledging one is spared

        _relay.Receive(_remote[2], Ack(0), 110, _effects.Clear()); // a repeated acknowledgement counts once
        Assert.Equal(1, _relay.UnackedCount);
        _relay.Receive(_remote[0], Ack(0), 120, _effects.Clear());
        Assert.Equal(0, _relay.UnackedCount);
        _relay.Tick(1_000, _effects.Clear());
        Assert.Empty(_effects.Sent);
    }

    [Fact]
    public void Acknowledgements_from_unknown_nodes_or_own_chain_do_not_count_and_malformed_frames_are_refused()
    {
        _relay.OnBlock(Executed(outbound: [Message(Local, Remote, 0)]), 0, _effects);
        using var outsider = SignatureSchemes.Ed25519.GenerateKey();
        Assert.Equal(RelayReceiveCode.Refused, _relay.Receive(NodeId.FromPublicKey(outsider.PublicKey), Ack(0), 1, _effects));
        Assert.Equal(RelayReceiveCode.Refused, _relay.Receive(NodeId.FromPublicKey(_localKeys[1].PublicKey), Ack(0), 1, _effects));
        Assert.Equal(RelayReceiveCode.Refused, _relay.Receive(_remote[0], new byte[] { 0x92, 0x07, 0x00 }, 1, _effects));
        Assert.Equal(RelayReceiveCode.Refused, _relay.Receive(_remote[0], new byte[] { 0xC1 }, 1, _effects));
        Assert.Equal(1, _relay.UnackedCount);
    }

    [Fact]
    public void A_message_is_attested_once_f_plus_one_source_validators_sent_identical_content_and_acknowledged_once_executed()
    {
        var message = Message(Remote, Local, 0);
        Assert.Equal(RelayReceiveCode.Pending, _relay.Receive(_remote[0], Envelope(message), 0, _effects));
        Assert.Empty(_effects.Submitted);
        Assert.Equal(RelayReceiveCode.Accepted, _relay.Receive(_remote[1], Envelope(message), 0, _effects));
        var attested = Assert.Single(_effects.Submitted);
        Assert.Equal(message.Digest, attested.Delivered!.Digest);

        // Not executed yet: a further copy is a duplicate and is not acknowledged.
        Assert.Equal(RelayReceiveCode.Duplicate, _relay.Receive(_remote[2], Envelope(message), 1, _effects.Clear()));
        Assert.Empty(_effects.Sent);

        // Executed: every source validator hears it, and a late copy is answered to its sender.
        _relay.OnBlock(Executed(executed: [(Remote, 0UL)]), 2, _effects.Clear());
        Assert.Equal(_remote, _effects.Recipients());
        Assert.All(_effects.Sent, s => Assert.Equal(RelayFrameKind.Ack, Canonical.Decode<RelayFrame>(s.Frame).Kind));
        Assert.Equal(RelayReceiveCode.Duplicate, _relay.Receive(_remote[3], Envelope(message), 3, _effects.Clear()));
        Assert.Equal([_remote[3]], _effects.Recipients());
    }

    [Fact]
    public void A_forged_copy_from_one_Byzantine_validator_is_never_attested()
    {
        var genuine = Message(Remote, Local, 0);
        var forged = Message(Remote, Local, 0, "forged");
        Assert.Equal(RelayReceiveCode.Pending, _relay.Receive(_remote[3], Envelope(forged), 0, _effects));
        Assert.Equal(RelayReceiveCode.Refused, _relay.Receive(_remote[3], Envelope(genuine), 0, _effects)); // conflicting
        Assert.Equal(RelayReceiveCode.Pending, _relay.Receive(_remote[0], Envelope(genuine), 0, _effects));
        Assert.Equal(RelayReceiveCode.Accepted, _relay.Receive(_remote[1], Envelope(genuine), 0, _effects));
        Assert.Equal(genuine.Digest, Assert.Single(_effects.Submitted).Delivered!.Digest);
    }

    [Fact]
    public void An_attestation_is_resubmitted_until_the_own_chain_executes_it()
    {
        var message = Message(Remote, Local, 0);
        _relay.Receive(_remote[0], Envelope(message), 0, _effects);
        _relay.Receive(_remote[1], Envelope(message), 0, _effects);
        Assert.Equal(1, _relay.AwaitingExecutionCount);

        _relay.Tick(99, _effects.Clear());
        Assert.Empty(_effects.Submitted);
        _relay.Tick(100, _effects.Clear());
        Assert.Single(_effects.Submitted);

        _relay.OnBlock(Executed(executed: [(Remote, 0UL)]), 150, _effects.Clear());
        Assert.Equal(0, _relay.AwaitingExecutionCount);
        _relay.Tick(1_000, _effects.Clear());
        Assert.Empty(_effects.Submitted);
    }

    [Fact]
    public void An_attestation_its_chain_committed_is_not_resubmitted_while_it_waits_for_the_other_validators()
    {
        var message = Message(Remote, Local, 0);
        _relay.Receive(_remote[0], Envelope(message), 0, _effects);
        _relay.Receive(_remote[1], Envelope(message), 0, _effects);
        var self = NodeId.FromPublicKey(_localKeys[0].PublicKey);
        var other = NodeId.FromPublicKey(_localKeys[1].PublicKey);

        // Another validator's attestation committed: ours is still missing, so it is resubmitted when due.
        _relay.OnBlock(new SettlementBlockResult(1, [new SettlementEntryResult(0, other, SettlementEntryCode.Attested, null, (Remote, 0UL))], [], []), 50, _effects.Clear());
        _relay.Tick(100, _effects.Clear());
        Assert.Single(_effects.Submitted);

        // Ours committed: a resubmission could only be refused as a repeat, so none follows.
        _relay.OnBlock(new SettlementBlockResult(2, [new SettlementEntryResult(0, self, SettlementEntryCode.Attested, null, (Remote, 0UL))], [], []), 150, _effects.Clear());
        _relay.Tick(10_000, _effects.Clear());
        Assert.Empty(_effects.Submitted);
        Assert.Equal(1, _relay.AwaitingExecutionCount); // acknowledged once executed, as before
    }

    [Fact]
    public void Resends_and_resubmissions_back_off_doubling_up_to_the_cap()
    {
        _relay.OnBlock(Executed(outbound: [Message(Local, Remote, 0)]), 0, _effects);
        var message = Message(Remote, Local, 0);
        _relay.Receive(_remote[0], Envelope(message), 0, _effects);
        _relay.Receive(_remote[1], Envelope(message), 0, _effects);

        // Periods 100 (RetryMs = ResubmitMs), then 200, 400, 800, 800, …: due at 100, 300, 700, 1500, 2300.
        var due = new List<long>();
        for (long t = 1; t <= 2_300; t++)
        {
            _relay.Tick(t, _effects.Clear());
            if (_effects.Sent.Count > 0)
            {
                Assert.Single(_effects.Submitted); // both back off alike
                due.Add(t);
            }
        }

        Assert.Equal([100L, 300, 700, 1_500, 2_300], due);
        Assert.Equal(8, CrossChainRelay.MaxBackoffFactor);
    }

    [Fact]
    public void Blocks_replayed_after_a_restart_queue_their_messages_for_the_next_tick_instead_of_sending_at_once()
    {
        _relay.OnBlock(Executed(outbound: [Message(Local, Remote, 0)], executed: [(Remote, 0UL)]), 0, _effects, replay: true);
        Assert.Empty(_effects.Sent);
        Assert.Equal(1, _relay.UnackedCount);

        _relay.Tick(1, _effects);
        Assert.Equal(_remote, _effects.Recipients());

        // The replayed execution counts: a copy of that message is answered with an acknowledgement.
        Assert.Equal(RelayReceiveCode.Duplicate, _relay.Receive(_remote[0], Envelope(Message(Remote, Local, 0)), 2, _effects.Clear()));
        Assert.Equal([_remote[0]], _effects.Recipients());
    }

    [Fact]
    public void A_watermark_reported_by_f_plus_one_destination_validators_retires_every_message_below_it_C6()
    {
        _relay.OnBlock(Executed(outbound: [.. Enumerable.Range(0, 10).Select(i => Message(Local, Remote, (ulong)i))]), 0, _effects);
        Assert.Equal(10, _relay.UnackedCount);

        _relay.Receive(_remote[0], WatermarkAck(7), 10, _effects.Clear());
        Assert.Equal(10, _relay.UnackedCount); // one validator's word is not enough

        // The second-highest of the reported watermarks (f + 1 = 2) is one an honest validator vouches for.
        _relay.Receive(_remote[1], WatermarkAck(5), 20, _effects.Clear());
        Assert.Equal(5, _relay.UnackedCount);

        _relay.Tick(100, _effects.Clear());
        Assert.Equal(5 * _remote.Length, _effects.Sent.Count);
        Assert.All(_effects.Sent, s => Assert.InRange(SequenceOf(s.Frame), 5UL, 9UL));

        // A watermark never falls: a lower report later changes nothing.
        _relay.Receive(_remote[1], WatermarkAck(2), 30, _effects.Clear());
        _relay.Receive(_remote[2], WatermarkAck(9), 40, _effects.Clear());
        Assert.Equal(3, _relay.UnackedCount); // 7 is now the second-highest (9, 7, 5)
    }

    [Fact]
    public void One_Byzantine_validators_watermark_retires_nothing_however_high_it_is()
    {
        _relay.OnBlock(Executed(outbound: [Message(Local, Remote, 0), Message(Local, Remote, 1)]), 0, _effects);
        _relay.Receive(_remote[3], WatermarkAck(ulong.MaxValue), 1, _effects.Clear());
        _relay.Receive(_remote[3], WatermarkAck(ulong.MaxValue), 2, _effects.Clear());
        Assert.Equal(2, _relay.UnackedCount);

        _relay.Tick(100, _effects.Clear());
        Assert.Equal(2 * _remote.Length, _effects.Sent.Count); // still sent to everyone until f + 1 vouch
    }

    [Fact]
    public void A_restarted_relay_ships_its_history_a_window_at_a_time_and_the_first_watermark_retires_the_rest_unsent_C6()
    {
        var relay = new CrossChainRelay(NodeId.FromPublicKey(_localKeys[0].PublicKey), Local,
            new Dictionary<ChainId, ValidatorSet> { [Remote] = new(_remoteKeys.Select(k => k.PublicKey)) },
            new CrossChainRelayOptions { RetryMs = 100, ResubmitMs = 100, ReplayWindow = 4 });
        for (int block = 0; block < 10; block++)
        {
            relay.OnBlock(Executed(outbound: [.. Enumerable.Range(block * 10, 10).Select(i => Message(Local, Remote, (ulong)i))]), 0, _effects, replay: true);
        }

        Assert.Empty(_effects.Sent);
        Assert.Equal(100, relay.UnackedCount);

        // The first tick ships the lowest four only.
        relay.Tick(1, _effects);
        Assert.Equal(4 * _remote.Length, _effects.Sent.Count);
        Assert.Equal([0UL, 1, 2, 3], _effects.Sent.Select(s => SequenceOf(s.Frame)).Distinct().Order().ToArray());

        // The destination had executed the first 60 before the crash: two validators say so with their acknowledgements.
        relay.Receive(_remote[0], RelayFrame.ForAck(60, [0]).ToCanonicalBytes(), 2, _effects.Clear());
        relay.Receive(_remote[2], RelayFrame.ForAck(60, [1]).ToCanonicalBytes(), 3, _effects.Clear());
        Assert.Equal(40, relay.UnackedCount);

        // The rest follows four at a time from 60, as acknowledgements free the window.
        relay.Tick(4, _effects.Clear());
        Assert.Equal([60UL, 61, 62, 63], _effects.Sent.Select(s => SequenceOf(s.Frame)).Distinct().Order().ToArray());
        relay.Receive(_remote[0], RelayFrame.ForAck(62, [62, 63]).ToCanonicalBytes(), 5, _effects.Clear());
        relay.Receive(_remote[1], RelayFrame.ForAck(62, [62, 63]).ToCanonicalBytes(), 6, _effects.Clear());
        relay.Tick(7, _effects.Clear());
        Assert.Equal([64UL, 65, 66, 67], _effects.Sent.Select(s => SequenceOf(s.Frame)).Distinct().Order().ToArray());
        Assert.Equal(36, relay.UnackedCount);

        // Everything executed: one more pair of watermarks empties the relay, and nothing is sent again.
        relay.Receive(_remote[1], WatermarkAck(100), 8, _effects.Clear());
        relay.Receive(_remote[3], WatermarkAck(100), 9, _effects.Clear());
        Assert.Equal(0, relay.UnackedCount);
        relay.Tick(10_000, _effects.Clear());
        Assert.Empty(_effects.Sent);

        // A message the chain committed before the watermark, replayed again, is not queued at all.
        relay.OnBlock(Executed(outbound: [Message(Local, Remote, 5)]), 10_001, _effects, replay: true);
        Assert.Equal(0, relay.UnackedCount);
    }

    [Fact]
    public void Acknowledgements_carry_the_chains_watermark_of_executed_messages_from_their_recipient_C6()
    {
        _relay.OnBlock(Executed(executed: [(Remote, 0UL), (Remote, 1UL), (Remote, 3UL)]), 0, _effects);
        var ack = Canonical.Decode<RelayFrame>(_effects.Sent[0].Frame);
        Assert.Equal(RelayFrameKind.Ack, ack.Kind);
        Assert.Equal(2UL, ack.ExecutedBelow); // 0 and 1; 2 is missing
        Assert.Equal([0UL, 1, 3], ack.Acked);

        // And it round-trips canonically.
        var bytes = RelayFrame.ForAck(ulong.MaxValue, [7]).ToCanonicalBytes();
        var decoded = Canonical.Decode<RelayFrame>(bytes);
        Assert.Equal(ulong.MaxValue, decoded.ExecutedBelow);
        Assert.Equal([7UL], decoded.Acked);
        Assert.Equal(bytes, decoded.ToCanonicalBytes());
    }

    [Fact]
    public void A_replay_window_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossChainRelay(NodeId.FromPublicKey(_localKeys[0].PublicKey), Local,
            new Dictionary<ChainId, ValidatorSet>(), new CrossChainRelayOptions { ReplayWindow = 0 }));
    }

    private static ulong SequenceOf(ReadOnlyMemory<byte> frame) =>
        Canonical.Decode<CrossChainEnvelope>(Canonical.Decode<RelayFrame>(frame).Envelope).Message!.Sequence;

    private static byte[] WatermarkAck(ulong executedBelow) => RelayFrame.ForAck(executedBelow, []).ToCanonicalBytes();

    private static CrossChainMessage Message(ChainId source, ChainId destination, ulong sequence, string tag = "genuine") =>
        new(source, destination, sequence, new PendingAck(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(tag))).ToCanonicalBytes());

    private static SettlementBlockResult Executed(IReadOnlyList<CrossChainMessage>? outbound = null, IReadOnlyList<(ChainId, ulong)>? executed = null) =>
        new(1, [], outbound ?? [], executed ?? []);

    private static byte[] Envelope(CrossChainMessage message) =>
        RelayFrame.ForEnvelope(Canonical.Encode(CrossChainEnvelope.Scatter(message))).ToCanonicalBytes();

    private static byte[] Ack(params ulong[] sequences) => RelayFrame.ForAck(0, sequences).ToCanonicalBytes();

    private sealed class Effects : IRelayEffects
    {
        public List<(NodeId Recipient, ReadOnlyMemory<byte> Frame)> Sent { get; } = [];

        public List<SettlementEntry> Submitted { get; } = [];

        public void Send(NodeId recipient, ReadOnlyMemory<byte> frame) => Sent.Add((recipient, frame));

        public void Submit(SettlementEntry entry) => Submitted.Add(entry);

        public NodeId[] Recipients() => [.. Sent.Select(s => s.Recipient)];

        public Effects Clear()
        {
            Sent.Clear();
            Submitted.Clear();
            return this;
        }
    }
}
