namespace ChainInterop.Consensus.CrossChain;

/// <summary>
/// The sequences delivered from one source chain: every sequence below <see cref="Next"/>, plus those above it that
/// arrived early. Sequences start at 0 and usually arrive in order, so the set above <see cref="Next"/> stays small; a
/// sequence window (e.g. <see cref="CrossChainInbox"/>'s) bounds it. Not thread-safe.
/// </summary>
public sealed class DeliveredSequences
{
    private readonly HashSet<ulong> _above = [];
    private ulong _floor;

    /// <summary>The first sequence not yet delivered.</summary>
    public ulong Next => _floor;

    /// <summary>How many sequences above <see cref="Next"/> are delivered.</summary>
    public int AboveCount => _above.Count;

    /// <summary>Whether <paramref name="sequence"/> was delivered.</summary>
    /// <param name="sequence">The sequence.</param>
    /// <returns>True if delivered.</returns>
    public bool Contains(ulong sequence) => sequence < _floor || _above.Contains(sequence);

    /// <summary>Records that every sequence below <paramref name="next"/> was delivered (a restart's restore).</summary>
    /// <param name="next">The first sequence not delivered.</param>
    public void AdvanceTo(ulong next)
    {
        if (next <= _floor)
        {
            return;
        }

        _floor = next;
        _above.RemoveWhere(s => s < _floor);
        Compact();
    }

    /// <summary>Records that <paramref name="sequence"/> was delivered.</summary>
    /// <param name="sequence">The sequence.</param>
    /// <returns>True if it was not delivered before.</returns>
    public bool Add(ulong sequence)
    {
        if (sequence != _floor)
        {
            return sequence > _floor && _above.Add(sequence);
        }

        _floor++;
        Compact();
        return true;
    }

    /// <summary>The delivered sequences above <see cref="Next"/>, in increasing order.</summary>
    public IEnumerable<ulong> Above => _above.Order();

    private void Compact()
    {
        while (_above.Remove(_floor))
        {
            _floor++;
        }
    }
}
