namespace ChainInterop.Ledger;

/// <summary>The chains of one intermediary (ICC): its account chain (ABC) and at least two trading chains (TBC).</summary>
public sealed class IntermediaryLedgerOptions
{
    /// <summary>The account chain holding balances.</summary>
    public ChainId AccountChain { get; set; }

    /// <summary>The trading chains, one per linked participant chain; at least two (seed 000 [0013]).</summary>
    public IList<TradingChainLink> TradingChains { get; } = [];

    /// <summary>Save an ABC snapshot every this many ABC blocks (0: only when <see cref="IntermediaryLedger.CheckpointAsync"/> is called).</summary>
    public int SnapshotIntervalBlocks { get; set; }

    /// <summary>Throws unless the options describe a valid intermediary.</summary>
    /// <exception cref="ArgumentException">A missing, repeated or conflicting chain, fewer than two TBCs, or a negative interval.</exception>
    public void Validate()
    {
        if (AccountChain.IsDefault)
        {
            throw new ArgumentException("An intermediary needs an account chain (ABC).");
        }

        if (TradingChains.Count < 2)
        {
            throw new ArgumentException($"An intermediary links at least two participant chains through two trading chains; {TradingChains.Count} configured.");
        }

        var chains = new HashSet<ChainId> { AccountChain };
        var participants = new HashSet<ChainId>();
        foreach (var link in TradingChains)
        {
            if (link is null || link.TradingChain.IsDefault || link.ParticipantChain.IsDefault)
            {
                throw new ArgumentException("Every trading chain link names its TBC and its participant chain.");
            }

            if (!chains.Add(link.TradingChain))
            {
                throw new ArgumentException($"Chain {link.TradingChain} is configured twice.");
            }

            if (!participants.Add(link.ParticipantChain))
            {
                throw new ArgumentException($"Participant chain {link.ParticipantChain} is linked by two trading chains.");
            }
        }

        if (SnapshotIntervalBlocks < 0)
        {
            throw new ArgumentException("SnapshotIntervalBlocks cannot be negative.");
        }
    }
}
