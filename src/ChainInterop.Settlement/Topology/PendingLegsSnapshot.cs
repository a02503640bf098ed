using System.Collections.Frozen;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// An immutable <see cref="IPendingLegs"/>: the pending-leg counts of some participant chains, taken at one moment
/// (e.g. from the transaction protocol's state when a leave is processed). Chains not listed have none.
/// </summary>
public sealed class PendingLegsSnapshot : IPendingLegs
{
    private readonly FrozenDictionary<ChainId, int> _counts;

    /// <summary>Creates the snapshot.</summary>
    /// <param name="counts">Pending legs per participant chain.</param>
    /// <exception cref="ArgumentNullException"><paramref name="counts"/> is null.</exception>
    /// <exception cref="ArgumentException">A count is negative or a chain id is default.</exception>
    public PendingLegsSnapshot(IEnumerable<KeyValuePair<ChainId, int>> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var copy = new Dictionary<ChainId, int>();
        foreach (var (chain, count) in counts)
        {
            if (chain.IsDefault || count < 0)
            {
                throw new ArgumentException("Pending-leg counts name a chain and are not negative.", nameof(counts));
            }

            copy[chain] = count;
        }

        _counts = copy.ToFrozenDictionary();
    }

    /// <summary>A snapshot in which no chain has pending legs.</summary>
    public static PendingLegsSnapshot None { get; } = new([]);

    /// <inheritdoc />
    public int CountPending(ChainId ppc) => _counts.GetValueOrDefault(ppc);
}
