using System.Buffers;

namespace ChainInterop.Consensus.Hosting;

/// <summary>
/// One copy of a chain's application per validator (the replicated state machine), for an <see cref="InProcessChain"/>:
/// each validator's replica executes its committed blocks on its own copy, and callers read a copy or wait until every
/// copy has executed a height — without each caller writing its own locking.
/// </summary>
/// <typeparam name="TApplication">The application (e.g. a contract or a ledger); not thread-safe itself.</typeparam>
public sealed class ReplicatedApplication<TApplication>
    where TApplication : class, IChainApplication
{
    private readonly TApplication[] _copies;
    private readonly ulong?[] _applied;
    private readonly Copy[] _applications;
    private readonly object _gate = new(); // guards _applied and _changed; each copy is locked on itself
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the copies.</summary>
    /// <param name="copies">How many (one per validator).</param>
    /// <param name="create">Builds copy <c>i</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="copies"/> is below 1.</exception>
    public ReplicatedApplication(int copies, Func<int, TApplication> create)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(copies, 1);
        ArgumentNullException.ThrowIfNull(create);
        _copies = [.. Enumerable.Range(0, copies).Select(create)];
        _applied = new ulong?[copies];
        _applications = [.. Enumerable.Range(0, copies).Select(i => new Copy(this, i))];
    }

    /// <summary>How many copies.</summary>
    public int Count => _copies.Length;

    /// <summary>The application of validator <paramref name="copy"/>, to pass to <see cref="InProcessChain.StartAsync"/> (e.g. <c>replicas.Application</c>).</summary>
    /// <param name="copy">The validator's index.</param>
    /// <returns>Executes each committed block on that copy under its lock.</returns>
    public IChainApplication Application(int copy) => _applications[copy];

    /// <summary>Reads copy <paramref name="copy"/> while no block is being applied to it.</summary>
    /// <typeparam name="TResult">What is read.</typeparam>
    /// <param name="copy">The validator's index.</param>
    /// <param name="read">The read.</param>
    /// <returns>Its result.</returns>
    public TResult Read<TResult>(int copy, Func<TApplication, TResult> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        lock (_copies[copy])
        {
            return read(_copies[copy]);
        }
    }

    /// <summary>Waits until every copy has applied <paramref name="height"/>.</summary>
    /// <param name="height">The height.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes then.</returns>
    public Task WaitForHeightAsync(ulong height, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(applied => applied.All(h => h >= height), cancellationToken);

    /// <summary>Waits until copy <paramref name="copy"/> has applied <paramref name="height"/>.</summary>
    /// <param name="copy">The validator's index.</param>
    /// <param name="height">The height.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes then.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="copy"/> is not a copy's index.</exception>
    public Task WaitForHeightAsync(int copy, ulong height, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copy);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(copy, _copies.Length);
        return WaitUntilAsync(applied => applied[copy] >= height, cancellationToken);
    }

    private BlockExecution Execute(int copy, CommittedBlock block)
    {
        BlockExecution execution;
        lock (_copies[copy])
        {
            execution = _copies[copy].Execute(block);
        }

        Applied(copy, block.Height);
        return execution;
    }

    private void Restore(int copy, ulong height, ReadOnlyMemory<byte> snapshot)
    {
        lock (_copies[copy])
        {
            _copies[copy].RestoreSnapshot(height, snapshot);
        }

        Applied(copy, height);
    }

    private void Applied(int copy, ulong height)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _applied[copy] = height;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task WaitUntilAsync(Func<ulong?[], bool> reached, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (reached(_applied))
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Copy(ReplicatedApplication<TApplication> owner, int index) : IChainApplication
    {
        public BlockExecution Execute(CommittedBlock block) => owner.Execute(index, block);

        public void WriteSnapshot(IBufferWriter<byte> output) => owner.Read(index, application =>
        {
            application.WriteSnapshot(output);
            return true;
        });

        public void RestoreSnapshot(ulong height, ReadOnlyMemory<byte> snapshot) => owner.Restore(index, height, snapshot);
    }
}
