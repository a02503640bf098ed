using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// The cross-chain transaction role of a participant chain (PPC, a bank): the deterministic application every
/// validator of the PPC executes on committed entries (docs/SETTLEMENT.md). As PPC1 it reserves customer → transit and
/// asks the ICC; as PPC2 it verifies an offer (Alg. 4), reserves transit → payee and answers. It posts or voids a
/// pending leg only on the ICC's decision, never on its own (Alg. 12): past its own Time1 it asks with
/// <see cref="CancelRequest"/>.
/// </summary>
public sealed class ParticipantChainApplication
{
    /// <summary>The most transactions one PPC remembers at once (its idempotency memory), in transactions.</summary>
    public const int MaxTransactions = 1_000_000;

    /// <summary>The default retention period, ms (7 days): how long a decided transaction is remembered after its Time1 and its decision.</summary>
    public const long DefaultRetentionMs = 7L * 24 * 60 * 60 * 1000;

    private const int SnapshotVersion = 1;
    private const int SnapshotFieldCount = 8;
    private const int RecordFieldCount = 16;
    private const string PayerLeg = "ppc1";
    private const string PayeeLeg = "ppc2";

    // Invariant: a transaction's leg is Pending on the ledger exactly while its record is Pending with HasLeg.
    // Each linked ICC (its ABC) and the TBC this bank reaches it through, both ways.
    private readonly Dictionary<ChainId, ChainId> _tradingChainOf = [];
    private readonly Dictionary<ChainId, ChainId> _intermediaryOf = [];
    private readonly Dictionary<Hash256, Record> _transactions = [];
    private readonly AdmissionOrder<Record> _pending = new(); // awaiting the ICC's decision, in admission order
    private readonly Dictionary<AssetCode, AccountId> _transit;
    private readonly Outbox _outbox;
    private readonly long _resendAfterMs;
    private readonly Retention _retention;

    /// <summary>Creates the application.</summary>
    /// <param name="chain">This PPC.</param>
    /// <param name="ledger">The PPC's ledger, with its customer and transit accounts opened.</param>
    /// <param name="transitAccounts">The transit account of each asset the PPC settles cross-chain.</param>
    /// <param name="resendAfterMs">How long after sending a request, answer or cancel request for a pending
    /// transaction a <see cref="Tick"/> sends it again, in committed ms; 0 resends on every tick. Over a relay that
    /// retries until delivery (docs/SETTLEMENT.md) this only guards against a peer that lost its state, so it can be long.</param>
    /// <param name="retentionMs">How long a decided transaction is remembered once both its Time1 and its decision are
    /// this far in the past (committed ms); a start or offer whose Time1 is that old is refused as a replay
    /// (<see cref="CrossChainResultCode.Expired"/>), so forgetting never lets a transaction run twice.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resendAfterMs"/> is negative or <paramref name="retentionMs"/> is below 1.</exception>
    public ParticipantChainApplication(
        ChainId chain,
        AccountLedger ledger,
        IReadOnlyDictionary<AssetCode, AccountId> transitAccounts,
        long resendAfterMs = 0,
        long retentionMs = DefaultRetentionMs)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(transitAccounts);
        ArgumentOutOfRangeException.ThrowIfNegative(resendAfterMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionMs, 1);
        _resendAfterMs = resendAfterMs;
        _retention = new Retention(retentionMs);
        Chain = chain;
        Ledger = ledger;
        _transit = new Dictionary<AssetCode, AccountId>(transitAccounts);
        _outbox = new Outbox(chain);
    }

    /// <summary>This PPC.</summary>
    public ChainId Chain { get; }

    /// <summary>The PPC's ledger (a new instance after <see cref="RestoreSnapshot"/>: read it through this property).</summary>
    public AccountLedger Ledger { get; private set; }

    /// <summary>The ledger id of this PPC's leg of a transaction (PPC1's customer → transit, or PPC2's transit → payee).</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <param name="asPayer">True for the PPC1 leg.</param>
    /// <returns>The reservation id.</returns>
    public static TransferId LegId(Hash256 transactionId, bool asPayer) => LegIds.Of(transactionId, asPayer ? PayerLeg : PayeeLeg);

    /// <summary>The transaction's state on this PPC, if it knows it.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The state or null.</returns>
    public CrossChainTransactionState? GetState(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var r) ? r.State : null;

    /// <summary>Why the transaction failed or was cancelled on this PPC (<see cref="TransferFailureReason.None"/> while pending or once committed), if it knows it.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The reason or null.</returns>
    public TransferFailureReason? GetReason(Hash256 transactionId) =>
        _transactions.TryGetValue(transactionId, out var r) ? r.Reason : null;

    /// <summary>Whether the ICC acknowledged the transaction in Mode II (2a).</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>True once a <see cref="PendingAck"/> was executed.</returns>
    public bool WasAcknowledged(Hash256 transactionId) => _transactions.TryGetValue(transactionId, out var r) && r.Acknowledged;

    /// <summary>The transactions this PPC remembers (decided ones are forgotten after the retention period).</summary>
    public IReadOnlyCollection<Hash256> Transactions => _transactions.Keys;

    /// <summary>
    /// Links this bank to an intermediary chain through its trading chain there (after Alg. 7–8): only linked ICCs may
    /// carry its transfers, and every message to or from one passes through that TBC (seed 000 [0013]–[0015]).
    /// </summary>
    /// <param name="intermediary">The ICC (its ABC's chain id), as transfers name it.</param>
    /// <param name="tradingChain">The TBC that links this bank to it.</param>
    /// <exception cref="ArgumentException">The TBC already links this bank to another ICC, or an id is this chain's.</exception>
    public void Link(ChainId intermediary, ChainId tradingChain)
    {
        if (intermediary == Chain || tradingChain == Chain || intermediary == tradingChain
            || (_intermediaryOf.TryGetValue(tradingChain, out var linked) && linked != intermediary))
        {
            throw new ArgumentException($"{Chain} cannot reach {intermediary} through {tradingChain}.", nameof(tradingChain));
        }

        if (_tradingChainOf.Remove(intermediary, out var previous))
        {
            _intermediaryOf.Remove(previous);
        }

        _tradingChainOf.Add(intermediary, tradingChain);
        _intermediaryOf.Add(tradingChain, intermediary);
    }

    /// <summary>The TBC this bank reaches <paramref name="intermediary"/> through, if it is linked.</summary>
    /// <param name="intermediary">The ICC.</param>
    /// <returns>The TBC, or null.</returns>
    public ChainId? TradingChainOf(ChainId intermediary) => _tradingChainOf.TryGetValue(intermediary, out var tbc) ? tbc : null;

    /// <summary>Executes one of the PPC's own committed entries: a <see cref="StartTransfer"/> or a <see cref="Tick"/>.</summary>
    /// <param name="command">The entry.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome and the messages to relay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    public CrossChainExecution Execute(TransferMessage command, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command switch
        {
            StartTransfer s => Start(s, blockTimeMs),
            Tick => OnTick(blockTimeMs),
            _ => Result(CrossChainResultCode.Malformed, command.TransactionId, null, []),
        };
    }

    /// <summary>Executes a committed entry given as canonical bytes of a <see cref="TransferMessage"/> (own command).</summary>
    /// <param name="entry">The bytes.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome (<see cref="CrossChainResultCode.Malformed"/> for bytes that do not decode).</returns>
    public CrossChainExecution Execute(ReadOnlyMemory<byte> entry, long blockTimeMs)
    {
        if (!TransferMessage.TryDecode(entry, out var command))
        {
            return Result(CrossChainResultCode.Malformed, Hash256.Zero, null, []);
        }

        return Execute(command, blockTimeMs);
    }

    /// <summary>Executes a delivered cross-chain message from an ICC (already checked against the ICC's validators).</summary>
    /// <param name="message">The delivered message.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome and the messages to relay.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public CrossChainExecution Execute(CrossChainMessage message, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TransferMessage.TryDecode(message.Payload, out var payload))
        {
            return Result(CrossChainResultCode.Malformed, Hash256.Zero, null, []);
        }

        if (message.Destination != Chain)
        {
            return Result(CrossChainResultCode.Malformed, payload.TransactionId, null, []);
        }

        // Only the intermediaries this bank linked to (Alg. 7–8) may offer it transfers or decide them, through their TBC.
        if (!_intermediaryOf.TryGetValue(message.Source, out var icc))
        {
            return Result(CrossChainResultCode.VerificationFailed, payload.TransactionId, null, []);
        }

        return payload switch
        {
            TransferOffer o => OnOffer(icc, o, blockTimeMs),
            PendingAck a => OnAck(icc, a),
            TransferCommitted c => OnDecision(icc, c.TransactionId, commit: true, TransferFailureReason.None, blockTimeMs),
            TransferCancelled c => OnDecision(icc, c.TransactionId, commit: false, c.Reason, blockTimeMs),
            _ => Result(CrossChainResultCode.Malformed, payload.TransactionId, null, []),
        };
    }

    /// <summary>
    /// Writes the application's replicated state (its ledger, transactions, outbox counters, links and retention
    /// memory), deterministically: copies that executed the same entries write the same bytes. The transit accounts
    /// and timings given to the constructor are configuration, not state.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new CanonicalWriter(output);
        SnapshotCodec.WriteHeader(ref w, SnapshotFieldCount, SnapshotVersion, Chain);
        w.WriteBinary(Ledger.ExportSnapshot());
        w.WriteArrayHeader(_tradingChainOf.Count);
        foreach (var (icc, tbc) in _tradingChainOf.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal))
        {
            w.WriteArrayHeader(2);
            w.WriteChainId(icc);
            w.WriteChainId(tbc);
        }

        w.WriteArrayHeader(_transactions.Count);
        foreach (var (_, r) in _transactions.OrderBy(kv => kv.Key))
        {
            WriteRecord(ref w, r);
        }

        _pending.Write(ref w);
        _outbox.Write(ref w);
        _retention.Write(ref w);
    }

    /// <summary>
    /// Replaces the state with one <see cref="WriteSnapshot"/> wrote on an application of the same chain. The bytes
    /// are checked, not trusted (the ledger's invariants included); when this throws, nothing changed.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a snapshot of this chain's application.</exception>
    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        SnapshotCodec.ReadHeader(ref r, SnapshotFieldCount, SnapshotVersion, Chain, "participant chain");
        long offset;
        var ledger = AccountLedger.ImportSnapshot(r.ReadBinaryArray());
        var links = new Dictionary<ChainId, ChainId>();
        var reverse = new Dictionary<ChainId, ChainId>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            offset = r.Consumed;
            r.ReadArrayHeader(2);
            var (icc, tbc) = (r.ReadChainId(), r.ReadChainId());
            if (!links.TryAdd(icc, tbc) || !reverse.TryAdd(tbc, icc))
            {
                throw SnapshotCodec.Invalid(offset, "links (an intermediary or a trading chain twice)");
            }
        }

        var transactions = new Dictionary<Hash256, Record>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            offset = r.Consumed;
            var record = ReadRecord(ref r);
            if (!transactions.TryAdd(record.Id, record))
            {
                throw SnapshotCodec.Invalid(offset, "a transaction twice");
            }
        }

        var pending = AdmissionOrder<Record>.Read(ref r, id => transactions.GetValueOrDefault(id) is { State: CrossChainTransactionState.Pending } p ? p : null);
        if (pending.Entries.Count != transactions.Values.Count(t => t.State == CrossChainTransactionState.Pending))
        {
            throw SnapshotCodec.Invalid(r.Consumed, "pending transactions missing from the admission order");
        }

        var outbox = Outbox.Read(ref r);
        var retention = Retention.Read(ref r);
        r.EnsureEnd();

        Ledger = ledger;
        SnapshotCodec.Refill(_tradingChainOf, links);
        SnapshotCodec.Refill(_intermediaryOf, reverse);
        _transactions.Clear();
        foreach (var (id, record) in transactions)
        {
            _transactions.Add(id, record);
        }

        _pending.Restore(pending);
        _outbox.Restore(outbox);
        _retention.Restore(retention);
    }

    private static void WriteRecord(ref CanonicalWriter w, Record r)
    {
        w.WriteArrayHeader(RecordFieldCount);
        w.WriteHash256(r.Id);
        w.WriteBoolean(r.IsPayer);
        w.WriteChainId(r.Icc);
        w.WriteUInt32((uint)r.State);
        w.WriteUInt32((uint)r.Reason);
        w.WriteBoolean(r.HasLeg);
        w.WriteBoolean(r.Acknowledged);
        w.WriteOptionalIdentifier(r.PayeeChain);
        w.WriteOptionalIdentifier(r.PayeeAccount);
        w.WriteOptionalIdentifier(r.Asset);
        w.WriteAmount(r.Amount);
        w.WriteUInt32((uint)r.AckMode);
        w.WriteUInt32((uint)r.Timing);
        w.WriteInt64(r.Time1Ms);
        w.WriteBoolean(r.CancelAsked);
        w.WriteInt64(r.LastSentMs);
    }

    private static Record ReadRecord(ref CanonicalReader r)
    {
        r.ReadArrayHeader(RecordFieldCount);
        return new Record(r.ReadHash256(), r.ReadBoolean(), r.ReadChainId())
        {
            State = SnapshotCodec.ReadEnum<CrossChainTransactionState>(ref r, "transaction state"),
            Reason = SnapshotCodec.ReadEnum<TransferFailureReason>(ref r, "failure reason"),
            HasLeg = r.ReadBoolean(),
            Acknowledged = r.ReadBoolean(),
            PayeeChain = r.ReadOptionalIdentifier<ChainId>(),
            PayeeAccount = r.ReadOptionalIdentifier<AccountId>(),
            Asset = r.ReadOptionalIdentifier<AssetCode>(),
            Amount = r.ReadAmount(),
            AckMode = SnapshotCodec.ReadEnum<AckMode>(ref r, "acknowledgement mode"),
            Timing = SnapshotCodec.ReadEnum<SettlementTiming>(ref r, "settlement timing"),
            Time1Ms = r.ReadInt64(),
            CancelAsked = r.ReadBoolean(),
            LastSentMs = r.ReadInt64(),
        };
    }

    private CrossChainExecution Start(StartTransfer s, long now)
    {
        if (_transactions.TryGetValue(s.TransactionId, out var known))
        {
            // A replayed client command: the relay retries the request, nothing else changes.
            return Result(CrossChainResultCode.AlreadyApplied, known, known.State == CrossChainTransactionState.Pending ? [Request(known)] : []);
        }

        if (s.Time1Ms < now - (_retention.PeriodMs / 2))
        {
            // Possibly one we decided and forgot: never start it again. (Half the retention period: the ICC, whose
            // clock may run ahead, must not see its request as a replay.)
            return new CrossChainExecution(CrossChainResultCode.Expired, s.TransactionId, null, TransferFailureReason.Expired, LedgerResultCode.Ok, []);
        }

        if (s.TransactionId.IsZero || _transactions.Count >= MaxTransactions)
        {
            return Result(CrossChainResultCode.Malformed, s.TransactionId, null, []);
        }

        var record = new Record(s.TransactionId, asPayer: true, s.Intermediary)
        {
            PayeeChain = s.PayeeChain, PayeeAccount = s.PayeeAccount, Asset = s.Asset, Amount = s.Amount,
            AckMode = s.AckMode, Timing = s.Timing, Time1Ms = s.Time1Ms,
        };

        // Refusals the PPC can judge itself are final here, with the cause, and reserve nothing.
        if (s.PayeeChain == Chain)
        {
            return Fail(record, TransferFailureReason.VerificationFailed, LedgerResultCode.Ok, now);
        }

        if (!_tradingChainOf.ContainsKey(s.Intermediary))
        {
            return Fail(record, TransferFailureReason.UnknownIntermediary, LedgerResultCode.Ok, now);
        }

        if (!_transit.TryGetValue(s.Asset, out var transit))
        {
            return Fail(record, TransferFailureReason.UnsupportedAsset, LedgerResultCode.Ok, now);
        }

        var ledger = Ledger.Apply(new ReserveCommand(LegId(s.TransactionId, true), s.Payer, transit, s.Asset, s.Amount, long.MaxValue), now);
        if (ledger.Code != LedgerResultCode.Ok)
        {
            // The payer's account is the one that can be unknown here (transit accounts exist by construction).
            var reason = ledger.Code == LedgerResultCode.UnknownAccount ? TransferFailureReason.UnknownPayer : Reason(ledger.Code);
            return Fail(record, reason, ledger.Code, now);
        }

        record.HasLeg = true;
        record.LastSentMs = now;
        Remember(record);
        return Result(CrossChainResultCode.Ok, record, [Request(record)]);
    }

    private CrossChainExecution OnOffer(ChainId icc, TransferOffer o, long now)
    {
        if (_transactions.TryGetValue(o.TransactionId, out var known))
        {
            if (known.IsPayer || known.Icc != icc)
            {
                return Result(CrossChainResultCode.VerificationFailed, known, []);
            }

            return Result(CrossChainResultCode.AlreadyApplied, known, known.State == CrossChainTransactionState.Pending ? [Answer(known)] : []);
        }

        if (_retention.IsExpired(o.Time1Ms, now))
        {
            // A replay of an offer we may have decided and forgotten: reserve nothing, answer nothing.
            return new CrossChainExecution(CrossChainResultCode.Expired, o.TransactionId, null, TransferFailureReason.Expired, LedgerResultCode.Ok, []);
        }

        if (o.TransactionId.IsZero || _transactions.Count >= MaxTransactions)
        {
            return Result(CrossChainResultCode.Malformed, o.TransactionId, null, []);
        }

        var record = new Record(o.TransactionId, asPayer: false, icc)
        {
            PayeeChain = Chain, PayeeAccount = o.PayeeAccount, Asset = o.Asset, Amount = o.Amount, Time1Ms = o.Time1Ms,
        };

        // Alg. 4 on PPC2: the payee exists and holds the asset, and the PPC can pay it from transit.
        var reason = TransferFailureReason.None;
        var ledgerCode = LedgerResultCode.Ok;
        if (!Ledger.TryGetAccount(o.PayeeAccount, out var payee))
        {
            reason = TransferFailureReason.UnknownPayee;
        }
        else if (!payee.Assets.Contains(o.Asset))
        {
            reason = TransferFailureReason.NoAssociatedAsset;
        }
        else if (!_transit.TryGetValue(o.Asset, out var transit))
        {
            reason = TransferFailureReason.UnsupportedAsset;
        }
        else
        {
            ledgerCode = Ledger.Apply(new ReserveCommand(LegId(o.TransactionId, false), transit, o.PayeeAccount, o.Asset, o.Amount, long.MaxValue), now).Code;
            reason = ledgerCode == LedgerResultCode.Ok ? TransferFailureReason.None : Reason(ledgerCode);
        }

        record.HasLeg = reason == TransferFailureReason.None;
        record.Reason = reason;
        record.LastSentMs = now;
        Remember(record);
        var code = record.HasLeg ? CrossChainResultCode.Ok : CrossChainResultCode.Rejected;
        return new CrossChainExecution(code, record.Id, record.State, reason, ledgerCode, [Answer(record)]);
    }

    private CrossChainExecution OnAck(ChainId icc, PendingAck a)
    {
        if (!_transactions.TryGetValue(a.TransactionId, out var r))
        {
            return Result(CrossChainResultCode.UnknownTransaction, a.TransactionId, null, []);
        }

        if (!r.IsPayer || r.Icc != icc)
        {
            return Result(CrossChainResultCode.VerificationFailed, r, []);
        }

        var code = r.Acknowledged ? CrossChainResultCode.AlreadyApplied : CrossChainResultCode.Ok;
        r.Acknowledged = true;
        return Result(code, r, []);
    }

    private CrossChainExecution OnDecision(ChainId icc, Hash256 tx, bool commit, TransferFailureReason reason, long now)
    {
        if (!_transactions.TryGetValue(tx, out var r))
        {
            if (commit || tx.IsZero || _transactions.Count >= MaxTransactions)
            {
                return Result(CrossChainResultCode.UnknownTransaction, tx, null, []);
            }

            // PPC2 hears of a cancel before the offer: keep a tombstone so a late offer reserves nothing.
            var tomb = new Record(tx, asPayer: false, icc) { State = CrossChainTransactionState.Cancelled, Reason = reason, Time1Ms = long.MinValue };
            Remember(tomb);
            _retention.Decided(tomb.Id, tomb.Time1Ms, now);
            return Result(CrossChainResultCode.Ok, tomb, []);
        }

        if (r.Icc != icc)
        {
            return Result(CrossChainResultCode.VerificationFailed, r, []);
        }

        var target = commit ? CrossChainTransactionState.Committed : CrossChainTransactionState.Cancelled;
        if (r.State != CrossChainTransactionState.Pending)
        {
            // The ICC decides once, so a repeat carries the same decision; a different one is a protocol violation.
            return Result(r.State == target || (!commit && r.State == CrossChainTransactionState.Failed)
                ? CrossChainResultCode.AlreadyApplied : CrossChainResultCode.VerificationFailed, r, []);
        }

        if (commit && !r.HasLeg)
        {
            return Result(CrossChainResultCode.VerificationFailed, r, []);
        }

        var ledgerCode = LedgerResultCode.Ok;
        if (r.HasLeg)
        {
            var leg = LegId(tx, r.IsPayer);
            var resolve = LegIds.Of(tx, (r.IsPayer ? PayerLeg : PayeeLeg) + (commit ? ":post" : ":void"));
            LedgerCommand cmd = commit ? new PostCommand(resolve, leg) : new VoidCommand(resolve, leg);
            ledgerCode = Ledger.Apply(cmd, now).Code;
            if (ledgerCode is not (LedgerResultCode.Ok or LedgerResultCode.AlreadyApplied))
            {
                return new CrossChainExecution(CrossChainResultCode.LedgerRefused, tx, r.State, r.Reason, ledgerCode, []);
            }
        }

        r.State = target;
        _pending.Remove(r.Id);
        _retention.Decided(r.Id, r.Time1Ms, now);
        if (!commit && r.Reason == TransferFailureReason.None)
        {
            r.Reason = reason;
        }

        return new CrossChainExecution(CrossChainResultCode.Ok, tx, r.State, r.Reason, ledgerCode, []);
    }

    private CrossChainExecution OnTick(long now)
    {
        _retention.Prune(now, _transactions);
        var outbound = new List<CrossChainMessage>();
        foreach (var r in _pending.Values)
        {
            // Alg. 12: the first tick past our own Time1 asks at once; other messages wait for their resend time.
            bool askCancel = r.IsPayer && now > r.Time1Ms;
            if ((!askCancel || r.CancelAsked) && r.LastSentMs != long.MinValue && now - r.LastSentMs < _resendAfterMs)
            {
                continue;
            }

            r.LastSentMs = now;
            if (r.IsPayer)
            {
                // We never void on our own: we ask, and the ICC decides.
                r.CancelAsked |= askCancel;
                outbound.Add(askCancel ? _outbox.Make(Via(r.Icc), new CancelRequest(r.Id, r.Time1Ms)) : Request(r));
            }
            else
            {
                outbound.Add(Answer(r));
            }
        }

        return Result(CrossChainResultCode.Ok, Hash256.Zero, null, outbound);
    }

    private CrossChainExecution Fail(Record record, TransferFailureReason reason, LedgerResultCode ledgerCode, long now)
    {
        record.State = CrossChainTransactionState.Failed;
        record.Reason = reason;
        Remember(record);
        _retention.Decided(record.Id, record.Time1Ms, now);
        var code = reason switch
        {
            TransferFailureReason.NoAssociatedAsset or TransferFailureReason.UnsupportedAsset => CrossChainResultCode.NoAssociatedAsset,
            TransferFailureReason.InsufficientAssets => CrossChainResultCode.InsufficientAssets,
            TransferFailureReason.UnknownIntermediary or TransferFailureReason.VerificationFailed => CrossChainResultCode.VerificationFailed,
            _ => CrossChainResultCode.LedgerRefused,
        };
        return new CrossChainExecution(code, record.Id, record.State, reason, ledgerCode, []);
    }

    private void Remember(Record record)
    {
        _transactions.Add(record.Id, record);
        if (record.State == CrossChainTransactionState.Pending)
        {
            _pending.Add(record.Id, record);
        }
    }

    private CrossChainMessage Request(Record r) =>
        _outbox.Make(Via(r.Icc), new TransferRequest(r.Id, Chain, r.PayeeChain, r.PayeeAccount, r.Asset, r.Amount, r.AckMode, r.Timing, r.Time1Ms));

    /// <summary>The TBC a message to <paramref name="icc"/> goes through (a bank leaves an ICC only without pending legs, so it is linked).</summary>
    private ChainId Via(ChainId icc) => _tradingChainOf.GetValueOrDefault(icc, icc);

    private CrossChainMessage Answer(Record r) =>
        _outbox.Make(Via(r.Icc), r.HasLeg ? new TransferAccept(r.Id, r.PayeeAccount, r.Asset, r.Amount) : new TransferReject(r.Id, r.Reason));

    internal static TransferFailureReason Reason(LedgerResultCode code) => code switch
    {
        LedgerResultCode.NoAssociatedAsset => TransferFailureReason.NoAssociatedAsset,
        LedgerResultCode.InsufficientAssets => TransferFailureReason.InsufficientAssets,
        LedgerResultCode.UnknownAccount => TransferFailureReason.UnknownPayee,
        _ => TransferFailureReason.LedgerRefused,
    };

    private static CrossChainExecution Result(CrossChainResultCode code, Record r, IReadOnlyList<CrossChainMessage> outbound) =>
        new(code, r.Id, r.State, r.Reason, LedgerResultCode.Ok, outbound);

    private static CrossChainExecution Result(CrossChainResultCode code, Hash256 tx, CrossChainTransactionState? state, IReadOnlyList<CrossChainMessage> outbound) =>
        new(code, tx, state, TransferFailureReason.None, LedgerResultCode.Ok, outbound);

    private sealed class Record(Hash256 id, bool asPayer, ChainId icc)
    {
        public Hash256 Id { get; } = id;

        public bool IsPayer { get; } = asPayer;

        public ChainId Icc { get; } = icc;

        public CrossChainTransactionState State { get; set; } = CrossChainTransactionState.Pending;

        public TransferFailureReason Reason { get; set; }

        public bool HasLeg { get; set; }

        public bool Acknowledged { get; set; }

        public ChainId PayeeChain { get; init; }

        public AccountId PayeeAccount { get; init; }

        public AssetCode Asset { get; init; }

        public Amount Amount { get; init; }

        public AckMode AckMode { get; init; } = AckMode.ModeI;

        public SettlementTiming Timing { get; init; } = SettlementTiming.RealTime;

        public long Time1Ms { get; init; }



        /// <summary>Whether PPC1 asked the ICC to cancel (Alg. 12).</summary>
        public bool CancelAsked { get; set; }

        /// <summary>The committed time this PPC last sent the transaction's request, answer or cancel request.</summary>
        public long LastSentMs { get; set; } = long.MinValue;
    }
}
