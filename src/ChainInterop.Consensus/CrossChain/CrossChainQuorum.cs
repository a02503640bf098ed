using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.CrossChain;

/// <summary>What a vote did in a <see cref="CrossChainQuorum"/>.</summary>
public enum CrossChainVote
{
    /// <summary>This vote completed the quorum: the message is delivered now (exactly once per source and sequence).</summary>
    Reached = 0,

    /// <summary>Counted; fewer than the quorum have voted for this content so far.</summary>
    Counted = 1,

    /// <summary>The voter already voted for this content: nothing changed.</summary>
    Repeated = 2,

    /// <summary>The voter already voted for other content at this sequence (evidence of a Byzantine voter); its first vote stands.</summary>
    Conflicting = 3,

    /// <summary>The message was delivered before: nothing changed.</summary>
    AlreadyDelivered = 4,

    /// <summary>The sequence is too far ahead of the next one expected from its source, or the source is not registered.</summary>
    OutOfWindow = 5,

    /// <summary>The voter already has its most votes waiting, or too many messages wait: dropped (voters vote again later).</summary>
    LimitExceeded = 6,
}

/// <summary>
/// The one place that counts f + 1 matching votes for cross-chain messages (seed 000: "vote after receiving"): per
/// (source chain, sequence), each voter's first vote counts, a message is delivered once its quorum of voters named
/// identical content, and each (source, sequence) is delivered at most once. Memory stays bounded: a sequence window
/// per source, a quota of waiting votes per voter and a cap on waiting messages. Deterministic and not thread-safe.
/// </summary>
/// <remarks>
/// Used by the receiving relay (<see cref="CrossChainInbox"/>: the voters are the source chain's validators, each vote
/// a scattered copy) and by a destination chain's executor (the voters are its own validators, each vote a committed
/// attestation). Content is compared by <see cref="CrossChainMessage.Digest"/>.
/// </remarks>
public sealed class CrossChainQuorum
{
    private readonly ulong _window;
    private readonly int _maxPendingMessages;
    private readonly bool _openSources;
    private readonly Dictionary<ChainId, DeliveredSequences> _delivered = [];
    private readonly Dictionary<(ChainId Source, ulong Sequence), Dictionary<NodeId, Hash256>> _votes = [];
    private readonly Dictionary<NodeId, int> _pendingByVoter = [];

    /// <summary>Creates the tally.</summary>
    /// <param name="sources">The source chains whose messages may be voted on; others are <see cref="CrossChainVote.OutOfWindow"/>.
    /// Null: any source (registered at its first vote).</param>
    /// <param name="sequenceWindow">How far ahead of the next expected sequence of a source a vote may be.</param>
    /// <param name="maxPendingMessages">The most messages waiting for their quorum.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1.</exception>
    public CrossChainQuorum(IEnumerable<ChainId>? sources, ulong sequenceWindow, int maxPendingMessages = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceWindow, 1UL);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingMessages, 1);
        _window = sequenceWindow;
        _maxPendingMessages = maxPendingMessages;
        _openSources = sources is null;
        foreach (var source in sources ?? [])
        {
            _delivered.TryAdd(source, new DeliveredSequences());
        }
    }

    /// <summary>Messages with votes waiting for their quorum.</summary>
    public int PendingMessages => _votes.Count;

    /// <summary>Counts <paramref name="voter"/>'s vote that (<paramref name="source"/>, <paramref name="sequence"/>) carries <paramref name="digest"/>.</summary>
    /// <param name="source">The message's source chain.</param>
    /// <param name="sequence">The message's sequence.</param>
    /// <param name="voter">Who vouches for it (the caller checked it may vote).</param>
    /// <param name="digest">The content it vouches for.</param>
    /// <param name="quorum">How many voters must match (f + 1 of the voters' set).</param>
    /// <param name="voterQuota">The most votes this voter may have waiting.</param>
    /// <returns>What the vote did; <see cref="CrossChainVote.Reached"/> exactly once per (source, sequence).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quorum"/> or <paramref name="voterQuota"/> is below 1.</exception>
    public CrossChainVote Vote(ChainId source, ulong sequence, NodeId voter, Hash256 digest, int quorum, int voterQuota)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quorum, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(voterQuota, 1);
        if (!TryGetDelivered(source, out var delivered))
        {
            return CrossChainVote.OutOfWindow;
        }

        if (delivered.Contains(sequence))
        {
            return CrossChainVote.AlreadyDelivered;
        }

        if (!InWindow(delivered, sequence))
        {
            return CrossChainVote.OutOfWindow;
        }

        var key = (source, sequence);
        _votes.TryGetValue(key, out var votes);
        if (votes is not null && votes.TryGetValue(voter, out var earlier))
        {
            return earlier == digest ? CrossChainVote.Repeated : CrossChainVote.Conflicting;
        }

        int held = _pendingByVoter.GetValueOrDefault(voter);
        if (held >= voterQuota || (votes is null && _votes.Count >= _maxPendingMessages))
        {
            return CrossChainVote.LimitExceeded;
        }

        if (votes is null)
        {
            votes = [];
            _votes.Add(key, votes);
        }

        votes.Add(voter, digest);
        _pendingByVoter[voter] = held + 1;
        int matching = 0;
        foreach (var vote in votes.Values)
        {
            if (vote == digest)
            {
                matching++;
            }
        }

        if (matching < quorum)
        {
            return CrossChainVote.Counted;
        }

        MarkDelivered(source, sequence);
        return CrossChainVote.Reached;
    }

    /// <summary>
    /// Records that (<paramref name="source"/>, <paramref name="sequence"/>) was delivered without this tally reaching its
    /// quorum (e.g. other validators delivered it): later votes are <see cref="CrossChainVote.AlreadyDelivered"/>, the
    /// votes counted for it are dropped (their voters get their quota back), and the window moves on.
    /// </summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The sequence.</param>
    public void MarkDelivered(ChainId source, ulong sequence)
    {
        Forget((source, sequence));
        if (TryGetDelivered(source, out var delivered))
        {
            delivered.Add(sequence);
        }
    }

    /// <summary>Records that every sequence from <paramref name="source"/> below <paramref name="nextSequence"/> was delivered (a restart's restore).</summary>
    /// <param name="source">The source chain.</param>
    /// <param name="nextSequence">The first sequence not yet delivered.</param>
    public void RestoreDelivered(ChainId source, ulong nextSequence)
    {
        if (TryGetDelivered(source, out var delivered))
        {
            delivered.AdvanceTo(nextSequence);
        }
    }

    /// <summary>Whether (<paramref name="source"/>, <paramref name="sequence"/>) was delivered.</summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The sequence.</param>
    /// <returns>True once delivered.</returns>
    public bool IsDelivered(ChainId source, ulong sequence) => _delivered.TryGetValue(source, out var set) && set.Contains(sequence);

    /// <summary>Whether a vote on (<paramref name="source"/>, <paramref name="sequence"/>) would be inside the sequence window.</summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The sequence.</param>
    /// <returns>False for a sequence too far ahead, or a source that is not registered.</returns>
    public bool IsWithinWindow(ChainId source, ulong sequence)
    {
        return _delivered.TryGetValue(source, out var delivered) ? InWindow(delivered, sequence) : _openSources && sequence < _window;
    }

    /// <summary>The first sequence from <paramref name="source"/> not yet delivered (0 for a source never seen).</summary>
    /// <param name="source">The source chain.</param>
    /// <returns>The sequence.</returns>
    public ulong NextExpected(ChainId source) => _delivered.TryGetValue(source, out var set) ? set.Next : 0;

    /// <summary>
    /// Writes the tally (each source's delivered sequences, and the votes counted for messages not delivered yet) in a
    /// deterministic order, for the checkpoint of the chain application that owns it.
    /// </summary>
    /// <returns>The bytes.</returns>
    public byte[] ExportSnapshot()
    {
        var output = new ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(output);
        w.WriteArrayHeader(2);
        w.WriteArrayHeader(_delivered.Count);
        foreach (var (source, delivered) in _delivered.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal))
        {
            w.WriteArrayHeader(3);
            w.WriteChainId(source);
            w.WriteUInt64(delivered.Next);
            w.WriteArrayHeader(delivered.AboveCount);
            foreach (ulong sequence in delivered.Above)
            {
                w.WriteUInt64(sequence);
            }
        }

        w.WriteArrayHeader(_votes.Count);
        foreach (var ((source, sequence), votes) in _votes.OrderBy(kv => kv.Key.Source.Value, StringComparer.Ordinal).ThenBy(kv => kv.Key.Sequence))
        {
            w.WriteArrayHeader(3);
            w.WriteChainId(source);
            w.WriteUInt64(sequence);
            w.WriteArrayHeader(votes.Count);
            foreach (var (voter, digest) in votes.OrderBy(kv => kv.Key))
            {
                w.WriteArrayHeader(2);
                w.WriteNodeId(voter);
                w.WriteHash256(digest);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Replaces the tally with one <see cref="ExportSnapshot"/> wrote on a tally built alike (same sources and window).
    /// The bytes are checked, not trusted; when this throws, nothing changed.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a tally's snapshot, or name a source this tally does not serve.</exception>
    public void ImportSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        r.ReadArrayHeader(2);
        var delivered = new Dictionary<ChainId, DeliveredSequences>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            long offset = r.Consumed;
            r.ReadArrayHeader(3);
            var source = r.ReadChainId();
            var set = new DeliveredSequences();
            set.AdvanceTo(r.ReadUInt64());
            for (int a = 0, above = r.ReadArrayHeader(); a < above; a++)
            {
                if (!set.Add(r.ReadUInt64()))
                {
                    throw Invalid(offset, "delivered sequences");
                }
            }

            if ((!_openSources && !_delivered.ContainsKey(source)) || !delivered.TryAdd(source, set))
            {
                throw Invalid(offset, $"a source this tally does not serve, or twice ({source})");
            }
        }

        var votes = new Dictionary<(ChainId, ulong), Dictionary<NodeId, Hash256>>();
        var pendingByVoter = new Dictionary<NodeId, int>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            long offset = r.Consumed;
            r.ReadArrayHeader(3);
            var key = (r.ReadChainId(), r.ReadUInt64());
            var tally = new Dictionary<NodeId, Hash256>();
            for (int v = 0, count = r.ReadArrayHeader(); v < count; v++)
            {
                r.ReadArrayHeader(2);
                var voter = r.ReadNodeId();
                if (!tally.TryAdd(voter, r.ReadHash256()))
                {
                    throw Invalid(offset, "a voter twice");
                }

                pendingByVoter[voter] = pendingByVoter.GetValueOrDefault(voter) + 1;
            }

            if (tally.Count == 0 || !delivered.TryGetValue(key.Item1, out var set) || set.Contains(key.Item2) || !votes.TryAdd(key, tally))
            {
                throw Invalid(offset, "votes for a delivered or unknown message");
            }
        }

        r.EnsureEnd();
        foreach (var source in _delivered.Keys.Where(s => !delivered.ContainsKey(s)).ToList())
        {
            delivered.Add(source, new DeliveredSequences()); // a configured source nothing was delivered from
        }

        _delivered.Clear();
        foreach (var (source, set) in delivered)
        {
            _delivered.Add(source, set);
        }

        _votes.Clear();
        foreach (var (key, tally) in votes)
        {
            _votes.Add(key, tally);
        }

        _pendingByVoter.Clear();
        foreach (var (voter, held) in pendingByVoter)
        {
            _pendingByVoter.Add(voter, held);
        }

        static CodecException Invalid(long offset, string what) => new(CodecError.ValueOutOfRange, offset, $"not a valid cross-chain tally snapshot: {what}");
    }

    /// <summary>The sequences from <paramref name="source"/> delivered above <see cref="NextExpected"/>, in increasing order.</summary>
    /// <param name="source">The source chain.</param>
    /// <returns>The sequences (none for a source never seen).</returns>
    public IReadOnlyList<ulong> DeliveredAbove(ChainId source) => _delivered.TryGetValue(source, out var set) ? [.. set.Above] : [];

    private bool TryGetDelivered(ChainId source, out DeliveredSequences delivered)
    {
        if (_delivered.TryGetValue(source, out delivered!))
        {
            return true;
        }

        if (!_openSources)
        {
            return false;
        }

        delivered = new DeliveredSequences();
        _delivered.Add(source, delivered);
        return true;
    }

    private bool InWindow(DeliveredSequences delivered, ulong sequence) => sequence < delivered.Next || sequence - delivered.Next < _window;

    /// <summary>Drops the votes counted for a delivered message and gives their voters their quota back.</summary>
    private void Forget((ChainId Source, ulong Sequence) key)
    {
        if (!_votes.Remove(key, out var votes))
        {
            return;
        }

        foreach (var voter in votes.Keys)
        {
            int left = _pendingByVoter.GetValueOrDefault(voter) - 1;
            if (left > 0)
            {
                _pendingByVoter[voter] = left;
            }
            else
            {
                _pendingByVoter.Remove(voter);
            }
        }
    }
}
