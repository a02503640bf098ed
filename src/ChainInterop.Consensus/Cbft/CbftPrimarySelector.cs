using System.Buffers.Binary;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus.Pbft;
using ChainInterop.Crypto;

namespace ChainInterop.Consensus.Cbft;

/// <summary>
/// CBFT's primary choice (K3, thesis §3.2.6) for <see cref="PbftReplica"/>: the primary changes with every block and
/// is drawn by roulette wheel with probability S_i / ΣS_j from credit scores that every honest replica derives
/// identically from the committed blocks:
/// <list type="bullet">
/// <item>a primary whose block committed is rated 10, or 1 if the next block carries a request older than its block's
/// packing time (it left out a transaction it could have included: censorship);</item>
/// <item>a primary whose view failed at a height (a view change happened) is rated 1;</item>
/// <item>each rating S' is smoothed into the score: S_i = (S_i·(c−1) + S') / c, c being the node's number of ratings.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>Decision (SPEC K3): the thesis's "random" draw must be the same on every honest replica, so it is
/// SHA-256(last committed header hash ‖ view), reduced modulo the score total. Scores are fixed-point integers
/// (<see cref="ScoreScale"/> = 1 point), so no floating-point rounding can split replicas. Before any block is
/// committed the primary is p = (h − v) mod N (thesis formula 3.3).</para>
/// <para>Censorship is judged from the clients' request timestamps, which CBFT reads as the client's Unix
/// milliseconds (strictly increasing per client, as K2 requires of any timestamp).</para>
/// <para>Scores are replicated state derived only from committed blocks: after a restart, <see cref="Replay"/> the
/// chain's stored blocks into a new selector before building the replica.</para>
/// <para>The selector keeps the scores as they stood after each of the last <see cref="HistoryBlocks"/> committed
/// headers, so a replica judges a VIEW-CHANGE or NEW-VIEW about an older tip with that tip's scores, not with its own
/// (a replica that had committed one block more once rejected a valid NEW-VIEW and the chain stalled: simulator
/// seeds 700773 and 700790). About a header it has no scores for, it answers that it does not know.</para>
/// </remarks>
public sealed class CbftPrimarySelector : IPrimarySelector
{
    /// <summary>Fixed-point scale of scores: 1 point = 1,000,000 units.</summary>
    public const long ScoreScale = 1_000_000;

    /// <summary>The rating of a primary whose round succeeded.</summary>
    public const long SuccessRating = 10;

    /// <summary>The rating of a primary whose round failed or who censored a transaction.</summary>
    public const long FailureRating = 1;

    /// <summary>How many committed headers back the selector can still answer for (their scores are kept).</summary>
    public const int HistoryBlocks = 256;

    private readonly ValidatorSet _validators;

    // Current state, indexed like _validators.NodeIds: the score (fixed point) and the number of ratings of each node.
    private readonly long[] _scores;
    private readonly long[] _ratings;

    // The scores after each of the last HistoryBlocks committed headers (the last one equals _scores), oldest first in
    // _historyOrder. Invariant: _history.Count == _historyOrder.Count <= HistoryBlocks.
    private readonly Dictionary<Hash256, long[]> _history = [];
    private readonly Queue<Hash256> _historyOrder = new();
    private BlockHeader? _previous;

    /// <summary>Creates the selector of a chain with every validator at the full score.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public CbftPrimarySelector(ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        _validators = validators;
        _scores = new long[validators.Count];
        _ratings = new long[validators.Count];
        Array.Fill(_scores, SuccessRating * ScoreScale);
    }

    /// <summary>The current score of <paramref name="node"/> in points (10 for a node never rated).</summary>
    /// <param name="node">A validator.</param>
    /// <returns>Its score.</returns>
    public double ScoreOf(NodeId node)
    {
        int index = _validators.IndexOf(node);
        return (double)(index < 0 ? SuccessRating * ScoreScale : _scores[index]) / ScoreScale;
    }

    /// <summary>Feeds a chain's committed blocks, in order, into the scores (e.g. from the store after a restart).</summary>
    /// <param name="blocks">The committed blocks from genesis.</param>
    /// <exception cref="ArgumentNullException"><paramref name="blocks"/> is null.</exception>
    public void Replay(IEnumerable<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        foreach (var block in blocks)
        {
            OnCommitted(block);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Answers for no header (formula 3.3), for the last committed header, and for the <see cref="HistoryBlocks"/>
    /// headers before it; not for a header this selector has not committed.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public bool TrySelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted, out NodeId primary)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (lastCommitted is null)
        {
            // Formula 3.3: p = (h − v) mod N, computed without going negative.
            int n = validators.Count;
            long p = (long)((height % (ulong)n) + (ulong)n - (view % (ulong)n)) % n;
            primary = validators.NodeIds[(int)p];
            return true;
        }

        if (!_history.TryGetValue(lastCommitted.Hash, out var scores))
        {
            primary = default;
            return false;
        }

        primary = Draw(scores, view, lastCommitted);
        return true;
    }

    /// <inheritdoc />
    public void OnCommitted(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var header = block.Header;

        // Views that ended at this height without committing it: their primaries failed. Compute them all with the
        // scores the replicas used while this height was open, then rate.
        ulong firstView = _previous?.View ?? 0;
        var failed = new List<NodeId>();
        for (ulong view = firstView; view < header.View; view++)
        {
            TrySelectPrimary(_validators, view, header.Height, _previous, out var primary);
            failed.Add(primary);
        }

        foreach (var primary in failed)
        {
            Rate(primary, FailureRating);
        }

        // This block finalizes the rating of the previous block's primary: 10, or 1 if this block carries a request
        // created before the previous block was packed (it could have been included: censorship).
        if (_previous is not null)
        {
            Rate(_previous.Proposer, OlderThan(block, _previous.TimestampUnixMs) ? FailureRating : SuccessRating);
        }

        _previous = header;
        if (_history.TryAdd(header.Hash, (long[])_scores.Clone()))
        {
            _historyOrder.Enqueue(header.Hash);
            if (_historyOrder.Count > HistoryBlocks)
            {
                _history.Remove(_historyOrder.Dequeue());
            }
        }
    }

    /// <summary>The roulette wheel (3.5–3.6) over <paramref name="scores"/>, seeded by the last header and the view.</summary>
    private NodeId Draw(long[] scores, ulong view, BlockHeader lastCommitted)
    {
        long total = 0;
        foreach (long score in scores)
        {
            total += score;
        }

        Span<byte> seed = stackalloc byte[Hash256.SizeBytes + sizeof(ulong)];
        lastCommitted.Hash.WriteTo(seed);
        BinaryPrimitives.WriteUInt64BigEndian(seed[Hash256.SizeBytes..], view);
        Span<byte> digest = stackalloc byte[Hash256.SizeBytes];
        Hash256.Compute(seed).WriteTo(digest);
        long draw = (long)(BinaryPrimitives.ReadUInt64BigEndian(digest) % (ulong)total);

        // The node whose cumulative score interval holds the draw.
        long cumulative = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            cumulative += scores[i];
            if (draw < cumulative)
            {
                return _validators.NodeIds[i];
            }
        }

        return _validators.NodeIds[^1];
    }

    private static bool OlderThan(Block block, long packedAtUnixMs)
    {
        foreach (var entry in block.Entries)
        {
            try
            {
                if ((long)Canonical.Decode<ClientRequest>(entry).Timestamp < packedAtUnixMs)
                {
                    return true;
                }
            }
            catch (CodecException)
            {
                // Not a request: nothing to judge.
            }
        }

        return false;
    }

    private void Rate(NodeId node, long rating)
    {
        int index = _validators.IndexOf(node);
        if (index < 0)
        {
            return;
        }

        long c = ++_ratings[index];
        // S_i = (S_i·(c−1) + S'_i) / c, in fixed point; scores stay within [1, 10] points, so no overflow.
        _scores[index] = ((_scores[index] * (c - 1)) + (rating * ScoreScale)) / c;
    }
}
