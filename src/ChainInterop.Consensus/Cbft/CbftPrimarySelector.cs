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
/// <para>Within one height the draw is without replacement: the views from the previous block's view on are taken N at
/// a time, and in each run of N views every validator leads exactly one, drawn by roulette among those that have not
/// led yet in that run. Drawn with replacement (the first version), one silent validator led six views in a row at one
/// height, 25 s of doubling timeouts (simulator seed 702679); now at most f views in a row can have a faulty primary,
/// as with PBFT's round robin. Ratings still change only when a block commits, so the draw stays a function of the
/// committed chain and the view.</para>
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

    // The scores after the last committed block.
    private readonly Scores _current;

    // The scores after each of the last HistoryBlocks committed headers (the last one equals _current), oldest first
    // in _historyOrder. Invariant: _history.Count == _historyOrder.Count <= HistoryBlocks.
    private readonly Dictionary<Hash256, Scores> _history = [];
    private readonly Queue<Hash256> _historyOrder = new();
    private BlockHeader? _previous;

    // The last answer (replicas ask for the current primary on every request), valid for the same tip and view.
    private (Hash256 Tip, ulong View, NodeId Primary)? _lastAnswer;

    /// <summary>Creates the selector of a chain with every validator at the full score.</summary>
    /// <param name="validators">The chain's validators.</param>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public CbftPrimarySelector(ValidatorSet validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        _validators = validators;
        _current = new Scores(validators.Count);
    }

    /// <summary>The current score of <paramref name="node"/> in points (10 for a node never rated).</summary>
    /// <param name="node">A validator.</param>
    /// <returns>Its score.</returns>
    public double ScoreOf(NodeId node)
    {
        int index = _validators.IndexOf(node);
        return (double)(index < 0 ? SuccessRating * ScoreScale : _current.Score[index]) / ScoreScale;
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
    /// headers before it; not for a header this selector has not committed. The roulette runs over this selector's
    /// validators.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public bool TrySelectPrimary(ValidatorSet validators, ulong view, ulong height, BlockHeader? lastCommitted, out NodeId primary)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (lastCommitted is null)
        {
            primary = Formula(validators, view, height);
            return true;
        }

        if (_lastAnswer is { } last && last.Tip == lastCommitted.Hash && last.View == view)
        {
            primary = last.Primary;
            return true;
        }

        if (!_history.TryGetValue(lastCommitted.Hash, out var scores))
        {
            primary = default;
            return false;
        }

        primary = PrimariesUpTo(scores, lastCommitted, view, failed: null);
        _lastAnswer = (lastCommitted.Hash, view, primary);
        return true;
    }

    /// <inheritdoc />
    public void OnCommitted(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var header = block.Header;

        // Views that ended at this height without committing it: their primaries failed. Compute them all with the
        // scores the replicas used while this height was open, then rate.
        var failed = new List<NodeId>();
        if (_previous is null)
        {
            for (ulong view = 0; view < header.View; view++)
            {
                failed.Add(Formula(_validators, view, header.Height));
            }
        }
        else if (header.View > _previous.View)
        {
            PrimariesUpTo(_current, _previous, header.View - 1, failed);
        }

        foreach (var primary in failed)
        {
            Rate(_current, primary, FailureRating);
        }

        // This block finalizes the rating of the previous block's primary: 10, or 1 if this block carries a request
        // created before the previous block was packed (it could have been included: censorship).
        if (_previous is not null)
        {
            Rate(_current, _previous.Proposer, OlderThan(block, _previous.TimestampUnixMs) ? FailureRating : SuccessRating);
        }

        _previous = header;
        if (_history.TryAdd(header.Hash, _current.Clone()))
        {
            _historyOrder.Enqueue(header.Hash);
            if (_historyOrder.Count > HistoryBlocks)
            {
                _history.Remove(_historyOrder.Dequeue());
            }
        }
    }

    /// <summary>
    /// The primary of <paramref name="view"/> at the height after <paramref name="tip"/>: the views from the tip's view on
    /// go in runs of N, and each run is a roulette draw without replacement (a validator that led a view of the run is
    /// out of the wheel for the rest of it). With <paramref name="failed"/>, every primary from the tip's view up to
    /// <paramref name="view"/> is added to it, in order.
    /// </summary>
    private NodeId PrimariesUpTo(Scores scores, BlockHeader tip, ulong view, List<NodeId>? failed)
    {
        ulong first = tip.View;
        if (view < first)
        {
            return Draw(scores, view, tip, excluded: []);
        }

        ulong n = (ulong)_validators.Count;
        ulong from = failed is null ? first + ((view - first) / n * n) : first;
        Span<bool> excluded = _validators.Count <= 256 ? stackalloc bool[_validators.Count] : new bool[_validators.Count];
        for (ulong v = from; ; v++)
        {
            if ((v - first) % n == 0)
            {
                excluded.Clear();
            }

            var primary = Draw(scores, v, tip, excluded);
            failed?.Add(primary);
            if (v == view)
            {
                return primary;
            }

            excluded[_validators.IndexOf(primary)] = true;
        }
    }

    /// <summary>Formula 3.3, before any block is committed: p = (h − v) mod N, computed without going negative.</summary>
    private static NodeId Formula(ValidatorSet validators, ulong view, ulong height)
    {
        int n = validators.Count;
        long p = (long)((height % (ulong)n) + (ulong)n - (view % (ulong)n)) % n;
        return validators.NodeIds[(int)p];
    }

    /// <summary>
    /// The roulette wheel (3.5–3.6) over <paramref name="scores"/> of the validators not <paramref name="excluded"/>
    /// (empty: none is), seeded by the last header and the view.
    /// </summary>
    private NodeId Draw(Scores scores, ulong view, BlockHeader lastCommitted, ReadOnlySpan<bool> excluded)
    {
        long total = 0;
        for (int i = 0; i < scores.Score.Length; i++)
        {
            total += excluded.IsEmpty || !excluded[i] ? scores.Score[i] : 0;
        }

        Span<byte> seed = stackalloc byte[Hash256.SizeBytes + sizeof(ulong)];
        lastCommitted.Hash.WriteTo(seed);
        BinaryPrimitives.WriteUInt64BigEndian(seed[Hash256.SizeBytes..], view);
        Span<byte> digest = stackalloc byte[Hash256.SizeBytes];
        Hash256.Compute(seed).WriteTo(digest);
        long draw = (long)(BinaryPrimitives.ReadUInt64BigEndian(digest) % (ulong)total);

        // The node whose cumulative score interval holds the draw.
        long cumulative = 0;
        for (int i = 0; i < scores.Score.Length; i++)
        {
            if (excluded.IsEmpty || !excluded[i])
            {
                cumulative += scores.Score[i];
                if (draw < cumulative)
                {
                    return _validators.NodeIds[i];
                }
            }
        }

        throw new InvalidOperationException("The roulette wheel found no validator: scores are positive, so this cannot happen.");
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

    private void Rate(Scores scores, NodeId node, long rating)
    {
        int index = _validators.IndexOf(node);
        if (index < 0)
        {
            return;
        }

        long c = ++scores.Ratings[index];
        // S_i = (S_i·(c−1) + S'_i) / c, in fixed point; scores stay within [1, 10] points, so no overflow.
        scores.Score[index] = ((scores.Score[index] * (c - 1)) + (rating * ScoreScale)) / c;
    }

    /// <summary>Every validator's score (fixed point) and number of ratings, indexed like the validator set.</summary>
    private sealed class Scores
    {
        public Scores(int count)
        {
            Score = new long[count];
            Ratings = new long[count];
            Array.Fill(Score, SuccessRating * ScoreScale);
        }

        private Scores(long[] score, long[] ratings)
        {
            Score = score;
            Ratings = ratings;
        }

        public long[] Score { get; }

        public long[] Ratings { get; }

        public Scores Clone() => new((long[])Score.Clone(), (long[])Ratings.Clone());
    }
}
