using System.Threading.Channels;
using ChainInterop.Consensus;
using ChainInterop.Consensus.Hosting;
using ChainInterop.Crypto;
using ChainInterop.Settlement.CrossChainTransactions;
using ChainInterop.Settlement.Relay;
using ChainInterop.Transport;
using Microsoft.Extensions.Logging;

namespace ChainInterop.Settlement.Hosting;

/// <summary>
/// One validator's settlement roles in an <see cref="InProcessSettlementNetwork"/>: its copy of the chain's application
/// (the <see cref="SettlementChainExecutor"/>, executed by its replica) and its relay, which follows the chain
/// (<see cref="ICommittedBlockObserver"/>: each stored block's execution, replayed ones after a restart included) and is
/// driven by one loop of its own: executions, received frames and ticks go through a queue, so the relay stays
/// single-threaded.
/// </summary>
internal sealed partial class SettlementValidator : IChainApplication, ICommittedBlockObserver, IRelayEffects, IAsyncDisposable
{
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(NodeId Recipient, ReadOnlyMemory<byte> Frame)> _sends = [];
    private readonly List<SettlementEntry> _submits = [];
    private readonly CrossChainRelay _relay;
    private readonly PrivateKey _key;
    private readonly ITransport _transport;
    private readonly InProcessSettlementOptions _options;
    private readonly Action<SettlementValidator, SettlementBlockResult>? _observed;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private InProcessChain? _chain;
    private ulong _timestamp;
    private int _disposed;

    public SettlementValidator(
        ChainId chain,
        int index,
        PrivateKey key,
        ParticipantChainApplication? participant,
        IntermediaryChainApplication? intermediary,
        SettlementChainExecutor executor,
        CrossChainRelay relay,
        ITransport transport,
        InProcessSettlementOptions options,
        Action<SettlementValidator, SettlementBlockResult>? observed,
        ILogger log)
    {
        Chain = chain;
        Index = index;
        _key = key;
        Participant = participant;
        Intermediary = intermediary;
        Executor = executor;
        _relay = relay;
        _transport = transport;
        _options = options;
        _observed = observed;
        _time = options.TimeProvider ?? TimeProvider.System;
        _log = log;
    }

    public ChainId Chain { get; }

    public int Index { get; }

    public NodeId Id => _transport.LocalNode;

    /// <summary>The PPC application, when the chain is a PPC.</summary>
    public ParticipantChainApplication? Participant { get; }

    /// <summary>The ICC application, when the chain is an ICC.</summary>
    public IntermediaryChainApplication? Intermediary { get; }

    public SettlementChainExecutor Executor { get; }

    public int RelayBacklog => _relay.UnackedCount + _relay.AwaitingExecutionCount;

    /// <summary>The transaction's state on this copy, if it knows it.</summary>
    public CrossChainTransactionState? StateOf(Hash256 transactionId) =>
        Participant?.GetState(transactionId) ?? Intermediary?.GetState(transactionId);

    /// <inheritdoc />
    public BlockExecution Execute(CommittedBlock block) => Executor.Execute(block);

    /// <inheritdoc />
    public ValueTask OnCommittedAsync(CommittedBlock block, BlockExecution execution, bool replayed, CancellationToken cancellationToken)
    {
        var result = (SettlementBlockResult)execution;
        _work.Writer.TryWrite(new Work(result, replayed, default, default));
        if (!replayed)
        {
            _observed?.Invoke(this, result);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Starts the relay loops once the chain runs.</summary>
    public void Start(InProcessChain chain)
    {
        _chain = chain;
        _loops.Add(Task.Run(() => RelayLoopAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => ReceiveLoopAsync(_stopping.Token)));
        _loops.Add(Task.Run(() => TickLoopAsync(_stopping.Token)));
    }

    void IRelayEffects.Send(NodeId recipient, ReadOnlyMemory<byte> frame) => _sends.Add((recipient, frame));

    void IRelayEffects.Submit(SettlementEntry entry) => _submits.Add(entry);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _work.Writer.TryComplete();
        await Task.WhenAll(_loops).ConfigureAwait(false);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RelayLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (work.Block is { } block)
                {
                    _relay.OnBlock(block, now, this, work.Replay);
                }
                else if (work.Own is { } own)
                {
                    SubmitOwn(own);
                }
                else if (work.Frame.Payload.IsEmpty)
                {
                    _relay.Tick(now, this);
                }
                else
                {
                    var received = _relay.Receive(work.Frame.From, work.Frame.Payload, now, this);
                    work.Frame.Release(); // the relay decodes a copy
                    if (received == RelayReceiveCode.Refused)
                    {
                        LogRefused(_log, Chain, Index, work.Frame.From, _relay.LastRefusal);
                    }
                }

                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in _submits)
        {
            SubmitOwn(entry);
        }

        _submits.Clear();
        foreach (var (recipient, frame) in _sends)
        {
            try
            {
                await _transport.SendAsync(recipient, frame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The relay resends what is not acknowledged; a peer being down is not our failure.
                LogSendFailed(_log, e, Chain, Index, recipient);
            }
        }

        _sends.Clear();
    }

    private void SubmitOwn(SettlementEntry entry)
    {
        // A fresh, increasing request counter: a resubmitted attestation must not look like a stale request.
        ulong now = (ulong)Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds()) * 1_000;
        _timestamp = Math.Max(_timestamp + 1, now);
        _chain!.Submit(ClientRequest.Create(_key, Chain, _timestamp, entry.ToCanonicalBytes()));
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var inbound in _transport.Inbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (inbound.Payload.IsEmpty)
                {
                    inbound.Release(); // an empty work item means "tick"; an empty message is nothing
                }
                else
                {
                    _work.Writer.TryWrite(new Work(null, false, inbound, default));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task TickLoopAsync(CancellationToken cancellationToken)
    {
        long lastChainTick = long.MinValue;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(_options.RelayTickIntervalMs), _time, cancellationToken).ConfigureAwait(false);
                _work.Writer.TryWrite(new Work(null, false, default, default));
                long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                if (lastChainTick == long.MinValue || now - lastChainTick >= _options.ChainTickIntervalMs)
                {
                    lastChainTick = now;
                    _work.Writer.TryWrite(new Work(null, false, default, SettlementEntry.OwnCommand(new Tick(now))));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Chain} validator {Index}: relay frame from {From} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, ChainId chain, int index, NodeId from, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Chain} validator {Index}: relay send to {Peer} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, ChainId chain, int index, NodeId peer);

    /// <summary>One item for the relay loop: an executed block, a received frame, an own entry to submit, or (all empty) a relay tick.</summary>
    private readonly record struct Work(SettlementBlockResult? Block, bool Replay, InboundMessage Frame, SettlementEntry? Own);
}
