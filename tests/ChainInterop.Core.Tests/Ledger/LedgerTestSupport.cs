using ChainInterop.Ledger;

namespace ChainInterop.Tests.Ledger;

/// <summary>Names and helpers shared by the ledger tests.</summary>
internal static class LedgerTestSupport
{
    public static readonly AssetCode Cny = new("CNY");
    public static readonly AssetCode Usd = new("USD");
    public static readonly AssetCode Eur = new("EUR");
    public static readonly AccountId A = new("bank-a");
    public static readonly AccountId B = new("bank-b");
    public static readonly AccountId C = new("bank-c");
    public static readonly AccountId Nobody = new("nobody");
    public static readonly InstitutionId Owner = new("icc-1");

    public static TransferId Id(ulong n) => TransferId.FromUInt64(n);

    public static Amount M(long minorUnits) => Amount.FromMinorUnits(minorUnits);

    public static OpenAccountCommand Open(AccountId account, params AssetCode[] assets) => new(account, Owner, assets);

    /// <summary>A ledger at time 1000 with A, B (CNY, USD) and C (CNY only), A holding 1,000 CNY and 500 USD.</summary>
    public static AccountLedger Funded()
    {
        var ledger = new AccountLedger();
        var results = ledger.ApplyBlock(
        [
            Open(A, Cny, Usd),
            Open(B, Cny, Usd),
            Open(C, Cny),
            new IssueCommand(Id(9001), A, Cny, M(1000)),
            new IssueCommand(Id(9002), A, Usd, M(500)),
        ], 1000);
        Assert.All(results, r => Assert.Equal(LedgerResultCode.Ok, r.Code));
        return ledger;
    }

    /// <summary>Applies <paramref name="command"/>, expects <paramref name="expected"/>, and checks the state did not change at all.</summary>
    public static LedgerResult FailsWithoutEffect(AccountLedger ledger, LedgerCommand command, LedgerResultCode expected, long time = 1000)
    {
        var before = ledger.ExportSnapshot();
        var result = ledger.Apply(command, time);
        Assert.Equal(expected, result.Code);
        Assert.False(result.Code == LedgerResultCode.Ok);
        Assert.Equal(before, ledger.ExportSnapshot());
        return result;
    }

    public static void Ok(AccountLedger ledger, LedgerCommand command, long time = 1000) =>
        Assert.Equal(LedgerResultCode.Ok, ledger.Apply(command, time).Code);

    public static Balance Bal(AccountLedger ledger, AccountId account, AssetCode asset) => ledger.GetBalance(account, asset);
}
