using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.CrossChainTransactions;

/// <summary>PPC1's own client command (Alg. 1 (1)–(3)): pay <see cref="PayeeAccount"/> on <see cref="PayeeChain"/>.</summary>
/// <remarks>Fields: <c>[intermediary, payer, payeeChain, payeeAccount, asset, amount, ackMode, timing, time1Ms]</c>.</remarks>
public sealed class StartTransfer : TransferMessage
{
    /// <summary>Creates the command.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="intermediary">The ICC that links this PPC to <paramref name="payeeChain"/>.</param>
    /// <param name="payer">The customer account on PPC1 that pays.</param>
    /// <param name="payeeChain">PPC2.</param>
    /// <param name="payeeAccount">The payee's account on PPC2.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <param name="ackMode">Mode I or Mode II.</param>
    /// <param name="timing">Real time or netting.</param>
    /// <param name="time1Ms">Time1: the ICC block time (Unix ms) after which the transaction can no longer commit.</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public StartTransfer(Hash256 transactionId, ChainId intermediary, AccountId payer, ChainId payeeChain, AccountId payeeAccount,
        AssetCode asset, Amount amount, AckMode ackMode, SettlementTiming timing, long time1Ms)
        : base(transactionId)
    {
        Intermediary = intermediary;
        Payer = payer;
        PayeeChain = payeeChain;
        PayeeAccount = payeeAccount;
        Asset = asset;
        Amount = Positive(amount, nameof(amount));
        AckMode = Defined(ackMode, nameof(ackMode));
        Timing = Defined(timing, nameof(timing));
        Time1Ms = time1Ms;
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.StartTransfer;

    /// <summary>The ICC.</summary>
    public ChainId Intermediary { get; }

    /// <summary>The paying customer account on PPC1.</summary>
    public AccountId Payer { get; }

    /// <summary>PPC2.</summary>
    public ChainId PayeeChain { get; }

    /// <summary>The payee account on PPC2.</summary>
    public AccountId PayeeAccount { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    /// <summary>Mode I or II.</summary>
    public AckMode AckMode { get; }

    /// <summary>Real time or netting.</summary>
    public SettlementTiming Timing { get; }

    /// <summary>Time1 (Unix ms), judged on the ICC's committed block time.</summary>
    public long Time1Ms { get; }

    private protected override int FieldCount => 9;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteChainId(Intermediary);
        writer.WriteAccountId(Payer);
        writer.WriteChainId(PayeeChain);
        writer.WriteAccountId(PayeeAccount);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        writer.WriteUInt32((uint)AckMode);
        writer.WriteUInt32((uint)Timing);
        writer.WriteInt64(Time1Ms);
    }
}

/// <summary>PPC1 → ICC (Alg. 1, Alg. 2): move <see cref="Amount"/> from PPC1's ABC account to PPC2's.</summary>
/// <remarks>Fields: <c>[payerChain, payeeChain, payeeAccount, asset, amount, ackMode, timing, time1Ms]</c>.</remarks>
public sealed class TransferRequest : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="payerChain">PPC1 (must be the message's source).</param>
    /// <param name="payeeChain">PPC2.</param>
    /// <param name="payeeAccount">The payee account on PPC2.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <param name="ackMode">Mode I or II.</param>
    /// <param name="timing">Real time or netting.</param>
    /// <param name="time1Ms">Time1 (Unix ms).</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferRequest(Hash256 transactionId, ChainId payerChain, ChainId payeeChain, AccountId payeeAccount, AssetCode asset,
        Amount amount, AckMode ackMode, SettlementTiming timing, long time1Ms)
        : base(transactionId)
    {
        PayerChain = payerChain;
        PayeeChain = payeeChain;
        PayeeAccount = payeeAccount;
        Asset = asset;
        Amount = Positive(amount, nameof(amount));
        AckMode = Defined(ackMode, nameof(ackMode));
        Timing = Defined(timing, nameof(timing));
        Time1Ms = time1Ms;
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferRequest;

    /// <summary>PPC1.</summary>
    public ChainId PayerChain { get; }

    /// <summary>PPC2.</summary>
    public ChainId PayeeChain { get; }

    /// <summary>The payee account on PPC2.</summary>
    public AccountId PayeeAccount { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    /// <summary>Mode I or II.</summary>
    public AckMode AckMode { get; }

    /// <summary>Real time or netting.</summary>
    public SettlementTiming Timing { get; }

    /// <summary>Time1 (Unix ms).</summary>
    public long Time1Ms { get; }

    private protected override int FieldCount => 8;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteChainId(PayerChain);
        writer.WriteChainId(PayeeChain);
        writer.WriteAccountId(PayeeAccount);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        writer.WriteUInt32((uint)AckMode);
        writer.WriteUInt32((uint)Timing);
        writer.WriteInt64(Time1Ms);
    }
}

/// <summary>ICC → PPC1 in Mode II (2a): leg 1 is reserved and PPC2 is being contacted.</summary>
public sealed class PendingAck : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public PendingAck(Hash256 transactionId) : base(transactionId)
    {
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.PendingAck;

    private protected override int FieldCount => 0;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
    }
}

/// <summary>ICC → PPC2 (2 / 2b): PPC1 pays <see cref="PayeeAccount"/>; PPC2 answers accept or reject (Alg. 3).</summary>
/// <remarks>Fields: <c>[payerChain, payeeAccount, asset, amount, time1Ms]</c>.</remarks>
public sealed class TransferOffer : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="payerChain">PPC1.</param>
    /// <param name="payeeAccount">The payee account on PPC2.</param>
    /// <param name="asset">The asset.</param>
    /// <param name="amount">The amount (positive).</param>
    /// <param name="time1Ms">Time1 (Unix ms).</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferOffer(Hash256 transactionId, ChainId payerChain, AccountId payeeAccount, AssetCode asset, Amount amount, long time1Ms)
        : base(transactionId)
    {
        PayerChain = payerChain;
        PayeeAccount = payeeAccount;
        Asset = asset;
        Amount = Positive(amount, nameof(amount));
        Time1Ms = time1Ms;
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferOffer;

    /// <summary>PPC1.</summary>
    public ChainId PayerChain { get; }

    /// <summary>The payee account on PPC2.</summary>
    public AccountId PayeeAccount { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    /// <summary>Time1 (Unix ms).</summary>
    public long Time1Ms { get; }

    private protected override int FieldCount => 5;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteChainId(PayerChain);
        writer.WriteAccountId(PayeeAccount);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        writer.WriteInt64(Time1Ms);
    }
}

/// <summary>PPC2 → ICC (Alg. 3): PPC2 reserved transit → payee; its proof of ability is the payee account, asset and amount it reserved.</summary>
/// <remarks>Fields: <c>[payeeAccount, asset, amount]</c>.</remarks>
public sealed class TransferAccept : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="payeeAccount">The payee account PPC2 reserved to.</param>
    /// <param name="asset">The asset reserved.</param>
    /// <param name="amount">The amount reserved (positive).</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferAccept(Hash256 transactionId, AccountId payeeAccount, AssetCode asset, Amount amount) : base(transactionId)
    {
        PayeeAccount = payeeAccount;
        Asset = asset;
        Amount = Positive(amount, nameof(amount));
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferAccept;

    /// <summary>The payee account.</summary>
    public AccountId PayeeAccount { get; }

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    private protected override int FieldCount => 3;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteAccountId(PayeeAccount);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }
}

/// <summary>PPC2 → ICC (Alg. 3 (3)): PPC2 cannot take the transfer.</summary>
public sealed class TransferReject : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="reason">Why.</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferReject(Hash256 transactionId, TransferFailureReason reason) : base(transactionId) => Reason = Defined(reason, nameof(reason));

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferReject;

    /// <summary>Why PPC2 refused.</summary>
    public TransferFailureReason Reason { get; }

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => writer.WriteUInt32((uint)Reason);
}

/// <summary>ICC → PPC1 and PPC2 (4a, 4b; Alg. 10 (2)): the ABC legs are posted; post your pending leg.</summary>
public sealed class TransferCommitted : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferCommitted(Hash256 transactionId) : base(transactionId)
    {
    }

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferCommitted;

    private protected override int FieldCount => 0;

    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
    }
}

/// <summary>ICC → PPC1 and PPC2 (Alg. 12): the ABC legs are voided; void your pending leg.</summary>
public sealed class TransferCancelled : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="reason">Why the ICC failed or cancelled the transaction.</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public TransferCancelled(Hash256 transactionId, TransferFailureReason reason) : base(transactionId) => Reason = Defined(reason, nameof(reason));

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.TransferCancelled;

    /// <summary>Why.</summary>
    public TransferFailureReason Reason { get; }

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => writer.WriteUInt32((uint)Reason);
}

/// <summary>PPC1 → ICC (Alg. 12): PPC1's own Time1 passed; the ICC answers with its decision.</summary>
public sealed class CancelRequest : TransferMessage
{
    /// <summary>Creates the message.</summary>
    /// <param name="transactionId">The transaction id (not zero).</param>
    /// <param name="time1Ms">The transaction's Time1 (Unix ms): lets the ICC tell a late cancel of a transaction it has
    /// forgotten after its retention period from one it never saw.</param>
    /// <exception cref="ArgumentException">The id is zero, an amount is not positive, or an enum value is not defined.</exception>
    public CancelRequest(Hash256 transactionId, long time1Ms) : base(transactionId) => Time1Ms = time1Ms;

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.CancelRequest;

    /// <summary>The transaction's Time1 (Unix ms).</summary>
    public long Time1Ms { get; }

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => writer.WriteInt64(Time1Ms);
}

/// <summary>
/// A chain's own periodic entry at committed time <see cref="NowMs"/>: the ICC cancels undecided transactions past
/// Time1 and, in netting mode, closes its settlement cycle once the committed clock reaches the due time and settles
/// every closed cycle that is ready (Alg. 11); a PPC re-emits what is still unanswered (its retry) and asks to cancel
/// past its Time1.
/// </summary>
public sealed class Tick : TransferMessage
{
    /// <summary>Creates the entry.</summary>
    /// <param name="nowMs">The committed time (Unix ms) the validators proposed.</param>
    public Tick(long nowMs) : base(Hash256.Zero, concernsOneTransaction: false) => NowMs = nowMs;

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.Tick;

    /// <summary>The committed time (Unix ms).</summary>
    public long NowMs { get; }

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => writer.WriteInt64(NowMs);
}

/// <summary>
/// The ICC's own entry (seed 000 Alg. 11 steps 1–3, 12–14): stop admitting netting transactions to settlement cycle
/// <see cref="CycleSequence"/> now (an operator, or a bank leaving), then settle every closed cycle that is ready, as a
/// <see cref="Tick"/> does. Naming the cycle makes a replayed or duplicated close a no-op: it can never close the next
/// cycle by accident.
/// </summary>
/// <remarks>Fields: <c>[cycleSequence]</c>; the transaction id is zero.</remarks>
public sealed class CloseCycle : TransferMessage
{
    /// <summary>Creates the entry.</summary>
    /// <param name="cycleSequence">The <see cref="Netting.CycleId.Sequence"/> of the ICC's cycle to close.</param>
    public CloseCycle(ulong cycleSequence) : base(Hash256.Zero, concernsOneTransaction: false) => CycleSequence = cycleSequence;

    /// <inheritdoc />
    public override TransferMessageKind Kind => TransferMessageKind.CloseCycle;

    /// <summary>The sequence number of the cycle to close.</summary>
    public ulong CycleSequence { get; }

    private protected override int FieldCount => 1;

    private protected override void EncodeFields(ref CanonicalWriter writer) => writer.WriteUInt64(CycleSequence);
}
