using System.Buffers;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;
using ChainInterop.Consensus.CrossChain;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;

namespace ChainInterop.Settlement.Relay;

/// <summary>What became of one committed entry of a settlement chain. Stable numbers.</summary>
public enum SettlementEntryCode
{
    /// <summary>The command, or the delivered message (its f + 1-th attestation), was executed by the application.</summary>
    Executed = 1,

    /// <summary>An attestation was counted; the message waits for f + 1 identical attestations.</summary>
    Attested = 2,

    /// <summary>An attestation of a message already executed, or a repeat attestation by the same validator.</summary>
    AlreadyDelivered = 3,

    /// <summary>The request's payload is not a settlement entry, or an attestation names another destination.</summary>
    Malformed = 4,

    /// <summary>The submitter may not submit this entry (commands: the chain's operators; attestations: its validators).</summary>
    Unauthorized = 5,

    /// <summary>The message is from a chain this one does not relay with, or too far ahead of the next expected sequence.</summary>
    OutOfWindow = 6,

    /// <summary>A <see cref="Tick"/> sooner than <see cref="SettlementExecutorOptions.MinTickIntervalMs"/> after the last one.</summary>
    Throttled = 7,

    /// <summary>The attesting validator already has its most attestations waiting.</summary>
    LimitExceeded = 8,

    /// <summary>An operator's <see cref="SettlementQuery"/> was answered (<see cref="SettlementEntryResult.Answer"/>); nothing changed.</summary>
    Answered = 9,
}

/// <summary>One executed request's outcome.</summary>
/// <param name="Index">The request's entry index in its block.</param>
/// <param name="Client">The submitter.</param>
/// <param name="Code">What became of it.</param>
/// <param name="Execution">The application's outcome, for <see cref="SettlementEntryCode.Executed"/>.</param>
/// <param name="Attested">For an attestation counted, repeated or executed (<see cref="SettlementEntryCode.Attested"/>,
/// <see cref="SettlementEntryCode.AlreadyDelivered"/>, <see cref="SettlementEntryCode.Executed"/>): the attested message's
/// source and sequence, so the attesting validator's relay stops resubmitting it (a repeat would only be refused).</param>
/// <param name="Answer">For <see cref="SettlementEntryCode.Answered"/>, the query's answer.</param>
public sealed record SettlementEntryResult(int Index, NodeId Client, SettlementEntryCode Code, CrossChainExecution? Execution,
    (ChainId Source, ulong Sequence)? Attested = null, SettlementReply? Answer = null);

/// <summary>
/// What executing one committed block of a settlement chain did: the <see cref="BlockExecution"/> consensus carries
/// (one <see cref="SettlementReply"/> per request, the outbound messages) with the detail the relay and observers read.
/// </summary>
public sealed class SettlementBlockResult : BlockExecution
{
    /// <summary>Creates a block result.</summary>
    /// <param name="height">The block's height.</param>
    /// <param name="entries">Each executed request's outcome, in block order.</param>
    /// <param name="outbound">The cross-chain messages the chain committed to send, in order (the relay ships them).</param>
    /// <param name="executed">The delivered messages executed in this block, as (source chain, sequence).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public SettlementBlockResult(
        ulong height,
        IReadOnlyList<SettlementEntryResult> entries,
        IReadOnlyList<CrossChainMessage> outbound,
        IReadOnlyList<(ChainId Source, ulong Sequence)> executed)
        : base(Encode(entries), outbound)
    {
        ArgumentNullException.ThrowIfNull(executed);
        Height = height;
        Entries = entries;
        Executed = executed;
    }

    /// <summary>The block's height.</summary>
    public ulong Height { get; }

    /// <summary>Each executed request's outcome, in block order.</summary>
    public IReadOnlyList<SettlementEntryResult> Entries { get; }

    /// <summary>The delivered messages executed in this block, as (source chain, sequence).</summary>
    public IReadOnlyList<(ChainId Source, ulong Sequence)> Executed { get; }

    private static ReadOnlyMemory<byte>[] Encode(IReadOnlyList<SettlementEntryResult> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var results = new ReadOnlyMemory<byte>[entries.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = Canonical.Encode(SettlementReply.Of(entries[i]));
        }

        return results;
    }
}

/// <summary>Limits and pacing of a <see cref="SettlementChainExecutor"/>.</summary>
public sealed record SettlementExecutorOptions
{
    /// <summary>The shortest committed-time gap between two executed <see cref="Tick"/>s, ms (each validator ticks; one is enough).</summary>
    public long MinTickIntervalMs { get; init; } = 500;

    /// <summary>How far ahead of the next expected sequence of a source an attested message may be.</summary>
    public ulong SequenceWindow { get; init; } = CrossChainInbox.DefaultSequenceWindow;

    /// <summary>The most attestations one validator may have waiting for f + 1 (so a Byzantine validator cannot grow the state).</summary>
    public int MaxPendingAttestationsPerValidator { get; init; } = 100_000;
}

/// <summary>
/// The deterministic application of one settlement chain (a PPC or an ICC), executed by each of its validators on
/// committed blocks (docs/SETTLEMENT.md, "Relay"). Every entry is a <see cref="ClientRequest"/> whose payload is a
/// <see cref="SettlementEntry"/>:
/// <list type="bullet">
/// <item>the chain's own commands, from its operators (a bank's <see cref="StartTransfer"/>) or validators (<see cref="Tick"/>);</item>
/// <item>attestations of delivered cross-chain messages, from its own validators: a message is executed once f + 1
/// validators attested identical content ("vote after receiving"), so no f Byzantine validators can inject one, and
/// exactly once per (source, sequence).</item>
/// </list>
/// The messages the application emits while executing are the chain's committed outbound messages ("vote before
/// sending"): every honest validator emits the same ones, and <see cref="CrossChainRelay"/> ships them.
/// Each request's <see cref="SettlementReply"/> is its result in the replicas' replies.
/// Not thread-safe: one per validator, fed blocks in height order by its replica (<see cref="IChainApplication"/>).
/// </summary>
public sealed class SettlementChainExecutor : IChainApplication
{
    private readonly ValidatorSet _validators;
    private readonly IReadOnlySet<NodeId> _operators;
    private readonly Func<TransferMessage, long, CrossChainExecution> _executeCommand;
    private readonly Func<CrossChainMessage, long, CrossChainExecution> _executeDelivered;
    private readonly Func<SettlementQuery, SettlementReply> _answer;
    private readonly SettlementExecutorOptions _options;
    private readonly List<ChainId> _sources;
    private readonly Action<IBufferWriter<byte>> _writeState;
    private readonly Action<ReadOnlyMemory<byte>> _restoreState;
    private CrossChainQuorum _attestations;
    private long _lastTickMs = long.MinValue;

    private const int SnapshotVersion = 1;
    private const int SnapshotFieldCount = 6;

    private SettlementChainExecutor(
        ChainId chain,
        ValidatorSet validators,
        IReadOnlySet<NodeId> operators,
        IEnumerable<ChainId> sources,
        Func<TransferMessage, long, CrossChainExecution> executeCommand,
        Func<CrossChainMessage, long, CrossChainExecution> executeDelivered,
        Func<SettlementQuery, SettlementReply> answer,
        Action<IBufferWriter<byte>> writeState,
        Action<ReadOnlyMemory<byte>> restoreState,
        SettlementExecutorOptions? options)
    {
        ArgumentNullException.ThrowIfNull(validators);
        ArgumentNullException.ThrowIfNull(operators);
        ArgumentNullException.ThrowIfNull(sources);
        Chain = chain;
        _validators = validators;
        _operators = operators;
        _executeCommand = executeCommand;
        _executeDelivered = executeDelivered;
        _answer = answer;
        _writeState = writeState;
        _restoreState = restoreState;
        _options = options ?? new SettlementExecutorOptions();
        // Each validator's committed attestation is its vote; f + 1 identical ones include an honest validator's.
        _sources = sources.Where(source => source != chain).ToList();
        _attestations = new CrossChainQuorum(_sources, _options.SequenceWindow);
    }

    /// <summary>This chain.</summary>
    public ChainId Chain { get; }

    /// <summary>The height of the last executed block, or null before the first.</summary>
    public ulong? LastAppliedHeight { get; private set; }

    /// <summary>Attested messages still waiting for f + 1 attestations.</summary>
    public int PendingAttestations => _attestations.PendingMessages;

    /// <summary>The executor of a participant chain (a bank's PPC).</summary>
    /// <param name="application">The PPC's application.</param>
    /// <param name="validators">The PPC's validators (they attest delivered messages and tick).</param>
    /// <param name="operators">The bank's settlement services: the only clients that may start transfers.</param>
    /// <param name="intermediaries">The ICCs it relays with.</param>
    /// <param name="options">Limits, or null for the defaults.</param>
    /// <returns>The executor.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SettlementChainExecutor ForParticipant(
        ParticipantChainApplication application,
        ValidatorSet validators,
        IReadOnlySet<NodeId> operators,
        IEnumerable<ChainId> intermediaries,
        SettlementExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(application);
        return new SettlementChainExecutor(application.Chain, validators, operators, intermediaries,
            application.Execute, application.Execute, query => Answer(query, application.Ledger, application.GetState, application.GetReason),
            application.WriteSnapshot, application.RestoreSnapshot, options);
    }

    /// <summary>The executor of an intermediary chain (an ICC).</summary>
    /// <param name="application">The ICC's application.</param>
    /// <param name="validators">The ICC's validators (they attest delivered messages and tick).</param>
    /// <param name="operators">The ICC operator's services (may submit its own commands: <see cref="CloseCycle"/>, ticks).</param>
    /// <param name="participants">The PPCs it relays with.</param>
    /// <param name="options">Limits, or null for the defaults.</param>
    /// <returns>The executor.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SettlementChainExecutor ForIntermediary(
        IntermediaryChainApplication application,
        ValidatorSet validators,
        IReadOnlySet<NodeId> operators,
        IEnumerable<ChainId> participants,
        SettlementExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(application);
        return new SettlementChainExecutor(application.Chain, validators, operators, participants,
            (command, now) => command switch
            {
                Tick tick => application.Execute(tick, now),
                CloseCycle close => application.Execute(close, now),
                _ => new CrossChainExecution(CrossChainResultCode.Malformed, command.TransactionId, null, TransferFailureReason.None, Ledger.LedgerResultCode.Ok, []),
            },
            application.Execute, query => Answer(query, application.Ledger, application.GetState, _ => null),
            application.WriteSnapshot, application.RestoreSnapshot, options);
    }

    /// <summary>
    /// The executor of a trading chain (a TBC of an intermediary): it passes messages between its PPC and its ABC,
    /// recording the PPC's transactions; its validators tick it (retention) and the ICC operator may read it.
    /// </summary>
    /// <param name="application">The TBC's application.</param>
    /// <param name="validators">The TBC's validators (they attest delivered messages and tick).</param>
    /// <param name="operators">The ICC operator's services (may tick and read the records).</param>
    /// <param name="options">Limits, or null for the defaults.</param>
    /// <returns>The executor.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SettlementChainExecutor ForTradingChain(
        TradingChainApplication application,
        ValidatorSet validators,
        IReadOnlySet<NodeId> operators,
        SettlementExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(application);
        return new SettlementChainExecutor(application.Chain, validators, operators, [application.Participant, application.Intermediary],
            (command, now) => command is Tick tick
                ? application.Execute(tick, now)
                : new CrossChainExecution(CrossChainResultCode.Malformed, command.TransactionId, null, TransferFailureReason.None, Ledger.LedgerResultCode.Ok, []),
            application.Execute,
            query => new SettlementReply(SettlementEntryCode.Answered, null, query.TransactionId,
                query.Kind == SettlementQueryKind.Transaction ? application.GetState(query.TransactionId) : null, TransferFailureReason.None),
            application.WriteSnapshot, application.RestoreSnapshot, options);
    }

    /// <summary>The first sequence from <paramref name="source"/> not yet executed (for a relay's restore after a restart).</summary>
    /// <param name="source">The source chain.</param>
    /// <returns>The sequence (0 for an unknown source).</returns>
    public ulong NextExpected(ChainId source) => _attestations.NextExpected(source);

    /// <summary>The delivered messages from <paramref name="source"/> executed above <see cref="NextExpected"/>, in increasing order.</summary>
    /// <param name="source">The source chain.</param>
    /// <returns>The sequences (none for an unknown source).</returns>
    public IReadOnlyList<ulong> ExecutedAbove(ChainId source) => _attestations.DeliveredAbove(source);

    /// <summary>Whether the delivered message (<paramref name="source"/>, <paramref name="sequence"/>) was executed.</summary>
    /// <param name="source">The source chain.</param>
    /// <param name="sequence">The sequence.</param>
    /// <returns>True once executed.</returns>
    public bool WasExecuted(ChainId source, ulong sequence) => _attestations.IsDelivered(source, sequence);

    /// <summary>Executes one committed block's new requests, in height order.</summary>
    /// <param name="block">The block and its requests (decoded and verified by consensus).</param>
    /// <returns>What it did; its <see cref="BlockExecution.Results"/> are the requests' <see cref="SettlementReply"/>s.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="block"/> is null.</exception>
    /// <exception cref="ArgumentException">The block is not the next height, or belongs to another chain.</exception>
    public SettlementBlockResult Execute(CommittedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.ChainId != Chain || (LastAppliedHeight is { } last ? block.Height != last + 1 : block.Height != 0))
        {
            throw new ArgumentException(
                $"{Chain} executes its blocks once each, in height order: block {block.Height} of {block.ChainId} after {LastAppliedHeight?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.",
                nameof(block));
        }

        long now = block.TimestampUnixMs;
        var entries = new SettlementEntryResult[block.Requests.Count];
        var outbound = new List<CrossChainMessage>();
        var executed = new List<(ChainId, ulong)>();
        for (int i = 0; i < entries.Length; i++)
        {
            var (index, request) = block.Requests[i];
            entries[i] = ExecuteEntry(index, request, now, outbound, executed);
        }

        LastAppliedHeight = block.Height;
        return new SettlementBlockResult(block.Height, entries, outbound, executed);
    }

    /// <inheritdoc />
    BlockExecution IChainApplication.Execute(CommittedBlock block) => Execute(block);

    /// <summary>
    /// Writes the chain's replicated state: the attestation tally, the tick throttle, the last height and the
    /// application's own snapshot (<see cref="ParticipantChainApplication.WriteSnapshot"/> or
    /// <see cref="IntermediaryChainApplication.WriteSnapshot"/>), as <c>[version, chain, height, lastTickMs, tally, application]</c>.
    /// </summary>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void WriteSnapshot(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var application = new ArrayBufferWriter<byte>();
        _writeState(application);
        var w = new CanonicalWriter(output);
        w.WriteArrayHeader(SnapshotFieldCount);
        w.WriteInt32(SnapshotVersion);
        w.WriteChainId(Chain);
        if (LastAppliedHeight is { } height)
        {
            w.WriteUInt64(height);
        }
        else
        {
            w.WriteNil();
        }

        w.WriteInt64(_lastTickMs);
        w.WriteBinary(_attestations.ExportSnapshot());
        w.WriteBinary(application.WrittenSpan);
    }

    /// <summary>
    /// Replaces the state with one <see cref="WriteSnapshot"/> wrote at <paramref name="height"/> on an executor of the
    /// same chain, built alike. The bytes are checked, not trusted; when this throws, nothing changed.
    /// </summary>
    /// <param name="height">The height of the last block the snapshot's state executed.</param>
    /// <param name="snapshot">The bytes.</param>
    /// <exception cref="CodecException">The bytes are not a snapshot of this chain at that height.</exception>
    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
    {
        var r = new CanonicalReader(snapshot, CodecLimits.Snapshot);
        r.ReadArrayHeader(SnapshotFieldCount);
        long offset = r.Consumed;
        if (r.ReadInt32() != SnapshotVersion || r.ReadChainId() != Chain || r.TryReadNil() || r.ReadUInt64() != height)
        {
            throw new CodecException(CodecError.ValueOutOfRange, offset, $"not a snapshot of {Chain} at height {height} (or an unsupported version)");
        }

        long lastTickMs = r.ReadInt64();
        var attestations = new CrossChainQuorum(_sources, _options.SequenceWindow);
        attestations.ImportSnapshot(r.ReadBinaryArray());
        var application = r.ReadBinaryArray();
        r.EnsureEnd();
        _restoreState(application);
        _attestations = attestations;
        _lastTickMs = lastTickMs;
        LastAppliedHeight = height;
    }

    private SettlementEntryResult ExecuteEntry(int index, ClientRequest request, long now, List<CrossChainMessage> outbound, List<(ChainId, ulong)> executed)
    {
        var client = request.ClientId;
        SettlementEntry entry;
        try
        {
            entry = Canonical.Decode<SettlementEntry>(request.Payload);
        }
        catch (CodecException)
        {
            return new SettlementEntryResult(index, client, SettlementEntryCode.Malformed, null);
        }

        if (entry.Query is { } query)
        {
            return _operators.Contains(client)
                ? new SettlementEntryResult(index, client, SettlementEntryCode.Answered, null, Answer: _answer(query))
                : new SettlementEntryResult(index, client, SettlementEntryCode.Unauthorized, null);
        }

        if (entry.Command is { } command)
        {
            bool isTick = command is Tick;
            if (!_operators.Contains(client) && !(isTick && _validators.Contains(client)))
            {
                return new SettlementEntryResult(index, client, SettlementEntryCode.Unauthorized, null);
            }

            if (isTick)
            {
                if (_lastTickMs != long.MinValue && now - _lastTickMs < _options.MinTickIntervalMs)
                {
                    return new SettlementEntryResult(index, client, SettlementEntryCode.Throttled, null);
                }

                _lastTickMs = now;
            }

            var result = _executeCommand(command, now);
            outbound.AddRange(result.Outbound);
            return new SettlementEntryResult(index, client, SettlementEntryCode.Executed, result);
        }

        return Attest(index, client, entry.Delivered!, now, outbound, executed);
    }

    private static SettlementReply Answer(SettlementQuery query, Ledger.AccountLedger ledger,
        Func<Hash256, CrossChainTransactionState?> state, Func<Hash256, TransferFailureReason?> reason) =>
        query.Kind == SettlementQueryKind.Transaction
            ? new SettlementReply(SettlementEntryCode.Answered, null, query.TransactionId, state(query.TransactionId), reason(query.TransactionId) ?? TransferFailureReason.None)
            : new SettlementReply(SettlementEntryCode.Answered, null, Hash256.Zero, null, TransferFailureReason.None)
            {
                Balance = ledger.TryGetBalance(query.Account, query.Asset, out var balance) ? balance : null,
            };

    private SettlementEntryResult Attest(int index, NodeId validator, CrossChainMessage message, long now, List<CrossChainMessage> outbound, List<(ChainId, ulong)> executed)
    {
        if (!_validators.Contains(validator))
        {
            return new SettlementEntryResult(index, validator, SettlementEntryCode.Unauthorized, null);
        }

        if (message.Destination != Chain)
        {
            return new SettlementEntryResult(index, validator, SettlementEntryCode.Malformed, null);
        }

        var key = (message.Source, message.Sequence);
        switch (_attestations.Vote(message.Source, message.Sequence, validator, message.Digest, _validators.WeakQuorum, _options.MaxPendingAttestationsPerValidator))
        {
            case CrossChainVote.OutOfWindow:
                return new SettlementEntryResult(index, validator, SettlementEntryCode.OutOfWindow, null);
            case CrossChainVote.LimitExceeded:
                return new SettlementEntryResult(index, validator, SettlementEntryCode.LimitExceeded, null);
            case CrossChainVote.Counted:
                return new SettlementEntryResult(index, validator, SettlementEntryCode.Attested, null, key);
            case CrossChainVote.Reached:
                // f + 1 validators vouch for identical content: at least one honest validator received it from f + 1 of the source's.
                executed.Add(key);
                var result = _executeDelivered(message, now);
                outbound.AddRange(result.Outbound);
                return new SettlementEntryResult(index, validator, SettlementEntryCode.Executed, result, key);
            default:
                // Delivered before, or this validator attested already (its first attestation stands).
                return new SettlementEntryResult(index, validator, SettlementEntryCode.AlreadyDelivered, null, key);
        }
    }
}
