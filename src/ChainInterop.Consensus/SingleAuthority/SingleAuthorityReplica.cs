using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChainInterop.Consensus.SingleAuthority;

/// <summary>
/// The single-authority engine (K1, "database-transaction consistency"): the chain's validator set has exactly one
/// validator, the <em>authority</em>. The authority batches verified client requests, builds the next block (its
/// entries are the canonical bytes of the signed <see cref="ClientRequest"/>s), signs the commit certificate alone
/// (a quorum of one), commits it and replies to the clients. Every other node runs the same options with its own key
/// and is a <em>follower</em>: it forwards client requests to the authority and copies the authority's blocks,
/// verifying each with <see cref="Block.Verify"/> and its link to the follower's tip.
/// </summary>
/// <remarks>
/// <para><b>Crash-fault tolerant only.</b> This engine survives crashes and restarts of the authority and of
/// followers, and lost, delayed, duplicated or reordered messages. It cannot expose a lying authority: the authority
/// alone decides what is committed and can sign any block it likes (reorder, censor or invent requests, or show
/// different followers different histories). Followers only prove that the blocks they hold were signed by the
/// authority. Use PBFT or CBFT wherever participants do not trust the operator.</para>
/// <para>Requests execute once: every node keeps, per client, the last executed request and its result (the authority
/// answers a resent request with the same reply); every node runs its copy of the <see cref="IChainApplication"/> on
/// the blocks it commits or copies. After a restart both are rebuilt by <see cref="Replay"/> of the node's own store
/// before it starts.</para>
/// <para>Followers catch up with a signed sync request; the authority answers with a signed blocks message read from
/// its store, and pushes each new block to the followers that asked (at most <see cref="MaxFollowers"/>). A
/// follower polls every <see cref="ReplicaOptions.ViewChangeTimeoutMs"/> in case a push was lost.</para>
/// <para>Not thread-safe: a driver calls it from one logical thread (<see cref="IReplica"/>).</para>
/// </remarks>
public sealed class SingleAuthorityReplica : IReplica
{
    /// <summary>The most followers the authority pushes new blocks to.</summary>
    public const int MaxFollowers = 256;

    /// <summary>The most clients whose last reply the authority remembers; requests from further clients are refused (never evicted, so a request is never executed twice).</summary>
    public const int MaxTrackedClients = 1_000_000;

    private readonly ReplicaOptions _options;
    private readonly PrivateKey _key;
    private readonly ValidatorSet _validators;
    private readonly PublicKey _authorityKey;
    private readonly NodeId _authority;
    private readonly ILogger _logger;

    // Invariant: _tip is the header of the last block this replica delivered through Commit (or was built from).
    private BlockHeader? _tip;

    // Per client: the last executed request, where it went and its result (K2); rebuilt by Replay after a restart.
    private readonly ClientTable _clients = new();
    private readonly IChainApplication _application;
    private bool _started;

    // Authority only. Requests waiting to be proposed, FIFO; at most MaxPendingRequests, no (client, timestamp) twice.
    private readonly Queue<ClientRequest> _pending = new();
    private readonly HashSet<(NodeId Client, ulong Timestamp)> _pendingKeys = [];

    // Authority only. Followers that asked for blocks, in the order they first asked; at most MaxFollowers.
    private readonly List<NodeId> _followers = [];

    private bool _batchTimerArmed;

    /// <summary>Creates a replica of a single-authority chain.</summary>
    /// <param name="options">The chain's options; <see cref="ReplicaOptions.Validators"/> must hold exactly the authority.</param>
    /// <param name="key">This node's key: the authority's key makes it the authority, any other key a follower.</param>
    /// <param name="lastCommitted">The last block in this node's store (after a restart: then <see cref="Replay"/> the store up to it), or null for an empty store.</param>
    /// <param name="application">Executes committed requests; null for <see cref="OrderingOnlyApplication"/>.</param>
    /// <param name="logger">Where to log; nothing is logged when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">Invalid options, a validator set that is not exactly one validator, or a last block of another chain.</exception>
    public SingleAuthorityReplica(ReplicaOptions options, PrivateKey key, Block? lastCommitted, IChainApplication? application = null, ILogger<SingleAuthorityReplica>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        options.Validate();
        _validators = options.Validators!;
        if (_validators.Count != 1)
        {
            throw new ArgumentException($"A single-authority chain has exactly one validator, got {_validators.Count}.", nameof(options));
        }

        if (lastCommitted is not null && lastCommitted.Header.ChainId != options.ChainId)
        {
            throw new ArgumentException("The last committed block belongs to another chain.", nameof(lastCommitted));
        }

        _options = options;
        _key = key;
        _authorityKey = _validators.PublicKeys[0];
        _authority = _validators.NodeIds[0];
        Id = NodeId.FromPublicKey(key.PublicKey);
        ChainId = options.ChainId;
        _tip = lastCommitted?.Header;
        _application = application ?? OrderingOnlyApplication.Instance;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public NodeId Id { get; }

    /// <inheritdoc />
    public ChainId ChainId { get; }

    /// <inheritdoc />
    public ulong? CommittedHeight => _tip?.Height;

    /// <summary>Whether this node is the chain's authority (otherwise a follower).</summary>
    public bool IsAuthority => Id == _authority;

    private ulong NextHeight => _tip is null ? 0 : _tip.Height + 1;

    /// <inheritdoc />
    public (CommittedBlock Block, BlockExecution Execution) Replay(Block block)
    {
        if (_started)
        {
            throw new InvalidOperationException("Replay the stored blocks before starting the replica.");
        }

        return _clients.Replay(ChainId, block, _tip, _application);
    }

    /// <inheritdoc />
    public void Restore(StateSnapshot snapshot, Block block)
    {
        if (_started)
        {
            throw new InvalidOperationException("Restore a snapshot before starting the replica.");
        }

        _clients.Restore(ChainId, snapshot, block, _tip, _application);
    }

    /// <inheritdoc />
    public StateSnapshot TakeSnapshot() =>
        _started && _tip is { } tip
            ? _clients.Snapshot(ChainId, tip, _application)
            : throw new InvalidOperationException("A snapshot is taken of a started replica that committed a block.");

    /// <inheritdoc />
    public void Start(long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (!_started)
        {
            _clients.EnsureReplayed(ChainId, _tip);
            _logger.Recovered(ChainId, _clients.Count, _tip?.Height);
        }

        _started = true;
        if (IsAuthority)
        {
            return;
        }

        RequestSync(effects);
        effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.StateTransfer), _options.ViewChangeTimeoutMs);
    }

    /// <inheritdoc />
    public void OnClientRequest(ClientRequest request, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(effects);
        if (request.ChainId != ChainId || !_options.ClientAuthentication.Accepts(request))
        {
            _logger.Dropped(ChainId, "client request", request.ClientId, "wrong chain or bad signature");
            return;
        }

        if (!IsAuthority)
        {
            effects.Send(_authority, SingleAuthorityMessage.EncodeForward(ChainId, request));
            return;
        }

        Admit(request, nowUnixMs, effects);
    }

    /// <inheritdoc />
    public void OnMessage(NodeId from, ReadOnlyMemory<byte> message, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        if (!SingleAuthorityMessage.TryDecode(message, _options.MaxStateTransferBlocks, out var decoded) || decoded!.ChainId != ChainId)
        {
            _logger.Dropped(ChainId, "message", from, "malformed or for another chain");
            return;
        }

        switch (decoded.Kind)
        {
            case SingleAuthorityMessageKind.Forward when IsAuthority:
                OnClientRequest(decoded.Request!, nowUnixMs, effects);
                break;
            case SingleAuthorityMessageKind.SyncRequest when IsAuthority:
                OnSyncRequest(from, decoded, effects);
                break;
            case SingleAuthorityMessageKind.Blocks when !IsAuthority && from == _authority:
                OnBlocks(decoded, effects);
                break;
            default:
                _logger.Dropped(ChainId, "message", from, "not for this role or sender");
                break;
        }
    }

    /// <inheritdoc />
    public void OnBlocksLoaded(NodeId requester, IReadOnlyList<Block> blocks, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(effects);
        if (!IsAuthority)
        {
            return;
        }

        if (requester != Id && blocks.Count > 0)
        {
            effects.Send(requester, SingleAuthorityMessage.EncodeBlocks(ChainId, blocks, _key));
        }
    }

    /// <inheritdoc />
    public void OnTimer(ReplicaTimer timer, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        switch (timer.Kind)
        {
            case ReplicaTimerKind.Batch when IsAuthority:
                _batchTimerArmed = false;
                ProposeReady(nowUnixMs, effects, flush: true);
                break;
            case ReplicaTimerKind.StateTransfer when !IsAuthority:
                RequestSync(effects);
                effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.StateTransfer), _options.ViewChangeTimeoutMs);
                break;
            default:
                break;
        }
    }

    private void Admit(ClientRequest request, long nowUnixMs, IReplicaEffects effects)
    {
        if (_clients.IsExecuted(request))
        {
            // Executed already: answer a resend of the last request again; anything older is a stale duplicate.
            if (_clients.TryGetReply(request, out var done))
            {
                effects.Reply(_options.ClientAuthentication.Reply(_key, Id, request, done.Height, done.EntryIndex, done.Result));
            }

            return;
        }

        if (_pendingKeys.Contains((request.ClientId, request.Timestamp)))
        {
            return;
        }

        if (_pending.Count >= _options.MaxPendingRequests)
        {
            _logger.QueueFull(ChainId, _options.MaxPendingRequests, request.ClientId);
            return;
        }

        _pending.Enqueue(request);
        _pendingKeys.Add((request.ClientId, request.Timestamp));
        ProposeReady(nowUnixMs, effects, flush: false);
    }

    /// <summary>Commits full batches at once; a partial batch when <paramref name="flush"/> (the batch timer fired), else arms the timer.</summary>
    private void ProposeReady(long nowUnixMs, IReplicaEffects effects, bool flush)
    {
        while (_pending.Count >= _options.MaxBatchRequests || (flush && _pending.Count > 0))
        {
            CommitBatch(nowUnixMs, effects);
            flush = false;
        }

        if (_pending.Count > 0 && !_batchTimerArmed)
        {
            _batchTimerArmed = true;
            effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch), _options.BatchDelayMs);
        }
    }

    private void CommitBatch(long nowUnixMs, IReplicaEffects effects)
    {
        var batch = new List<ClientRequest>();
        var lastInBatch = new Dictionary<NodeId, ulong>();
        long batchBytes = 0;
        while (_pending.Count > 0 && batch.Count < _options.MaxBatchRequests)
        {
            var next = _pending.Peek();
            if (batch.Count > 0 && batchBytes + next.Payload.Length > _options.MaxBatchBytes)
            {
                break;
            }

            _pending.Dequeue();
            _pendingKeys.Remove((next.ClientId, next.Timestamp));
            ulong executedUpTo = lastInBatch.TryGetValue(next.ClientId, out ulong t) ? t : _clients.LastTimestamp(next.ClientId);
            bool known = lastInBatch.ContainsKey(next.ClientId) || _clients.Contains(next.ClientId);
            if ((known && next.Timestamp <= executedUpTo) || (!known && _clients.Count + lastInBatch.Count >= MaxTrackedClients))
            {
                continue;
            }

            lastInBatch[next.ClientId] = next.Timestamp;
            batch.Add(next);
            batchBytes += next.Payload.Length;
        }

        if (batch.Count == 0)
        {
            return;
        }

        long timestamp = Math.Max(nowUnixMs, _tip?.TimestampUnixMs ?? nowUnixMs);
        var unsigned = Block.Create(ChainId, NextHeight, _tip?.Hash ?? Hash256.Zero, timestamp, Id, view: 0,
            batch.Select(r => (ReadOnlyMemory<byte>)Canonical.Encode(r)));
        var block = unsigned.WithCertificate(CommitCertificate.Sign(unsigned.Header, [_key]));
        var (committed, execution) = _clients.Execute(ChainId, block, batch, _application);
        effects.Commit(committed, execution);
        _tip = block.Header;
        _logger.Committed(ChainId, block.Height, batch.Count);
        foreach (var reply in _options.ClientAuthentication.Replies(_key, Id, committed, execution))
        {
            effects.Reply(reply);
        }

        if (_followers.Count > 0)
        {
            byte[] push = SingleAuthorityMessage.EncodeBlocks(ChainId, [block], _key);
            foreach (var follower in _followers)
            {
                effects.Send(follower, push);
            }
        }
    }

    private void OnSyncRequest(NodeId from, SingleAuthorityMessage message, IReplicaEffects effects)
    {
        if (!message.VerifySyncRequest() || NodeId.FromPublicKey(message.FollowerKey!) != from)
        {
            _logger.Dropped(ChainId, "sync request", from, "bad signature or key of another node");
            return;
        }

        if (!_followers.Contains(from) && _followers.Count < MaxFollowers)
        {
            _followers.Add(from);
        }

        if (_tip is not null && message.FromHeight <= _tip.Height)
        {
            effects.LoadBlocks(from, message.FromHeight, _options.MaxStateTransferBlocks);
        }
    }

    private void OnBlocks(SingleAuthorityMessage message, IReplicaEffects effects)
    {
        if (!message.VerifyBlocks(_authorityKey))
        {
            _logger.Dropped(ChainId, "blocks", _authority, "bad signature");
            return;
        }

        bool gap = false;
        foreach (var block in message.Blocks)
        {
            if (block.Height < NextHeight)
            {
                continue;
            }

            if (block.Height > NextHeight)
            {
                gap = true;
                break;
            }

            var result = ChainVerifier.Verify(ChainId, _validators, [block], _tip);
            if (!result.IsValid)
            {
                _logger.RejectedBlock(ChainId, block.Height, result);
                return;
            }

            var (committed, execution) = _clients.Execute(ChainId, block, decoded: null, _application);
            effects.Commit(committed, execution);
            _tip = block.Header;
        }

        // A pushed block past our tip, or a full page, means more blocks are waiting.
        if (gap || message.Blocks.Count >= _options.MaxStateTransferBlocks)
        {
            RequestSync(effects);
        }
    }

    private void RequestSync(IReplicaEffects effects) =>
        effects.Send(_authority, SingleAuthorityMessage.EncodeSyncRequest(ChainId, NextHeight, _key));
}
