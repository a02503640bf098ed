using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Netting;

/// <summary>
/// One settlement cycle of an intermediary chain in netting mode (SPEC S3; seed 000 Alg. 11 and [0053]–[0054]), as a
/// deterministic state machine: <see cref="SettlementCycleState.Open"/> → <see cref="SettlementCycleState.Closing"/>
/// (no new transactions; in-flight ones finish) → <see cref="SettlementCycleState.Netting"/> →
/// <see cref="SettlementCycleState.Settled"/> or <see cref="SettlementCycleState.UnderReview"/>.
/// </summary>
/// <remarks>
/// <para>The cross-chain protocol drives it with committed inputs only: <see cref="TryStart"/> when a netting-mode
/// transaction would start, <see cref="Finish"/> when it reaches the tentative state (its gross obligation enters the
/// cycle), <see cref="Abandon"/> when it fails or is cancelled (Alg. 12), <see cref="Tick"/> with each committed time
/// (e.g. block time), and <see cref="Net"/> once the cycle is ready. It owns no clock, thread or I/O; the same inputs
/// give the same states and the same net result on every replica.</para>
/// <para>A transaction belongs to the cycle that admitted it and must finish there, even after the cycle closed. While
/// a cycle is closing, the protocol may already open <see cref="Next()"/> for new transactions.</para>
/// </remarks>
public sealed class SettlementCycle
{
    // Invariants: a transaction id is in at most one of _inFlight, _abandoned and _book; _inFlight is empty from Netting
    // on; StartedCount = |_inFlight| + |_abandoned| + _book.Count.
    private readonly GrossObligationBook _book = new();
    private readonly HashSet<Hash256> _inFlight = [];
    private readonly HashSet<Hash256> _abandoned = [];

    /// <summary>Opens a cycle.</summary>
    /// <param name="id">The cycle; its intermediary is the central counterparty.</param>
    /// <param name="policy">When the cycle ends.</param>
    /// <param name="opensAtMs">The committed time it opens at, in Unix milliseconds; earlier times are refused.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is default.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The due time would leave the 64-bit range.</exception>
    public SettlementCycle(CycleId id, SettlementCyclePolicy policy, long opensAtMs)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (id.Intermediary.IsDefault)
        {
            throw new ArgumentException("A settlement cycle needs its id.", nameof(id));
        }

        if (policy.PeriodMs is { } period && opensAtMs > long.MaxValue - period)
        {
            throw new ArgumentOutOfRangeException(nameof(opensAtMs), opensAtMs, "The cycle's due time would overflow.");
        }

        Id = id;
        Policy = policy;
        OpensAtMs = opensAtMs;
        DueAtMs = opensAtMs + policy.PeriodMs;
        LastClockMs = opensAtMs;
    }

    /// <summary>The cycle.</summary>
    public CycleId Id { get; }

    /// <summary>When it ends.</summary>
    public SettlementCyclePolicy Policy { get; }

    /// <summary>The committed time it opened at (Unix ms).</summary>
    public long OpensAtMs { get; }

    /// <summary>The committed time from which it admits no transaction (Unix ms); null for a count-only policy.</summary>
    public long? DueAtMs { get; }

    /// <summary>The latest committed time seen (Unix ms).</summary>
    public long LastClockMs { get; private set; }

    /// <summary>Where the cycle is.</summary>
    public SettlementCycleState State { get; private set; }

    /// <summary>Why it stopped admitting transactions; <see cref="CycleCloseReason.None"/> while open.</summary>
    public CycleCloseReason CloseReason { get; private set; }

    /// <summary>The number of transactions admitted.</summary>
    public int StartedCount { get; private set; }

    /// <summary>The number of admitted transactions not finished yet.</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>The number of admitted transactions that failed or were cancelled.</summary>
    public int AbandonedCount => _abandoned.Count;

    /// <summary>The committed gross obligations so far, in the order they finished.</summary>
    public IReadOnlyList<GrossObligation> Obligations => _book;

    /// <summary>The netting outcome, once <see cref="Net"/> ran; otherwise null.</summary>
    public NettingOutcome? Outcome { get; private set; }

    /// <summary>The report while the cycle is <see cref="SettlementCycleState.Settled"/>; otherwise null.</summary>
    public CycleReport? Report { get; private set; }

    /// <summary>Whether <paramref name="transactionId"/> was admitted and has not finished.</summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <returns>True when in flight.</returns>
    public bool IsInFlight(Hash256 transactionId) => _inFlight.Contains(transactionId);

    /// <summary>
    /// Asks to start a netting-mode transaction at committed time <paramref name="nowMs"/>. Admitted only while the
    /// cycle is open; a time at or past the due time closes the cycle first (and the transaction is refused with
    /// <see cref="CycleResultCode.CycleClosed"/>). Admitting the policy's last transaction closes the cycle.
    /// </summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <param name="nowMs">The committed time (Unix ms), not earlier than <see cref="LastClockMs"/>.</param>
    /// <returns><see cref="CycleResultCode.Ok"/>, <see cref="CycleResultCode.AlreadyStarted"/>,
    /// <see cref="CycleResultCode.AlreadyFinished"/>, or why it was refused.</returns>
    public CycleResult TryStart(Hash256 transactionId, long nowMs)
    {
        var before = State;
        if (transactionId.IsZero)
        {
            return Result(CycleResultCode.InvalidTransactionId, before);
        }

        // Repeats are answered before the clock is looked at: a duplicated message may carry an older time.
        if (_inFlight.Contains(transactionId))
        {
            return Result(CycleResultCode.AlreadyStarted, before);
        }

        if (_abandoned.Contains(transactionId) || _book.TryGet(transactionId, out _))
        {
            return Result(CycleResultCode.AlreadyFinished, before);
        }

        if (!Advance(nowMs))
        {
            return Result(CycleResultCode.ClockRegressed, before);
        }

        if (State != SettlementCycleState.Open)
        {
            return Result(CycleResultCode.CycleClosed, before);
        }

        if (_inFlight.Count >= Policy.MaxInFlightTransactions)
        {
            return Result(CycleResultCode.InFlightLimitReached, before);
        }

        _inFlight.Add(transactionId);
        StartedCount++;
        if (StartedCount >= Policy.MaxTransactionsPerCycle)
        {
            BeginClosing(CycleCloseReason.TransactionCount);
        }

        return Result(CycleResultCode.Ok, before);
    }

    /// <summary>
    /// An in-flight transaction reached the tentative state: its gross obligation enters the cycle. The last finish of
    /// a closing cycle makes it ready to net.
    /// </summary>
    /// <param name="obligation">The obligation; its <see cref="GrossObligation.TransactionId"/> names the transaction.</param>
    /// <returns><see cref="CycleResultCode.Ok"/>, <see cref="CycleResultCode.AlreadyFinished"/> for an identical repeat, or why it was refused.</returns>
    public CycleResult Finish(GrossObligation obligation)
    {
        var before = State;
        var transactionId = obligation.TransactionId;
        if (!_inFlight.Contains(transactionId))
        {
            return Result(FinishedOutcome(transactionId, obligation), before);
        }

        if (obligation.Payer == Id.Intermediary || obligation.Payee == Id.Intermediary)
        {
            return Result(CycleResultCode.ObligationRefused, before, ObligationCode.IntermediaryAsParticipant);
        }

        var code = _book.Add(obligation);
        if (code != ObligationCode.Ok)
        {
            return Result(CycleResultCode.ObligationRefused, before, code);
        }

        _inFlight.Remove(transactionId);
        ReadyIfDrained();
        return Result(CycleResultCode.Ok, before);
    }

    /// <summary>An in-flight transaction failed or was cancelled (Alg. 12): it leaves no obligation in the cycle.</summary>
    /// <param name="transactionId">The cross-chain transaction.</param>
    /// <returns><see cref="CycleResultCode.Ok"/>, <see cref="CycleResultCode.AlreadyFinished"/> for a repeat, or why it was refused.</returns>
    public CycleResult Abandon(Hash256 transactionId)
    {
        var before = State;
        if (!_inFlight.Remove(transactionId))
        {
            return Result(FinishedOutcome(transactionId, null), before);
        }

        _abandoned.Add(transactionId);
        ReadyIfDrained();
        return Result(CycleResultCode.Ok, before);
    }

    /// <summary>A committed time (e.g. a new block's time): closes the cycle when it reaches the due time.</summary>
    /// <param name="nowMs">The committed time (Unix ms), not earlier than <see cref="LastClockMs"/>.</param>
    /// <returns><see cref="CycleResultCode.Ok"/> (with <see cref="CycleResult.StateChanged"/> when it closed the cycle) or <see cref="CycleResultCode.ClockRegressed"/>.</returns>
    public CycleResult Tick(long nowMs)
    {
        var before = State;
        return Result(Advance(nowMs) ? CycleResultCode.Ok : CycleResultCode.ClockRegressed, before);
    }

    /// <summary>Stops admitting transactions now, before the policy would (e.g. an operator, or a participant leaving).</summary>
    /// <returns><see cref="CycleResultCode.Ok"/>; <see cref="CycleResult.StateChanged"/> tells whether it was open.</returns>
    public CycleResult Close()
    {
        var before = State;
        if (State == SettlementCycleState.Open)
        {
            BeginClosing(CycleCloseReason.Requested);
        }

        return Result(CycleResultCode.Ok, before);
    }

    /// <summary>
    /// Nets the cycle's obligations (Alg. 11 steps 4–14). A balanced outcome settles the cycle and produces its
    /// <see cref="Report"/>; any other puts it under review with the evidence in <see cref="Outcome"/>.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The cycle is not in <see cref="SettlementCycleState.Netting"/>.</exception>
    public NettingOutcome Net(NettingEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (State != SettlementCycleState.Netting)
        {
            throw new InvalidOperationException($"Cycle {Id} is {State}; it can be netted only once, in the Netting state.");
        }

        var outcome = engine.Net(Id, _book);
        Outcome = outcome;
        if (outcome.IsBalanced)
        {
            Report = CycleReport.Create(outcome, _book.ComputeDigest());
            State = SettlementCycleState.Settled;
        }
        else
        {
            State = SettlementCycleState.UnderReview;
        }

        return outcome;
    }

    /// <summary>
    /// The balanced result could not be committed (Alg. 11 step 14; e.g. the intermediary's account chain refused the
    /// net postings because a net debtor lacks the balance): flags the settled cycle for manual review. Nothing was
    /// committed, so <see cref="Report"/> is cleared; <see cref="Outcome"/> keeps the result that could not be posted.
    /// </summary>
    /// <returns><see cref="CycleResultCode.Ok"/>; <see cref="CycleResult.StateChanged"/> is false when the cycle was already under review.</returns>
    /// <exception cref="InvalidOperationException">The cycle is neither <see cref="SettlementCycleState.Settled"/> nor <see cref="SettlementCycleState.UnderReview"/>.</exception>
    public CycleResult FlagForReview()
    {
        var before = State;
        if (State is not (SettlementCycleState.Settled or SettlementCycleState.UnderReview))
        {
            throw new InvalidOperationException($"Cycle {Id} is {State}; only a netted cycle can be flagged for review.");
        }

        State = SettlementCycleState.UnderReview;
        Report = null;
        return Result(CycleResultCode.Ok, before);
    }

    /// <summary>
    /// Opens the following cycle. After a due-time close it opens at the start of the period that holds
    /// <see cref="LastClockMs"/> (periods stay aligned; idle periods are skipped); after any other close it opens at
    /// <see cref="LastClockMs"/>.
    /// </summary>
    /// <returns>The new, open cycle with the same policy.</returns>
    /// <exception cref="InvalidOperationException">This cycle is still open.</exception>
    public SettlementCycle Next()
    {
        if (State == SettlementCycleState.Open)
        {
            throw new InvalidOperationException($"Cycle {Id} is still open; close it before opening the next.");
        }

        long opensAtMs = CloseReason == CycleCloseReason.DueTime && DueAtMs is { } due && Policy.PeriodMs is { } period
            ? due + ((LastClockMs - due) / period * period)
            : LastClockMs;
        return new SettlementCycle(Id.Following(), Policy, opensAtMs);
    }

    /// <summary>The outcome of a finish or abandon for a transaction that is not in flight.</summary>
    /// <summary>Snapshot of the whole cycle (<see cref="NettingSnapshot"/>).</summary>
    internal void WriteSnapshot(ref CanonicalWriter writer) => NettingSnapshot.WriteCycleFields(ref writer, this, _inFlight, _abandoned);

    /// <summary>Reads a cycle <see cref="WriteSnapshot"/> wrote, checking it against the cycle's invariants.</summary>
    internal static SettlementCycle ReadSnapshot(ref CanonicalReader reader)
    {
        long offset = reader.Consumed;
        var f = NettingSnapshot.ReadCycleFields(ref reader);
        SettlementCycle cycle;
        try
        {
            cycle = new SettlementCycle(f.Id, f.Policy, f.OpensAtMs);
        }
        catch (ArgumentException e)
        {
            throw NettingCodec.Invalid(offset, "settlement cycle", e);
        }

        cycle.LastClockMs = f.LastClockMs;
        cycle.State = f.State;
        cycle.CloseReason = f.CloseReason;
        cycle.StartedCount = f.StartedCount;
        foreach (var obligation in f.Book)
        {
            if (cycle._book.Add(obligation) != ObligationCode.Ok)
            {
                throw NettingCodec.Invalid(offset, "settlement cycle (its book)");
            }
        }

        foreach (var id in f.InFlight)
        {
            cycle._inFlight.Add(id);
        }

        foreach (var id in f.Abandoned)
        {
            if (cycle._inFlight.Contains(id) || cycle._book.TryGet(id, out _) || !cycle._abandoned.Add(id))
            {
                throw NettingCodec.Invalid(offset, "settlement cycle (a transaction in two sets)");
            }
        }

        bool netted = f.State is SettlementCycleState.Settled or SettlementCycleState.UnderReview;
        if (f.InFlight.Any(id => cycle._book.TryGet(id, out _)) || (f.State >= SettlementCycleState.Netting && cycle._inFlight.Count > 0)
            || (f.Outcome is not null) != netted || (f.Report is not null && f.State != SettlementCycleState.Settled))
        {
            throw NettingCodec.Invalid(offset, "settlement cycle (state)");
        }

        cycle.Outcome = f.Outcome;
        cycle.Report = f.Report;
        return cycle;
    }

    private CycleResultCode FinishedOutcome(Hash256 transactionId, GrossObligation? obligation)
    {
        if (_book.TryGet(transactionId, out var recorded))
        {
            return obligation == recorded ? CycleResultCode.AlreadyFinished : CycleResultCode.ConflictingOutcome;
        }

        if (_abandoned.Contains(transactionId))
        {
            return obligation is null ? CycleResultCode.AlreadyFinished : CycleResultCode.ConflictingOutcome;
        }

        return CycleResultCode.UnknownTransaction;
    }

    /// <summary>Takes a committed time; false when it is earlier than one seen. Closes the cycle at its due time.</summary>
    private bool Advance(long nowMs)
    {
        if (nowMs < LastClockMs)
        {
            return false;
        }

        LastClockMs = nowMs;
        if (State == SettlementCycleState.Open && nowMs >= DueAtMs)
        {
            BeginClosing(CycleCloseReason.DueTime);
        }

        return true;
    }

    private void BeginClosing(CycleCloseReason reason)
    {
        State = SettlementCycleState.Closing;
        CloseReason = reason;
        ReadyIfDrained();
    }

    private void ReadyIfDrained()
    {
        if (State == SettlementCycleState.Closing && _inFlight.Count == 0)
        {
            State = SettlementCycleState.Netting;
        }
    }

    private CycleResult Result(CycleResultCode code, SettlementCycleState before, ObligationCode obligation = ObligationCode.Ok) =>
        new(code, State, State != before, obligation);
}
