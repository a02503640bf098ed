using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Consensus.Pbft;

/// <summary>
/// A PBFT replica (K2, thesis §3.2) as a deterministic state machine: one sequence number is one block height;
/// the primary batches client requests into a block, PRE-PREPARE → PREPARE → COMMIT commit it with a
/// <see cref="CommitCertificate"/> made of the replicas' commit signatures; view changes replace a silent, slow or
/// equivocating primary; checkpoints bound the log; state transfer brings a lagging or restarted replica up to date.
/// </summary>
/// <remarks>
/// <para>Blocks are proposed one at a time: the primary proposes height n only once it has committed n − 1, so a
/// replica has at most one prepared but uncommitted height (its tip + 1). This keeps view changes small (the
/// committed tip's certificate plus at most one prepared certificate) at the cost of pipelining.</para>
/// <para>Block entries are the canonical bytes of the full signed <see cref="ClientRequest"/>s. A request executes
/// (goes to the <see cref="IChainApplication"/>, and is replied to with its result) only if its timestamp is above the
/// last executed for its client; that table is derived from the blocks this replica committed, and rebuilt after a
/// restart by <see cref="Replay"/>.</para>
/// <para>Not thread-safe: a driver calls it from one logical thread.</para>
/// </remarks>
public sealed partial class PbftReplica : IReplica
{
    /// <summary>The most views a stored vote may be ahead of the current view.</summary>
    private const ulong MaxViewsAhead = 4;

    /// <summary>The largest exponent of the view-change back-off (timeout × 2^k).</summary>
    private const int MaxBackoffExponent = 16;

    /// <summary>Per height: the most pre-prepares kept (one per view) and commit votes kept per validator.</summary>
    private const int MaxPrePreparesPerHeight = 16;

    private const int MaxCommitVotesPerValidator = 4;

    private readonly ReplicaOptions _options;
    private readonly ValidatorSet _validators;
    private readonly PrivateKey _key;
    private readonly IPrimarySelector _selector;
    private readonly ILogger _logger;

    // A one-validator set per validator, used to check a single commit signature with CommitCertificate.Verify
    // (the commit domain tag stays private to Core).
    private readonly Dictionary<NodeId, ValidatorSet> _singleSigner = [];

    // Committed state. Invariant: _committed == (_lastHeader?.Height ?? -1); heights are delivered exactly once, in order.
    private long _committed = -1;
    private BlockHeader? _lastHeader;
    private CommitCertificate? _lastCertificate;

    // Derived from committed blocks: each client's last executed request and its reply (K2).
    private readonly ClientTable _clients = new();
    private readonly IChainApplication _application;
    private bool _started;

    // View state. While _viewChanging, _view is the view being changed to and only VIEW-CHANGE/NEW-VIEW are processed.
    private ulong _view;
    private bool _viewChanging;
    private int _consecutiveViewChanges;
    private bool _viewChangeTimerArmed;
    private bool _batchTimerArmed;
    private bool _advancing;

    /// <summary>Protocol log per height in (stable checkpoint, stable checkpoint + WindowBlocks].</summary>
    private readonly SortedDictionary<long, Slot> _slots = [];

    /// <summary>
    /// Creates a replica.
    /// </summary>
    /// <param name="options">The chain, its validators and the limits.</param>
    /// <param name="key">This validator's key (must be in the validator set).</param>
    /// <param name="lastCommitted">The tip of this replica's store with its certificate after a restart (then <see cref="Replay"/> the store up to it); null for a new chain.</param>
    /// <param name="application">Executes committed requests; null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid, the key is not a validator, or the block belongs to another chain.</exception>
    public PbftReplica(ReplicaOptions options, PrivateKey key, Block? lastCommitted, IChainApplication? application = null, ILogger<PbftReplica>? logger = null)
        : this(options, key, lastCommitted, RoundRobinPrimarySelector.Instance, application, logger)
    {
    }

    /// <summary>
    /// Creates a replica with a custom primary rule (e.g. CBFT's rotation).
    /// </summary>
    /// <param name="options">The chain, its validators and the limits.</param>
    /// <param name="key">This validator's key (must be in the validator set).</param>
    /// <param name="lastCommitted">The tip of this replica's store with its certificate after a restart (then <see cref="Replay"/> the store up to it); null for a new chain.</param>
    /// <param name="primarySelector">Who proposes at a (view, height).</param>
    /// <param name="application">Executes committed requests; null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/>, <paramref name="key"/> or <paramref name="primarySelector"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid, the key is not a validator, the block belongs to another
    /// chain, or the selector cannot answer for it (it was not replayed through the stored chain).</exception>
    public PbftReplica(ReplicaOptions options, PrivateKey key, Block? lastCommitted, IPrimarySelector primarySelector, IChainApplication? application = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(primarySelector);
        options.Validate();
        _options = options;
        _validators = options.Validators!;
        _key = key;
        _selector = primarySelector;
        _application = application ?? OrderingOnlyApplication.Instance;
        _logger = logger ?? NullLogger.Instance;
        Id = NodeId.FromPublicKey(key.PublicKey);
        ChainId = options.ChainId;
        if (!_validators.Contains(Id))
        {
            throw new ArgumentException("The replica's key is not one of the chain's validators.", nameof(key));
        }

        foreach (var (id, publicKey) in _validators.NodeIds.Zip(_validators.PublicKeys))
        {
            _singleSigner[id] = new ValidatorSet([publicKey], faultTolerance: 0);
        }

        if (lastCommitted is not null)
        {
            if (lastCommitted.Header.ChainId != ChainId)
            {
                throw new ArgumentException("The last committed block belongs to another chain.", nameof(lastCommitted));
            }

            if (!primarySelector.TrySelectPrimary(_validators, lastCommitted.Header.View, lastCommitted.Height + 1, lastCommitted.Header, out _))
            {
                throw new ArgumentException(
                    "The primary selector has no state for the last committed block: replay the stored chain into it first.",
                    nameof(primarySelector));
            }

            _committed = (long)lastCommitted.Height;
            _lastHeader = lastCommitted.Header;
            _lastCertificate = lastCommitted.Certificate;
            _view = lastCommitted.Header.View;
            _stable = _committed;
        }
    }

    /// <inheritdoc />
    public NodeId Id { get; }

    /// <inheritdoc />
    public ChainId ChainId { get; }

    /// <inheritdoc />
    public ulong? CommittedHeight => _committed < 0 ? null : (ulong)_committed;

    /// <summary>The current view (while a view change is in progress, the view being changed to).</summary>
    public ulong View => _view;

    /// <summary>Whether a view change is in progress.</summary>
    public bool IsChangingView => _viewChanging;

    /// <summary>The height of the last stable checkpoint, or null before the first.</summary>
    public ulong? StableCheckpoint => _stable < 0 ? null : (ulong)_stable;

    /// <summary>Client requests held waiting to be committed.</summary>
    public int PendingRequestCount => _pendingIndex.Count;

    /// <summary>Heights for which protocol messages are still held (bounded by checkpoints and the window).</summary>
    internal IEnumerable<long> LoggedHeights => _slots.Keys;

    /// <inheritdoc />
    public (CommittedBlock Block, BlockExecution Execution) Replay(Block block)
    {
        if (_started)
        {
            throw new InvalidOperationException("Replay the stored blocks before starting the replica.");
        }

        return _clients.Replay(ChainId, block, _lastHeader, _application);
    }

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot, Block block)
    {
        if (_started)
        {
            throw new InvalidOperationException("Restore a snapshot before starting the replica.");
        }

        _clients.Restore(ChainId, snapshot, block, _lastHeader, _application);
    }

    /// <inheritdoc />
    public StateSnapshot TakeSnapshot() =>
        _started && _lastHeader is { } tip
            ? _clients.Snapshot(ChainId, tip, _application)
            : throw new InvalidOperationException("A snapshot is taken of a started replica that committed a block.");

    /// <inheritdoc />
    public void Start(long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (!_started)
        {
            _clients.EnsureReplayed(ChainId, _lastHeader);
        }

        _started = true;

        // After a restart (or when joining a running chain) ask one peer for anything committed since our tip.
        SendStateRequest(effects);
        ArmRetransmitTimer(effects);
        if (_pendingIndex.Count > 0)
        {
            ArmViewChangeTimer(effects, restart: true);
        }
    }

    /// <inheritdoc />
    public void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(effects);
        AddRequest(request, forward: true, nowUnixMs, effects);
    }

    /// <inheritdoc />
    public void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        PbftMessage decoded;
        try
        {
            decoded = Canonical.Decode<PbftMessage>(message);
        }
        catch (CodecException e)
        {
            PbftLog.Undecodable(_logger, ChainId, from, e.Message);
            return;
        }

        if (decoded.Kind == PbftMessageKind.Forward && IsKnownForward(decoded))
        {
            return; // nothing to add: skip checking the forwarder's signature
        }

        if (!IsAuthentic(decoded, from))
        {
            PbftLog.Dropped(_logger, ChainId, decoded.Kind, from, "not signed by a validator of this chain");
            return;
        }

        try
        {
            Dispatch(decoded, nowUnixMs, effects);
        }
        catch (CodecException e)
        {
            // Bodies are decoded before any state changes, so a malformed body leaves the replica untouched.
            PbftLog.Dropped(_logger, ChainId, decoded.Kind, from, e.Message);
        }
    }

    /// <inheritdoc />
    public void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        switch (timer.Kind)
        {
            case ReplicaTimerKind.Batch:
                _batchTimerArmed = false;
                MaybePropose(force: true, nowUnixMs, effects);
                break;
            case ReplicaTimerKind.ViewChange:
                OnViewChangeTimer(timer.Subject, nowUnixMs, effects);
                break;
            case ReplicaTimerKind.StateTransfer:
                OnStateTransferTimer(effects);
                break;
            case ReplicaTimerKind.Retransmit:
                OnRetransmitTimer(effects);
                break;
            default:
                break;
        }
    }

    private void Dispatch(PbftMessage message, long now, IReplicaEffects effects)
    {
        switch (message.Kind)
        {
            case PbftMessageKind.PrePrepare:
                OnPrePrepare(message, now, effects);
                break;
            case PbftMessageKind.Prepare:
                OnPrepare(message, now, effects);
                break;
            case PbftMessageKind.Commit:
                OnCommit(message, now, effects);
                break;
            case PbftMessageKind.Checkpoint:
                OnCheckpoint(message, now, effects);
                break;
            case PbftMessageKind.ViewChange:
                OnViewChange(message, now, effects);
                break;
            case PbftMessageKind.NewView:
                OnNewView(message, now, effects);
                break;
            case PbftMessageKind.StateRequest:
                OnStateRequest(message, effects);
                break;
            case PbftMessageKind.StateResponse:
                OnStateResponse(message, now, effects);
                break;
            case PbftMessageKind.Forward:
                AddRequest(message.DecodeBody<ForwardBody>().Request, forward: false, now, effects);
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Whether a FORWARD carries a request this replica already holds pending (the same digest and signature) or has
    /// executed: dropping it then changes nothing, so its signature need not be checked. Clients usually hand a request
    /// to every validator, so the primary receives most requests again from each backup.
    /// </summary>
    private bool IsKnownForward(PbftMessage message)
    {
        if (message.ChainId != ChainId)
        {
            return false;
        }

        ClientRequest request;
        try
        {
            request = message.DecodeBody<ForwardBody>().Request;
        }
        catch (CodecException)
        {
            return false;
        }

        return request.ChainId == ChainId && (_clients.IsExecuted(request) || IsPendingAsIs(request));
    }

    /// <summary>Whether <paramref name="message"/> is for this chain and signed by validator <paramref name="from"/> (not us).</summary>
    private bool IsAuthentic(PbftMessage message, NodeId from) =>
        message.ChainId == ChainId && message.Sender == from && from != Id
        && _validators.TryGetPublicKey(from, out var key) && message.Verify(key);

    /// <summary>Decodes a nested, signed envelope (inside a VIEW-CHANGE or NEW-VIEW) and checks its signer and kind.</summary>
    private PbftMessage? DecodeNested(byte[] bytes, PbftMessageKind kind)
    {
        var message = Canonical.Decode<PbftMessage>(bytes);
        return message.Kind == kind && message.ChainId == ChainId
            && _validators.TryGetPublicKey(message.Sender, out var key) && message.Verify(key)
            ? message
            : null;
    }

    private PbftMessage Sign<TBody>(PbftMessageKind kind, ulong view, TBody body)
        where TBody : ICanonicalEncodable<TBody> => PbftMessage.Create(_key, ChainId, kind, view, body);

    /// <summary>
    /// The primary of <paramref name="view"/> at <paramref name="height"/> after <paramref name="previous"/>, or null when
    /// the selector has no state for that header (it is beyond our tip, or too old): then nobody is judged the primary.
    /// </summary>
    private NodeId? PrimaryFor(ulong view, long height, BlockHeader? previous) =>
        _selector.TrySelectPrimary(_validators, view, (ulong)height, previous, out var primary) ? primary : null;

    /// <summary>The primary for the next height in the current view (known unless the selector missed our tip).</summary>
    private NodeId? CurrentPrimary => PrimaryFor(_view, _committed + 1, _lastHeader);

    private long WindowTop => _stable + _options.WindowBlocks;

    private Slot GetSlot(long height)
    {
        if (!_slots.TryGetValue(height, out var slot))
        {
            slot = new Slot();
            _slots.Add(height, slot);
        }

        return slot;
    }

    /// <summary>Protocol state for one height.</summary>
    private sealed class Slot
    {
        /// <summary>The accepted pre-prepare per view (at most one per view: no conflicting digest for (v, n)).</summary>
        public Dictionary<ulong, AcceptedProposal> PrePrepares { get; } = [];

        /// <summary>PREPAREs per view, one per sender: digest and the signed envelope (for prepared certificates).</summary>
        public Dictionary<ulong, Dictionary<NodeId, (Hash256 Digest, byte[] Envelope)>> Prepares { get; } = [];

        /// <summary>COMMIT signatures by (sender, digest); commit signatures are over the header hash, so they count across views.</summary>
        public Dictionary<(NodeId Sender, Hash256 Digest), CommitVote> Commits { get; } = [];

        /// <summary>PRE-PREPAREs that arrived before the previous height committed, per view, processed once it has.</summary>
        public Dictionary<ulong, (PbftMessage Message, bool FromNewView)> Stashed { get; } = [];

        /// <summary>Views in which this replica already sent its COMMIT.</summary>
        public HashSet<ulong> CommitSent { get; } = [];

        /// <summary>Blocks for this height proposed in views other than ours (or while we changed view), by hash: we send
        /// no PREPARE for them, but a quorum of commit signatures for one of them certifies it (it is then final).</summary>
        public Dictionary<Hash256, Block> Observed { get; } = [];

        /// <summary>Our latest signed COMMIT for this height (retransmitted).</summary>
        public byte[]? CommitEnvelope { get; set; }

        /// <summary>The highest view in which this replica prepared, with the certificate material.</summary>
        public PreparedCertificate? Prepared { get; set; }
    }

    private sealed record AcceptedProposal(Block Block, byte[] Envelope, NodeId Primary, long AcceptedAtMs);

    private sealed class CommitVote(CommitSignature signature)
    {
        public CommitSignature Signature { get; } = signature;

        /// <summary>Null until checked against the header (checked once the block is known).</summary>
        public bool? Valid { get; set; }
    }

    private sealed record PreparedCertificate(ulong View, Block Block, byte[] PrePrepare, byte[][] Prepares);
}
