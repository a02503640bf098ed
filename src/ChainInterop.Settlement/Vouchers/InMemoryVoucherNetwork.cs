using ChainInterop.Codec;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// A deterministic, single-threaded driver for voucher parties in one process (tests, samples, benchmarks): a FIFO
/// of messages in their canonical wire form and a virtual clock. Each message is encoded when sent and decoded when
/// delivered, as a real transport would; an institution can be silenced to model one that never answers.
/// </summary>
public sealed class InMemoryVoucherNetwork
{
    /// <summary>The most messages one <see cref="Run"/> delivers, in messages (guards against a message loop).</summary>
    public const int MaxDeliveriesPerRun = 1_000_000;

    private readonly SortedDictionary<InstitutionId, IVoucherParty> _parties = [];
    private readonly Queue<(InstitutionId To, byte[] Bytes)> _queue = new();
    private readonly HashSet<InstitutionId> _silenced = [];
    private readonly List<FlowEvent> _events = [];
    private readonly List<ClearingPublication> _publications = [];

    /// <summary>Creates the network.</summary>
    /// <param name="startMs">The virtual clock's start, Unix milliseconds.</param>
    public InMemoryVoucherNetwork(long startMs) => NowMs = startMs;

    /// <summary>The virtual clock, Unix milliseconds.</summary>
    public long NowMs { get; private set; }

    /// <summary>Every event so far, in order.</summary>
    public IReadOnlyList<FlowEvent> Events => _events;

    /// <summary>Every clearing publication the parties produced, in order.</summary>
    public IReadOnlyList<ClearingPublication> Publications => _publications;

    /// <summary>The messages delivered so far.</summary>
    public long MessagesDelivered { get; private set; }

    /// <summary>The bytes delivered so far.</summary>
    public long BytesDelivered { get; private set; }

    /// <summary>The messages sent to silenced institutions and dropped.</summary>
    public long MessagesDropped { get; private set; }

    /// <summary>Adds a party.</summary>
    /// <param name="party">The party.</param>
    /// <exception cref="ArgumentNullException"><paramref name="party"/> is null.</exception>
    /// <exception cref="ArgumentException">A party for the same institution is already added.</exception>
    public void Add(IVoucherParty party)
    {
        ArgumentNullException.ThrowIfNull(party);
        if (!_parties.TryAdd(party.Id, party))
        {
            throw new ArgumentException($"{party.Id} is already on the network.", nameof(party));
        }
    }

    /// <summary>Drops every message sent to <paramref name="institution"/> from now on: it never answers.</summary>
    /// <param name="institution">The institution.</param>
    public void Silence(InstitutionId institution) => _silenced.Add(institution);

    /// <summary>Takes a step's outputs: queues its messages, records its events and publications.</summary>
    /// <param name="step">The step.</param>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is null.</exception>
    public void Accept(VoucherStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        foreach (var message in step.Messages)
        {
            Send(message.To, message.Message);
        }

        _events.AddRange(step.Events);
        _publications.AddRange(step.Publications);
    }

    /// <summary>Queues a message (e.g. a replay or a forgery in a test).</summary>
    /// <param name="to">The receiver.</param>
    /// <param name="message">The message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public void Send(InstitutionId to, VoucherMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_silenced.Contains(to) || !_parties.ContainsKey(to))
        {
            MessagesDropped++;
            return;
        }

        _queue.Enqueue((to, Canonical.Encode(message)));
    }

    /// <summary>Delivers queued messages, and those they cause, until none is left.</summary>
    /// <returns>The number delivered.</returns>
    /// <exception cref="InvalidOperationException">More than <see cref="MaxDeliveriesPerRun"/> messages (a loop).</exception>
    public int Run()
    {
        int delivered = 0;
        while (_queue.TryDequeue(out var item))
        {
            if (++delivered > MaxDeliveriesPerRun)
            {
                throw new InvalidOperationException($"More than {MaxDeliveriesPerRun} messages in one run.");
            }

            MessagesDelivered++;
            BytesDelivered += item.Bytes.Length;
            var message = Canonical.Decode<VoucherMessage>(item.Bytes);
            Accept(_parties[item.To].Receive(message, NowMs));
        }

        return delivered;
    }

    /// <summary>Moves the clock to <paramref name="nowMs"/>, ticks every party (in institution order), then <see cref="Run"/>s.</summary>
    /// <param name="nowMs">The new time; not before <see cref="NowMs"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nowMs"/> is in the past.</exception>
    public void AdvanceTo(long nowMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nowMs, NowMs);
        NowMs = nowMs;
        foreach (var party in _parties.Values)
        {
            Accept(party.Tick(nowMs));
        }

        Run();
    }

    /// <summary>Forgets the events and publications recorded so far (long runs).</summary>
    public void ClearRecords()
    {
        _events.Clear();
        _publications.Clear();
    }
}
