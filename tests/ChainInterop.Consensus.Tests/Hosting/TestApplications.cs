namespace ChainInterop.Consensus.Tests.Hosting;

/// <summary>An application written inline by a test.</summary>
/// <remarks>Its state lives in the test's closures, so it cannot be snapshotted: tests that snapshot use a <see cref="CounterApplication"/>.</remarks>
internal sealed class InlineApplication(Func<CommittedBlock, BlockExecution> execute) : IChainApplication
{
    public BlockExecution Execute(CommittedBlock block) => execute(block);

    public void WriteSnapshot(System.Buffers.IBufferWriter<byte> output) =>
        throw new NotSupportedException("An inline test application keeps its state in the test; snapshot a CounterApplication.");

    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot) =>
        throw new NotSupportedException("An inline test application keeps its state in the test; snapshot a CounterApplication.");
}

/// <summary>
/// A small stateful application with a real snapshot: per payload byte value a count, and a running hash over every
/// executed request; each request's result is its running hash (so a result depends on everything before it).
/// </summary>
internal sealed class CounterApplication : IChainApplication
{
    public Dictionary<byte, long> Counts { get; private set; } = [];

    public Crypto.Hash256 Running { get; private set; } = Crypto.Hash256.Zero;

    public ulong? Height { get; private set; }

    public BlockExecution Execute(CommittedBlock block)
    {
        var results = new ReadOnlyMemory<byte>[block.Requests.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var payload = block.Requests[i].Request.Payload.Span;
            byte key = payload.IsEmpty ? (byte)0 : payload[0];
            Counts[key] = Counts.GetValueOrDefault(key) + 1;
            Running = Crypto.Hash256.Compute([.. Running.ToArray(), .. payload]);
            results[i] = Running.ToArray();
        }

        Height = block.Height;
        return new BlockExecution(results, []);
    }

    public void WriteSnapshot(System.Buffers.IBufferWriter<byte> output)
    {
        var w = new Codec.CanonicalWriter(output);
        w.WriteArrayHeader(2);
        w.WriteHash256(Running);
        w.WriteArrayHeader(Counts.Count);
        foreach (var (key, count) in Counts.OrderBy(kv => kv.Key))
        {
            w.WriteArrayHeader(2);
            w.WriteUInt32(key);
            w.WriteInt64(count);
        }
    }

    public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot)
    {
        var r = new Codec.CanonicalReader(snapshot);
        r.ReadArrayHeader(2);
        var running = r.ReadHash256();
        int n = r.ReadArrayHeader();
        var counts = new Dictionary<byte, long>(n);
        for (int i = 0; i < n; i++)
        {
            r.ReadArrayHeader(2);
            counts.Add(r.ReadByte(), r.ReadInt64());
        }

        r.EnsureEnd();
        (Running, Counts, Height) = (running, counts, height);
    }
}

/// <summary>What follows a chain, written inline by a test.</summary>
internal sealed class InlineObserver(Func<CommittedBlock, BlockExecution, bool, CancellationToken, ValueTask> observe) : ICommittedBlockObserver
{
    public InlineObserver(Action<CommittedBlock, bool> observe)
        : this((block, _, replayed, _) =>
        {
            observe(block, replayed);
            return ValueTask.CompletedTask;
        })
    {
    }

    public ValueTask OnCommittedAsync(CommittedBlock block, BlockExecution execution, bool replayed, CancellationToken cancellationToken) =>
        observe(block, execution, replayed, cancellationToken);
}
