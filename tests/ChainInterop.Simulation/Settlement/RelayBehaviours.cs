using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Simulation.Settlement;

/// <summary>
/// What a Byzantine validator's relay does instead of (or around) its honest <see cref="CrossChainRelay"/>: every
/// frame it sends and every entry it submits passes through here. The transport authenticates the sender, so a lie is
/// always told under the validator's own identity.
/// </summary>
public interface IRelayByzantineBehaviour
{
    /// <summary>Shown in traces and failures.</summary>
    string Name { get; }

    /// <summary>The honest relay sends <paramref name="frame"/> to <paramref name="recipient"/>: send whatever the behaviour wants.</summary>
    /// <param name="recipient">A validator of another chain.</param>
    /// <param name="frame">The honest bytes (a private copy).</param>
    /// <param name="context">The validator's context.</param>
    void OnSend(NodeId recipient, byte[] frame, RelayByzantineContext context);

    /// <summary>The honest relay submits <paramref name="entry"/> to its own chain: submit whatever the behaviour wants.</summary>
    /// <param name="entry">The honest entry (an attestation).</param>
    /// <param name="context">The validator's context.</param>
    void OnSubmit(SettlementEntry entry, RelayByzantineContext context);

    /// <summary>A frame arrived for this validator (before its relay sees it).</summary>
    /// <param name="from">The sender.</param>
    /// <param name="frame">The bytes.</param>
    /// <param name="context">The validator's context.</param>
    void OnReceive(NodeId from, ReadOnlyMemory<byte> frame, RelayByzantineContext context)
    {
    }
}

/// <summary>What a Byzantine relay behaviour can see and do. Randomness comes from the run's one seeded source.</summary>
public sealed class RelayByzantineContext
{
    private readonly Action<NodeId, byte[]> _send;
    private readonly Action<SettlementEntry> _submit;

    internal RelayByzantineContext(ChainId chain, IReadOnlyDictionary<ChainId, ValidatorSet> peers, IReadOnlyList<Hash256> transactions,
        Random random, Action<NodeId, byte[]> send, Action<SettlementEntry> submit)
    {
        Chain = chain;
        Peers = peers;
        Transactions = transactions;
        Random = random;
        _send = send;
        _submit = submit;
    }

    /// <summary>The validator's chain.</summary>
    public ChainId Chain { get; }

    /// <summary>The chains it relays with, and their validators.</summary>
    public IReadOnlyDictionary<ChainId, ValidatorSet> Peers { get; }

    /// <summary>The run's transaction ids (a liar targets real transactions).</summary>
    public IReadOnlyList<Hash256> Transactions { get; }

    /// <summary>The run's random source (shared, so draws stay reproducible).</summary>
    public Random Random { get; }

    /// <summary>Sends a frame from this validator through the simulated network.</summary>
    /// <param name="recipient">The recipient.</param>
    /// <param name="frame">The bytes.</param>
    public void Send(NodeId recipient, byte[] frame) => _send(recipient, frame);

    /// <summary>Submits an entry to the own chain, signed by this validator.</summary>
    /// <param name="entry">The entry.</param>
    public void Submit(SettlementEntry entry) => _submit(entry);
}

/// <summary>A Byzantine validator: a consensus-level behaviour, a relay-level one, or both.</summary>
/// <param name="Consensus">Wraps its replica's messages, or null.</param>
/// <param name="Relay">Wraps its relay's frames and submissions, or null.</param>
public sealed record SettlementByzantineRole(IByzantineBehaviour? Consensus, IRelayByzantineBehaviour? Relay)
{
    /// <summary>Shown in traces.</summary>
    public string Name => string.Join("+", new[] { Consensus?.Name, Relay?.Name }.Where(n => n is not null));
}

/// <summary>The roles the settlement simulator draws Byzantine validators from.</summary>
public static class SettlementByzantineRoles
{
    /// <summary>Relay-level lies only.</summary>
    public static IReadOnlyList<Func<SettlementByzantineRole>> Relay { get; } =
    [
        () => new(null, new RelayBehaviours.NotRelaying()),
        () => new(null, new RelayBehaviours.ForgeEnvelopes()),
        () => new(null, new RelayBehaviours.AttestForged()),
        () => new(null, new RelayBehaviours.FalseAcks()),
    ];

    /// <summary>Every PBFT behaviour of the single-chain simulator, every relay lie, and a forger that also equivocates.</summary>
    public static IReadOnlyList<Func<SettlementByzantineRole>> All { get; } =
    [
        .. PbftBehaviours.All.Select(f => (Func<SettlementByzantineRole>)(() => new(f(), null))),
        .. Relay,
        () => new(new PbftBehaviours.Equivocate(), new RelayBehaviours.ForgeEnvelopes()),
    ];
}

/// <summary>Relay-level Byzantine behaviours: forged and conflicting envelopes, forged attestations, false acks, silence.</summary>
public static class RelayBehaviours
{
    /// <summary>A forged version of <paramref name="message"/>: same source, destination and sequence, a decision flipped or an amount changed.</summary>
    internal static CrossChainMessage Forge(CrossChainMessage message)
    {
        TransferMessage forged;
        try
        {
            forged = Canonical.Decode<TransferMessage>(message.Payload) switch
            {
                TransferCommitted c => new TransferCancelled(c.TransactionId, TransferFailureReason.TimedOut),
                TransferOffer o => new TransferOffer(o.TransactionId, o.PayerChain, o.PayeeAccount, o.Asset, new Amount(o.Amount.MinorUnits * 2), o.Time1Ms),
                TransferAccept a => new TransferAccept(a.TransactionId, a.PayeeAccount, a.Asset, new Amount(a.Amount.MinorUnits + 1)),
                var other => new TransferCommitted(other.TransactionId),
            };
        }
        catch (CodecException)
        {
            forged = new TransferCommitted(Hash256.Compute(message.Payload.Span));
        }

        return new CrossChainMessage(message.Source, message.Destination, message.Sequence, forged.ToCanonicalBytes());
    }

    /// <summary>An invented message from <paramref name="source"/> to <paramref name="destination"/> deciding a real transaction.</summary>
    internal static CrossChainMessage Invent(ChainId source, ChainId destination, ulong sequence, RelayByzantineContext context)
    {
        var tx = context.Transactions[context.Random.Next(context.Transactions.Count)];
        TransferMessage lie = context.Random.Next(3) switch
        {
            0 => new TransferCommitted(tx),
            1 => new TransferCancelled(tx, TransferFailureReason.TimedOut),
            _ => new CancelRequest(tx, long.MaxValue),
        };
        return new CrossChainMessage(source, destination, sequence, lie.ToCanonicalBytes());
    }

    internal static byte[] EnvelopeFrame(CrossChainMessage message) =>
        RelayFrame.ForEnvelope(Canonical.Encode(CrossChainEnvelope.Scatter(message))).ToCanonicalBytes();

    internal static CrossChainMessage? TryOpenEnvelope(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var decoded = Canonical.Decode<RelayFrame>(frame);
            return decoded.Kind == RelayFrameKind.Envelope ? Canonical.Decode<CrossChainEnvelope>(decoded.Envelope).Message : null;
        }
        catch (CodecException)
        {
            return null;
        }
    }

    /// <summary>Relays nothing: no envelopes, no acknowledgements, no attestations.</summary>
    public sealed class NotRelaying : IRelayByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "relay-silent";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] frame, RelayByzantineContext context)
        {
        }

        /// <inheritdoc />
        public void OnSubmit(SettlementEntry entry, RelayByzantineContext context)
        {
        }
    }

    /// <summary>
    /// Sends forged envelopes: for each honest envelope, either a forged one instead (same sequence, other content) or
    /// both (a conflict), and sometimes an invented decision for a real transaction ahead of the sequence.
    /// </summary>
    public sealed class ForgeEnvelopes : IRelayByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "relay-forge";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] frame, RelayByzantineContext context)
        {
            var message = TryOpenEnvelope(frame);
            if (message is null)
            {
                context.Send(recipient, frame);
                return;
            }

            switch (context.Random.Next(3))
            {
                case 0:
                    context.Send(recipient, EnvelopeFrame(Forge(message)));
                    break;
                case 1:
                    context.Send(recipient, frame);
                    context.Send(recipient, EnvelopeFrame(Forge(message)));
                    break;
                default:
                    context.Send(recipient, frame);
                    context.Send(recipient, EnvelopeFrame(Invent(message.Source, message.Destination, message.Sequence + 1 + (ulong)context.Random.Next(3), context)));
                    break;
            }
        }

        /// <inheritdoc />
        public void OnSubmit(SettlementEntry entry, RelayByzantineContext context) => context.Submit(entry);
    }

    /// <summary>Attests forged versions of what it received (first, so its honest vote never counts), and invented messages.</summary>
    public sealed class AttestForged : IRelayByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "relay-attest-forged";

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] frame, RelayByzantineContext context) => context.Send(recipient, frame);

        /// <inheritdoc />
        public void OnSubmit(SettlementEntry entry, RelayByzantineContext context)
        {
            if (entry.Delivered is not { } message)
            {
                context.Submit(entry);
                return;
            }

            context.Submit(SettlementEntry.Attest(Forge(message)));
            context.Submit(SettlementEntry.Attest(Invent(message.Source, message.Destination, message.Sequence + 1, context)));
            if (context.Random.Next(2) == 0)
            {
                context.Submit(entry);
            }
        }
    }

    /// <summary>Acknowledges every envelope at once (and sequences ahead of it, and a watermark past everything) without attesting anything.</summary>
    public sealed class FalseAcks : IRelayByzantineBehaviour
    {
        /// <inheritdoc />
        public string Name => "relay-false-ack";

        /// <inheritdoc />
        public void OnReceive(NodeId from, ReadOnlyMemory<byte> frame, RelayByzantineContext context)
        {
            if (TryOpenEnvelope(frame) is { } message)
            {
                context.Send(from, RelayFrame.ForAck(ulong.MaxValue, [message.Sequence, message.Sequence + 1, message.Sequence + 2]).ToCanonicalBytes());
            }
        }

        /// <inheritdoc />
        public void OnSend(NodeId recipient, byte[] frame, RelayByzantineContext context) => context.Send(recipient, frame);

        /// <inheritdoc />
        public void OnSubmit(SettlementEntry entry, RelayByzantineContext context)
        {
        }
    }
}
