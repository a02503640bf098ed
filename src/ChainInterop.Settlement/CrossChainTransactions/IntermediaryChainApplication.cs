using System.Buffers;
using System.Buffers.Binary;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Netting;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// The cross-chain transaction role of an intermediary chain (ICC): the deterministic application of its account
/// chain (ABC), executed by the ABC's validators on committed entries (docs/SETTLEMENT.md). It holds one account per
/// linked PPC and a clearing account; leg 1 is PPC1 → clearing, leg 2 clearing → PPC2. Every message to or from a PPC
/// passes through that PPC's trading chain (TBC, <see cref="TradingChainApplication"/>), which records the PPC's
/// transactions; balances move only here. Time1 is judged on the ICC's committed block time, and the
/// first committed decision (commit or cancel) wins: later ones re-emit it.
/// </summary>
/// <remarks>
/// <para>Netting mode (Alg. 11): a netting request joins the current open <see cref="Cycle"/>; an accepted transaction
/// becomes <see cref="CrossChainTransactionState.Tentative"/>, its <see cref="GrossObligation"/> is finished in the
/// cycle that admitted it, and leg 1 stays reserved (leg 2 is never reserved: the clearing account holds nothing until
/// the nets are posted). When the current cycle closes (due time on the committed clock, its transaction-count policy,
/// <see cref="MaxTransactionsPerNettingCycle"/>, or a <see cref="CloseCycle"/>), the next one opens at once, so new
/// requests are never refused for a closing cycle; the closed one waits in <see cref="ClosedCycles"/> until its
/// in-flight transactions finish (accepted, refused, or cancelled by Time1).</para>
/// <para>Cycle end, on the ICC's own <see cref="Tick"/> or <see cref="CloseCycle"/> entry, for each closed cycle with
/// nothing in flight: net it; if balanced, apply ONE all-or-nothing group on the ABC that voids every leg 1 reservation
/// of the cycle and posts the CCP instructions (net debtors pay the clearing account, the clearing account pays net
/// creditors), so the ABC moves exactly the nets; then mark every transaction Committed and send
/// <see cref="TransferCommitted"/> to both PPCs through their TBCs (which record the trade), which post their pending legs as in real time. If the
/// netting fails its checks, or the ABC refuses the group, nothing moves, the transactions stay tentative and the cycle
/// is flagged for review (<see cref="CyclesUnderReview"/>).</para>
/// </remarks>
public sealed class IntermediaryChainApplication
{
    /// <summary>The most transactions the ICC remembers, in transactions.</summary>
    public const int MaxTransactions = 1_000_000;

    /// <summary>
    /// The most transactions one settlement cycle admits on this ICC, in transactions: admitting this many closes the
    /// cycle, whatever its policy, so its cycle-end group (one void per transaction plus at most two net postings per
    /// transaction) stays within <see cref="AccountLedger.MaxCommandsPerBlock"/>.
    /// </summary>
    public const int MaxTransactionsPerNettingCycle = 16_384;

    /// <summary>The most reports <see cref="CompletedCycles"/> keeps (the latest), in reports.</summary>
    public const int MaxRetainedCycleReports = 1_024;

    private const int SnapshotVersion = 1;
    private const int SnapshotFieldCount = 13;
    private const int RecordFieldCount = 13;
    private const int ReviewFieldCount = 10;

    private readonly Dictionary<Hash256, Record> _transactions = [];
    private readonly AdmissionOrder<Record> _undecided = new(); // pending or pre-tentative, in admission order
    private readonly Dictionary<ChainId, AccountId> _links = [];

    // Each linked PPC's TBC, both ways: messages from a PPC arrive from its TBC, and go back through it.
    private readonly Dictionary<ChainId, ChainId> _tradingChainOf = [];
    private readonly Dictionary<ChainId, ChainId> _participantOf = [];
    private readonly Outbox _outbox;
    private readonly Retention _retention;
    private readonly NettingEngine _engine;

    // Closed cycles not netted yet (Closing or Netting), in sequence order. Invariant: every cycle here or under review
    // holds at least one transaction of _transactions, or is settled at the next own entry, so both lists are bounded
    // by MaxTransactions.
    private readonly List<SettlementCycle> _closed = [];
    private readonly List<CycleReview> _reviews = [];
    private readonly List<CycleReport> _completed = [];
    private readonly ulong _firstCycleSequence;

    /// <summary>Creates the application.</summary>
    /// <param name="chain">This ICC.</param>
    /// <param name="ledger">The ABC ledger, with the PPC accounts and the clearing account opened.</param>
    /// <param name="clearingAccount">The ICC's clearing account on the ABC.</param>
    /// <param name="cycle">The first settlement cycle for netting-mode transactions (open, with this ICC as its
    /// intermediary), or null (netting requests then fail with <see cref="TransferFailureReason.CycleRefused"/>).</param>
    /// <param name="engine">The netting engine (a new one when null).</param>
    /// <param name="retentionMs">How long a decided transaction is remembered once both its Time1 and its decision are
    /// this far in the past (committed ms); a request or cancel naming a Time1 that old is a replay and is ignored
    /// (<see cref="CrossChainResultCode.Expired"/>), so forgetting never lets a transaction run twice.</param>
    /// <exception cref="ArgumentNullException"><paramref name="ledger"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="cycle"/> is not open, or belongs to another intermediary.</exception>
    public IntermediaryChainApplication(
        ChainId chain,
        AccountLedger ledger,
        AccountId clearingAccount,
        SettlementCycle? cycle = null,
        NettingEngine? engine = null,
        long retentionMs = ParticipantChainApplication.DefaultRetentionMs)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionMs, 1);
        _retention = new Retention(retentionMs);
        if (cycle is not null && (cycle.State != SettlementCycleState.Open || cycle.Id.Intermediary != chain))
        {
            throw new ArgumentException($"The first cycle must be open and belong to {chain}; {cycle.Id} is {cycle.State}.", nameof(cycle));
        }

        Chain = chain;
        Ledger = ledger;
        ClearingAccount = clearingAccount;
        Cycle = cycle;
        _firstCycleSequence = cycle?.Id.Sequence ?? 0;
        _engine = engine ?? new NettingEngine();
        _outbox = new Outbox(chain);
    }

    /// <summary>This ICC.</summary>
    public ChainId Chain { get; }

    /// <summary>The ABC ledger (a new instance after <see cref="RestoreSnapshot"/>: read it through this property).</summary>
    public AccountLedger Ledger { get; private set; }

    /// <summary>The clearing account on the ABC.</summary>
    public AccountId ClearingAccount { get; }

    /// <summary>The current settlement cycle, the open one new netting-mode transactions join; null when the ICC runs none.</summary>
    public SettlementCycle? Cycle { get; private set; }

    /// <summary>
    /// The closed cycles not netted yet, oldest first: <see cref="SettlementCycleState.Closing"/> (transactions still in
    /// flight) or <see cref="SettlementCycleState.Netting"/> (settled at the ICC's next <see cref="Tick"/> or <see cref="CloseCycle"/>).
    /// </summary>
    public IReadOnlyList<SettlementCycle> ClosedCycles => _closed;

    /// <summary>
    /// The reports of the cycles whose nets were posted, oldest first (cycles with no obligation are not listed; the
    /// latest <see cref="MaxRetainedCycleReports"/> are kept): gross and net count and value, liquidity saved per asset.
    /// </summary>
    public IReadOnlyList<CycleReport> CompletedCycles => _completed;

    /// <summary>The cycles flagged for manual review at their end (Alg. 11 step 14), oldest first, with the evidence.</summary>
    public IReadOnlyList<CycleReview> CyclesUnderReview => _reviews;

    /// <summary>Links a PPC: its ABC account (one per PPC, holding the assets it may settle) and its TBC.</summary>
    /// <param name="participant">The PPC.</param>
    /// <param name="abcAccount">Its account on the ABC.</param>
    /// <param name="tradingChain">The TBC its messages pass through.</param>
    /// <exception cref="ArgumentException">The TBC links another PPC, or an id is this chain's.</exception>
    public void Link(ChainId participant, AccountId abcAccount, ChainId tradingChain)
    {
        if (participant == Chain || tradingChain == Chain || participant == tradingChain
            || (_participantOf.TryGetValue(tradingChain, out var linked) && linked != participant))
        {
            throw new ArgumentException($"{Chain} cannot link {participant} through {tradingChain}.", nameof(tradingChain));
        }

        if (_tradingChainOf.Remove(participant, out var previous))
        {
            _participantOf.Remove(previous);
        }

        _links[participant] = abcAccount;
        _tradingChainOf.Add(participant, tradingChain);
        _participantOf.Add(tradingChain, participant);
    }

    /// <summary>The TBC a linked PPC's messages pass through, if it is linked.</summary>
    /// <param name="participant">The PPC.</param>
    /// <returns>The TBC, or null.</returns>
    public ChainId? TradingChainOf(ChainId participant) => _tradingChainOf.TryGetValue(participant, out var tbc) ? tbc : null;

    /// <summary>The ledger id of ABC leg 1 (PPC1 → clearing) or leg 2 (clearing → PPC2).</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="leg">1 or 2.</param>
    /// <returns>The reservation id.</returns>
    public static TransferId LegId(Hash256 transactionId, int leg) => LegIds.Of(transactionId, leg == 1 ? "abc1" : "abc2");

    /// <summary>The transaction's state on the ICC, if known.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The state or null.</returns>
    public CrossChainTransactionState? GetState(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var r) ? r.State : null;

    /// <summary>The settlement cycle a netting-mode transaction was admitted to, if any.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The cycle's id, or null for an unknown, real-time or refused transaction.</returns>
    public CycleId? GetCycleOf(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var r) ? r.CycleId : null;

    /// <summary>
    /// Writes the application's replicated state (the ABC ledger, links, TBC records, transactions, outbox counters,
    /// retention memory and settlement cycles with their reviews and reports), deterministically: copies that executed
    /// the same entries write the same bytes. The netting engine and the first cycle's sequence given to the
    /// constructor are configuration, not state.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new CanonicalWriter(output);
        SnapshotCodec.WriteHeader(ref w, SnapshotFieldCount, SnapshotVersion, Chain);
        w.WriteBinary(Ledger.ExportSnapshot());
        w.WriteArrayHeader(_links.Count);
        foreach (var (participant, account) in _links)
        {
            // In the dictionary's own order: links are never removed, so inserting them in this order reproduces it.
            w.WriteArrayHeader(3);
            w.WriteChainId(participant);
            w.WriteAccountId(account);
            w.WriteChainId(_tradingChainOf[participant]);
        }

        w.WriteArrayHeader(_transactions.Count);
        foreach (var (_, r) in _transactions.OrderBy(kv => kv.Key))
        {
            r.Write(ref w);
        }

        _undecided.Write(ref w);
        _outbox.Write(ref w);
        _retention.Write(ref w);
        if (Cycle is null)
        {
            w.WriteNil();
        }
        else
        {
            NettingSnapshot.WriteCycle(ref w, Cycle);
        }

        w.WriteArrayHeader(_closed.Count);
        foreach (var cycle in _closed)
        {
            NettingSnapshot.WriteCycle(ref w, cycle);
        }

        w.WriteArrayHeader(_reviews.Count);
        foreach (var review in _reviews)
        {
            WriteReview(ref w, review);
        }

        w.WriteArrayHeader(_completed.Count);
        foreach (var report in _completed)
        {
            report.Encode(ref w);
        }
    }

    /// <summary>
    /// Replaces the state with one <see cref="WriteSnapshot"/> wrote on an application of the same chain. The bytes
    /// are checked, not trusted (the ledger's and the cycles' invariants included); when this throws, nothing changed.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a snapshot of this chain's application.</exception>
    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        SnapshotCodec.ReadHeader(ref r, SnapshotFieldCount, SnapshotVersion, Chain, "intermediary chain");
        long offset;
        var ledger = AccountLedger.ImportSnapshot(r.ReadBinaryArray());
        var links = new List<(ChainId Participant, AccountId Account, ChainId TradingChain)>();
        var tradingChains = new HashSet<ChainId>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(3);
            var link = (r.ReadChainId(), r.ReadAccountId(), r.ReadChainId());
            if (!tradingChains.Add(link.Item3) || links.Any(l => l.Participant == link.Item1))
            {
                throw SnapshotCodec.Invalid(offset, "links (a participant or a trading chain twice)");
            }

            links.Add(link);
        }

        // The cycles follow the records in the bytes; read the records with a deferred lookup and bind them after.
        var transactions = new Dictionary<Hash256, Record>();
        var liveCycles = new Dictionary<CycleId, SettlementCycle>();
        var unbound = new List<(Record Record, CycleId Cycle)>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            offset = r.Consumed;
            var record = Record.Read(ref r);
            if (!transactions.TryAdd(record.Id, record))
            {
                throw SnapshotCodec.Invalid(offset, "a transaction twice");
            }

            if (record.CycleId is { } cycleId)
            {
                unbound.Add((record, cycleId));
            }
        }

        var undecided = AdmissionOrder<Record>.Read(ref r, id => transactions.GetValueOrDefault(id));
        var outbox = Outbox.Read(ref r);
        var retention = Retention.Read(ref r);
        var current = r.TryReadNil() ? null : NettingSnapshot.ReadCycle(ref r);
        var closed = new List<SettlementCycle>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            closed.Add(NettingSnapshot.ReadCycle(ref r));
        }

        var reviews = new List<CycleReview>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            reviews.Add(ReadReview(ref r));
        }

        var completed = new List<CycleReport>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            completed.Add(CycleReport.Decode(ref r));
        }

        offset = r.Consumed;
        r.EnsureEnd();
        foreach (var cycle in closed.Prepend(current).OfType<SettlementCycle>())
        {
            if (cycle.Id.Intermediary != Chain || !liveCycles.TryAdd(cycle.Id, cycle))
            {
                throw SnapshotCodec.Invalid(offset, "settlement cycles");
            }
        }

        foreach (var (record, cycleId) in unbound)
        {
            record.Bind(liveCycles.GetValueOrDefault(cycleId));
            if (record.Cycle is null && record.State == CrossChainTransactionState.Pending && record.Timing == SettlementTiming.Netting)
            {
                throw SnapshotCodec.Invalid(offset, "an undecided transaction of a netted cycle");
            }
        }

        Ledger = ledger;
        _links.Clear();
        _tradingChainOf.Clear();
        _participantOf.Clear();
        foreach (var (participant, account, tradingChain) in links)
        {
            _links[participant] = account;
            _tradingChainOf.Add(participant, tradingChain);
            _participantOf.Add(tradingChain, participant);
        }

        _transactions.Clear();
        foreach (var (id, record) in transactions)
        {
            _transactions.Add(id, record);
        }

        _undecided.Restore(undecided);
        _outbox.Restore(outbox);
        _retention.Restore(retention);
        Cycle = current;
        _closed.Clear();
        _closed.AddRange(closed);
        _reviews.Clear();
        _reviews.AddRange(reviews);
        _completed.Clear();
        _completed.AddRange(completed);
    }

    private static void WriteReview(ref CanonicalWriter w, CycleReview review)
    {
        w.WriteArrayHeader(ReviewFieldCount);
        review.Cycle.Encode(ref w);
        w.WriteUInt32((uint)review.Reason);
        NettingSnapshot.WriteOptionalOutcome(ref w, review.Outcome);
        NettingSnapshot.WriteOptionalOutcome(ref w, review.Renet);
        if (review.Instructions is { } instructions)
        {
            instructions.Encode(ref w);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteUInt32((uint)review.LedgerCode);
        if (review.FailedTransaction is { } failed)
        {
            w.WriteHash256(failed);
        }
        else
        {
            w.WriteNil();
        }

        if (review.FailedInstruction is { } instruction)
        {
            instruction.Encode(ref w);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteArrayHeader(review.Transactions.Count);
        foreach (var tx in review.Transactions)
        {
            w.WriteHash256(tx);
        }

        w.WriteInt64(review.FlaggedAtMs);
    }

    private static CycleReview ReadReview(ref CanonicalReader r)
    {
        r.ReadArrayHeader(ReviewFieldCount);
        var cycle = CycleId.Decode(ref r);
        var reason = SnapshotCodec.ReadEnum<CycleReviewReason>(ref r, "review reason");
        long offset = r.Consumed;
        var outcome = NettingSnapshot.ReadOptionalOutcome(ref r) ?? throw SnapshotCodec.Invalid(offset, "a review without its outcome");
        var renet = NettingSnapshot.ReadOptionalOutcome(ref r);
        var instructions = r.TryReadNil() ? null : SettlementInstructionSet.Decode(ref r);
        var ledgerCode = SnapshotCodec.ReadEnum<LedgerResultCode>(ref r, "ledger code");
        Hash256? failed = r.TryReadNil() ? null : r.ReadHash256();
        SettlementInstruction? instruction = r.TryReadNil() ? null : SettlementInstruction.Decode(ref r);
        int count = r.ReadArrayHeader();
        var transactions = new Hash256[count];
        for (int i = 0; i < count; i++)
        {
            transactions[i] = r.ReadHash256();
        }

        return new CycleReview(cycle, reason, outcome, renet, instructions, ledgerCode, failed, instruction, transactions, r.ReadInt64());
    }

    /// <summary>
    /// Executes the ICC's own committed <see cref="Tick"/>: cancels every undecided transaction past Time1 (Alg. 12);
    /// then, in netting mode, closes the current cycle if the committed clock reached its due time (opening the next)
    /// and settles every closed cycle with nothing in flight (Alg. 11).
    /// </summary>
    /// <param name="tick">The entry.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome (<see cref="CrossChainResultCode.CycleUnderReview"/> when a cycle was flagged, with the
    /// ledger's refusal in <see cref="CrossChainExecution.LedgerCode"/>) and the decisions to relay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tick"/> is null.</exception>
    public CrossChainExecution Execute(Tick tick, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(tick);
        _retention.Prune(blockTimeMs, _transactions);
        var outbound = new List<CrossChainMessage>();
        foreach (var r in _undecided.Values.Where(r => Cancellable(r, blockTimeMs)).ToList())
        {
            outbound.AddRange(Cancel(r, CrossChainTransactionState.Cancelled, TransferFailureReason.TimedOut, blockTimeMs).Outbound);
        }

        var ledgerCode = LedgerResultCode.Ok;
        bool flagged = false;
        if (Cycle is not null)
        {
            Cycle.Tick(blockTimeMs);
            RollCycle();
            SettleReady(blockTimeMs, outbound, ref ledgerCode, ref flagged);
        }

        return new CrossChainExecution(flagged ? CrossChainResultCode.CycleUnderReview : CrossChainResultCode.Ok,
            Hash256.Zero, null, TransferFailureReason.None, ledgerCode, outbound);
    }

    /// <summary>
    /// Executes the ICC's own committed <see cref="CloseCycle"/> (Alg. 11 steps 1–3, 12–14): closes cycle
    /// <see cref="CloseCycle.CycleSequence"/> if it is the current open one (opening the next), then settles every closed
    /// cycle with nothing in flight, as a <see cref="Tick"/> does. A replayed or duplicated close changes nothing.
    /// </summary>
    /// <param name="close">The entry.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns><see cref="CrossChainResultCode.Ok"/> when it closed or settled a cycle, <see cref="CrossChainResultCode.AlreadyApplied"/>
    /// when nothing changed, <see cref="CrossChainResultCode.CycleUnderReview"/> when a cycle was flagged (the ledger's
    /// refusal in <see cref="CrossChainExecution.LedgerCode"/>), or <see cref="CrossChainResultCode.UnknownCycle"/> for a
    /// cycle not opened yet (or an ICC without cycles); and the decisions to relay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="close"/> is null.</exception>
    public CrossChainExecution Execute(CloseCycle close, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(close);
        if (Cycle is null || close.CycleSequence > Cycle.Id.Sequence || close.CycleSequence < _firstCycleSequence)
        {
            return Plain(CrossChainResultCode.UnknownCycle, Hash256.Zero);
        }

        var cycle = Cycle;
        cycle.Tick(blockTimeMs);
        if (close.CycleSequence == cycle.Id.Sequence)
        {
            cycle.Close();
        }

        RollCycle();
        var outbound = new List<CrossChainMessage>();
        var ledgerCode = LedgerResultCode.Ok;
        bool flagged = false;
        int netted = SettleReady(blockTimeMs, outbound, ref ledgerCode, ref flagged);
        var code = flagged ? CrossChainResultCode.CycleUnderReview
            : cycle != Cycle || netted > 0 ? CrossChainResultCode.Ok : CrossChainResultCode.AlreadyApplied;
        return new CrossChainExecution(code, Hash256.Zero, null, TransferFailureReason.None, ledgerCode, outbound);
    }

    /// <summary>Executes a delivered cross-chain message from a PPC (already checked against the PPC's validators).</summary>
    /// <param name="message">The delivered message.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms): the clock Time1 is judged on.</param>
    /// <returns>The outcome and the messages to relay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public CrossChainExecution Execute(CrossChainMessage message, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TransferMessage.TryDecode(message.Payload, out var payload))
        {
            return Plain(CrossChainResultCode.Malformed, Hash256.Zero);
        }

        if (message.Destination != Chain)
        {
            return Plain(CrossChainResultCode.Malformed, payload.TransactionId);
        }

        // A PPC speaks through its TBC: the TBC's chain delivered it, and it names the PPC.
        if (!_participantOf.TryGetValue(message.Source, out var source))
        {
            return Plain(CrossChainResultCode.VerificationFailed, payload.TransactionId);
        }

        if (payload is TransferRequest request)
        {
            return OnRequest(source, request, blockTimeMs);
        }

        if (!_transactions.TryGetValue(payload.TransactionId, out var r))
        {
            if (payload is CancelRequest stale && _retention.IsExpired(stale.Time1Ms, blockTimeMs))
            {
                // We may have decided this transaction and forgotten it: a tombstone could contradict that decision.
                // PPC1 keeps waiting for the decision, which its relay is still delivering.
                return Plain(CrossChainResultCode.Expired, payload.TransactionId);
            }

            if (payload is CancelRequest cancel && _links.ContainsKey(source) && !payload.TransactionId.IsZero && _transactions.Count < MaxTransactions)
            {
                // Alg. 12: PPC1's Time1 passed and its request never reached us. Deciding "cancelled" now (a tombstone
                // without legs) makes a late copy of the request a no-op, so PPC1 can void its leg safely.
                var tomb = Record.Tombstone(payload.TransactionId, source, cancel.Time1Ms);
                _transactions.Add(tomb.Id, tomb);
                _retention.Decided(tomb.Id, tomb.Time1Ms, blockTimeMs);
                return Result(CrossChainResultCode.Cancelled, tomb, LedgerResultCode.Ok, DecisionMessages(tomb));
            }

            if (payload is CancelRequest && _links.ContainsKey(source) && !payload.TransactionId.IsZero)
            {
                // No room for a tombstone: still answer, so PPC1 can release its leg (a late request will be refused too).
                return RefuseUnrecorded(source, payload.TransactionId, CrossChainResultCode.LedgerRefused, TransferFailureReason.TimedOut);
            }

            return Plain(payload is TransferAccept or TransferReject or CancelRequest ? CrossChainResultCode.UnknownTransaction : CrossChainResultCode.Malformed, payload.TransactionId);
        }

        return payload switch
        {
            TransferAccept a when source == r.PayeeChain => OnAccept(r, a, blockTimeMs),
            // PPC2's first answer is final: a reject after an accepted netting transaction (already in the cycle's
            // book) is refused, or the cycle would settle a transfer whose legs were voided.
            TransferReject when source == r.PayeeChain => Decided(r)
                ?? (r.State == CrossChainTransactionState.Tentative && r.Timing == SettlementTiming.Netting
                    ? Result(CrossChainResultCode.AwaitingCycleEnd, r, LedgerResultCode.Ok, [])
                    : Cancel(r, CrossChainTransactionState.Failed, PayeeReason(((TransferReject)payload).Reason), blockTimeMs)),
            CancelRequest when source == r.PayerChain => Decided(r) ?? (Cancellable(r, blockTimeMs)
                ? Cancel(r, CrossChainTransactionState.Cancelled, TransferFailureReason.TimedOut, blockTimeMs)
                : Result(r.State == CrossChainTransactionState.Tentative && r.Timing == SettlementTiming.Netting ? CrossChainResultCode.AwaitingCycleEnd : CrossChainResultCode.NotYetDue, r, LedgerResultCode.Ok, [])),
            TransferAccept or TransferReject or CancelRequest => Result(CrossChainResultCode.VerificationFailed, r, LedgerResultCode.Ok, []),
            _ => Plain(CrossChainResultCode.Malformed, payload.TransactionId),
        };
    }

    private CrossChainExecution OnRequest(ChainId source, TransferRequest q, long now)
    {
        if (_transactions.TryGetValue(q.TransactionId, out var known))
        {
            if (known.PayerChain != source)
            {
                // Another chain already used this id (or planted a tombstone for it): refuse, but answer the requester
                // so it releases its pending leg; the known transaction is untouched.
                return RefuseUnrecorded(source, q.TransactionId, CrossChainResultCode.VerificationFailed, TransferFailureReason.VerificationFailed);
            }

            // A retry: re-emit what PPC1 (or PPC2) may have lost.
            return Decided(known) ?? Result(CrossChainResultCode.AlreadyApplied, known, LedgerResultCode.Ok, [Offer(known)]);
        }

        if (_retention.IsExpired(q.Time1Ms, now))
        {
            // A replay of a request we may have decided and forgotten: leave it unanswered (the decision is on its way).
            return Plain(CrossChainResultCode.Expired, q.TransactionId);
        }

        // Alg. 4 verification: the request comes from the PPC it names, both PPCs are linked, the content is sound.
        if (q.TransactionId.IsZero || q.PayerChain != source || !_links.TryGetValue(q.PayerChain, out var payerAccount) || !q.Amount.IsPositive)
        {
            // Not a request a linked PPC sent about its own transfer: nobody to answer.
            return Plain(CrossChainResultCode.VerificationFailed, q.TransactionId);
        }

        if (_transactions.Count >= MaxTransactions)
        {
            // Full: refuse, and say so, so PPC1 never waits on a leg nobody will decide.
            return RefuseUnrecorded(source, q.TransactionId, CrossChainResultCode.LedgerRefused, TransferFailureReason.LedgerRefused);
        }

        // A bank this ICC does not link, or an asset no linked bank holds here: refuse at once, so PPC1 releases its leg
        // now, not at Time1. The refusal is recorded (a decided record without PPC2): a later copy of the request, even
        // after the bank or the asset joined, is answered with the same decision and never reserves anything.
        bool payeeLinked = _links.TryGetValue(q.PayeeChain, out var payeeAccount);
        var refusal = q.PayerChain == q.PayeeChain ? TransferFailureReason.VerificationFailed
            : !payeeLinked ? TransferFailureReason.UnknownParticipant
            : !IsSupported(q.Asset) ? TransferFailureReason.UnsupportedAsset
            : TransferFailureReason.None;
        if (refusal != TransferFailureReason.None)
        {
            var refused = Record.Refused(q.TransactionId, source, q.Time1Ms, refusal);
            _transactions.Add(refused.Id, refused);
            _retention.Decided(refused.Id, refused.Time1Ms, now);
            var code = refusal == TransferFailureReason.UnsupportedAsset ? CrossChainResultCode.NoAssociatedAsset : CrossChainResultCode.VerificationFailed;
            return Result(code, refused, LedgerResultCode.Ok, DecisionMessages(refused));
        }

        var r = new Record(q, payeeAccount);
        _transactions.Add(r.Id, r);
        if (q.Timing == SettlementTiming.Netting && !(Ledger.TryGetAccount(payeeAccount, out var payeeInfo) && payeeInfo.Assets.Contains(q.Asset)))
        {
            // Real time finds this when it reserves leg 2; netting reserves no leg 2, and a net credit the ABC cannot
            // post at the cycle end would hold the whole cycle under review: refuse the transaction now (Alg. 4).
            return Refuse(r, TransferFailureReason.NoAssociatedAsset, CrossChainResultCode.NoAssociatedAsset, LedgerResultCode.NoAssociatedAsset, now);
        }

        if (q.Timing == SettlementTiming.Netting && (r.Cycle = Admit(r.Id, now)) is null)
        {
            return Refuse(r, TransferFailureReason.CycleRefused, CrossChainResultCode.LedgerRefused, LedgerResultCode.Ok, now);
        }

        var leg1 = Ledger.Apply(new ReserveCommand(LegId(r.Id, 1), payerAccount, ClearingAccount, q.Asset, q.Amount, long.MaxValue), now);
        if (leg1.Code != LedgerResultCode.Ok)
        {
            r.Cycle?.Abandon(r.Id);
            var code = leg1.Code switch
            {
                LedgerResultCode.NoAssociatedAsset => CrossChainResultCode.NoAssociatedAsset,
                LedgerResultCode.InsufficientAssets => CrossChainResultCode.InsufficientAssets,
                _ => CrossChainResultCode.LedgerRefused,
            };
            return Refuse(r, ParticipantChainApplication.Reason(leg1.Code), code, leg1.Code, now);
        }

        r.HasLeg1 = true;
        r.State = q.Timing == SettlementTiming.Netting ? CrossChainTransactionState.PreTentative : CrossChainTransactionState.Tentative;
        _undecided.Add(r.Id, r);
        var outbound = new List<CrossChainMessage>();
        if (q.AckMode == AckMode.ModeII)
        {
            outbound.Add(_outbox.Make(Via(r.PayerChain), new PendingAck(r.Id)));
        }

        outbound.Add(Offer(r));
        return Result(CrossChainResultCode.Ok, r, LedgerResultCode.Ok, outbound);
    }

    private CrossChainExecution OnAccept(Record r, TransferAccept a, long now)
    {
        if (Decided(r) is { } decided)
        {
            return decided;
        }

        if (r.State == CrossChainTransactionState.Tentative && r.Timing == SettlementTiming.Netting)
        {
            return Result(CrossChainResultCode.AlreadyApplied, r, LedgerResultCode.Ok, []);
        }

        // Proof of ability: PPC2 reserved exactly what was offered.
        if (a.PayeeAccount != r.PayeeAccount || a.Asset != r.Asset || a.Amount != r.Amount)
        {
            return Result(CrossChainResultCode.VerificationFailed, r, LedgerResultCode.Ok, []);
        }

        if (now > r.Time1Ms)
        {
            return Cancel(r, CrossChainTransactionState.Cancelled, TransferFailureReason.TimedOut, now);
        }

        if (r.Timing == SettlementTiming.Netting)
        {
            var finish = r.Cycle!.Finish(new GrossObligation(r.Id, r.PayerChain, r.PayeeChain, r.Asset, r.Amount));
            if (finish.Code != CycleResultCode.Ok)
            {
                return Cancel(r, CrossChainTransactionState.Failed, TransferFailureReason.CycleRefused, now);
            }

            r.State = CrossChainTransactionState.Tentative;
            _undecided.Remove(r.Id);
            return Result(CrossChainResultCode.AwaitingCycleEnd, r, LedgerResultCode.Ok, []);
        }

        // Alg. 10: leg 1 posted into clearing, leg 2 reserved and posted out of it, atomically.
        var linked = new LinkedCommand(
        [
            new PostCommand(LegIds.Of(r.Id, "abc1:post"), LegId(r.Id, 1)),
            new ReserveCommand(LegId(r.Id, 2), ClearingAccount, r.PayeeAccountOnAbc, r.Asset, r.Amount, long.MaxValue),
            new PostCommand(LegIds.Of(r.Id, "abc2:post"), LegId(r.Id, 2)),
        ]);
        var result = Ledger.Apply(linked, now);
        if (result.Code != LedgerResultCode.Ok)
        {
            var code = result.FailedIndex >= 0 ? result.MemberCode(result.FailedIndex) : result.Code;
            var cancelled = Cancel(r, CrossChainTransactionState.Failed, ParticipantChainApplication.Reason(code), now);
            return cancelled with { LedgerCode = code };
        }

        r.State = CrossChainTransactionState.Committed;
        _undecided.Remove(r.Id);
        _retention.Decided(r.Id, r.Time1Ms, now);
        return Result(CrossChainResultCode.Ok, r, LedgerResultCode.Ok, DecisionMessages(r));
    }

    /// <summary>Alg. 12: undecided and past Time1 on the ICC's clock; a netting transaction PPC2 accepted waits for the cycle.</summary>
    private static bool Cancellable(Record r, long now) =>
        now > r.Time1Ms && !(r.Timing == SettlementTiming.Netting && r.State == CrossChainTransactionState.Tentative);

    private CrossChainExecution Cancel(Record r, CrossChainTransactionState state, TransferFailureReason reason, long now)
    {
        var ledgerCode = LedgerResultCode.Ok;
        if (r.HasLeg1)
        {
            ledgerCode = Ledger.Apply(new VoidCommand(LegIds.Of(r.Id, "abc1:void"), LegId(r.Id, 1)), now).Code;
        }

        if (r.Timing == SettlementTiming.Netting)
        {
            r.Cycle?.Abandon(r.Id);
        }

        r.State = state;
        _retention.Decided(r.Id, r.Time1Ms, now);
        r.Reason = reason;
        _undecided.Remove(r.Id);
        return Result(CrossChainResultCode.Cancelled, r, ledgerCode, DecisionMessages(r));
    }

    /// <summary>
    /// Admits a netting transaction to the current cycle, rolling to the next cycle when the current one closes (its due
    /// time, its policy's count, or <see cref="MaxTransactionsPerNettingCycle"/>). Null when refused (in-flight limit).
    /// </summary>
    private SettlementCycle? Admit(Hash256 id, long now)
    {
        if (Cycle is null)
        {
            return null;
        }

        var start = Cycle.TryStart(id, now);
        if (start.Code == CycleResultCode.CycleClosed)
        {
            // The committed clock reached the due time: this cycle is closing; the transaction joins the next one.
            RollCycle();
            start = Cycle.TryStart(id, now);
        }

        var admitted = start.Code == CycleResultCode.Ok ? Cycle : null;
        if (admitted is { State: SettlementCycleState.Open, StartedCount: >= MaxTransactionsPerNettingCycle })
        {
            admitted.Close();
        }

        RollCycle();
        return admitted;
    }

    /// <summary>Once the current cycle stopped admitting, parks it with the closed ones and opens the next.</summary>
    private void RollCycle()
    {
        if (Cycle is { State: not SettlementCycleState.Open } closed)
        {
            _closed.Add(closed);
            Cycle = closed.Next();
        }
    }

    /// <summary>Settles every closed cycle with nothing in flight, oldest first (Alg. 11 steps 4–14). Returns how many it netted.</summary>
    private int SettleReady(long now, List<CrossChainMessage> outbound, ref LedgerResultCode ledgerCode, ref bool flagged)
    {
        int netted = 0;
        for (int i = 0; i < _closed.Count;)
        {
            var cycle = _closed[i];
            if (cycle.State != SettlementCycleState.Netting)
            {
                i++;
                continue;
            }

            _closed.RemoveAt(i);
            netted++;
            var code = Settle(cycle, now, outbound);
            if (code is { } refused)
            {
                flagged = true;
                ledgerCode = ledgerCode == LedgerResultCode.Ok ? refused : ledgerCode;
            }
        }

        return netted;
    }

    /// <summary>
    /// Nets one cycle and commits the result (Alg. 11 step 12), or flags it for review (step 14). Returns null when
    /// settled, else the ledger code that refused it (<see cref="LedgerResultCode.Ok"/> for a netting mismatch).
    /// </summary>
    private LedgerResultCode? Settle(SettlementCycle cycle, long now, List<CrossChainMessage> outbound)
    {
        var obligations = cycle.Obligations;
        var transactions = new Hash256[obligations.Count];
        for (int i = 0; i < transactions.Length; i++)
        {
            transactions[i] = obligations[i].TransactionId;
        }

        var outcome = cycle.Net(_engine);
        if (!outcome.IsBalanced)
        {
            _reviews.Add(new CycleReview(cycle.Id, CycleReviewReason.NettingMismatch, outcome, null, null, LedgerResultCode.Ok, null, null, transactions, now));
            return LedgerResultCode.Ok;
        }

        // One all-or-nothing group: void every leg 1 reservation (the reserved funds become available to pay the net),
        // then the CCP instructions: net debtors pay the clearing account, the clearing account pays net creditors.
        var instructions = outcome.Result.CentralCounterpartyInstructions();
        var group = new List<LedgerCommand>(transactions.Length + instructions.Instructions.Count);
        foreach (var tx in transactions)
        {
            group.Add(new VoidCommand(LegIds.Of(tx, "abc1:void"), LegId(tx, 1)));
        }

        for (int i = 0; i < instructions.Instructions.Count; i++)
        {
            var p = instructions.Instructions[i];
            group.Add(new TransferCommand(CcpTransferId(cycle.Id, i), AbcAccountOf(p.Payer), AbcAccountOf(p.Payee), p.Asset, p.Amount));
        }

        var result = group.Count == 0 ? LedgerResult.Ok : Ledger.ApplyAtomic(group, now);
        if (result.Code != LedgerResultCode.Ok)
        {
            // Alg. 11 step 14: net again from the gross records (kept as evidence: the same numbers mean the failure is
            // in the funding, not the arithmetic), then flag the cycle; nothing moved, the transactions stay tentative.
            var renet = _engine.Net(cycle.Id, Rebook(obligations));
            cycle.FlagForReview();
            int failed = result.FailedIndex;
            var code = failed >= 0 ? result.MemberCode(failed) : result.Code;
            _reviews.Add(new CycleReview(cycle.Id, CycleReviewReason.LedgerRefused, outcome, renet, instructions, code,
                failed >= 0 && failed < transactions.Length ? transactions[failed] : null,
                failed >= transactions.Length ? instructions.Instructions[failed - transactions.Length] : null,
                transactions, now));
            return code;
        }

        foreach (var tx in transactions)
        {
            var r = _transactions[tx];
            r.State = CrossChainTransactionState.Committed;
            _retention.Decided(r.Id, r.Time1Ms, now);
            outbound.AddRange(DecisionMessages(r));
        }

        if (transactions.Length > 0)
        {
            if (_completed.Count >= MaxRetainedCycleReports)
            {
                _completed.RemoveAt(0);
            }

            _completed.Add(cycle.Report!);
        }

        return null;
    }

    /// <summary>The TBC a message to <paramref name="participant"/> goes through (a PPC leaves only without pending legs, so it is linked).</summary>
    private ChainId Via(ChainId participant) => _tradingChainOf.GetValueOrDefault(participant, participant);

    private AccountId AbcAccountOf(ChainId chain) => chain == Chain ? ClearingAccount : _links[chain];

    /// <summary>The ledger id of the <paramref name="index"/>-th CCP instruction of a cycle: unique per cycle and instruction, the same on every validator.</summary>
    private static TransferId CcpTransferId(CycleId cycle, int index)
    {
        Span<byte> suffix = stackalloc byte[3 + sizeof(long)];
        "ccp"u8.CopyTo(suffix);
        BinaryPrimitives.WriteInt64BigEndian(suffix[3..], index);
        return TransferId.FromHash(Hash256.Compute(Canonical.Encode(cycle), suffix));
    }

    private static GrossObligationBook Rebook(IReadOnlyList<GrossObligation> obligations)
    {
        var book = new GrossObligationBook(obligations.Count);
        foreach (var o in obligations)
        {
            book.Add(o);
        }

        return book;
    }

    private CrossChainExecution Refuse(Record r, TransferFailureReason reason, CrossChainResultCode code, LedgerResultCode ledgerCode, long now)
    {
        r.State = CrossChainTransactionState.Failed;
        _retention.Decided(r.Id, r.Time1Ms, now);
        r.Reason = reason;
        return Result(code, r, ledgerCode, [_outbox.Make(Via(r.PayerChain), new TransferCancelled(r.Id, reason))]);
    }

    /// <summary>Whether any linked PPC's ABC account holds <paramref name="asset"/> (otherwise this ICC cannot settle it at all).</summary>
    private bool IsSupported(AssetCode asset)
    {
        foreach (var account in _links.Values)
        {
            if (Ledger.TryGetAccount(account, out var info) && info.Assets.Contains(asset))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The reason the ICC passes on to PPC1 when PPC2 rejects: PPC2's own, when it names a payee-side cause, so the
    /// payer learns why (e.g. <see cref="TransferFailureReason.UnknownPayee"/>); otherwise <see cref="TransferFailureReason.RejectedByPayee"/>.
    /// </summary>
    private static TransferFailureReason PayeeReason(TransferFailureReason reason) => reason switch
    {
        TransferFailureReason.UnknownPayee or TransferFailureReason.NoAssociatedAsset or TransferFailureReason.UnsupportedAsset
            or TransferFailureReason.InsufficientAssets or TransferFailureReason.LedgerRefused => reason,
        _ => TransferFailureReason.RejectedByPayee,
    };

    /// <summary>Refuses a request or cancel the ICC does not record, and tells the sending PPC it is cancelled.</summary>
    private CrossChainExecution RefuseUnrecorded(ChainId requester, Hash256 transactionId, CrossChainResultCode code, TransferFailureReason reason) =>
        new(code, transactionId, null, reason, LedgerResultCode.Ok, [_outbox.Make(Via(requester), new TransferCancelled(transactionId, reason))]);

    /// <summary>For a decided transaction, a no-op result that re-emits the decision; null while undecided.</summary>
    private CrossChainExecution? Decided(Record r) =>
        r.State is CrossChainTransactionState.Committed or CrossChainTransactionState.Cancelled or CrossChainTransactionState.Failed
            ? Result(CrossChainResultCode.AlreadyApplied, r, LedgerResultCode.Ok, DecisionMessages(r))
            : null;

    private List<CrossChainMessage> DecisionMessages(Record r)
    {
        TransferMessage decision = r.State == CrossChainTransactionState.Committed
            ? new TransferCommitted(r.Id)
            : new TransferCancelled(r.Id, r.Reason);
        // A tombstone (cancelled before any request arrived) has no PPC2 to tell.
        return r.PayeeChain.IsDefault
            ? [_outbox.Make(Via(r.PayerChain), decision)]
            : [_outbox.Make(Via(r.PayerChain), decision), _outbox.Make(Via(r.PayeeChain), decision)];
    }

    private CrossChainMessage Offer(Record r) =>
        _outbox.Make(Via(r.PayeeChain), new TransferOffer(r.Id, r.PayerChain, r.PayeeAccount, r.Asset, r.Amount, r.Time1Ms));

    private static CrossChainExecution Result(CrossChainResultCode code, Record r, LedgerResultCode ledgerCode, IReadOnlyList<CrossChainMessage> outbound) =>
        new(code, r.Id, r.State, r.Reason, ledgerCode, outbound);

    private static CrossChainExecution Plain(CrossChainResultCode code, Hash256 tx) =>
        new(code, tx, null, TransferFailureReason.None, LedgerResultCode.Ok, []);

    private sealed class Record
    {
        public Record(TransferRequest q, AccountId payeeAccountOnAbc)
        {
            Id = q.TransactionId;
            PayerChain = q.PayerChain;
            PayeeChain = q.PayeeChain;
            PayeeAccount = q.PayeeAccount;
            PayeeAccountOnAbc = payeeAccountOnAbc;
            Asset = q.Asset;
            Amount = q.Amount;
            Timing = q.Timing;
            Time1Ms = q.Time1Ms;
        }

        private SettlementCycle? _cycle;

        private Record(Hash256 id, ChainId payerChain, long time1Ms)
        {
            Id = id;
            PayerChain = payerChain;
            Timing = SettlementTiming.RealTime;
            Time1Ms = time1Ms;
        }

        private Record(Hash256 id, ChainId payerChain, ChainId payeeChain, AccountId payeeAccount, AccountId payeeAccountOnAbc,
            AssetCode asset, Amount amount, SettlementTiming timing, long time1Ms)
        {
            Id = id;
            PayerChain = payerChain;
            PayeeChain = payeeChain;
            PayeeAccount = payeeAccount;
            PayeeAccountOnAbc = payeeAccountOnAbc;
            Asset = asset;
            Amount = amount;
            Timing = timing;
            Time1Ms = time1Ms;
        }

        public Hash256 Id { get; }

        public ChainId PayerChain { get; }

        /// <summary>Default for a tombstone: it has no PPC2.</summary>
        public ChainId PayeeChain { get; }

        public AccountId PayeeAccount { get; }

        public AccountId PayeeAccountOnAbc { get; }

        public AssetCode Asset { get; }

        public Amount Amount { get; }

        public SettlementTiming Timing { get; }

        public long Time1Ms { get; }

        public CrossChainTransactionState State { get; set; } = CrossChainTransactionState.Pending;

        public TransferFailureReason Reason { get; set; }

        public bool HasLeg1 { get; set; }


        /// <summary>Netting mode: the cycle that admitted the transaction, where it must finish (null once that cycle is netted and the record was restored from a snapshot).</summary>
        public SettlementCycle? Cycle
        {
            get => _cycle;
            set
            {
                _cycle = value;
                CycleId = value?.Id;
            }
        }

        /// <summary>Netting mode: the id of the cycle that admitted the transaction.</summary>
        public CycleId? CycleId { get; private set; }

        /// <summary>Snapshot: every field; the cycle by id (<see cref="Read"/> finds the live cycle again).</summary>
        public void Write(ref CanonicalWriter w)
        {
            w.WriteArrayHeader(RecordFieldCount);
            w.WriteHash256(Id);
            w.WriteChainId(PayerChain);
            w.WriteOptionalIdentifier(PayeeChain);
            w.WriteOptionalIdentifier(PayeeAccount);
            w.WriteOptionalIdentifier(PayeeAccountOnAbc);
            w.WriteOptionalIdentifier(Asset);
            w.WriteAmount(Amount);
            w.WriteUInt32((uint)Timing);
            w.WriteInt64(Time1Ms);
            w.WriteUInt32((uint)State);
            w.WriteUInt32((uint)Reason);
            w.WriteBoolean(HasLeg1);
            if (CycleId is { } cycle)
            {
                cycle.Encode(ref w);
            }
            else
            {
                w.WriteNil();
            }
        }

        /// <summary>Reads what <see cref="Write"/> wrote (bind the cycle with <see cref="Bind"/> once the live cycles are read).</summary>
        public static Record Read(ref CanonicalReader r)
        {
            r.ReadArrayHeader(RecordFieldCount);
            var record = new Record(r.ReadHash256(), r.ReadChainId(), r.ReadOptionalIdentifier<ChainId>(), r.ReadOptionalIdentifier<AccountId>(),
                r.ReadOptionalIdentifier<AccountId>(), r.ReadOptionalIdentifier<AssetCode>(), r.ReadAmount(),
                SnapshotCodec.ReadEnum<SettlementTiming>(ref r, "settlement timing"), r.ReadInt64())
            {
                State = SnapshotCodec.ReadEnum<CrossChainTransactionState>(ref r, "transaction state"),
                Reason = SnapshotCodec.ReadEnum<TransferFailureReason>(ref r, "failure reason"),
                HasLeg1 = r.ReadBoolean(),
            };
            if (!r.TryReadNil())
            {
                record.CycleId = Netting.CycleId.Decode(ref r);
            }

            return record;
        }

        /// <summary>Points a restored record at its live cycle (null once that cycle was netted), keeping its cycle id.</summary>
        public void Bind(SettlementCycle? cycle) => _cycle = cycle;

        /// <summary>A transaction cancelled before any request arrived (Alg. 12): no legs, no PPC2; a late request is a no-op.</summary>
        public static Record Tombstone(Hash256 id, ChainId payerChain, long time1Ms) =>
            new(id, payerChain, time1Ms) { State = CrossChainTransactionState.Cancelled, Reason = TransferFailureReason.TimedOut };

        /// <summary>A request refused before any leg (its PPC2 or asset is not served here): decided, no legs, no PPC2 to tell.</summary>
        public static Record Refused(Hash256 id, ChainId payerChain, long time1Ms, TransferFailureReason reason) =>
            new(id, payerChain, time1Ms) { State = CrossChainTransactionState.Failed, Reason = reason };
    }
}
