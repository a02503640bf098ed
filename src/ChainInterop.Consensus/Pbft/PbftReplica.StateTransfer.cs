using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft.Messages;

namespace ChainInterop.Consensus.Pbft;

/// <content>State transfer: a lagging or restarted replica fetches certified blocks from peers and verifies them.</content>
public sealed partial class PbftReplica
{
    /// <summary>The most bytes of encoded blocks one STATE-RESPONSE carries (below the codec's 16 MiB message limit).</summary>
    private const long MaxStateResponseBytes = 12L * 1024 * 1024;

    // The highest height some validator showed it committed (evidence we may be behind).
    private long _knownHeight = -1;

    // The highest height a NEW-VIEW we entered proved committed (a commit certificate in one of its VIEW-CHANGEs).
    // Invariant: no proposal at or below it is made or accepted; heights up to it arrive only as certified blocks.
    private long _certifiedFloor = -1;
    private bool _stateTransferTimerArmed;
    private int _peerCursor;

    // Requesters whose blocks are being loaded: one load per requester at a time (bounded by N).
    private readonly HashSet<NodeId> _loading = [];

    private long StateTransferRetryMs => Math.Max(1, _options.ViewChangeTimeoutMs / 4);

    /// <summary>
    /// Notes that a validator committed <paramref name="height"/>; if that is above our tip, arms the state-transfer
    /// timer (a debounce: in the normal case the missing commit usually arrives first).
    /// </summary>
    private void RecordEvidence(long height, NodeId from, IReplicaEffects effects)
    {
        _ = from;
        _knownHeight = Math.Max(_knownHeight, height);
        if (_knownHeight > _committed && !_stateTransferTimerArmed)
        {
            _stateTransferTimerArmed = true;
            effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.StateTransfer), StateTransferRetryMs);
        }
    }

    private void OnStateTransferTimer(IReplicaEffects effects)
    {
        _stateTransferTimerArmed = false;
        if (_knownHeight > _committed)
        {
            SendStateRequest(effects);
            _stateTransferTimerArmed = true;
            effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.StateTransfer), StateTransferRetryMs);
        }
    }

    /// <summary>Asks the next peer (round-robin) for blocks from our tip + 1.</summary>
    private void SendStateRequest(IReplicaEffects effects, NodeId? peer = null)
    {
        if (_validators.Count < 2)
        {
            return;
        }

        if (peer is null)
        {
            var peers = _validators.NodeIds.Where(id => id != Id).ToArray();
            peer = peers[_peerCursor++ % peers.Length];
        }

        effects.Send(peer.Value, Sign(PbftMessageKind.StateRequest, _view, new StateRequestBody((ulong)(_committed + 1))).ToBytes());
    }

    private void OnStateRequest(PbftMessage message, IReplicaEffects effects)
    {
        ulong from = message.DecodeBody<StateRequestBody>().FromHeight;
        if (from > 0 && from < long.MaxValue)
        {
            RecordEvidence((long)from - 1, message.Sender, effects);
        }

        if (_committed < 0 || from > (ulong)_committed || !_loading.Add(message.Sender))
        {
            return;
        }

        int count = (int)Math.Min((ulong)_options.MaxStateTransferBlocks, (ulong)_committed - from + 1);
        effects.LoadBlocks(message.Sender, from, count);
    }

    /// <inheritdoc />
    public void OnBlocksLoaded(NodeId requester, IReadOnlyList<Block> blocks, long nowUnixMs, IReplicaEffects effects)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(effects);
        _loading.Remove(requester);
        if (requester == Id || !_validators.Contains(requester))
        {
            return;
        }

        var selected = new List<Block>();
        long bytes = 0;
        foreach (var block in blocks.Take(_options.MaxStateTransferBlocks))
        {
            long size = Canonical.Encode(block).Length;
            if (block.Certificate is null || (selected.Count > 0 && bytes + size > MaxStateResponseBytes))
            {
                break;
            }

            selected.Add(block);
            bytes += size;
        }

        if (selected.Count > 0)
        {
            effects.Send(requester, Sign(PbftMessageKind.StateResponse, _view, new StateResponseBody([.. selected])).ToBytes());
        }
    }

    /// <summary>
    /// A block certified with a header of view <paramref name="view"/> was proposed by that view's primary, so a quorum
    /// moved there: a replica behind it (or still changing to it, having lost the NEW-VIEW) follows without the
    /// view-change proofs. Nothing above the certified tip was prepared by us in the views we skip.
    /// </summary>
    private void AdoptCertifiedView(ulong view, IReplicaEffects effects)
    {
        if (view < _view || (view == _view && !_viewChanging))
        {
            return;
        }

        CancelViewChangeTimer(effects);
        _view = view;
        _viewChanging = false;
        foreach (var stale in _latestViewChange.Where(kv => kv.Value.View <= view).Select(kv => kv.Key).ToArray())
        {
            _latestViewChange.Remove(stale);
        }

        if (_pendingIndex.Count > 0)
        {
            ArmViewChangeTimer(effects, restart: true);
        }
    }

    private void OnStateResponse(PbftMessage message, long now, IReplicaEffects effects)
    {
        var blocks = message.DecodeBody<StateResponseBody>().Blocks;
        if (blocks.Length > _options.MaxStateTransferBlocks)
        {
            return;
        }

        int delivered = 0;
        long checkpoint = -1;
        foreach (var block in blocks)
        {
            if ((long)Math.Min(block.Height, long.MaxValue) <= _committed)
            {
                continue;
            }

            if ((long)block.Height != _committed + 1)
            {
                break;
            }

            var result = ChainVerifier.Verify(ChainId, _validators, [block], _lastHeader);
            if (!result.IsValid)
            {
                PbftLog.StateTransferRejected(_logger, ChainId, block.Height, result.ToString() ?? "invalid");
                break;
            }

            Deliver(block, acceptedAtMs: null, now, effects);
            delivered++;
            if (IsCheckpointHeight(_committed))
            {
                checkpoint = _committed;
            }
        }

        if (delivered == 0)
        {
            return;
        }

        // A certified block is proof that a quorum committed it: it can stand as the stable checkpoint.
        if (checkpoint > _stable)
        {
            MakeStable(checkpoint);
        }

        PbftLog.StateTransferred(_logger, ChainId, _view, (ulong)_committed, (ulong)_committed);
        if (_knownHeight > _committed)
        {
            SendStateRequest(effects, message.Sender);
        }

        TryAdvance(now, effects);
    }
}
