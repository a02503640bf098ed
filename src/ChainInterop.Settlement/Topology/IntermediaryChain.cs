using ChainInterop.Blocks;

namespace ChainInterop.Settlement.Topology;

/// <summary>
/// An intermediary (ICC): one account chain (ABC) and trading chains (TBC), each TBC linking at most one participant
/// chain. The ICC is named by its ABC, as <see cref="Ledger.IntermediaryLedger.AccountChain"/> names it; TBCs are
/// chain ids, as in <see cref="Ledger.TradingChainLink"/>.
/// </summary>
/// <remarks>
/// <see cref="Validators"/> decide for the ICC: they verify a PPC's signed information (the ABC's part, Alg. 9) and
/// cast the ICC's vote (Alg. 8 line 6). An ICC may come with TBCs it already runs (<see cref="TradingChains"/>, all
/// free); when none is free, linking creates a new one named <c>{AccountChain}:tbc{k}</c> (Alg. 7 line 2), which is
/// why <see cref="AccountChain"/> is at most <see cref="MaxIdLengthChars"/> characters.
/// </remarks>
public sealed class IntermediaryChain
{
    /// <summary>The longest ABC id, in characters: room is left for the <c>:tbc{k}</c> suffix of created TBCs.</summary>
    public const int MaxIdLengthChars = Identifier.MaxLength - 8;

    private readonly ChainId[] _tradingChains;

    /// <summary>Describes an intermediary.</summary>
    /// <param name="accountChain">Its account chain (ABC), which also names the ICC.</param>
    /// <param name="validators">The validators that verify and vote for the ICC.</param>
    /// <param name="tradingChains">TBCs it already runs, not linked to any PPC yet; none by default.</param>
    /// <exception cref="ArgumentException">An id is default or repeated, the ABC id is longer than <see cref="MaxIdLengthChars"/>,
    /// or more than <see cref="TopologyNetwork.MaxTradingChainsPerIntermediary"/> TBCs.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="validators"/> is null.</exception>
    public IntermediaryChain(ChainId accountChain, ValidatorSet validators, IEnumerable<ChainId>? tradingChains = null)
    {
        ArgumentNullException.ThrowIfNull(validators);
        if (accountChain.IsDefault || accountChain.Value.Length > MaxIdLengthChars)
        {
            throw new ArgumentException($"An intermediary's account chain id is 1 to {MaxIdLengthChars} characters.", nameof(accountChain));
        }

        _tradingChains = [.. tradingChains ?? []];
        if (_tradingChains.Length > TopologyNetwork.MaxTradingChainsPerIntermediary)
        {
            throw new ArgumentException($"At most {TopologyNetwork.MaxTradingChainsPerIntermediary} trading chains per intermediary.", nameof(tradingChains));
        }

        var seen = new HashSet<ChainId> { accountChain };
        foreach (var tbc in _tradingChains)
        {
            if (tbc.IsDefault || !seen.Add(tbc))
            {
                throw new ArgumentException($"Trading chain '{tbc}' is default or repeated.", nameof(tradingChains));
            }
        }

        Array.Sort(_tradingChains);
        AccountChain = accountChain;
        Validators = validators;
    }

    /// <summary>The account chain (ABC); also the ICC's name in the network.</summary>
    public ChainId AccountChain { get; }

    /// <summary>The validators that verify and vote for the ICC.</summary>
    public ValidatorSet Validators { get; }

    /// <summary>The TBCs it came with, in id order.</summary>
    public IReadOnlyList<ChainId> TradingChains => _tradingChains;

    /// <summary>The account chain id.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => AccountChain.ToString();
}
