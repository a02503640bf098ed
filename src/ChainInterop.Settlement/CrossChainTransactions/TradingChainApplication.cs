using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>
/// The application of one trading chain (TBC) of an intermediary (seed 000 [0013]–[0015], Alg. 1–2): the chain that
/// links one participant chain (PPC) to the intermediary's account chain (ABC). Every message between the two passes
/// through it and is committed here first: a PPC's request, answer or cancel request goes on to the ABC, and the
/// ABC's offer, acknowledgement or decision goes on to the PPC. Along the way the TBC keeps the transaction records of
/// its PPC (<see cref="TradingChainLedger"/>: pending when a request or an offer passes, committed or cancelled when
/// the ABC's decision does), durable as the chain's blocks, queryable through the chain, and forgotten by the
/// retention rule. Balances move only on the ABC.
/// </summary>
/// <remarks>
/// Deterministic and single-threaded (its executor calls it in height order). It judges only who may send what: a
/// message the wrong side sends is refused and not passed on; whether a transfer may happen is the ABC's decision.
/// </remarks>
public sealed class TradingChainApplication
{
    /// <summary>The most transactions a TBC remembers, in transactions.</summary>
    public const int MaxTransactions = 1_000_000;

    private const int SnapshotVersion = 1;
    private const int SnapshotFieldCount = 8;

    private readonly Outbox _outbox;
    private readonly Retention _retention;

    // Cancellations that passed before the request or offer they decide (messages between chains may arrive in any
    // order): a late request or offer is then recorded as cancelled at once, never left pending.
    private readonly HashSet<Hash256> _cancelledUnseen = [];

    /// <summary>Creates the application of a TBC.</summary>
    /// <param name="chain">This TBC.</param>
    /// <param name="intermediary">The intermediary's ABC, the other end.</param>
    /// <param name="participant">The PPC this TBC links.</param>
    /// <param name="retentionMs">How long a transaction is remembered once its Time1 and its arrival are this far in the
    /// past (committed ms); a request or offer naming a Time1 that old is a replay and is not passed on.</param>
    /// <exception cref="ArgumentException">An id is default, or two of them are the same chain.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retentionMs"/> is below 1.</exception>
    public TradingChainApplication(ChainId chain, ChainId intermediary, ChainId participant, long retentionMs = ParticipantChainApplication.DefaultRetentionMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retentionMs, 1);
        if (chain.IsDefault || intermediary.IsDefault || participant.IsDefault || chain == intermediary || chain == participant || intermediary == participant)
        {
            throw new ArgumentException("A trading chain, its intermediary and its participant are three different chains.");
        }

        Chain = chain;
        Intermediary = intermediary;
        Participant = participant;
        Records = new TradingChainLedger(chain, participant);
        _outbox = new Outbox(chain);
        _retention = new Retention(retentionMs);
    }

    /// <summary>This TBC.</summary>
    public ChainId Chain { get; }

    /// <summary>The intermediary's ABC.</summary>
    public ChainId Intermediary { get; }

    /// <summary>The PPC this TBC links.</summary>
    public ChainId Participant { get; }

    /// <summary>The transaction records (a new instance after <see cref="RestoreSnapshot"/>: read them through this property).</summary>
    public TradingChainLedger Records { get; private set; }

    /// <summary>The transaction's latest record on this TBC, if it remembers it.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The record, or null.</returns>
    public TradeRecord? GetTrade(Hash256 transactionId) => Records.Find(transactionId);

    /// <summary>The transaction's state as this TBC recorded it: pending, committed or cancelled; null when unknown.</summary>
    /// <param name="transactionId">The transaction.</param>
    /// <returns>The state, or null.</returns>
    public CrossChainTransactionState? GetState(Hash256 transactionId) => Records.Find(transactionId)?.Status switch
    {
        TradeStatus.Pending => CrossChainTransactionState.Pending,
        TradeStatus.Committed => CrossChainTransactionState.Committed,
        TradeStatus.Cancelled => CrossChainTransactionState.Cancelled,
        _ => null,
    };

    /// <summary>Executes the TBC's own committed <see cref="Tick"/>: forgets the transactions whose retention ran out.</summary>
    /// <param name="tick">The entry.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome (nothing to relay).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tick"/> is null.</exception>
    public CrossChainExecution Execute(Tick tick, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(tick);
        _retention.Prune(blockTimeMs, id =>
        {
            Records.Forget(id);
            _cancelledUnseen.Remove(id);
        });
        return Plain(CrossChainResultCode.Ok, Hash256.Zero, null);
    }

    /// <summary>
    /// Executes a delivered cross-chain message (already checked against its source's validators): from the PPC it is
    /// passed on to the ABC, from the ABC to the PPC, recorded on the way.
    /// </summary>
    /// <param name="message">The delivered message.</param>
    /// <param name="blockTimeMs">The committed block's time (Unix ms).</param>
    /// <returns>The outcome and the message to relay (none when refused).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public CrossChainExecution Execute(CrossChainMessage message, long blockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TransferMessage.TryDecode(message.Payload, out var payload))
        {
            return Plain(CrossChainResultCode.Malformed, Hash256.Zero, null);
        }

        if (message.Destination != Chain || payload.TransactionId.IsZero)
        {
            return Plain(CrossChainResultCode.Malformed, payload.TransactionId, null);
        }

        if (message.Source == Participant)
        {
            return payload switch
            {
                TransferRequest q when q.PayerChain != Participant => Plain(CrossChainResultCode.VerificationFailed, q.TransactionId, null),
                TransferRequest q => Open(q, Intermediary, q.PayerChain, q.PayeeChain, q.Asset, q.Amount, leg: 1, q.Time1Ms, blockTimeMs),
                CancelRequest or TransferAccept or TransferReject => Pass(payload, Intermediary),
                _ => Plain(CrossChainResultCode.VerificationFailed, payload.TransactionId, null),
            };
        }

        if (message.Source == Intermediary)
        {
            return payload switch
            {
                TransferOffer o => Open(o, Participant, o.PayerChain, Participant, o.Asset, o.Amount, leg: 2, o.Time1Ms, blockTimeMs),
                PendingAck => Pass(payload, Participant),
                TransferCommitted or TransferCancelled => Decide(payload, blockTimeMs),
                _ => Plain(CrossChainResultCode.VerificationFailed, payload.TransactionId, null),
            };
        }

        return Plain(CrossChainResultCode.VerificationFailed, payload.TransactionId, null);
    }

    /// <summary>Writes the TBC's replicated state: its records, the cancellations it passed before their transaction, outbox counters and retention memory.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var w = new CanonicalWriter(output);
        SnapshotCodec.WriteHeader(ref w, SnapshotFieldCount, SnapshotVersion, Chain);
        w.WriteChainId(Intermediary);
        w.WriteChainId(Participant);
        w.WriteBinary(Records.ExportSnapshot());
        w.WriteArrayHeader(_cancelledUnseen.Count);
        foreach (var tx in _cancelledUnseen.Order())
        {
            w.WriteHash256(tx);
        }

        _outbox.Write(ref w);
        _retention.Write(ref w);
    }

    /// <summary>
    /// Replaces the state with one <see cref="WriteSnapshot"/> wrote on the same TBC. The bytes are checked, not
    /// trusted; when this throws, nothing changed.
    /// </summary>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a snapshot of this TBC.</exception>
    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        SnapshotCodec.ReadHeader(ref r, SnapshotFieldCount, SnapshotVersion, Chain, "trading chain");
        long offset = r.Consumed;
        if (r.ReadChainId() != Intermediary || r.ReadChainId() != Participant)
        {
            throw SnapshotCodec.Invalid(offset, $"a snapshot of {Chain} linking other chains than {Intermediary} and {Participant}");
        }

        var records = TradingChainLedger.ImportSnapshot(Chain, Participant, r.ReadBinaryArray());
        var cancelledUnseen = new HashSet<Hash256>();
        for (int i = 0, n = r.ReadArrayHeader(); i < n; i++)
        {
            offset = r.Consumed;
            var tx = r.ReadHash256();
            if (!cancelledUnseen.Add(tx) || records.Find(tx) is not null)
            {
                throw SnapshotCodec.Invalid(offset, "an unseen cancellation twice, or of a recorded transaction");
            }
        }

        var outbox = Outbox.Read(ref r);
        var retention = Retention.Read(ref r);
        r.EnsureEnd();
        Records = records;
        _cancelledUnseen.Clear();
        _cancelledUnseen.UnionWith(cancelledUnseen);
        _outbox.Restore(outbox);
        _retention.Restore(retention);
    }

    /// <summary>
    /// A request (leg 1, on the payer's TBC) or an offer (leg 2, on the payee's) opens a pending record and passes on;
    /// a retry of a recorded one passes on again; a replay naming a Time1 past retention, or one that finds the TBC
    /// full, is not passed on (the PPC's own Time1 then cancels it through the ABC).
    /// </summary>
    private CrossChainExecution Open(TransferMessage payload, ChainId destination, ChainId payer, ChainId payee, AssetCode asset, Amount amount, int leg, long time1Ms, long now)
    {
        var tx = payload.TransactionId;
        if (Records.Find(tx) is null)
        {
            if (_retention.IsExpired(time1Ms, now))
            {
                return Plain(CrossChainResultCode.Expired, tx, null);
            }

            var record = new TradeRecord(tx, TradeStatus.Pending, Participant, Institution(payer), Institution(payee), asset, amount,
                IntermediaryChainApplication.LegId(tx, leg));
            if (Records.TransactionCount >= MaxTransactions || Records.Apply(record) != TradeResultCode.Ok)
            {
                return Plain(CrossChainResultCode.LedgerRefused, tx, null);
            }

            if (_cancelledUnseen.Remove(tx))
            {
                Records.Apply(record with { Status = TradeStatus.Cancelled });
            }
            else
            {
                _retention.Decided(tx, time1Ms, now);
            }
        }

        return Pass(payload, destination);
    }

    /// <summary>
    /// The ABC's decision closes the pending record (if this TBC holds one) and passes on to the PPC. A cancellation of
    /// a transaction this TBC has not seen yet is remembered, so its late request or offer is recorded cancelled.
    /// </summary>
    private CrossChainExecution Decide(TransferMessage decision, long now)
    {
        var tx = decision.TransactionId;
        if (Records.Find(tx) is { Status: TradeStatus.Pending } pending)
        {
            Records.Apply(pending with { Status = decision is TransferCommitted ? TradeStatus.Committed : TradeStatus.Cancelled });
        }
        else if (Records.Find(tx) is null && decision is TransferCancelled && _cancelledUnseen.Count < MaxTransactions && _cancelledUnseen.Add(tx))
        {
            _retention.Decided(tx, now, now);
        }

        return Pass(decision, Participant);
    }

    private CrossChainExecution Pass(TransferMessage payload, ChainId destination) =>
        new(CrossChainResultCode.Ok, payload.TransactionId, GetState(payload.TransactionId), TransferFailureReason.None, LedgerResultCode.Ok,
            [_outbox.Make(destination, payload)]);

    private static InstitutionId Institution(ChainId chain) => new(chain.Value);

    private static CrossChainExecution Plain(CrossChainResultCode code, Hash256 tx, CrossChainTransactionState? state) =>
        new(code, tx, state, TransferFailureReason.None, LedgerResultCode.Ok, []);
}
