using ChainInterop.Ledger;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.Relay;

/// <summary>A customer account of a bank (on its PPC) and its opening balance per asset.</summary>
/// <param name="Account">The account.</param>
/// <param name="Balances">The opening balance of each asset it holds.</param>
public sealed record CustomerSpec(AccountId Account, IReadOnlyDictionary<AssetCode, long> Balances);

/// <summary>A bank's participant chain (PPC): its customers, its transit liquidity, and its deposit on each ICC's ABC.</summary>
/// <param name="Chain">The PPC.</param>
/// <param name="Customers">The customer accounts.</param>
/// <param name="TransitLiquidity">The bank's own funds in its transit account per asset (pays incoming transfers out).</param>
/// <param name="AbcDeposit">The bank's balance per asset in its account on each ICC's ABC.</param>
public sealed record ParticipantSpec(
    ChainId Chain,
    IReadOnlyList<CustomerSpec> Customers,
    IReadOnlyDictionary<AssetCode, long> TransitLiquidity,
    IReadOnlyDictionary<AssetCode, long> AbcDeposit);

/// <summary>
/// An intermediary (ICC) as seed 000 draws it: one account chain (ABC: balances) and one trading chain (TBC: the
/// transaction records) per linked PPC (≥ 2, Alg. 5), each a chain of its own.
/// </summary>
/// <param name="Chain">The ICC: its ABC's chain id, the id transfers name.</param>
/// <param name="Participants">The linked PPCs.</param>
public sealed record IntermediarySpec(ChainId Chain, IReadOnlyList<ChainId> Participants)
{
    private readonly IReadOnlyList<ChainId>? _tradingChains;

    /// <summary>
    /// The TBC of each linked PPC, in the order of <see cref="Participants"/>; by default <c>&lt;icc&gt;.tbc&lt;n&gt;</c>
    /// (n from 1).
    /// </summary>
    /// <exception cref="ArgumentException">The list is not one chain per participant.</exception>
    public IReadOnlyList<ChainId> TradingChains
    {
        get => _tradingChains ?? [.. Participants.Select((_, i) => new ChainId(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Chain.Value}.tbc{i + 1}")))];
        init => _tradingChains = value is not null && value.Count == Participants.Count
            ? value
            : throw new ArgumentException("An intermediary has one trading chain per linked participant.", nameof(value));
    }

    /// <summary>The TBC that links <paramref name="participant"/> to this ICC.</summary>
    /// <param name="participant">A linked PPC.</param>
    /// <returns>Its TBC.</returns>
    /// <exception cref="ArgumentException">The PPC is not linked here.</exception>
    public ChainId TradingChainOf(ChainId participant)
    {
        int index = Participants.ToList().IndexOf(participant);
        return index >= 0 ? TradingChains[index] : throw new ArgumentException($"{participant} is not linked to {Chain}.", nameof(participant));
    }
}

/// <summary>
/// The opening state of a settlement network: the assets, the banks' PPCs and the ICCs linking them. Every validator of
/// a chain builds its application copy from the same spec, so every copy starts identical (the genesis state).
/// </summary>
/// <param name="Assets">The assets settled.</param>
/// <param name="Participants">The PPCs.</param>
/// <param name="Intermediaries">The ICCs.</param>
public sealed record SettlementNetworkSpec(
    IReadOnlyList<AssetCode> Assets,
    IReadOnlyList<ParticipantSpec> Participants,
    IReadOnlyList<IntermediarySpec> Intermediaries)
{
    /// <summary>The transit account of every PPC.</summary>
    public static readonly AccountId TransitAccount = new("transit");

    /// <summary>The clearing account of every ICC's ABC.</summary>
    public static readonly AccountId ClearingAccount = new("clearing");

    private static readonly InstitutionId Owner = new("genesis");

    /// <summary>
    /// How long a PPC waits before a <see cref="Tick"/> resends a pending transaction's request, answer or cancel
    /// request, in committed ms (<see cref="ParticipantChainApplication"/>). The relay already retries until delivery,
    /// so this is a long back-stop.
    /// </summary>
    public long ResendAfterMs { get; init; } = 5_000;

    /// <summary>A PPC's account on an ICC's ABC.</summary>
    /// <param name="participant">The PPC.</param>
    /// <returns>The account id.</returns>
    public static AccountId AbcAccountOf(ChainId participant) => new($"abc:{participant}");

    /// <summary>The ICCs that link <paramref name="participant"/>.</summary>
    /// <param name="participant">The PPC.</param>
    /// <returns>The ICC chain ids, in spec order.</returns>
    public IReadOnlyList<ChainId> IntermediariesOf(ChainId participant) =>
        [.. Intermediaries.Where(i => i.Participants.Contains(participant)).Select(i => i.Chain)];

    /// <summary>
    /// The chains <paramref name="chain"/> relays with: a PPC's TBCs (one per ICC linking it), an ABC's TBCs, or a TBC's
    /// PPC and ABC (each once, in spec order).
    /// </summary>
    /// <param name="chain">A PPC, ABC or TBC of the spec.</param>
    /// <returns>Its peer chains.</returns>
    /// <exception cref="ArgumentException">The chain is not in the spec.</exception>
    public IReadOnlyList<ChainId> PeersOf(ChainId chain) =>
        Participants.Any(p => p.Chain == chain) ? [.. Intermediaries.Where(i => i.Participants.Contains(chain)).Select(i => i.TradingChainOf(chain)).Distinct()]
        : Intermediaries.FirstOrDefault(i => i.Chain == chain) is { } icc ? [.. icc.TradingChains.Distinct()]
        : TradingChain(chain) is { } tbc ? [tbc.Participant, tbc.Intermediary]
        : throw new ArgumentException($"{chain} is not a chain of the spec.", nameof(chain));

    /// <summary>Every chain of the network: the PPCs, then each ICC's ABC followed by its TBCs.</summary>
    public IReadOnlyList<ChainId> Chains =>
        [.. Participants.Select(p => p.Chain), .. Intermediaries.SelectMany(i => i.TradingChains.Prepend(i.Chain))];

    /// <summary>Whether <paramref name="chain"/> is a TBC of an ICC of this network.</summary>
    /// <param name="chain">The chain.</param>
    /// <returns>True for a trading chain.</returns>
    public bool IsTradingChain(ChainId chain) => TradingChain(chain) is not null;

    /// <summary>Builds the genesis state of a TBC: no records yet.</summary>
    /// <param name="tradingChain">The TBC.</param>
    /// <returns>Its application.</returns>
    /// <exception cref="ArgumentException">It is not a TBC of this network.</exception>
    public TradingChainApplication CreateTradingChain(ChainId tradingChain) =>
        TradingChain(tradingChain) is { } tbc
            ? new TradingChainApplication(tradingChain, tbc.Intermediary, tbc.Participant)
            : throw new ArgumentException($"{tradingChain} is not a trading chain of this network.", nameof(tradingChain));

    private (ChainId Intermediary, ChainId Participant)? TradingChain(ChainId chain)
    {
        foreach (var icc in Intermediaries)
        {
            int index = icc.TradingChains.ToList().IndexOf(chain);
            if (index >= 0)
            {
                return (icc.Chain, icc.Participants[index]);
            }
        }

        return null;
    }

    /// <summary>Builds a PPC's application in its genesis state (customers and transit funded, linked to its ICCs).</summary>
    /// <param name="participant">The PPC.</param>
    /// <returns>The application.</returns>
    /// <exception cref="ArgumentException">The PPC is not in the spec, or an opening balance is refused.</exception>
    public ParticipantChainApplication CreateParticipant(ChainId participant)
    {
        var spec = Participants.FirstOrDefault(p => p.Chain == participant)
            ?? throw new ArgumentException($"{participant} is not a participant of this network.", nameof(participant));
        var ledger = new AccountLedger();
        ulong issue = 0;
        Open(ledger, TransitAccount, Assets);
        foreach (var customer in spec.Customers)
        {
            Open(ledger, customer.Account, [.. customer.Balances.Keys]);
            foreach (var (asset, amount) in customer.Balances)
            {
                Issue(ledger, customer.Account, asset, amount, ref issue);
            }
        }

        foreach (var (asset, amount) in spec.TransitLiquidity)
        {
            Issue(ledger, TransitAccount, asset, amount, ref issue);
        }

        var app = new ParticipantChainApplication(participant, ledger, Assets.ToDictionary(a => a, _ => TransitAccount), ResendAfterMs);
        foreach (var icc in Intermediaries.Where(i => i.Participants.Contains(participant)))
        {
            app.Link(icc.Chain, icc.TradingChainOf(participant));
        }

        return app;
    }

    /// <summary>Builds an ICC's application in its genesis state (each linked PPC's ABC account funded with its deposit).</summary>
    /// <param name="intermediary">The ICC.</param>
    /// <param name="cycle">The first settlement cycle for netting-mode transfers, or null for real time only.</param>
    /// <returns>The application.</returns>
    /// <exception cref="ArgumentException">The ICC is not in the spec, links fewer than 2 PPCs, or an opening balance is refused.</exception>
    public IntermediaryChainApplication CreateIntermediary(ChainId intermediary, SettlementCycle? cycle = null)
    {
        var spec = Intermediaries.FirstOrDefault(i => i.Chain == intermediary)
            ?? throw new ArgumentException($"{intermediary} is not an intermediary of this network.", nameof(intermediary));
        if (spec.Participants.Distinct().Count() < 2)
        {
            throw new ArgumentException($"{intermediary} links fewer than 2 participant chains (Alg. 5).", nameof(intermediary));
        }

        var ledger = new AccountLedger();
        ulong issue = 0;
        Open(ledger, ClearingAccount, Assets);
        var app = new IntermediaryChainApplication(intermediary, ledger, ClearingAccount, cycle);
        foreach (var participant in spec.Participants)
        {
            var account = AbcAccountOf(participant);
            Open(ledger, account, Assets);
            var deposit = Participants.FirstOrDefault(p => p.Chain == participant)?.AbcDeposit
                ?? throw new ArgumentException($"{intermediary} links {participant}, which is not a participant of this network.", nameof(intermediary));
            foreach (var (asset, amount) in deposit)
            {
                Issue(ledger, account, asset, amount, ref issue);
            }

            app.Link(participant, account, spec.TradingChainOf(participant));
        }

        return app;
    }

    private static void Open(AccountLedger ledger, AccountId account, IReadOnlyList<AssetCode> assets) =>
        Check(ledger.Apply(new OpenAccountCommand(account, Owner, [.. assets]), 0), $"open {account}");

    private static void Issue(AccountLedger ledger, AccountId account, AssetCode asset, long amount, ref ulong issue)
    {
        if (amount > 0)
        {
            Check(ledger.Apply(new IssueCommand(TransferId.FromUInt64(++issue), account, asset, new Amount(amount)), 0), $"issue {amount} {asset} to {account}");
        }
    }

    private static void Check(LedgerResult result, string what)
    {
        if (result.Code != LedgerResultCode.Ok)
        {
            throw new ArgumentException($"Genesis step refused ({what}): {result.Code}.");
        }
    }
}
