using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Netting;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Samples.BankToBank;

/// <summary>How <see cref="SettlementDemo"/> runs.</summary>
public sealed record SettlementDemoOptions
{
    /// <summary>The most transfers a stream may hold.</summary>
    public const int MaxTransfers = 10_000;

    /// <summary>The most operator clients per bank.</summary>
    public const int MaxClientsPerBank = 16;

    /// <summary>Run every chain's consensus and every validator's relay over TCP on 127.0.0.1 instead of in memory.</summary>
    public bool Tcp { get; init; }

    /// <summary>Keep each validator's blocks in a durable file store under a temp directory (deleted at the end); false: in memory.</summary>
    public bool FileStores { get; init; } = true;

    /// <summary>Real-time transfers in the stream (1..<see cref="MaxTransfers"/>).</summary>
    public int Transfers { get; init; } = 200;

    /// <summary>Netting-mode transfers in the netting cycle through icc-east (0: no netting cycle; at most <see cref="MaxTransfers"/>).</summary>
    public int NettingTransfers { get; init; } = 30;

    /// <summary>Operator clients per bank submitting concurrently (a client submits one request at a time; 1..<see cref="MaxClientsPerBank"/>).</summary>
    public int ClientsPerBank { get; init; } = 4;

    /// <summary>The seed of the transfer stream (payers, payees, assets, amounts, modes, ICCs).</summary>
    public int Seed { get; init; } = 6;

    /// <summary>Rewrite one progress line in place (a terminal); false: print a progress line every <see cref="ProgressLineIntervalMs"/>.</summary>
    public bool LiveProgress { get; init; }

    /// <summary>How often the live progress line is refreshed, ms.</summary>
    public int ProgressIntervalMs { get; init; } = 250;

    /// <summary>How often a progress line is printed when not live, ms.</summary>
    public int ProgressLineIntervalMs { get; init; } = 2_000;

    /// <summary>Log the chains' consensus and relays to the console from this level (e.g. Information shows view changes); null: no logs.</summary>
    public LogLevel? LogLevel { get; init; }

    /// <summary>The longest the whole demo may take before it gives up (and reports what it has), ms. Real-time transfers' Time1 lies beyond it.</summary>
    public int TimeoutMs { get; init; } = 120_000;

    /// <summary>The longest the demo waits for a step (the exceptions, the netting cycle, the final balances) to settle before it reports what it sees, ms.</summary>
    public int SettleWaitMs { get; init; } = 20_000;
}

/// <summary>What became of one transfer, on its payer's PPC.</summary>
/// <param name="TransactionId">The transaction.</param>
/// <param name="State">Its final state on the payer's PPC.</param>
/// <param name="Reason">Why it failed or was cancelled (<see cref="TransferFailureReason.None"/> if committed).</param>
/// <param name="Trail">Each chain's executed steps (payer's PPC, ICC, payee's PPC), e.g. "bank-a: Pending (UnknownPayee), Cancelled (UnknownPayee)".</param>
public sealed record TransferOutcome(Hash256 TransactionId, CrossChainTransactionState State, TransferFailureReason Reason, IReadOnlyList<string> Trail);

/// <summary>One line of the conservation check: a quantity that must end as it started.</summary>
/// <param name="Name">What is checked, e.g. "bank-a transit + ABC accounts, USD".</param>
/// <param name="Expected">Its value at genesis (minor units, or a count).</param>
/// <param name="Actual">Its value at the end.</param>
public sealed record ConservationCheck(string Name, long Expected, long Actual)
{
    /// <summary>Whether the quantity is unchanged.</summary>
    public bool Passed => Expected == Actual;
}

/// <summary>What a <see cref="SettlementDemo"/> run did, measured on the running chains.</summary>
/// <param name="Transfers">Transfers in the stream.</param>
/// <param name="Committed">Stream transfers committed (on the payer's PPC).</param>
/// <param name="Cancelled">Stream transfers cancelled.</param>
/// <param name="Failed">Stream transfers failed.</param>
/// <param name="TimedOut">The transfer started with Time1 already past (Alg. 12).</param>
/// <param name="Unfunded">The transfer refused by its payer's PPC (more than the customer holds).</param>
/// <param name="UnknownPayee">The transfer to an account the payee's PPC does not know.</param>
/// <param name="Netting">The netting cycle's report from icc-east, or null if no cycle settled (or none was run).</param>
/// <param name="Checks">The conservation check.</param>
/// <param name="StartUpMs">Time to start every chain and relay, ms.</param>
/// <param name="StreamMs">Time from the first transfer to the last stream outcome, ms.</param>
/// <param name="TotalMs">Time of the whole run, ms.</param>
public sealed record SettlementDemoReport(
    int Transfers,
    int Committed,
    int Cancelled,
    int Failed,
    TransferOutcome TimedOut,
    TransferOutcome Unfunded,
    TransferOutcome UnknownPayee,
    CycleReport? Netting,
    IReadOnlyList<ConservationCheck> Checks,
    long StartUpMs,
    long StreamMs,
    long TotalMs)
{
    /// <summary>Whether every conservation check passed.</summary>
    public bool Conserved => Checks.Count > 0 && Checks.All(c => c.Passed);
}
