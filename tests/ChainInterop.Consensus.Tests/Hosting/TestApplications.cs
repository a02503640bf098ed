namespace ChainInterop.Consensus.Tests.Hosting;

/// <summary>An application written inline by a test.</summary>
internal sealed class InlineApplication(Func<CommittedBlock, BlockExecution> execute) : IChainApplication
{
    public BlockExecution Execute(CommittedBlock block) => execute(block);
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
