using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Pbft;

/// <content>Normal case (K2): requests, batching, PRE-PREPARE, PREPARE, COMMIT, in-order delivery and replies.</content>
public sealed partial class PbftReplica
{
    // Requests not yet executed, in arrival order; bounded by ReplicaOptions.MaxPendingRequests.
    private readonly LinkedList<ClientRequest> _pending = new();
    private readonly Dictionary<(NodeId Client, ulong Timestamp), LinkedListNode<ClientRequest>> _pendingIndex = [];
    private readonly Dictionary<NodeId, SortedSet<ulong>> _pendingByClient = [];
    private long _pendingPayloadBytes;

    // The oldest pending request when the view-change timer was last restarted by a commit.
    private (NodeId Client, ulong Timestamp)? _watchedRequest;

    // Requests already decoded (and verified) when a proposal was built or validated, by block hash, so executing the
    // committed block does not decode them again. A cache only: a miss decodes. At most MaxDecodedBlocks entries.
    private readonly Dictionary<Hash256, ClientRequest[]> _decoded = [];
    private const int MaxDecodedBlocks = 16;

    private void RememberDecoded(Hash256 block, ClientRequest[] requests)
    {
        if (_decoded.Count >= MaxDecodedBlocks)
        {
            _decoded.Clear();
        }

        _decoded[block] = requests;
    }

    private void AddRequest(ClientRequest request, bool forward, long now, IReplicaEffects effects)
    {
        // PBFT's reply cache: a client resending its last executed request lost replies; send ours again. Only for the
        // same request: another one under the same timestamp would be told that the committed entry is its own.
        if (forward && request.ChainId == ChainId && _clients.TryGetReply(request, out var last) && _options.ClientAuthentication.Accepts(request))
        {
            effects.Reply(_options.ClientAuthentication.Reply(_key, Id, request, last.Height, last.EntryIndex, last.Result));
            return;
        }

        if (request.ChainId != ChainId || _clients.IsExecuted(request) || _pendingIndex.ContainsKey((request.ClientId, request.Timestamp))
            || _pendingIndex.Count >= _options.MaxPendingRequests || !_options.ClientAuthentication.Accepts(request))
        {
            return;
        }

        var node = _pending.AddLast(request);
        _pendingIndex.Add((request.ClientId, request.Timestamp), node);
        if (!_pendingByClient.TryGetValue(request.ClientId, out var timestamps))
        {
            timestamps = [];
            _pendingByClient.Add(request.ClientId, timestamps);
        }

        timestamps.Add(request.Timestamp);
        _pendingPayloadBytes += request.Payload.Length;

        if (!_viewChanging && CurrentPrimary == Id)
        {
            MaybePropose(force: false, now, effects);
        }
        else if (forward && !_viewChanging && CurrentPrimary is { } primary)
        {
            effects.Send(primary, Sign(PbftMessageKind.Forward, _view, new ForwardBody(request)).ToBytes());
        }

        ArmViewChangeTimer(effects, restart: false);
    }

    /// <summary>
    /// Whether this replica holds <paramref name="request"/> pending byte for byte (digest and signature): every pending
    /// request passed <see cref="ClientAuthenticationPolicy.Accepts"/> when it was added.
    /// </summary>
    private bool IsPendingAsIs(ClientRequest request) =>
        _pendingIndex.TryGetValue((request.ClientId, request.Timestamp), out var node)
        && node.Value.Digest == request.Digest && node.Value.Signature.Span.SequenceEqual(request.Signature.Span);

    /// <summary>Forgets pending requests of <paramref name="client"/> at or below <paramref name="timestamp"/>.</summary>
    private void RemovePending(NodeId client, ulong timestamp)
    {
        if (!_pendingByClient.TryGetValue(client, out var timestamps))
        {
            return;
        }

        foreach (ulong ts in timestamps.GetViewBetween(0, timestamp).ToArray())
        {
            timestamps.Remove(ts);
            if (_pendingIndex.Remove((client, ts), out var node))
            {
                _pendingPayloadBytes -= node.Value.Payload.Length;
                _pending.Remove(node);
            }
        }

        if (timestamps.Count == 0)
        {
            _pendingByClient.Remove(client);
        }
    }

    /// <summary>
    /// The primary proposes the next height when nothing is in flight, the height is inside the window, and either
    /// the batch is full or <paramref name="force"/> (the batch timer fired); otherwise it arms the batch timer.
    /// </summary>
    private void MaybePropose(bool force, long now, IReplicaEffects effects)
    {
        long next = _committed + 1;
        if (_viewChanging || _pendingIndex.Count == 0 || next > WindowTop || next <= _certifiedFloor || CurrentPrimary != Id
            || (_slots.TryGetValue(next, out var existing) && existing.PrePrepares.ContainsKey(_view)))
        {
            return;
        }

        bool full = _pendingIndex.Count >= _options.MaxBatchRequests || _pendingPayloadBytes >= _options.MaxBatchBytes;
        if (!full && !force)
        {
            if (!_batchTimerArmed)
            {
                _batchTimerArmed = true;
                effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.Batch, (ulong)next), _options.BatchDelayMs);
            }

            return;
        }

        if (_batchTimerArmed)
        {
            _batchTimerArmed = false;
            effects.CancelTimer(new ReplicaTimer(ReplicaTimerKind.Batch, (ulong)next));
        }

        var entries = new List<ReadOnlyMemory<byte>>();
        var included = new List<ClientRequest>();
        var newest = new Dictionary<NodeId, ulong>();
        long bytes = 0;
        foreach (var request in _pending)
        {
            if (entries.Count >= _options.MaxBatchRequests
                || (entries.Count > 0 && bytes + request.Payload.Length > _options.MaxBatchBytes))
            {
                break;
            }

            // One client's requests go in timestamp order; an older one behind a newer one would never execute.
            if (newest.TryGetValue(request.ClientId, out ulong last) && request.Timestamp <= last)
            {
                continue;
            }

            newest[request.ClientId] = request.Timestamp;
            entries.Add(Canonical.Encode(request));
            included.Add(request);
            bytes += request.Payload.Length;
        }

        long timestamp = Math.Max(now, _lastHeader?.TimestampUnixMs ?? now);
        var block = Block.Create(ChainId, (ulong)next, _lastHeader?.Hash ?? Hash256.Zero, timestamp, Id, _view, entries);
        var message = Sign(PbftMessageKind.PrePrepare, _view, new PrePrepareBody((ulong)next, block));
        var envelope = message.ToBytes();
        GetSlot(next).PrePrepares[_view] = new AcceptedProposal(block, envelope, Id, now);
        RememberDecoded(block.Hash, [.. included]);
        effects.Broadcast(envelope);
        CheckPrepared(next, _view, now, effects);
    }

    private void OnPrePrepare(PbftMessage message, long now, IReplicaEffects effects)
    {
        var body = message.DecodeBody<PrePrepareBody>();
        long height = (long)Math.Min(body.Height, long.MaxValue);

        // A primary proposes n only after committing n − 1.
        RecordEvidence(height - 1, message.Sender, effects);
        if ((message.View != _view || _viewChanging) && height == _committed + 1)
        {
            Observe(message, body);
            TryAdvance(now, effects);
            return;
        }

        if (message.View != _view || _viewChanging || height <= _committed || height > WindowTop)
        {
            return;
        }

        if (height > _committed + 1)
        {
            var slot = GetSlot(height);
            if (slot.Stashed.Count < MaxPrePreparesPerHeight)
            {
                slot.Stashed.TryAdd(message.View, (message, false));
            }

            return;
        }

        TryAcceptPrePrepare(message, body, fromNewView: false, now, effects);
    }

    /// <summary>
    /// Accepts a PRE-PREPARE for the next height (its previous block is committed here) if it is from the primary of
    /// its view, well formed, and no other digest was accepted for (v, n); then sends PREPARE.
    /// </summary>
    /// <param name="message">The signed PRE-PREPARE.</param>
    /// <param name="body">Its decoded body.</param>
    /// <param name="fromNewView">A re-proposal carried by a verified NEW-VIEW: the block was prepared by a quorum in an
    /// earlier view, so its header keeps that view and proposer, and its entries were already validated.</param>
    /// <param name="now">The driver's time.</param>
    /// <param name="effects">The effects.</param>
    private void TryAcceptPrePrepare(PbftMessage message, PrePrepareBody body, bool fromNewView, long now, IReplicaEffects effects)
    {
        long height = (long)body.Height;
        var slot = GetSlot(height);
        if (height != _committed + 1 || height <= _certifiedFloor || slot.PrePrepares.ContainsKey(message.View) || slot.PrePrepares.Count >= MaxPrePreparesPerHeight
            || message.Sender != PrimaryFor(message.View, height, _lastHeader)
            || !IsValidProposal(body.Block, message.View, message.Sender, fromNewView))
        {
            return;
        }

        var digest = body.Block.Hash;
        slot.PrePrepares[message.View] = new AcceptedProposal(body.Block, message.ToBytes(), message.Sender, now);
        if (message.Sender != Id)
        {
            var prepare = Sign(PbftMessageKind.Prepare, message.View, new PrepareBody(body.Height, digest));
            RecordPrepare(slot, message.View, Id, digest, prepare.ToBytes());
            effects.Broadcast(prepare.ToBytes());
        }

        CheckPrepared(height, message.View, now, effects);
        TryAdvance(now, effects);
    }

    /// <summary>
    /// Keeps a well-formed proposal for the next height from another view (or one that arrived while we change
    /// view) without voting for it: if a quorum of commit signatures for it arrives, it is certified and final.
    /// </summary>
    private void Observe(PbftMessage message, PrePrepareBody body)
    {
        var slot = GetSlot((long)body.Height);
        if (slot.Observed.Count < MaxPrePreparesPerHeight && !slot.Observed.ContainsKey(body.Block.Hash)
            && message.Sender == PrimaryFor(message.View, (long)body.Height, _lastHeader)
            && IsValidProposal(body.Block, message.View, message.Sender, fromNewView: true))
        {
            slot.Observed.Add(body.Block.Hash, body.Block);
        }
    }

    private bool IsValidProposal(Block block, ulong view, NodeId primary, bool fromNewView)
    {
        var header = block.Header;
        if (header.ChainId != ChainId || (long)header.Height != _committed + 1
            || header.PreviousHash != (_lastHeader?.Hash ?? Hash256.Zero)
            || header.TimestampUnixMs < (_lastHeader?.TimestampUnixMs ?? long.MinValue)
            || block.HashRecords.Count != 0 || !block.VerifyContents().IsValid)
        {
            return false;
        }

        if (fromNewView)
        {
            return true;
        }

        if (header.Proposer != primary || header.View != view || block.Entries.Count > _options.MaxBatchRequests)
        {
            return false;
        }

        var newest = new Dictionary<NodeId, ulong>();
        var decoded = new ClientRequest[block.Entries.Count];
        long bytes = 0;
        for (int i = 0; i < decoded.Length; i++)
        {
            ClientRequest request;
            try
            {
                request = decoded[i] = Canonical.Decode<ClientRequest>(block.Entries[i]);
            }
            catch (CodecException)
            {
                return false;
            }

            ulong floor = newest.TryGetValue(request.ClientId, out ulong inBlock) ? inBlock
                : _clients.LastTimestamp(request.ClientId);
            bool hasFloor = newest.ContainsKey(request.ClientId) || _clients.Contains(request.ClientId);
            // A request this replica holds pending was authenticated when it arrived (AddRequest): not again here.
            if (request.ChainId != ChainId || (hasFloor && request.Timestamp <= floor)
                || !(IsPendingAsIs(request) || _options.ClientAuthentication.Accepts(request)))
            {
                return false;
            }

            newest[request.ClientId] = request.Timestamp;
            bytes += request.Payload.Length;
        }

        if (block.Entries.Count > 1 && bytes > _options.MaxBatchBytes)
        {
            return false;
        }

        RememberDecoded(block.Hash, decoded);
        return true;
    }

    private void OnPrepare(PbftMessage message, long now, IReplicaEffects effects)
    {
        var body = message.DecodeBody<PrepareBody>();
        long height = (long)Math.Min(body.Height, long.MaxValue);
        RecordEvidence(height - 1, message.Sender, effects);
        if (height <= _committed || height > WindowTop || message.View < _view || message.View > _view + MaxViewsAhead)
        {
            return;
        }

        RecordPrepare(GetSlot(height), message.View, message.Sender, body.Digest, message.ToBytes());
        CheckPrepared(height, message.View, now, effects);
    }

    private static void RecordPrepare(Slot slot, ulong view, NodeId sender, Hash256 digest, byte[] envelope)
    {
        if (!slot.Prepares.TryGetValue(view, out var votes))
        {
            if (slot.Prepares.Count >= MaxPrePreparesPerHeight)
            {
                return;
            }

            votes = [];
            slot.Prepares.Add(view, votes);
        }

        votes.TryAdd(sender, (digest, envelope));
    }

    /// <summary>Prepared(v, n, d): the pre-prepare plus Quorum − 1 matching PREPAREs from other replicas; then COMMIT.</summary>
    private void CheckPrepared(long height, ulong view, long now, IReplicaEffects effects)
    {
        if (view != _view || _viewChanging || !_slots.TryGetValue(height, out var slot)
            || !slot.PrePrepares.TryGetValue(view, out var proposal) || slot.CommitSent.Contains(view)
            || !slot.Prepares.TryGetValue(view, out var votes))
        {
            return;
        }

        var digest = proposal.Block.Hash;
        var matching = votes.Where(v => v.Key != proposal.Primary && v.Value.Digest == digest).Take(_validators.Quorum - 1).ToArray();
        if (matching.Length < _validators.Quorum - 1)
        {
            return;
        }

        slot.CommitSent.Add(view);
        if (slot.Prepared is null || slot.Prepared.View < view)
        {
            slot.Prepared = new PreparedCertificate(view, proposal.Block, proposal.Envelope, [.. matching.Select(m => m.Value.Envelope)]);
        }

        var signature = CommitSignature.Create(_key, digest);
        slot.Commits[(Id, digest)] = new CommitVote(signature) { Valid = true };
        slot.CommitEnvelope = Sign(PbftMessageKind.Commit, view, new CommitBody((ulong)height, digest, signature.Signature.ToArray())).ToBytes();
        effects.Broadcast(slot.CommitEnvelope);
        TryAdvance(now, effects);
    }

    private void OnCommit(PbftMessage message, long now, IReplicaEffects effects)
    {
        var body = message.DecodeBody<CommitBody>();
        long height = (long)Math.Min(body.Height, long.MaxValue);
        RecordEvidence(height - 1, message.Sender, effects);
        if (height <= _committed || height > WindowTop)
        {
            return;
        }

        var slot = GetSlot(height);
        if (slot.Commits.Keys.Count(k => k.Sender == message.Sender) >= MaxCommitVotesPerValidator)
        {
            return;
        }

        slot.Commits.TryAdd((message.Sender, body.Digest), new CommitVote(new CommitSignature(message.Sender, body.CommitSignature)));
        TryAdvance(now, effects);
    }

    /// <summary>Commits every height it can, in order: the next height's proposal plus Quorum valid commit signatures.</summary>
    private void TryAdvance(long now, IReplicaEffects effects)
    {
        if (_advancing)
        {
            return;
        }

        _advancing = true;
        try
        {
            // Each pass commits one height, so the loop is bounded by the window.
            while (_slots.TryGetValue(_committed + 1, out var slot))
            {
                if (!_viewChanging && slot.Stashed.Remove(_view, out var stashed))
                {
                    TryAcceptPrePrepare(stashed.Message, stashed.Message.DecodeBody<PrePrepareBody>(), stashed.FromNewView, now, effects);
                }

                var certified = TryCertify(slot);
                if (certified is null)
                {
                    // A quorum of validators signed a COMMIT for one digest, but we lack the block: fetch it.
                    if (slot.Commits.Keys.GroupBy(k => k.Digest).Any(g => g.Select(k => k.Sender).Distinct().Count() >= _validators.Quorum))
                    {
                        RecordEvidence(_committed + 1, Id, effects);
                    }

                    break;
                }

                Deliver(certified.Value.Block, certified.Value.AcceptedAtMs, now, effects);
            }
        }
        finally
        {
            _advancing = false;
        }

        MaybePropose(force: false, now, effects);
    }

    private (Block Block, long? AcceptedAtMs)? TryCertify(Slot slot)
    {
        var candidates = slot.PrePrepares.Values.Select(p => (p.Block, (long?)p.AcceptedAtMs))
            .Concat(slot.Observed.Values.Select(b => (Block: b, (long?)null)));
        foreach (var proposal in candidates.DistinctBy(p => p.Block.Hash))
        {
            var header = proposal.Block.Header;
            var valid = new List<CommitSignature>();
            foreach (var ((_, digest), vote) in slot.Commits)
            {
                if (digest != header.Hash)
                {
                    continue;
                }

                vote.Valid ??= _singleSigner.TryGetValue(vote.Signature.Signer, out var signer)
                    && CommitCertificate.Create(digest, [vote.Signature]).Verify(header, signer).IsValid;
                if (vote.Valid == true)
                {
                    valid.Add(vote.Signature);
                }
            }

            if (valid.Count >= _validators.Quorum)
            {
                return (proposal.Block.WithCertificate(CommitCertificate.Create(header.Hash, valid)), proposal.Item2);
            }
        }

        return null;
    }

    /// <summary>Delivers the next certified block: execution (client table, application), effects.Commit, replies, checkpoint, timers.</summary>
    private void Deliver(Block block, long? acceptedAtMs, long now, IReplicaEffects effects)
    {
        System.Diagnostics.Debug.Assert((long)block.Height == _committed + 1, "blocks are delivered in order, once per height");
        _decoded.Remove(block.Hash, out var decoded);
        var (committed, execution) = _clients.Execute(ChainId, block, decoded, _application);
        effects.Commit(committed, execution);
        _committed = (long)block.Height;
        _lastHeader = block.Header;
        _lastCertificate = block.Certificate;
        _selector.OnCommitted(block);
        foreach (var (_, request) in committed.Requests)
        {
            RemovePending(request.ClientId, request.Timestamp);
        }

        // One signature for the whole block's replies (ClientReply.CreateSigned), not one per request.
        foreach (var reply in _options.ClientAuthentication.Replies(_key, Id, committed, execution))
        {
            effects.Reply(reply);
        }

        int executed = committed.Requests.Count;
        _consecutiveViewChanges = 0;

        var tags = new KeyValuePair<string, object?>("chain", ChainId.Value);
        PbftMetrics.Commits.Add(1, tags);
        PbftMetrics.BatchSize.Record(block.Entries.Count, tags);
        if (acceptedAtMs is long accepted)
        {
            PbftMetrics.CommitLatency.Record(now - accepted, tags);
        }

        PbftLog.Committed(_logger, ChainId, _view, block.Height, block.Height, executed);
        OnCommittedForCheckpoint(block, effects);
        AdoptCertifiedView(block.Header.View, effects);

        if (_pendingIndex.Count > 0)
        {
            // PBFT's request timer: restart it only when the request we were waiting for executed. A primary that
            // keeps committing other (or empty) batches while it censors our oldest request is still replaced.
            var oldest = _pending.First!.Value;
            var watched = (oldest.ClientId, oldest.Timestamp);
            ArmViewChangeTimer(effects, restart: _watchedRequest != watched);
            _watchedRequest = watched;
        }
        else
        {
            _watchedRequest = null;
            CancelViewChangeTimer(effects);
        }
    }

    private long ViewChangeTimeoutMs => (long)_options.ViewChangeTimeoutMs << Math.Min(_consecutiveViewChanges, MaxBackoffExponent);

    private void ArmViewChangeTimer(IReplicaEffects effects, bool restart)
    {
        if (_viewChangeTimerArmed && !restart)
        {
            return;
        }

        _viewChangeTimerArmed = true;
        effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, _view), ViewChangeTimeoutMs);
    }

    private void CancelViewChangeTimer(IReplicaEffects effects)
    {
        if (_viewChangeTimerArmed)
        {
            _viewChangeTimerArmed = false;
            effects.CancelTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, _view));
        }
    }
}
