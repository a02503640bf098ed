using ChainInterop.Ledger;
using static ChainInterop.Tests.Ledger.LedgerTestSupport;

namespace ChainInterop.Tests.Ledger;

/// <summary><see cref="AccountLedger.ApplyAtomic"/>: a linked group for an application's own step, without the 64-member wire limit.</summary>
public sealed class AccountLedgerAtomicTests
{
    [Fact]
    public void An_atomic_group_beyond_the_linked_wire_limit_applies_whole_S2_S3()
    {
        var ledger = Funded();
        var many = Enumerable.Range(1, LinkedCommand.MaxLinkedCommands + 10)
            .Select(i => (LedgerCommand)new TransferCommand(Id((ulong)i), A, B, Cny, M(1))).ToArray();
        Assert.Equal(LedgerResult.Ok, ledger.ApplyAtomic(many, 1000));
        Assert.Equal(M(LinkedCommand.MaxLinkedCommands + 10), Bal(ledger, B, Cny).Posted - Bal(Funded(), B, Cny).Posted);

        // Re-submitted whole: idempotent, like a linked group.
        Assert.Equal(LedgerResultCode.AlreadyApplied, ledger.ApplyAtomic(many, 1000).Code);
    }

    [Fact]
    public void An_atomic_group_with_a_failing_member_changes_nothing_S2_S3()
    {
        var ledger = Funded();
        Ok(ledger, new ReserveCommand(Id(1), A, B, Cny, M(100), 5000));
        var snapshot = ledger.ExportSnapshot();
        var group = Enumerable.Range(10, LinkedCommand.MaxLinkedCommands)
            .Select(i => (LedgerCommand)new TransferCommand(Id((ulong)i), A, C, Cny, M(1)))
            .Prepend(new VoidCommand(Id(2), Id(1)))
            .Append(new TransferCommand(Id(500), C, A, Cny, M(1_000_000)))
            .ToArray();
        Assert.Equal(new LedgerResult(LedgerResultCode.InsufficientAssets, group.Length - 1), ledger.ApplyAtomic(group, 1000));
        Assert.Equal(snapshot, ledger.ExportSnapshot());
    }

    [Fact]
    public void An_atomic_group_does_not_nest_and_is_bounded_by_the_block_limit_S2()
    {
        var ledger = Funded();
        var inner = new LinkedCommand([new TransferCommand(Id(1), A, B, Cny, M(1))]);
        Assert.Throws<ArgumentException>(() => ledger.ApplyAtomic([inner], 1000));
        Assert.Throws<ArgumentNullException>(() => ledger.ApplyAtomic([null!], 1000));
        Assert.Throws<ArgumentException>(() => ledger.ApplyAtomic(new LedgerCommand[AccountLedger.MaxCommandsPerBlock + 1], 1000));
        Assert.Equal(LedgerResultCode.InvalidCommand, ledger.ApplyAtomic([], 1000).Code);
    }
}
