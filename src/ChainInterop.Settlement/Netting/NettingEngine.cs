using System.Runtime.InteropServices;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// Nets a settlement cycle (seed 000 Alg. 11 steps 4–14; SPEC S3): from the cycle's gross obligations it computes every
/// participant's multilateral net and every pair's bilateral net per asset, checks that the nets sum to zero (and agree
/// with the gross totals recorded in the book and with the bilateral nets), re-nets once from the gross records if they
/// do not, and otherwise hands back the evidence for manual review. Pure and deterministic: no clock, thread or I/O;
/// the same records give the same result, byte for byte, on every replica, whatever order they were recorded in.
/// </summary>
/// <remarks>
/// <para>One pass over the records, payer by payer, adds each amount to its ordered pair's total; paid, received,
/// bilateral nets and gross per asset are derived from the pair totals. Cost: O(records) + O(participants² × assets).</para>
/// <para>Arithmetic is checked and cannot overflow: every sum is bounded by its asset's gross value, which
/// <see cref="GrossObligationBook"/> keeps within 64 bits when it records.</para>
/// <para>Stateless: one engine may net any number of books, also concurrently.</para>
/// </remarks>
public sealed class NettingEngine
{
    /// <summary>
    /// Test seam: called with the attempt number (1, then 2 for the re-net) and the raw computation before it is
    /// checked, so tests can corrupt a computation and exercise the re-net and manual-review paths. Null in production.
    /// </summary>
    internal Action<int, NetComputation>? AfterCompute { get; init; }

    /// <summary>Nets <paramref name="book"/> for <paramref name="cycle"/>.</summary>
    /// <param name="cycle">The cycle; its intermediary is the central counterparty and must not appear in the book.</param>
    /// <param name="book">The cycle's committed gross obligations.</param>
    /// <returns>The outcome: a balanced result to commit, or the evidence for manual review.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="book"/> is null.</exception>
    /// <exception cref="ArgumentException">The cycle is default, or the book names the cycle's intermediary as a participant.</exception>
    public NettingOutcome Net(CycleId cycle, GrossObligationBook book)
    {
        ArgumentNullException.ThrowIfNull(book);
        if (cycle.Intermediary.IsDefault)
        {
            throw new ArgumentException("Netting needs the cycle's id.", nameof(cycle));
        }

        foreach (var participant in book.Participants)
        {
            if (participant == cycle.Intermediary)
            {
                throw new ArgumentException(
                    $"The book names the intermediary {cycle.Intermediary} as a participant; it takes part only as central counterparty.", nameof(book));
            }
        }

        var assetOrder = SortedOrder(book.Assets);
        var first = Compute(book);
        AfterCompute?.Invoke(1, first);
        var firstMismatches = Check(book, first, assetOrder);
        if (firstMismatches.Count == 0)
        {
            return NettingOutcome.Balanced(Materialize(cycle, book, first, assetOrder));
        }

        // Re-net once, from the gross records, into fresh arrays (Alg. 11 step 14). Nothing of the first attempt is reused.
        var second = Compute(book);
        AfterCompute?.Invoke(2, second);
        var secondMismatches = Check(book, second, assetOrder);
        var firstResult = Materialize(cycle, book, first, assetOrder);
        var secondResult = Materialize(cycle, book, second, assetOrder);
        if (secondMismatches.Count == 0)
        {
            return NettingOutcome.BalancedAfterRenet(secondResult, firstResult, firstMismatches);
        }

        return NettingOutcome.ManualReview(new ManualReviewEvidence(
            cycle, book.ToArray(), book.ComputeDigest(), firstResult, firstMismatches, secondResult, secondMismatches));
    }

    /// <summary>The pass over the records, then the derivation of every total from the pair totals.</summary>
    private static NetComputation Compute(GrossObligationBook book)
    {
        var c = new NetComputation(SortedOrder(book.Participants), book.Assets.Count);
        if (c.PairGross is { } pairs)
        {
            AccumulateDense(book, pairs, c.ParticipantCount, c.AssetCount);
            DeriveDense(c, pairs);
        }
        else
        {
            AccumulateSparse(book, c.SparsePairGross!);
            DeriveSparse(c);
        }

        return c;
    }

    /// <summary>
    /// The hot loop: one checked add per record into its (payer, payee, asset) total. The book groups records by payer,
    /// so each group only touches its payer's row (participants × assets totals), which stays in the L1 cache.
    /// </summary>
    private static void AccumulateDense(GrossObligationBook book, Span<long> pairs, int participants, int assets)
    {
        int row = participants * assets;
        for (int payer = 0; payer < participants; payer++)
        {
            var totals = pairs.Slice(payer * row, row);
            foreach (ref readonly var e in book.EntriesPaidBy(payer))
            {
                ref long cell = ref totals[(e.Payee * assets) + e.Asset];
                cell = checked(cell + e.Amount);
            }
        }
    }

    private static void AccumulateSparse(GrossObligationBook book, Dictionary<long, long> pairs)
    {
        for (int payer = 0; payer < book.Participants.Count; payer++)
        {
            foreach (ref readonly var e in book.EntriesPaidBy(payer))
            {
                ref long cell = ref CollectionsMarshal.GetValueRefOrAddDefault(pairs, NetComputation.Key(payer, e.Payee, e.Asset), out _);
                cell = checked(cell + e.Amount);
            }
        }
    }

    private static void DeriveDense(NetComputation c, long[] pairs)
    {
        int participants = c.ParticipantCount;
        int assets = c.AssetCount;
        int row = participants * assets;
        var paid = c.Paid;
        var received = c.Received;
        var gross = c.Gross;

        // Row payer of the pair table is what payer paid each payee; column payee is what each payer paid payee.
        for (int payer = 0; payer < participants; payer++)
        {
            int rowStart = payer * row;
            for (int payee = 0; payee < participants; payee++)
            {
                int cell = rowStart + (payee * assets);
                for (int a = 0; a < assets; a++)
                {
                    long g = pairs[cell + a];
                    paid[(payer * assets) + a] = checked(paid[(payer * assets) + a] + g);
                    received[(payee * assets) + a] = checked(received[(payee * assets) + a] + g);
                }
            }
        }

        for (int p = 0; p < participants; p++)
        {
            for (int a = 0; a < assets; a++)
            {
                gross[a] = checked(gross[a] + paid[(p * assets) + a]);
            }
        }

        // Bilateral nets in rank order: row by row, the cells come out in canonical pair order.
        var bilateral = c.DenseBilateral!;
        var order = c.Order;
        int next = 0;
        for (int low = 0; low < participants; low++)
        {
            int i = order[low];
            for (int high = low + 1; high < participants; high++)
            {
                int j = order[high];
                int iPaysJ = (i * row) + (j * assets);
                int jPaysI = (j * row) + (i * assets);
                for (int a = 0; a < assets; a++)
                {
                    bilateral[next++] = checked(pairs[jPaysI + a] - pairs[iPaysJ + a]);
                }
            }
        }
    }

    private static void DeriveSparse(NetComputation c)
    {
        var bilateral = c.SparseBilateral!;
        foreach (var (key, g) in c.SparsePairGross!)
        {
            var (payer, payee, a) = NetComputation.FromKey(key);
            AddPair(c, payer, payee, a, g);
            bool payerLow = payer < payee;
            ref long net = ref CollectionsMarshal.GetValueRefOrAddDefault(
                bilateral, NetComputation.Key(payerLow ? payer : payee, payerLow ? payee : payer, a), out _);
            net = checked(net + (payerLow ? -g : g));
        }
    }

    private static void AddPair(NetComputation c, int payer, int payee, int asset, long amount)
    {
        c.Paid[(payer * c.AssetCount) + asset] = checked(c.Paid[(payer * c.AssetCount) + asset] + amount);
        c.Received[(payee * c.AssetCount) + asset] = checked(c.Received[(payee * c.AssetCount) + asset] + amount);
        c.Gross[asset] = checked(c.Gross[asset] + amount);
    }

    /// <summary>
    /// Alg. 11 step 10 and its cross-checks, per asset (in asset order), on the raw arrays: the nets sum to zero; the
    /// computed gross, Σ paid and Σ received equal the gross the book recorded; each participant's bilateral nets sum
    /// to its multilateral net. In 128 bits, so a corrupted value cannot hide behind an overflow.
    /// </summary>
    private static List<AssetMismatch> Check(GrossObligationBook book, NetComputation c, int[] assetOrder)
    {
        var mismatches = new List<AssetMismatch>();
        int participants = c.ParticipantCount;
        int assets = c.AssetCount;
        var implied = new Int128[participants];
        foreach (int a in assetOrder)
        {
            Int128 sumNet = 0, sumPaid = 0, sumReceived = 0;
            for (int i = 0; i < participants; i++)
            {
                sumPaid += c.Paid[(i * assets) + a];
                sumReceived += c.Received[(i * assets) + a];
            }

            sumNet = sumReceived - sumPaid;
            if (sumNet != 0)
            {
                mismatches.Add(new AssetMismatch(book.Assets[a], NetMismatchKind.NonZeroSum, sumNet));
            }

            Int128 recorded = book.AssetGross[a];
            Int128 grossOff = c.Gross[a] - recorded;
            Int128 discrepancy = grossOff != 0 ? grossOff : sumPaid != recorded ? sumPaid - recorded : sumReceived - recorded;
            if (discrepancy != 0)
            {
                mismatches.Add(new AssetMismatch(book.Assets[a], NetMismatchKind.GrossDisagrees, discrepancy));
            }

            Array.Clear(implied);
            if (c.DenseBilateral is { } dense)
            {
                var order = c.Order;
                int cell = a;
                for (int low = 0; low < participants; low++)
                {
                    for (int high = low + 1; high < participants; high++, cell += assets)
                    {
                        long v = dense[cell];
                        implied[order[low]] += v;
                        implied[order[high]] -= v;
                    }
                }
            }
            else
            {
                foreach (var (key, v) in c.SparseBilateral!)
                {
                    var (lo, hi, asset) = NetComputation.FromKey(key);
                    if (asset == a)
                    {
                        implied[lo] += v;
                        implied[hi] -= v;
                    }
                }
            }

            Int128 bilateralOff = 0;
            for (int i = 0; i < participants; i++)
            {
                bilateralOff += Int128.Abs(implied[i] - ((Int128)c.Received[(i * assets) + a] - c.Paid[(i * assets) + a]));
            }

            if (bilateralOff != 0)
            {
                mismatches.Add(new AssetMismatch(book.Assets[a], NetMismatchKind.BilateralDisagrees, bilateralOff));
            }
        }

        return mismatches;
    }

    /// <summary>Turns the arrays into the canonical, sorted result; checks nothing (that is <see cref="Check"/>'s job).</summary>
    private static NetResult Materialize(CycleId cycle, GrossObligationBook book, NetComputation c, int[] assetOrder)
    {
        var participants = book.Participants;
        int[] participantOrder = c.Order;
        var names = new ChainId[participantOrder.Length];
        for (int r = 0; r < names.Length; r++)
        {
            names[r] = participants[participantOrder[r]];
        }

        var sparse = c.SparseBilateral is null ? null : SortSparse(c, participantOrder);
        var nettings = new AssetNetting[assetOrder.Length];
        for (int k = 0; k < assetOrder.Length; k++)
        {
            int asset = assetOrder[k];
            var bilateral = sparse is null ? DenseBilateralNets(c, names, asset) : SparseBilateralNets(c, participants, sparse[asset], asset);
            nettings[k] = new AssetNetting(
                book.Assets[asset], book.AssetCounts[asset], new Amount(c.Gross[asset]), Positions(c, participantOrder, names, asset), bilateral, validate: false);
        }

        return new NetResult(cycle, nettings, validate: false);
    }

    private static NetPosition[] Positions(NetComputation c, int[] participantOrder, ChainId[] names, int asset)
    {
        int count = 0;
        foreach (int p in participantOrder)
        {
            count += c.Paid[(p * c.AssetCount) + asset] != 0 || c.Received[(p * c.AssetCount) + asset] != 0 ? 1 : 0;
        }

        var positions = new NetPosition[count];
        int next = 0;
        for (int r = 0; r < participantOrder.Length; r++)
        {
            int cell = (participantOrder[r] * c.AssetCount) + asset;
            long paid = c.Paid[cell];
            long received = c.Received[cell];
            if (paid != 0 || received != 0)
            {
                positions[next++] = new NetPosition(names[r], new Amount(paid), new Amount(received));
            }
        }

        return positions;
    }

    /// <summary>The non-zero bilateral nets of the dense table, which is already in canonical pair order.</summary>
    private static BilateralNet[] DenseBilateralNets(NetComputation c, ChainId[] names, int asset)
    {
        var dense = c.DenseBilateral!;
        int assets = c.AssetCount;
        int count = 0;
        for (int cell = asset; cell < dense.Length; cell += assets)
        {
            count += dense[cell] != 0 ? 1 : 0;
        }

        var nets = new BilateralNet[count];
        int next = 0;
        int at = asset;
        for (int low = 0; low < names.Length; low++)
        {
            for (int high = low + 1; high < names.Length; high++, at += assets)
            {
                long net = dense[at];
                if (net != 0)
                {
                    // net < 0: the lower-ranked participant pays. Chosen without a branch on the (random) sign.
                    long negative = net >> 63;
                    int debtor = high + (int)((low - high) & negative);
                    nets[next++] = new BilateralNet(names[debtor], names[low + high - debtor], new Amount(checked((net ^ negative) - negative)));
                }
            }
        }

        return nets;
    }

    private static BilateralNet[] SparseBilateralNets(NetComputation c, IReadOnlyList<ChainId> participants, List<(int Lo, int Hi)> pairs, int asset)
    {
        var nets = new BilateralNet[pairs.Count];
        for (int k = 0; k < nets.Length; k++)
        {
            var (lo, hi) = pairs[k];
            long lowNet = c.SparseBilateral![NetComputation.Key(lo, hi, asset)];
            nets[k] = lowNet > 0
                ? new BilateralNet(participants[hi], participants[lo], new Amount(lowNet))
                : new BilateralNet(participants[lo], participants[hi], new Amount(checked(-lowNet)));
        }

        return nets;
    }

    /// <summary>The pairs of the sparse table with a non-zero net, per asset, in canonical pair order.</summary>
    private static List<(int Lo, int Hi)>[] SortSparse(NetComputation c, int[] participantOrder)
    {
        var rank = new int[participantOrder.Length];
        for (int r = 0; r < participantOrder.Length; r++)
        {
            rank[participantOrder[r]] = r;
        }

        var byAsset = new List<(int Lo, int Hi)>[c.AssetCount];
        for (int a = 0; a < byAsset.Length; a++)
        {
            byAsset[a] = [];
        }

        foreach (var (key, value) in c.SparseBilateral!)
        {
            if (value != 0)
            {
                var (lo, hi, asset) = NetComputation.FromKey(key);
                byAsset[asset].Add((lo, hi));
            }
        }

        foreach (var pairs in byAsset)
        {
            pairs.Sort((x, y) =>
            {
                int x1 = Math.Min(rank[x.Lo], rank[x.Hi]), x2 = Math.Max(rank[x.Lo], rank[x.Hi]);
                int y1 = Math.Min(rank[y.Lo], rank[y.Hi]), y2 = Math.Max(rank[y.Lo], rank[y.Hi]);
                return x1 != y1 ? x1.CompareTo(y1) : x2.CompareTo(y2);
            });
        }

        return byAsset;
    }

    private static int[] SortedOrder<T>(IReadOnlyList<T> names)
        where T : IComparable<T>
    {
        var order = new int[names.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) => names[x].CompareTo(names[y]));
        return order;
    }
}
