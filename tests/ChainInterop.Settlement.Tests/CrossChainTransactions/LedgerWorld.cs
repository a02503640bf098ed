using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Tests.CrossChainTransactions;

/// <summary>What the in-test settlement worlds share: building ledgers, and conservation over a set of ledgers.</summary>
internal abstract class LedgerWorld
{
    private ulong _issue;

    /// <summary>The worlds' ledgers.</summary>
    protected abstract IEnumerable<AccountLedger> Ledgers { get; }

    /// <summary>Per asset, the posted balances over every ledger.</summary>
    protected Dictionary<AssetCode, long> PostedPerAsset()
    {
        var sums = new Dictionary<AssetCode, long>();
        foreach (var ledger in Ledgers)
        {
            foreach (var id in ledger.GetAccountIds())
            {
                ledger.TryGetAccount(id, out var info);
                foreach (var asset in info!.Assets)
                {
                    sums[asset] = sums.GetValueOrDefault(asset) + ledger.GetBalance(id, asset).Posted.MinorUnits;
                }
            }
        }

        return sums;
    }

    /// <summary>Asserts that, on every ledger, pending debits equal pending credits (a reservation moves value, never makes it).</summary>
    protected void AssertPendingBalanced()
    {
        foreach (var ledger in Ledgers)
        {
            long debits = 0, credits = 0;
            foreach (var id in ledger.GetAccountIds())
            {
                ledger.TryGetAccount(id, out var info);
                foreach (var asset in info!.Assets)
                {
                    var b = ledger.GetBalance(id, asset);
                    debits += b.PendingDebits.MinorUnits;
                    credits += b.PendingCredits.MinorUnits;
                }
            }

            Assert.Equal(debits, credits);
        }
    }

    protected static void Open(AccountLedger l, InstitutionId owner, AccountId a, params AssetCode[] assets) =>
        Assert.Equal(LedgerResultCode.Ok, l.Apply(new OpenAccountCommand(a, owner, assets), 1).Code);

    protected void Issue(AccountLedger l, AccountId a, AssetCode asset, long amount) =>
        Assert.Equal(LedgerResultCode.Ok, l.Apply(new IssueCommand(TransferId.FromUInt64(++_issue), a, asset, new Amount(amount)), 1).Code);
}
