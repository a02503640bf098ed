using ChainInterop.Blocks;
using ChainInterop.Consensus.Pbft.Messages;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Pbft;

/// <content>Checkpoints (K2): CHECKPOINT every CheckpointIntervalBlocks, stable with Quorum matching, log truncation.</content>
public sealed partial class PbftReplica
{
    // Height of the last stable checkpoint (-1 before the first). Invariant: _stable <= _committed, and the log
    // holds no height <= _stable.
    private long _stable = -1;

    // Checkpoint votes for heights in (_stable, _committed + WindowBlocks], one per validator per height.
    private readonly SortedDictionary<long, Dictionary<NodeId, Hash256>> _checkpointVotes = [];

    // Our own checkpoint hashes above _stable.
    private readonly SortedDictionary<long, Hash256> _ownCheckpoints = [];

    private bool _retransmitTimerArmed;

    // Our header hash at _stable when we know it (null after a restart or a state-transfer jump).
    private Hash256? _stableHash;

    private bool IsCheckpointHeight(long height) => (height + 1) % _options.CheckpointIntervalBlocks == 0;

    private void OnCommittedForCheckpoint(Block block, IReplicaEffects effects)
    {
        long height = (long)block.Height;
        if (!IsCheckpointHeight(height))
        {
            return;
        }

        _ownCheckpoints[height] = block.Hash;
        effects.Broadcast(Sign(PbftMessageKind.Checkpoint, _view, new CheckpointBody(block.Height, block.Hash)).ToBytes());
        AddCheckpointVote(height, Id, block.Hash);
        CheckStable(height);
        ArmRetransmitTimer(effects);
    }

    /// <summary>
    /// Retransmission (fires every <see cref="RetransmitIntervalMs"/> while the replica runs): a lost message must
    /// not stall a height, a view change or the window forever. Re-sends our checkpoints that are not stable yet; while
    /// changing view, our VIEW-CHANGE; otherwise our PRE-PREPARE (as primary), PREPARE and COMMIT for the height in
    /// flight; and a STATE-REQUEST for the blocks above our tip to every peer (peers at or below our tip ignore it),
    /// so a replica that lost the last messages of a burst, or restarted, still catches up.
    /// </summary>
    private void OnRetransmitTimer(IReplicaEffects effects)
    {
        _retransmitTimerArmed = false;
        foreach (var (height, hash) in _ownCheckpoints)
        {
            effects.Broadcast(Sign(PbftMessageKind.Checkpoint, _view, new CheckpointBody((ulong)height, hash)).ToBytes());
        }

        if (_viewChanging)
        {
            if (_latestViewChange.TryGetValue(Id, out var own) && own.View == _view)
            {
                effects.Broadcast(own.Envelope);
            }
        }
        else
        {
            RetransmitSlot(_committed + 1, effects);
        }

        // Anti-entropy: ask every peer for blocks above our tip (this also tells them our tip). A replica that lost the
        // last COMMITs of a burst, or restarted after committing, otherwise never learns that a block is missing.
        if (_validators.Count > 1)
        {
            effects.Broadcast(Sign(PbftMessageKind.StateRequest, _view, new StateRequestBody((ulong)(_committed + 1))).ToBytes());
        }

        ArmRetransmitTimer(effects);
    }

    private void RetransmitSlot(long height, IReplicaEffects effects)
    {
        if (!_slots.TryGetValue(height, out var slot))
        {
            return;
        }

        if (height > _committed && slot.PrePrepares.TryGetValue(_view, out var proposal) && proposal.Primary == Id)
        {
            effects.Broadcast(proposal.Envelope);
        }

        if (height > _committed && slot.Prepares.TryGetValue(_view, out var votes) && votes.TryGetValue(Id, out var prepare))
        {
            effects.Broadcast(prepare.Envelope);
        }

        if (slot.CommitEnvelope is { } commit)
        {
            effects.Broadcast(commit);
        }
    }

    private long RetransmitIntervalMs => Math.Max(1, _options.ViewChangeTimeoutMs / 2);

    private void ArmRetransmitTimer(IReplicaEffects effects)
    {
        if (!_retransmitTimerArmed)
        {
            _retransmitTimerArmed = true;
            effects.SetTimer(new ReplicaTimer(ReplicaTimerKind.Retransmit), RetransmitIntervalMs);
        }
    }

    private void OnCheckpoint(PbftMessage message, long now, IReplicaEffects effects)
    {
        var body = message.DecodeBody<CheckpointBody>();
        long height = (long)Math.Min(body.Height, long.MaxValue - 1);
        RecordEvidence(height, message.Sender, effects);
        if (height <= _stable && !body.IsAnswer && _stableHash is { } stableHash)
        {
            // The sender has not seen this checkpoint become stable (it may have lost our CHECKPOINT): tell it ours.
            effects.Send(message.Sender, Sign(PbftMessageKind.Checkpoint, _view, new CheckpointBody((ulong)_stable, stableHash, IsAnswer: true)).ToBytes());
            return;
        }

        if (height <= _stable || height > _committed + _options.WindowBlocks || !IsCheckpointHeight(height))
        {
            return;
        }

        AddCheckpointVote(height, message.Sender, body.HeaderHash);
        if (CheckStable(height))
        {
            MaybePropose(force: false, now, effects);
        }
    }

    private void AddCheckpointVote(long height, NodeId sender, Hash256 hash)
    {
        if (!_checkpointVotes.TryGetValue(height, out var votes))
        {
            votes = [];
            _checkpointVotes.Add(height, votes);
        }

        votes.TryAdd(sender, hash);
    }

    private bool CheckStable(long height)
    {
        if (height <= _stable || !_ownCheckpoints.TryGetValue(height, out var mine)
            || !_checkpointVotes.TryGetValue(height, out var votes) || votes.Values.Count(h => h == mine) < _validators.Quorum)
        {
            return false;
        }

        MakeStable(height);
        return true;
    }

    /// <summary>Makes <paramref name="height"/> (committed here) the stable checkpoint and truncates everything at or below it.</summary>
    private void MakeStable(long height)
    {
        _stable = height;
        _stableHash = _ownCheckpoints.TryGetValue(height, out var hash) ? hash : null;
        foreach (long h in _slots.Keys.TakeWhile(h => h <= height).ToArray())
        {
            _slots.Remove(h);
        }

        foreach (long h in _checkpointVotes.Keys.TakeWhile(h => h <= height).ToArray())
        {
            _checkpointVotes.Remove(h);
        }

        foreach (long h in _ownCheckpoints.Keys.TakeWhile(h => h <= height).ToArray())
        {
            _ownCheckpoints.Remove(h);
        }

        PbftLog.CheckpointStable(_logger, ChainId, _view, (ulong)height, (ulong)height);
    }
}
