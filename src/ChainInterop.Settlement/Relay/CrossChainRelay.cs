using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;

namespace ChainInterop.Settlement.Relay;

/// <summary>What a <see cref="CrossChainRelay"/> asks its driver to do.</summary>
public interface IRelayEffects
{
    /// <summary>Sends a <see cref="RelayFrame"/> to a validator of another chain (over a transport that authenticates this validator).</summary>
    /// <param name="recipient">The validator.</param>
    /// <param name="frame">The frame's bytes.</param>
    void Send(NodeId recipient, ReadOnlyMemory<byte> frame);

    /// <summary>Submits an entry to this validator's own chain, as a client request signed with this validator's key.</summary>
    /// <param name="entry">The entry (an attestation).</param>
    void Submit(SettlementEntry entry);
}

/// <summary>What became of a frame a <see cref="CrossChainRelay"/> received. Stable numbers.</summary>
public enum RelayReceiveCode
{
    /// <summary>An envelope accepted for the first time (f + 1 source validators sent identical content): attested to the own chain.</summary>
    Accepted = 1,

    /// <summary>An envelope counted, waiting for more copies.</summary>
    Pending = 2,

    /// <summary>An envelope of a message already accepted (answered with an acknowledgement once the own chain executed it).</summary>
    Duplicate = 3,

    /// <summary>An acknowledgement, counted.</summary>
    Acknowledged = 4,

    /// <summary>Refused: malformed, from an unknown node or chain, conflicting, out of window or over a limit (see the detail).</summary>
    Refused = 5,
}

/// <summary>Pacing and limits of a <see cref="CrossChainRelay"/>.</summary>
public sealed record CrossChainRelayOptions
{
    /// <summary>How long a shipped message waits for f + 1 acknowledgements before it is sent again, ms (doubling per resend, up to <see cref="CrossChainRelay.MaxBackoffFactor"/> times).</summary>
    public long RetryMs { get; init; } = 1_000;

    /// <summary>How long an attestation waits to be committed on its chain before it is submitted again, ms (doubling per resubmission, up to <see cref="CrossChainRelay.MaxBackoffFactor"/> times).</summary>
    public long ResubmitMs { get; init; } = 1_000;

    /// <summary>The inbox's most messages waiting for copies (see <see cref="CrossChainInbox"/>).</summary>
    public int MaxPendingMessages { get; init; } = CrossChainInbox.DefaultMaxPendingMessages;

    /// <summary>The inbox's sequence window (see <see cref="CrossChainInbox"/>).</summary>
    public ulong SequenceWindow { get; init; } = CrossChainInbox.DefaultSequenceWindow;

    /// <summary>
    /// After a restart, the most replayed messages per destination chain in flight at once. The first acknowledgements
    /// carry the destination's watermark (<see cref="RelayFrame.ExecutedBelow"/>), which retires the history it
    /// already executed unsent; only what it lacks is shipped, this many at a time.
    /// </summary>
    public int ReplayWindow { get; init; } = 256;
}

/// <summary>
/// The relay of one validator of a settlement chain (docs/SETTLEMENT.md, "Relay"): ships the messages its chain
/// committed to send, and turns messages delivered to it into attestations on its own chain. Sans-IO, deterministic
/// and single-threaded like a replica; a driver feeds it executed blocks, received frames and time.
/// <list type="bullet">
/// <item><b>Sending</b> (scatter mode, C6): every validator of the source chain sends each committed outbound message to
/// every validator of the destination chain, and resends it after <see cref="CrossChainRelayOptions.RetryMs"/> (backing
/// off) until f + 1 of them acknowledged that their chain executed it (so at least one honest one did), one by one or
/// by a watermark (<see cref="RelayFrame.ExecutedBelow"/>) that f + 1 of them reported. After a restart the replayed
/// history is shipped <see cref="CrossChainRelayOptions.ReplayWindow"/> messages at a time, so the first watermark
/// retires what the destination already executed before it is sent again.</item>
/// <item><b>Receiving</b>: a <see cref="CrossChainInbox"/> accepts a message once f + 1 source validators sent identical
/// content; the relay then attests it to its own chain (<see cref="SettlementEntry.Attest"/>), resubmitting (backing off)
/// until the chain commits the attestation, and acknowledges it to the source's validators once executed.</item>
/// </list>
/// Scatter mode trusts the transport's sender identity (the TCP transport authenticates node keys); it needs no
/// trusted relay key, so up to f Byzantine validators per chain can neither forge nor suppress a message.
/// </summary>
public sealed class CrossChainRelay
{
    /// <summary>The most a retry period grows by backing off (a power of 2).</summary>
    public const int MaxBackoffFactor = 1 << MaxBackoffShift;

    private const int MaxBackoffShift = 3;

    private readonly NodeId _self;
    private readonly ChainId _local;
    private readonly Dictionary<NodeId, ChainId> _chainOf = [];
    private readonly CrossChainRelayOptions _options;
    private readonly CrossChainInbox _inbox;
    private readonly Dictionary<ChainId, DeliveredSequences> _executed = [];
    private readonly Dictionary<ChainId, Outbox> _outboxes = [];
    private readonly Dictionary<(ChainId Source, ulong Sequence), Awaiting> _awaiting = [];

    /// <summary>Creates the relay of validator <paramref name="self"/> of chain <paramref name="local"/>.</summary>
    /// <param name="self">This validator.</param>
    /// <param name="local">Its chain.</param>
    /// <param name="peers">The chains it exchanges messages with, and their validators.</param>
    /// <param name="options">Pacing and limits, or null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="peers"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="CrossChainRelayOptions.ReplayWindow"/> is below 1.</exception>
    public CrossChainRelay(NodeId self, ChainId local, IReadOnlyDictionary<ChainId, ValidatorSet> peers, CrossChainRelayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _options = options ?? new CrossChainRelayOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReplayWindow, 1, nameof(options));
        _self = self;
        _local = local;
        var sources = new Dictionary<ChainId, CrossChainSource>();
        foreach (var (chain, validators) in peers)
        {
            sources.Add(chain, new CrossChainSource(validators, new HashSet<NodeId>()));
            _executed.Add(chain, new DeliveredSequences());
            _outboxes.Add(chain, new Outbox(validators));
            foreach (var node in validators.NodeIds)
            {
                _chainOf[node] = chain;
            }
        }

        _inbox = new CrossChainInbox(local, sources, _options.MaxPendingMessages, _options.SequenceWindow);
    }

    /// <summary>Messages not yet acknowledged by f + 1 destination validators: shipped, or replayed after a restart and waiting to be shipped.</summary>
    public int UnackedCount => _outboxes.Values.Sum(o => o.InFlight.Count + o.Replayed.Count);

    /// <summary>Accepted messages attested to the own chain and not yet executed.</summary>
    public int AwaitingExecutionCount => _awaiting.Count;

    /// <summary>The detail of the last refusal (for logs).</summary>
    public string LastRefusal { get; private set; } = string.Empty;

    /// <summary>
    /// Handles a block its own chain executed: ships the block's outbound messages, and acknowledges the delivered
    /// messages it executed to their sources' validators.
    /// </summary>
    /// <param name="result">The executor's result for the block.</param>
    /// <param name="nowMs">The driver's time, ms.</param>
    /// <param name="effects">Where to send.</param>
    /// <param name="replay">True when the block is replayed after a restart: its messages are queued and shipped by
    /// <see cref="Tick"/> (they may have been delivered before the crash), not at once.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void OnBlock(SettlementBlockResult result, long nowMs, IRelayEffects effects, bool replay = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(effects);
        foreach (var message in result.Outbound)
        {
            if (message.Source != _local || !_outboxes.TryGetValue(message.Destination, out var outbox))
            {
                continue; // The application only addresses linked chains; anything else has no one to carry it.
            }

            ulong sequence = message.Sequence;
            if (sequence < outbox.ExecutedBelow || outbox.InFlight.ContainsKey(sequence) || outbox.Replayed.ContainsKey(sequence))
            {
                continue;
            }

            var frame = RelayFrame.ForEnvelope(Canonical.Encode(CrossChainEnvelope.Scatter(message))).ToCanonicalBytes();
            if (replay)
            {
                outbox.Replayed.Add(sequence, new Unacked(frame, long.MinValue) { FromReplay = true });
                continue;
            }

            outbox.InFlight.Add(sequence, new Unacked(frame, nowMs) { Sends = 1 });
            foreach (var recipient in outbox.Validators.NodeIds)
            {
                effects.Send(recipient, frame);
            }
        }

        foreach (var entry in result.Entries)
        {
            // Our attestation is on the chain: it counts, so resubmitting it could only be refused as a repeat.
            if (entry.Client == _self && entry.Attested is { } attested && _awaiting.TryGetValue(attested, out var awaiting))
            {
                awaiting.Committed = true;
            }
        }

        if (result.Executed.Count == 0)
        {
            return;
        }

        var bySource = new Dictionary<ChainId, List<ulong>>();
        foreach (var (source, sequence) in result.Executed)
        {
            if (!_executed.TryGetValue(source, out var executed))
            {
                continue;
            }

            executed.Add(sequence);
            _inbox.MarkDelivered(source, sequence);
            _awaiting.Remove((source, sequence));
            if (!bySource.TryGetValue(source, out var list))
            {
                list = [];
                bySource.Add(source, list);
            }

            list.Add(sequence);
        }

        if (replay)
        {
            return;
        }

        foreach (var (source, sequences) in bySource)
        {
            foreach (var chunk in sequences.Chunk(RelayFrame.MaxAckedSequences))
            {
                var ack = RelayFrame.ForAck(_executed[source].Next, chunk).ToCanonicalBytes();
                foreach (var recipient in _outboxes[source].Validators.NodeIds)
                {
                    effects.Send(recipient, ack);
                }
            }
        }
    }

    /// <summary>
    /// Records which messages from <paramref name="source"/> its own chain executed, as the chain's state says after a
    /// restart from a snapshot (the blocks before the snapshot are not replayed through <see cref="OnBlock"/>), so a
    /// source that sends one again is acknowledged instead of having it attested again. Adding what is known already
    /// changes nothing.
    /// </summary>
    /// <param name="source">The source chain.</param>
    /// <param name="next">The first sequence not executed (every one below it was).</param>
    /// <param name="above">The sequences above <paramref name="next"/> executed out of order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="above"/> is null.</exception>
    public void RestoreExecuted(ChainId source, ulong next, IEnumerable<ulong> above)
    {
        ArgumentNullException.ThrowIfNull(above);
        if (!_executed.TryGetValue(source, out var executed))
        {
            return;
        }

        executed.AdvanceTo(next);
        _inbox.RestoreDelivered(source, next);
        foreach (ulong sequence in above)
        {
            executed.Add(sequence);
            _inbox.MarkDelivered(source, sequence);
        }

        foreach (var key in _awaiting.Keys.Where(k => k.Source == source && executed.Contains(k.Sequence)).ToList())
        {
            _awaiting.Remove(key);
        }
    }

    /// <summary>Handles a frame from another chain's validator (authenticated by the transport).</summary>
    /// <param name="sender">The validator that sent it.</param>
    /// <param name="frame">The bytes.</param>
    /// <param name="nowMs">The driver's time, ms.</param>
    /// <param name="effects">Where to send and submit.</param>
    /// <returns>What became of it (<see cref="LastRefusal"/> says why for <see cref="RelayReceiveCode.Refused"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="effects"/> is null.</exception>
    public RelayReceiveCode Receive(NodeId sender, ReadOnlyMemory<byte> frame, long nowMs, IRelayEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (sender == _self || !_chainOf.TryGetValue(sender, out var senderChain))
        {
            return Refuse($"{sender.ToShortString()} is not a validator of a chain this one relays with");
        }

        RelayFrame decoded;
        try
        {
            decoded = Canonical.Decode<RelayFrame>(frame);
        }
        catch (CodecException e)
        {
            return Refuse(e.Message);
        }

        return decoded.Kind == RelayFrameKind.Ack
            ? OnAck(sender, senderChain, decoded)
            : OnEnvelope(sender, decoded.Envelope, nowMs, effects);
    }

    /// <summary>Resends unacknowledged messages and resubmits attestations whose time is up and that its chain has not committed.</summary>
    /// <param name="nowMs">The driver's time, ms.</param>
    /// <param name="effects">Where to send and submit.</param>
    /// <exception cref="ArgumentNullException"><paramref name="effects"/> is null.</exception>
    public void Tick(long nowMs, IRelayEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        foreach (var outbox in _outboxes.Values)
        {
            // Replayed history goes out a window at a time, lowest sequences first.
            while (outbox.Replayed.Count > 0 && outbox.ReplayedInFlight < _options.ReplayWindow)
            {
                var (sequence, replayed) = outbox.Replayed.First();
                outbox.Replayed.Remove(sequence);
                outbox.InFlight.Add(sequence, replayed);
                outbox.ReplayedInFlight++;
            }

            foreach (var unacked in outbox.InFlight.Values)
            {
                if (unacked.LastSentMs != long.MinValue && nowMs - unacked.LastSentMs < Backoff(_options.RetryMs, unacked.Sends))
                {
                    continue;
                }

                unacked.LastSentMs = nowMs;
                unacked.Sends++;
                foreach (var recipient in outbox.Validators.NodeIds)
                {
                    if (!unacked.AckedBy.Contains(recipient))
                    {
                        effects.Send(recipient, unacked.Frame);
                    }
                }
            }
        }

        foreach (var awaiting in _awaiting.Values)
        {
            if (!awaiting.Committed && nowMs - awaiting.SubmittedAtMs >= Backoff(_options.ResubmitMs, awaiting.Submissions))
            {
                awaiting.SubmittedAtMs = nowMs;
                awaiting.Submissions++;
                effects.Submit(SettlementEntry.Attest(awaiting.Message));
            }
        }
    }

    /// <summary>
    /// The wait before the next retry after <paramref name="tries"/> tries: the period, doubled per retry up to
    /// <see cref="MaxBackoffFactor"/> times it. A busy destination that has not answered yet is most likely slow,
    /// not lossy; every resubmitted attestation is one more signed request its validators verify.
    /// </summary>
    private static long Backoff(long periodMs, int tries) => periodMs * (1L << Math.Clamp(tries - 1, 0, MaxBackoffShift));

    private RelayReceiveCode OnEnvelope(NodeId sender, ReadOnlyMemory<byte> envelope, long nowMs, IRelayEffects effects)
    {
        var delivery = _inbox.Receive(sender, envelope);
        switch (delivery.Status)
        {
            case CrossChainDeliveryStatus.Accepted:
                var message = delivery.Message!;
                _awaiting[(message.Source, message.Sequence)] = new Awaiting(message, nowMs);
                effects.Submit(SettlementEntry.Attest(message));
                return RelayReceiveCode.Accepted;
            case CrossChainDeliveryStatus.Pending:
                return RelayReceiveCode.Pending;
            case CrossChainDeliveryStatus.Duplicate:
                var copy = delivery.Message!;
                if (_executed.TryGetValue(copy.Source, out var executed) && executed.Contains(copy.Sequence))
                {
                    // The sender missed our acknowledgement (or restarted): say it again, to that sender only.
                    effects.Send(sender, RelayFrame.ForAck(executed.Next, [copy.Sequence]).ToCanonicalBytes());
                }

                return RelayReceiveCode.Duplicate;
            default:
                return Refuse($"{delivery.Status}: {delivery.Detail}");
        }
    }

    private RelayReceiveCode OnAck(NodeId sender, ChainId senderChain, RelayFrame ack)
    {
        var outbox = _outboxes[senderChain];
        foreach (ulong sequence in ack.Acked)
        {
            if ((outbox.InFlight.TryGetValue(sequence, out var unacked) || outbox.Replayed.TryGetValue(sequence, out unacked))
                && unacked.AckedBy.Add(sender) && unacked.AckedBy.Count >= outbox.Validators.WeakQuorum)
            {
                outbox.Retire(sequence);
            }
        }

        outbox.Report(sender, ack.ExecutedBelow);
        return RelayReceiveCode.Acknowledged;
    }

    private RelayReceiveCode Refuse(string detail)
    {
        LastRefusal = detail;
        return RelayReceiveCode.Refused;
    }

    /// <summary>What this validator ships to one destination chain, by sequence.</summary>
    private sealed class Outbox(ValidatorSet validators)
    {
        public ValidatorSet Validators { get; } = validators;

        /// <summary>Shipped, waiting for f + 1 acknowledgements.</summary>
        public SortedDictionary<ulong, Unacked> InFlight { get; } = [];

        /// <summary>Replayed after a restart, not shipped yet.</summary>
        public SortedDictionary<ulong, Unacked> Replayed { get; } = [];

        /// <summary>Replayed messages among <see cref="InFlight"/>.</summary>
        public int ReplayedInFlight { get; set; }

        /// <summary>Every sequence below this was executed by the destination chain (f + 1 of its validators said so).</summary>
        public ulong ExecutedBelow { get; private set; }

        private readonly Dictionary<NodeId, ulong> _reportedBelow = []; // the highest watermark each destination validator reported

        /// <summary>
        /// Takes a destination validator's watermark: each one's only rises, and the (f + 1)-th highest is one an honest
        /// validator reported, so its chain executed everything below it; every message below that is retired.
        /// </summary>
        public void Report(NodeId validator, ulong executedBelow)
        {
            if (executedBelow <= _reportedBelow.GetValueOrDefault(validator))
            {
                return;
            }

            _reportedBelow[validator] = executedBelow;
            if (_reportedBelow.Count >= Validators.WeakQuorum
                && _reportedBelow.Values.OrderDescending().ElementAt(Validators.WeakQuorum - 1) is var certain && certain > ExecutedBelow)
            {
                ExecutedBelow = certain;
                RetireBelow(certain);
            }
        }

        /// <summary>Forgets an acknowledged message.</summary>
        public void Retire(ulong sequence)
        {
            if (InFlight.Remove(sequence, out var unacked))
            {
                ReplayedInFlight -= unacked.FromReplay ? 1 : 0;
            }
            else
            {
                Replayed.Remove(sequence);
            }
        }

        /// <summary>Forgets every message below <paramref name="watermark"/>.</summary>
        private void RetireBelow(ulong watermark)
        {
            foreach (ulong sequence in InFlight.Keys.TakeWhile(s => s < watermark).Concat(Replayed.Keys.TakeWhile(s => s < watermark)).ToList())
            {
                Retire(sequence);
            }
        }
    }

    private sealed class Unacked(byte[] frame, long lastSentMs)
    {
        public byte[] Frame { get; } = frame;

        public HashSet<NodeId> AckedBy { get; } = [];

        public long LastSentMs { get; set; } = lastSentMs;

        /// <summary>How many times it was sent (0 while a replayed message waits for its first tick).</summary>
        public int Sends { get; set; }

        /// <summary>Replayed after a restart (counted against the replay window while in flight).</summary>
        public bool FromReplay { get; init; }
    }

    private sealed class Awaiting(CrossChainMessage message, long submittedAtMs)
    {
        public CrossChainMessage Message { get; } = message;

        public long SubmittedAtMs { get; set; } = submittedAtMs;

        /// <summary>How many times it was submitted.</summary>
        public int Submissions { get; set; } = 1;

        /// <summary>Our attestation was committed on our chain (the message now waits for the other validators' attestations only).</summary>
        public bool Committed { get; set; }
    }
}
