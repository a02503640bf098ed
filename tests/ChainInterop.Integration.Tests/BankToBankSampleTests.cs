using ChainInterop.Samples.BankToBank;
using ChainInterop.Settlement.CrossChainTransactions;

namespace ChainInterop.Integration.Tests;

/// <summary>The main sample's bank-to-bank settlement demo, end to end in process (issue 6 §6).</summary>
public class BankToBankSampleTests
{
    [Fact]
    public async Task The_settlement_demo_conserves_every_asset_cancels_the_late_transfer_and_reports_the_netting_cycle()
    {
        var output = new StringWriter();
        // Generous budgets: every wait returns once its step settled, so a green run never waits for them, and a busy
        // machine (many times slower) must not turn a slow run into cancelled transfers or an unsettled cycle.
        var options = new SettlementDemoOptions { Transfers = 40, NettingTransfers = 6, FileStores = false, TimeoutMs = 600_000, SettleWaitMs = 300_000 };

        var report = await SettlementDemo.RunAsync(options, output);

        Assert.True(report.Conserved, output.ToString());
        Assert.Equal(40, report.Committed);
        Assert.Equal((CrossChainTransactionState.Cancelled, TransferFailureReason.TimedOut), (report.TimedOut.State, report.TimedOut.Reason));
        Assert.Equal((CrossChainTransactionState.Failed, TransferFailureReason.InsufficientAssets), (report.Unfunded.State, report.Unfunded.Reason));
        Assert.Equal((CrossChainTransactionState.Cancelled, TransferFailureReason.UnknownPayee), (report.UnknownPayee.State, report.UnknownPayee.Reason));
        Assert.NotNull(report.Netting);
        Assert.Equal(6, report.Netting.Assets.Sum(a => a.GrossCount));
        Assert.Contains("conservation: PASS", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_help_names_the_defaults_the_demo_runs_with()
    {
        Assert.True(SampleArguments.TryParse([], out var parsed, out _));
        var demo = parsed.Demo;
        Assert.Contains($"--netting N         netting-mode transfers in the cycle through icc-east (default {demo.NettingTransfers},", SampleArguments.Usage, StringComparison.Ordinal);
        Assert.Contains($"(default {demo.ClientsPerBank}, 1..", SampleArguments.Usage, StringComparison.Ordinal);
        Assert.Contains($"(default {demo.Transfers}, 1..", SampleArguments.Usage, StringComparison.Ordinal);
        Assert.Contains($"(default {demo.Seed})", SampleArguments.Usage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--transfers", "0")]
    [InlineData("--clients", "x")]
    [InlineData("--bogus")]
    public void A_bad_flag_is_refused_with_a_reason(params string[] args)
    {
        Assert.False(SampleArguments.TryParse(args, out _, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
