using ChainInterop.Blocks;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Pbft;

/// <content>View change (K2): VIEW-CHANGE with the committed tip and the prepared certificate, NEW-VIEW with proofs.</content>
public sealed partial class PbftReplica
{
    // The latest verified VIEW-CHANGE per validator (bounded by N); our own is included.
    private readonly Dictionary<NodeId, ViewChangeInfo> _latestViewChange = [];

    // The NEW-VIEW we sent as primary of that view, re-sent to replicas that still ask for the view.
    private (ulong View, byte[] Envelope)? _newView;

    private void OnViewChangeTimer(ulong subject, long now, IReplicaEffects effects)
    {
        if (subject != _view || !_viewChangeTimerArmed)
        {
            return;
        }

        _viewChangeTimerArmed = false;
        if (_viewChanging && _latestViewChange.Values.Count(i => i.View >= _view) < _validators.Quorum)
        {
            // Fewer than a quorum have asked for this view (or a later one): moving on alone would only keep us one
            // view ahead of the others forever (equal timeouts). Wait here, retransmitting our VIEW-CHANGE, until the
            // others catch up (their timeouts) or f + 1 of them pull us to a later view.
            _viewChangeTimerArmed = true;
            effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, _view), ViewChangeTimeoutMs);
            return;
        }

        if (_viewChanging || _pendingIndex.Count > 0)
        {
            StartViewChange(_view + 1, now, effects);
        }
    }

    private void StartViewChange(ulong target, long now, IReplicaEffects effects)
    {
        if (target <= _view)
        {
            return;
        }

        CancelViewChangeTimer(effects);
        if (_batchTimerArmed)
        {
            _batchTimerArmed = false;
            effects.CancelTimer(new ReplicaTimer(ReplicaTimerKind.Batch, (ulong)(_committed + 1)));
        }

        _view = target;
        _viewChanging = true;
        _consecutiveViewChanges++;
        PbftMetrics.ViewChanges.Add(1, new KeyValuePair<string, object?>("chain", ChainId.Value));
        PbftLog.ViewChangeStarted(_logger, ChainId, target, (ulong)(_committed + 1), CommittedHeight ?? 0);

        // Without a certificate for our tip (a restart from an uncertified block) we claim nothing, and then cannot
        // prove a prepared certificate for the next height either.
        var header = _lastCertificate is null ? null : _lastHeader;
        var prepared = header is not null || _committed < 0
            ? (_slots.TryGetValue(_committed + 1, out var slot) ? slot.Prepared : null)
            : null;
        var message = Sign(PbftMessageKind.ViewChange, target,
            new ViewChangeBody(header, header is null ? null : _lastCertificate, prepared?.PrePrepare, prepared?.Prepares ?? []));
        var bytes = message.ToBytes();
        _latestViewChange[Id] = new ViewChangeInfo(target, bytes, header is null ? -1 : _committed, header,
            prepared is null ? null : new PreparedInfo(prepared.View, prepared.Block));
        effects.Broadcast(bytes);

        _viewChangeTimerArmed = true;
        effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.ViewChange, target), ViewChangeTimeoutMs);
        TryNewView(now, effects);
    }

    private void OnViewChange(PbftMessage message, long now, IReplicaEffects effects)
    {
        // A replica still changing to the view we lead lost our NEW-VIEW: send it again.
        if (!_viewChanging && message.View == _view && _newView is { } newView && newView.View == _view)
        {
            effects.Send(message.Sender, newView.Envelope);
        }

        if (message.View < _view || (message.View == _view && !_viewChanging)
            || (_latestViewChange.TryGetValue(message.Sender, out var prior) && prior.View >= message.View))
        {
            return;
        }

        var info = ValidateViewChange(message);
        if (info is null)
        {
            PbftLog.Dropped(_logger, ChainId, PbftMessageKind.ViewChange, message.Sender, "invalid proofs");
            return;
        }

        _latestViewChange[message.Sender] = info;
        RecordEvidence(info.CommittedHeight, message.Sender, effects);

        // f + 1 replicas want a higher view: at least one is honest, so join (the smallest such view).
        var ahead = _latestViewChange.Where(kv => kv.Key != Id && kv.Value.View > _view).Select(kv => kv.Value.View).ToArray();
        if (ahead.Length >= _validators.WeakQuorum)
        {
            StartViewChange(ahead.Min(), now, effects);
        }

        TryNewView(now, effects);
    }

    /// <summary>The new primary, with Quorum VIEW-CHANGEs for the view it is changing to, sends NEW-VIEW and enters the view.</summary>
    private void TryNewView(long now, IReplicaEffects effects)
    {
        if (!_viewChanging)
        {
            return;
        }

        var set = _latestViewChange.Values.Where(i => i.View == _view).OrderBy(i => i.Envelope.Length).ToArray();
        if (set.Length < _validators.Quorum)
        {
            return;
        }

        var decision = Decide(set);
        if (PrimaryFor(_view, decision.Height + 1, decision.Header) != Id)
        {
            return;
        }

        PbftMessage? prePrepare = decision.Reproposal is null ? null
            : Sign(PbftMessageKind.PrePrepare, _view, new PrePrepareBody((ulong)(decision.Height + 1), decision.Reproposal));
        var newView = Sign(PbftMessageKind.NewView, _view, new NewViewBody([.. set.Select(i => i.Envelope)], prePrepare?.ToBytes()));
        _newView = (_view, newView.ToBytes());
        effects.Broadcast(_newView.Value.Envelope);
        EnterView(_view, decision.Height, prePrepare, now, effects);
    }

    private void OnNewView(PbftMessage message, long now, IReplicaEffects effects)
    {
        if (message.View < _view || (message.View == _view && !_viewChanging))
        {
            return;
        }

        var body = message.DecodeBody<NewViewBody>();
        var infos = new List<ViewChangeInfo>();
        var senders = new HashSet<NodeId>();
        foreach (var bytes in body.ViewChanges)
        {
            var viewChange = DecodeNested(bytes, PbftMessageKind.ViewChange);
            if (viewChange is null || viewChange.View != message.View || !senders.Add(viewChange.Sender)
                || ValidateViewChange(viewChange) is not { } info)
            {
                return;
            }

            infos.Add(info);
        }

        if (infos.Count < _validators.Quorum)
        {
            return;
        }

        var decision = Decide(infos);
        if (message.Sender != PrimaryFor(message.View, decision.Height + 1, decision.Header))
        {
            return;
        }

        PbftMessage? prePrepare = null;
        if (decision.Reproposal is not null)
        {
            prePrepare = body.PrePrepare is null ? null : DecodeNested(body.PrePrepare, PbftMessageKind.PrePrepare);
            if (prePrepare is null || prePrepare.Sender != message.Sender || prePrepare.View != message.View)
            {
                return;
            }

            var proposal = prePrepare.DecodeBody<PrePrepareBody>();
            if ((long)proposal.Height != decision.Height + 1 || proposal.Block.Hash != decision.Reproposal.Hash)
            {
                return;
            }
        }
        else if (body.PrePrepare is not null)
        {
            return;
        }

        RecordEvidence(decision.Height, message.Sender, effects);
        EnterView(message.View, decision.Height, prePrepare, now, effects);
    }

    private void EnterView(ulong view, long maxCommitted, PbftMessage? prePrepare, long now, IReplicaEffects effects)
    {
        CancelViewChangeTimer(effects);
        _view = view;
        // The NEW-VIEW proved a commit certificate for maxCommitted: a replica behind it fetches those blocks by state
        // transfer and never proposes or accepts another block at or below it (that would fork a committed height).
        _certifiedFloor = Math.Max(_certifiedFloor, maxCommitted);
        _viewChanging = false;
        PbftLog.NewViewEntered(_logger, ChainId, view, (ulong)(maxCommitted + 1), CommittedHeight ?? 0);
        foreach (var stale in _latestViewChange.Where(kv => kv.Value.View <= view).Select(kv => kv.Key).ToArray())
        {
            _latestViewChange.Remove(stale);
        }

        if (prePrepare is not null)
        {
            var body = prePrepare.DecodeBody<PrePrepareBody>();
            long height = (long)body.Height;
            if (height == _committed + 1)
            {
                TryAcceptPrePrepare(prePrepare, body, fromNewView: true, now, effects);
            }
            else if (height > _committed + 1 && height <= WindowTop)
            {
                GetSlot(height).Stashed[view] = (prePrepare, true);
            }
        }

        var primary = CurrentPrimary;
        if (primary != Id)
        {
            // The new primary may never have seen these requests (the old one might have swallowed them).
            foreach (var request in _pending.Take(_options.MaxBatchRequests))
            {
                effects.Send(primary, Sign(PbftMessageKind.Forward, _view, new ForwardBody(request)).ToBytes());
            }
        }

        if (_pendingIndex.Count > 0)
        {
            ArmViewChangeTimer(effects, restart: true);
        }

        TryAdvance(now, effects);
    }

    /// <summary>
    /// What a NEW-VIEW must contain, computed the same way by the new primary and every replica: H, the highest
    /// certified tip among the view changes, and the block at H + 1 prepared in the highest view, if any (it may have
    /// committed somewhere, so it must be re-proposed; with one block in flight there are no other gaps).
    /// </summary>
    private static (long Height, BlockHeader? Header, Block? Reproposal) Decide(IReadOnlyCollection<ViewChangeInfo> set)
    {
        var top = set.MaxBy(i => i.CommittedHeight)!;
        var prepared = set.Where(i => i.CommittedHeight == top.CommittedHeight && i.Prepared is not null)
            .Select(i => i.Prepared!).MaxBy(p => p.View);
        return (top.CommittedHeight, top.Header, prepared?.Block);
    }

    /// <summary>Checks a VIEW-CHANGE's proofs: the tip's commit certificate and the prepared certificate for tip + 1.</summary>
    private ViewChangeInfo? ValidateViewChange(PbftMessage message)
    {
        var body = message.DecodeBody<ViewChangeBody>();
        long committed = -1;
        var header = body.CommittedHeader;
        if (header is not null)
        {
            if (body.Certificate is null || header.ChainId != ChainId || header.Height >= long.MaxValue
                || !body.Certificate.Verify(header, _validators).IsValid)
            {
                return null;
            }

            committed = (long)header.Height;
        }
        else if (body.Certificate is not null)
        {
            return null;
        }

        if (body.PrePrepare is null)
        {
            return body.Prepares.Length == 0 ? new ViewChangeInfo(message.View, message.ToBytes(), committed, header, null) : null;
        }

        var prePrepare = DecodeNested(body.PrePrepare, PbftMessageKind.PrePrepare);
        if (prePrepare is null || prePrepare.View >= message.View)
        {
            return null;
        }

        var proposal = prePrepare.DecodeBody<PrePrepareBody>();
        var block = proposal.Block;
        if ((long)Math.Min(proposal.Height, long.MaxValue) != committed + 1 || block.Height != proposal.Height
            || block.Header.ChainId != ChainId || block.Header.PreviousHash != (header?.Hash ?? Hash256.Zero)
            || prePrepare.Sender != PrimaryFor(prePrepare.View, committed + 1, header) || !block.VerifyContents().IsValid)
        {
            return null;
        }

        var signers = new HashSet<NodeId>();
        foreach (var bytes in body.Prepares)
        {
            var prepare = DecodeNested(bytes, PbftMessageKind.Prepare);
            if (prepare is null || prepare.View != prePrepare.View || prepare.Sender == prePrepare.Sender || !signers.Add(prepare.Sender))
            {
                return null;
            }

            var vote = prepare.DecodeBody<PrepareBody>();
            if (vote.Height != proposal.Height || vote.Digest != block.Hash)
            {
                return null;
            }
        }

        return signers.Count >= _validators.Quorum - 1
            ? new ViewChangeInfo(message.View, message.ToBytes(), committed, header, new PreparedInfo(prePrepare.View, block))
            : null;
    }

    private sealed record ViewChangeInfo(ulong View, byte[] Envelope, long CommittedHeight, BlockHeader? Header, PreparedInfo? Prepared);

    private sealed record PreparedInfo(ulong View, Block Block);
}
