using ChainInterop;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Storage;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// An intermediary (ICC) between two banks' chains, on disk: its account chain (ABC) keeps balances, one trading
/// chain (TBC) per bank keeps the transaction records. One payment is reserved and posted, another reserved and
/// voided; then the process "restarts" and rebuilds everything from the files.
/// </summary>
internal static class IntermediaryDemo
{
    private static readonly ChainId Abc = new("icc-1-abc");
    private static readonly ChainId TbcA = new("icc-1-tbc-a");
    private static readonly ChainId TbcB = new("icc-1-tbc-b");
    private static readonly ChainId PpcA = new("ppc-bank-a");
    private static readonly ChainId PpcB = new("ppc-bank-b");
    private static readonly AssetCode Cny = new("CNY");
    private static readonly AccountId BankAAccount = new("bank-a:cny");
    private static readonly AccountId BankBAccount = new("bank-b:cny");
    private static readonly InstitutionId BankA = new("bank-a");
    private static readonly InstitutionId BankB = new("bank-b");

    public static async Task RunAsync(StorageIsolation isolation)
    {
        string directory = Directory.CreateTempSubdirectory("chaininterop-icc-").FullName;
        Console.WriteLine();
        Console.WriteLine($"Intermediary icc-1 with an ABC and two TBCs in {directory} ({isolation} isolation)");
        var options = new IntermediaryLedgerOptions { AccountChain = Abc, SnapshotIntervalBlocks = 3 };
        options.TradingChains.Add(new TradingChainLink(TbcA, PpcA));
        options.TradingChains.Add(new TradingChainLink(TbcB, PpcB));
        var storeOptions = new FileStoreOptions { Path = Path.Combine(directory, "chains"), Isolation = isolation };
        var snapshots = new FileStateSnapshotStore(Path.Combine(directory, "snapshots"));
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Hash256 stateBeforeRestart;
        await using (var stores = new FileBlockStoreProvider(storeOptions))
        await using (var ledger = await IntermediaryLedger.OpenAsync(options, stores, snapshots))
        {
            using var abc = new LocalChain(Abc);
            using var tbcA = new LocalChain(TbcA);
            using var tbcB = new LocalChain(TbcB);

            // Both banks open CNY accounts at the intermediary; bank A deposits 1,000,000.00 of backing funds.
            await ledger.CommitAccountBlockAsync(abc.Next<LedgerCommand>(now,
                new OpenAccountCommand(BankAAccount, BankA, [Cny]),
                new OpenAccountCommand(BankBAccount, BankB, [Cny]),
                new IssueCommand(TransferId.FromUInt64(1), BankAAccount, Cny, Amount.FromMinorUnits(1_000_000_00))));

            // Payment 1: 250,000.00 from bank A to bank B, reserved (pending leg, Time1 = 60 s), then posted.
            var pay1 = Hash256.Compute("payment-1"u8);
            var reserve1 = TransferId.FromHash(pay1);
            await ledger.CommitTradingBlockAsync(tbcA.Next(now + 1, Trade(pay1, TradeStatus.Pending, PpcA, 250_000_00, reserve1)));
            await ledger.CommitAccountBlockAsync(abc.Next<LedgerCommand>(now + 2,
                new ReserveCommand(reserve1, BankAAccount, BankBAccount, Cny, Amount.FromMinorUnits(250_000_00), now + 60_000)));
            Print(ledger, "after reserving payment 1");
            var post1 = TransferId.FromUInt64(1001);
            await ledger.CommitAccountBlockAsync(abc.Next<LedgerCommand>(now + 3, new PostCommand(post1, reserve1)));
            await ledger.CommitTradingBlockAsync(tbcA.Next(now + 4, Trade(pay1, TradeStatus.Committed, PpcA, 250_000_00, post1)));
            await ledger.CommitTradingBlockAsync(tbcB.Next(now + 4,
                Trade(pay1, TradeStatus.Pending, PpcB, 250_000_00, reserve1), Trade(pay1, TradeStatus.Committed, PpcB, 250_000_00, post1)));
            Print(ledger, "after posting payment 1");

            // Payment 2: 80,000.00 reserved, then voided (bank B could not confirm in time): nothing moves.
            var pay2 = Hash256.Compute("payment-2"u8);
            var reserve2 = TransferId.FromHash(pay2);
            await ledger.CommitTradingBlockAsync(tbcA.Next(now + 5, Trade(pay2, TradeStatus.Pending, PpcA, 80_000_00, reserve2)));
            await ledger.CommitAccountBlockAsync(abc.Next<LedgerCommand>(now + 6,
                new ReserveCommand(reserve2, BankAAccount, BankBAccount, Cny, Amount.FromMinorUnits(80_000_00), now + 60_000)));
            var void2 = TransferId.FromUInt64(1002);
            await ledger.CommitAccountBlockAsync(abc.Next<LedgerCommand>(now + 7, new VoidCommand(void2, reserve2)));
            await ledger.CommitTradingBlockAsync(tbcA.Next(now + 8, Trade(pay2, TradeStatus.Cancelled, PpcA, 80_000_00, void2)));
            Print(ledger, "after voiding payment 2");
            stateBeforeRestart = ledger.ComputeStateHash();
        }

        // Restart: new objects over the same files. The ABC loads its checkpoint and replays the blocks after it.
        await using (var stores = new FileBlockStoreProvider(storeOptions))
        await using (var reopened = await IntermediaryLedger.OpenAsync(options, stores, snapshots))
        {
            Print(reopened, "after reopening from disk");
            Console.WriteLine($"  state hash before restart {stateBeforeRestart.ToShortString()}, after {reopened.ComputeStateHash().ToShortString()}: "
                + (stateBeforeRestart == reopened.ComputeStateHash() ? "identical" : "DIFFERENT"));
            var pay1 = Hash256.Compute("payment-1"u8);
            Console.WriteLine($"  payment 1 on tbc-a: {reopened.TradingChains[TbcA].Find(pay1)!.Status}, on tbc-b: {reopened.TradingChains[TbcB].Find(pay1)!.Status}; "
                + $"payment 2 on tbc-a: {reopened.TradingChains[TbcA].Find(Hash256.Compute("payment-2"u8))!.Status}");
        }

        Directory.Delete(directory, recursive: true);
    }

    private static TradeRecord Trade(Hash256 transaction, TradeStatus status, ChainId participant, long minorUnits, TransferId abcTransfer) =>
        new(transaction, status, participant, BankA, BankB, Cny, Amount.FromMinorUnits(minorUnits), abcTransfer);

    private static void Print(IntermediaryLedger ledger, string when)
    {
        var a = ledger.Accounts.GetBalance(BankAAccount, Cny);
        var b = ledger.Accounts.GetBalance(BankBAccount, Cny);
        Console.WriteLine($"  {when,-28} bank-a posted {a.Posted.ToDecimalString(2),13} pending out {a.PendingDebits.ToDecimalString(2),11} | "
            + $"bank-b posted {b.Posted.ToDecimalString(2),11} pending in {b.PendingCredits.ToDecimalString(2),11}  (ABC height {ledger.AccountChainHeight})");
    }
}
