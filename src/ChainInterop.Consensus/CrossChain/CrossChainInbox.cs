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

    /// <summary>Too many messages wait for more copies (from this sender); this one is dropped (the senders retransmit).</summary>
    LimitExceeded = 8,

    /// <summary>The sequence is too far ahead of the next one expected from its source; dropped (resent later).</summary>
    OutOfWindow = 9,

    /// <summary>Certificate mode: the committed request is not signed by a sender the source chain registered for cross-chain messages.</summary>
    UnauthorizedSender = 10,
}

/// <summary>
/// A source chain as a destination registers it: its validators (who certify its blocks and scatter its messages) and
/// the identities allowed to commit cross-chain messages on it (e.g. the bank's settlement service). An entry of a
/// certified block is only a message when one of these signed it: ordering by consensus alone does not make a client's
/// request the chain's word.
/// </summary>
/// <param name="Validators">The source chain's validators.</param>
/// <param name="AuthorizedSenders">The client ids whose committed requests carry the chain's cross-chain messages.</param>
public sealed record CrossChainSource(ValidatorSet Validators, IReadOnlySet<NodeId> AuthorizedSenders);

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

    /// <summary>Default for how far ahead of the next expected sequence of a source a message may be.</summary>
    public const ulong DefaultSequenceWindow = 10_000;

    private readonly ChainId _local;
    private readonly IReadOnlyDictionary<ChainId, CrossChainSource> _sources;
    private readonly int _maxPending;
    private readonly ulong _window;
    private readonly CrossChainQuorum _quorum;

    /// <summary>Creates the inbox of chain <paramref name="local"/>.</summary>
    /// <param name="local">This node's chain (the destination).</param>
    /// <param name="sources">The registered source chains (the trust roots).</param>
    /// <param name="maxPendingMessages">The most scatter messages waiting for more copies; each source validator may
    /// hold at most its share (this divided by the source's validator count), so one Byzantine validator cannot fill it.</param>
    /// <param name="sequenceWindow">How far ahead of the next expected sequence of a source a message may be; bounds the
    /// memory of delivered sequences too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sources"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1.</exception>
    public CrossChainInbox(
        ChainId local,
        IReadOnlyDictionary<ChainId, CrossChainSource> sources,
        int maxPendingMessages = DefaultMaxPendingMessages,
        ulong sequenceWindow = DefaultSequenceWindow)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceWindow, 1UL);
        _local = local;
        _sources = sources;
        _maxPending = maxPendingMessages;
        _window = sequenceWindow;
        _quorum = new CrossChainQuorum(sources: null, sequenceWindow, maxPendingMessages); // sources are checked here first
    }

    /// <summary>
    /// Restores, after a restart, that every sequence from <paramref name="source"/> below <paramref name="nextSequence"/>
    /// was delivered (the application keeps this in its own durable state; the inbox itself is memory only).
    /// </summary>
    /// <param name="source">The source chain.</param>
    /// <param name="nextSequence">The first sequence not yet delivered.</param>
    public void RestoreDelivered(ChainId source, ulong nextSequence) => _quorum.RestoreDelivered(source, nextSequence);

    /// <summary>
    /// Records that the application executed (<paramref name="source"/>, <paramref name="sequence"/>) without this inbox
    /// accepting it (e.g. other validators of this chain delivered it): later copies are <see cref="CrossChainDeliveryStatus.Duplicate"/>,
    /// the copies counted for it are dropped (their senders get their quota back), and the sequence window moves on.
    /// </summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The delivered sequence.</param>
    public void MarkDelivered(ChainId source, ulong sequence) => _quorum.MarkDelivered(source, sequence);

    /// <summary>Whether (<paramref name="source"/>, <paramref name="sequence"/>) was accepted or marked delivered.</summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The sequence.</param>
    /// <returns>True if delivered.</returns>
    public bool IsDelivered(ChainId source, ulong sequence) => _quorum.IsDelivered(source, sequence);

    /// <summary>Messages counted in scatter mode and not yet accepted.</summary>
    public int PendingMessages => _quorum.PendingMessages;

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
        if (!TryGetSource(message, out var source, out var refusal))
        {
            return refusal;
        }

        var validators = source.Validators;
        if (!validators.Contains(sender))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.NotAValidator, message, $"{sender.ToShortString()} is not a validator of {message.Source}");
        }

        // Each source validator's copy is its vote; f + 1 identical copies include an honest one.
        int quota = Math.Max(1, _maxPending / validators.Count);
        return _quorum.Vote(message.Source, message.Sequence, sender, message.Digest, validators.WeakQuorum, quota) switch
        {
            CrossChainVote.Reached => new CrossChainDelivery(CrossChainDeliveryStatus.Accepted, message),
            CrossChainVote.Counted or CrossChainVote.Repeated => new CrossChainDelivery(CrossChainDeliveryStatus.Pending, message),
            CrossChainVote.AlreadyDelivered => new CrossChainDelivery(CrossChainDeliveryStatus.Duplicate, message),
            CrossChainVote.Conflicting => new CrossChainDelivery(CrossChainDeliveryStatus.Conflicting, message, $"{sender.ToShortString()} sent two contents for sequence {message.Sequence}"),
            CrossChainVote.OutOfWindow => new CrossChainDelivery(CrossChainDeliveryStatus.OutOfWindow, message, $"sequence {message.Sequence} is more than {_window} ahead"),
            _ => new CrossChainDelivery(CrossChainDeliveryStatus.LimitExceeded, message, $"{sender.ToShortString()} already has its most messages waiting for copies (quota {quota}), or {_maxPending} messages wait"),
        };
    }

    private CrossChainDelivery ReceiveCertified(CertifiedEntry certified)
    {
        CrossChainMessage message;
        ClientRequest request;
        try
        {
            // The source chain committed the message as the payload of a client request.
            request = Canonical.Decode<ClientRequest>(certified.Entry);
            message = Canonical.Decode<CrossChainMessage>(request.Payload);
        }
        catch (CodecException e)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Malformed, null, e.Message);
        }

        if (!TryGetSource(message, out var source, out var refusal))
        {
            return refusal;
        }

        var validators = source.Validators;
        if (!source.AuthorizedSenders.Contains(request.ClientId))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.UnauthorizedSender, message, $"{request.ClientId.ToShortString()} may not send cross-chain messages for {message.Source}");
        }

        if (!_quorum.IsWithinWindow(message.Source, message.Sequence))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.OutOfWindow, message, $"sequence {message.Sequence} is more than {_window} ahead");
        }

        if (certified.Header.ChainId != message.Source)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.InvalidCertificate, message, $"the certified block is of {certified.Header.ChainId}, the message claims {message.Source}");
        }

        if (IsDelivered(message.Source, message.Sequence))
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.Duplicate, message);
        }

        var verification = certified.Verify(validators);
        if (!verification.IsValid)
        {
            return new CrossChainDelivery(CrossChainDeliveryStatus.InvalidCertificate, message, verification.ToString());
        }

        MarkDelivered(message.Source, message.Sequence);
        return new CrossChainDelivery(CrossChainDeliveryStatus.Accepted, message);
    }

    private bool TryGetSource(CrossChainMessage message, out CrossChainSource source, out CrossChainDelivery refusal)
    {
        if (message.Destination != _local || !_sources.TryGetValue(message.Source, out source!))
        {
            source = null!;
            refusal = new CrossChainDelivery(CrossChainDeliveryStatus.UnknownChain, message, $"message {message.Source} → {message.Destination} at {_local}");
            return false;
        }

        refusal = default;
        return true;
    }
}
