using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// Nets a settlement cycle (seed 000 Alg. 11 steps 4–14; SPEC S3): from the cycle's gross obligations it computes every
/// participant's multilateral net and every pair's bilateral net per asset in one pass, checks that the nets sum to
/// zero (and agree with the gross totals and the bilateral nets), re-nets once from the gross records if they do not,
/// and otherwise hands back the evidence for manual review. Pure and deterministic: no clock, thread or I/O; the same
/// book gives the same result, byte for byte, on every replica.
/// </summary>
/// <remarks>
/// Arithmetic is checked: an asset whose gross total leaves the 64-bit range yields
/// <see cref="NettingCode.ValueOverflow"/>, never a wrapped value. Every partial sum the engine keeps (paid,
/// received, bilateral) is bounded by the asset's gross partial total, so that is the only overflow possible.
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
    /// <returns>The outcome: a balanced result to commit, or what stopped it.</returns>
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

        NetComputation first;
        try
        {
            first = Compute(book);
        }
        catch (OverflowException)
        {
            return NettingOutcome.ValueOverflow(LocateOverflow(book));
        }

        AfterCompute?.Invoke(1, first);
        var firstResult = Materialize(cycle, book, first);
        var firstMismatches = firstResult.FindMismatches();
        if (firstMismatches.Count == 0)
        {
            return NettingOutcome.Balanced(firstResult);
        }

        // Re-net once, from the gross records, into fresh arrays (Alg. 11 step 14). Nothing of the first attempt is reused.
        var second = Compute(book);
        AfterCompute?.Invoke(2, second);
        var secondResult = Materialize(cycle, book, second);
        var secondMismatches = secondResult.FindMismatches();
        if (secondMismatches.Count == 0)
        {
            return NettingOutcome.BalancedAfterRenet(secondResult, firstResult, firstMismatches);
        }

        return NettingOutcome.ManualReview(new ManualReviewEvidence(
            cycle, book.ToArray(), book.ComputeDigest(), firstResult, firstMismatches, secondResult, secondMismatches));
    }

    /// <summary>One pass over the gross records. Throws <see cref="OverflowException"/> when a gross total overflows.</summary>
    private static NetComputation Compute(GrossObligationBook book)
    {
        var c = new NetComputation(book.Participants.Count, book.Assets.Count);
        if (c.DenseBilateral is not null)
        {
            AccumulateDense(book.Entries, c);
        }
        else
        {
            AccumulateSparse(book.Entries, c);
        }

        return c;
    }

    private static void AccumulateDense(ReadOnlySpan<GrossObligationBook.Entry> entries, NetComputation c)
    {
        int assets = c.AssetCount;
        Span<long> paid = c.Paid;
        Span<long> received = c.Received;
        Span<long> gross = c.Gross;
        Span<int> count = c.Count;
        Span<long> bilateral = c.DenseBilateral;
        ReadOnlySpan<int> triangle = c.TriangleOffsets;
        foreach (ref readonly var e in entries)
        {
            int asset = e.Asset;
            long amount = e.Amount;
            int payer = e.Payer;
            int payee = e.Payee;

            // Gross first: it bounds every other partial sum, so it is the one that overflows first.
            gross[asset] = checked(gross[asset] + amount);
            count[asset]++;
            ref long p = ref paid[(payer * assets) + asset];
            p = checked(p + amount);
            ref long r = ref received[(payee * assets) + asset];
            r = checked(r + amount);

            // The pair's cell holds the lower index's net with the higher: + when the lower one receives.
            bool payerLow = payer < payee;
            int lo = payerLow ? payer : payee;
            int hi = payerLow ? payee : payer;
            ref long cell = ref bilateral[triangle[hi] + (lo * assets) + asset];
            cell = checked(cell + (payerLow ? -amount : amount));
        }
    }

    private static void AccumulateSparse(ReadOnlySpan<GrossObligationBook.Entry> entries, NetComputation c)
    {
        int assets = c.AssetCount;
        var bilateral = c.SparseBilateral!;
        foreach (ref readonly var e in entries)
        {
            int asset = e.Asset;
            long amount = e.Amount;
            c.Gross[asset] = checked(c.Gross[asset] + amount);
            c.Count[asset]++;
            c.Paid[(e.Payer * assets) + asset] = checked(c.Paid[(e.Payer * assets) + asset] + amount);
            c.Received[(e.Payee * assets) + asset] = checked(c.Received[(e.Payee * assets) + asset] + amount);
            bool payerLow = e.Payer < e.Payee;
            int lo = payerLow ? e.Payer : e.Payee;
            int hi = payerLow ? e.Payee : e.Payer;
            ref long cell = ref CollectionsMarshal.GetValueRefOrAddDefault(bilateral, NetComputation.SparseKey(lo, hi, asset), out _);
            cell = checked(cell + (payerLow ? -amount : amount));
        }
    }

    /// <summary>Finds the first record whose amount takes its asset's gross total out of range.</summary>
    private static NettingOverflow LocateOverflow(GrossObligationBook book)
    {
        var totals = new Amount[book.Assets.Count];
        var entries = book.Entries;
        for (int i = 0; i < entries.Length; i++)
        {
            int asset = entries[i].Asset;
            if (!totals[asset].TryAdd(new Amount(entries[i].Amount), out totals[asset]))
            {
                return new NettingOverflow(book.Assets[asset], i, book[i]);
            }
        }

        throw new UnreachableException("Netting overflowed, but no gross total does.");
    }

    /// <summary>Turns the arrays into the canonical, sorted result; checks nothing (that is <see cref="NetResult.FindMismatches"/>'s job).</summary>
    private static NetResult Materialize(CycleId cycle, GrossObligationBook book, NetComputation c)
    {
        var participants = book.Participants;
        var assetNames = book.Assets;
        int[] participantOrder = SortedOrder(participants);
        int[] assetOrder = SortedOrder(assetNames);
        var sparse = c.SparseBilateral is null ? null : SortSparse(c, participantOrder);
        var nettings = new AssetNetting[assetOrder.Length];
        var positions = new List<NetPosition>(participants.Count);
        var bilateral = new List<BilateralNet>();
        for (int k = 0; k < assetOrder.Length; k++)
        {
            int asset = assetOrder[k];
            positions.Clear();
            foreach (int p in participantOrder)
            {
                long paid = c.Paid[(p * c.AssetCount) + asset];
                long received = c.Received[(p * c.AssetCount) + asset];
                if (paid != 0 || received != 0)
                {
                    positions.Add(new NetPosition(participants[p], new Amount(paid), new Amount(received)));
                }
            }

            bilateral.Clear();
            if (sparse is null)
            {
                // Pairs in sorted order (first, second), so the list comes out canonical without sorting.
                for (int si = 0; si < participantOrder.Length; si++)
                {
                    for (int sj = si + 1; sj < participantOrder.Length; sj++)
                    {
                        AddBilateral(bilateral, participants, participantOrder[si], participantOrder[sj], asset, c);
                    }
                }
            }
            else
            {
                foreach (var (lo, hi) in sparse[asset])
                {
                    AddBilateral(bilateral, participants, lo, hi, asset, c);
                }
            }

            nettings[k] = new AssetNetting(
                assetNames[asset], c.Count[asset], new Amount(c.Gross[asset]), [.. positions], [.. bilateral], validate: false);
        }

        return new NetResult(cycle, nettings, validate: false);
    }

    private static void AddBilateral(List<BilateralNet> into, IReadOnlyList<ChainId> participants, int i, int j, int asset, NetComputation c)
    {
        int lo = Math.Min(i, j);
        int hi = Math.Max(i, j);
        long loNet = c.Bilateral(lo, hi, asset);
        if (loNet != 0)
        {
            // loNet > 0: lo receives from hi, so hi is the debtor.
            into.Add(loNet > 0
                ? new BilateralNet(participants[hi], participants[lo], new Amount(loNet))
                : new BilateralNet(participants[lo], participants[hi], new Amount(checked(-loNet))));
        }
    }

    /// <summary>The traded pairs of the sparse table per asset, in canonical pair order.</summary>
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
                var (lo, hi, asset) = NetComputation.FromSparseKey(key);
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
