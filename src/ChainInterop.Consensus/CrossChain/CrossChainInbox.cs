using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.CrossChain;

/// <summary>What became of one cross-chain envelope a node received.</summary>
public enum CrossChainDeliveryStatus
{
    /// <summary>The message is accepted now: deliver it to the application (exactly once per source and sequence).</summary>
    Accepted = 0,

    /// <summary>Scatter mode: counted; fewer than f_source + 1 source validators delivered this content so far.</summary>
    Pending = 1,

    /// <summary>The message was accepted before: ignore it (duplicates and replays are idempotent).</summary>
    Duplicate = 2,

    /// <summary>The bytes are not a cross-chain envelope.</summary>
    Malformed = 3,

    /// <summary>The message is for another chain, or from a chain that is not registered here.</summary>
    UnknownChain = 4,

    /// <summary>Scatter mode: the sender is not a validator of the source chain.</summary>
    NotAValidator = 5,

    /// <summary>Scatter mode: this sender already sent different content for the same sequence (evidence of a Byzantine validator); the first one counts.</summary>
    Conflicting = 6,

    /// <summary>Certificate mode: the certificate or the Merkle proof does not verify against the registered validators.</summary>
    InvalidCertificate = 7,

    /// <summary>Too many messages wait for more copies; this one is dropped (the senders retransmit).</summary>
    LimitExceeded = 8,
}

/// <summary>The outcome of <see cref="CrossChainInbox.Receive"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Message">The message once decoded (the accepted one for <see cref="CrossChainDeliveryStatus.Accepted"/>).</param>
/// <param name="Detail">Why, for refusals (for logs).</param>
public readonly record struct CrossChainDelivery(CrossChainDeliveryStatus Status, CrossChainMessage? Message, string Detail = "");

/// <summary>
/// The receiving side of cross-chain delivery (C6) at one validator of the destination chain: checks envelopes in
/// both modes against the registered validator sets of the source chains and accepts each (source, sequence) once.
/// Deterministic and single-threaded, like the replicas: a driver feeds it what the transport received.
/// </summary>
public sealed class CrossChainInbox
{
    /// <summary>Default for the most scatter messages waiting for more copies.</summary>
    public const int DefaultMaxPendingMessages = 10_000;

    private readonly ChainId _local;
    private readonly IReadOnlyDictionary<ChainId, ValidatorSet> _sources;
    private readonly int _maxPending;
    private readonly Dictionary<(ChainId Source, ulong Sequence), Dictionary<NodeId, Hash256>> _votes = [];
    private readonly Dictionary<ChainId, DeliveredSet> _delivered = [];

    /// <summary>Creates the inbox of chain <paramref name="local"/>.</summary>
    /// <param name="local">This node's chain (the destination).</param>
    /// <param name="sources">The registered source chains and their validators (the trust roots).</param>
    /// <param name="maxPendingMessages">The most scatter messages waiting for more copies.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPendingMessages"/> is below 1.</exception>
    public CrossChainInbox(ChainId local, IReadOnlyDictionary<ChainId, ValidatorSet> sources, int maxPendingMessages = DefaultMaxPendingMessages)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingMessages, 1);
        _local = local;
        _sources = sources;
        _maxPending = maxPendingMessages;
    }

    /// <summary>Messages counted in scatter mode and not yet accepted.</summary>
    public int PendingMessages => _votes.Count;

    /// <summary>Handles an envelope from <paramref name="sender"/> (authenticated by the transport).</summary>
    /// <param name="sender">The node that sent it.</param>
    /// <param name="envelope">The bytes (<see cref="CrossChainEnvelope"/>).</param>
    /// <returns>What became of it; <see cref="CrossChainDeliveryStatus.Accepted"/> exactly once per (source, sequence).</returns>
    public CrossChainDelivery Receive(NodeId sender, ReadOnlyMemory<byte> envelope)
    {
        CrossChainEnvelope decoded;
        try
        {
            decoded = Canonical.Decode<CrossChainEnvelope>(envelope);
        }
        catch (CodecException e)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Malformed, null, e.Message);
        }

        return decoded.Mode == CrossChainMode.Scatter
            ? ReceiveScattered(sender, decoded.Message!)
            : ReceiveCertified(decoded.Certified!);
    }

    private CrossChainDelivery ReceiveScattered(NodeId sender, CrossChainMessage message)
    {
        if (!TryGetSource(message, out var validators, out var refusal))
        {
            return refusal;
        }

        if (!validators.Contains(sender))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.NotAValidator, message, $"{sender.ToShortString()} is not a validator of {message.Source}");
        }

        var key = (message.Source, message.Sequence);
        if (IsDelivered(message))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Duplicate, message);
        }

        if (!_votes.TryGetValue(key, out var votes))
        {
            if (_votes.Count >= _maxPending)
            {
                return new CrossChainDelivery(CrossChainDeliveryStatus.LimitExceeded, message, $"{_maxPending} messages already wait for copies");
            }

            votes = [];
            _votes.Add(key, votes);
        }

        if (votes.TryGetValue(sender, out var earlier))
        {
            return earlier == message.Digest
                ? new CrossChainDelivery(CrossChainDeliveryStatus.Pending, message)
                : new CrossChainDelivery(CrossChainDeliveryStatus.Conflicting, message, $"{sender.ToShortString()} sent two contents for sequence {message.Sequence}");
        }

        votes.Add(sender, message.Digest);
        int matching = 0;
        foreach (var digest in votes.Values)
        {
            if (digest == message.Digest)
            {
                matching++;
            }
        }

        if (matching < validators.WeakQuorum)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Pending, message);
        }

        _votes.Remove(key);
        MarkDelivered(message);
        return new CrossChainDelivery(CrossChainDeliveryStatus.Accepted, message);
    }

    private CrossChainDelivery ReceiveCertified(CertifiedEntry certified)
    {
        CrossChainMessage message;
        try
        {
            // The source chain committed the message as the payload of a client request.
            var request = Canonical.Decode<ClientRequest>(certified.Entry);
            message = Canonical.Decode<CrossChainMessage>(request.Payload);
        }
        catch (CodecException e)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Malformed, null, e.Message);
        }

        if (!TryGetSource(message, out var validators, out var refusal))
        {
            return refusal;
        }

        if (certified.Header.ChainId != message.Source)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.InvalidCertificate, message, $"the certified block is of {certified.Header.ChainId}, the message claims {message.Source}");
        }

        if (IsDelivered(message))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Duplicate, message);
        }

        var verification = certified.Verify(validators);
        if (!verification.IsValid)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.InvalidCertificate, message, verification.ToString());
        }

        _votes.Remove((message.Source, message.Sequence));
        MarkDelivered(message);
        return new CrossChainDelivery(CrossChainDeliveryStatus.Accepted, message);
    }

    private bool TryGetSource(CrossChainMessage message, out ValidatorSet validators, out CrossChainDelivery refusal)
    {
        if (message.Destination != _local || !_sources.TryGetValue(message.Source, out validators!))
        {
            validators = null!;
            refusal = new CrossChainDelivery(CrossChainDeliveryStatus.UnknownChain, message, $"message {message.Source} → {message.Destination} at {_local}");
            return false;
        }

        refusal = default;
        return true;
    }

    private bool IsDelivered(CrossChainMessage message) =>
        _delivered.TryGetValue(message.Source, out var set) && set.Contains(message.Sequence);

    private void MarkDelivered(CrossChainMessage message)
    {
        if (!_delivered.TryGetValue(message.Source, out var set))
        {
            set = new DeliveredSet();
            _delivered.Add(message.Source, set);
        }

        set.Add(message.Sequence);
    }

    /// <summary>
    /// The sequences delivered from one source: every sequence below <c>_floor</c>, plus the ones above it in
    /// <c>_above</c>. Sequences usually arrive in order, so <c>_above</c> stays small; it is bounded by the number of
    /// messages senders have in flight.
    /// </summary>
    private sealed class DeliveredSet
    {
        private readonly HashSet<ulong> _above = [];
        private ulong _floor;

        public bool Contains(ulong sequence) => sequence < _floor || _above.Contains(sequence);

        public void Add(ulong sequence)
        {
            if (sequence != _floor)
            {
                _above.Add(sequence);
                return;
            }

            _floor++;
            while (_above.Remove(_floor))
            {
                _floor++;
            }
        }
    }
}
