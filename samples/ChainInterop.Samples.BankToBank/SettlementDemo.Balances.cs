using ChainInterop.Settlement.Hosting;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Samples.BankToBank;

/// <summary>The settlement demo's final balances and conservation check, read back from every validator.</summary>
public static partial class SettlementDemo
{
    /// <summary>Prints every account of every bank per asset, at genesis and now (validator 0 of each chain).</summary>
    private static void PrintBalances(InProcessSettlementNetwork network, TextWriter output)
    {
        var spec = network.Spec;
        output.WriteLine("Final balances (validator 0 of each chain; genesis → now):");
        output.WriteLine($"  {"bank",-8} {"account",-18} {string.Join(" ", spec.Assets.Select(a => $"{a + " genesis",14} {a + " now",14}"))}");
        foreach (var bank in spec.Participants)
        {
            var rows = bank.Customers.Select(c => (Name: c.Account.ToString(), Opening: (Func<AssetCode, long>)(a => c.Balances.GetValueOrDefault(a)),
                    Now: (Func<AssetCode, long>)(a => network.ReadParticipant(bank.Chain, 0, p => p.Ledger.GetBalance(c.Account, a).Posted.MinorUnits))))
                .Append(("transit", a => bank.TransitLiquidity.GetValueOrDefault(a),
                    a => network.ReadParticipant(bank.Chain, 0, p => p.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, a).Posted.MinorUnits)))
                .Concat(spec.IntermediariesOf(bank.Chain).Select(icc => ($"ABC @ {icc}", (Func<AssetCode, long>)(a => bank.AbcDeposit.GetValueOrDefault(a)),
                    (Func<AssetCode, long>)(a => network.ReadIntermediary(icc, 0, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(bank.Chain), a).Posted.MinorUnits)))));
            foreach (var (name, opening, now) in rows)
            {
                output.WriteLine($"  {bank.Chain,-8} {name,-18} {string.Join(" ", spec.Assets.Select(a => $"{Money(opening(a)),14} {Money(now(a)),14}"))}");
            }
        }
    }

    /// <summary>
    /// Per asset: each bank's transit plus its ABC accounts (money a bank moves between its PPC and the ICCs), all
    /// customers' money, and each ICC's clearing account, as at genesis; and no pending leg and no disagreement between
    /// the validators of any chain.
    /// </summary>
    private static List<ConservationCheck> CheckConservation(InProcessSettlementNetwork network)
    {
        var spec = network.Spec;
        var checks = new List<ConservationCheck>();
        foreach (var asset in spec.Assets)
        {
            foreach (var bank in spec.Participants)
            {
                var iccs = spec.IntermediariesOf(bank.Chain);
                long genesis = bank.TransitLiquidity.GetValueOrDefault(asset) + iccs.Count * bank.AbcDeposit.GetValueOrDefault(asset);
                long now = network.ReadParticipant(bank.Chain, 0, p => p.Ledger.GetBalance(SettlementNetworkSpec.TransitAccount, asset).Posted.MinorUnits)
                    + iccs.Sum(icc => network.ReadIntermediary(icc, 0, i => i.Ledger.GetBalance(SettlementNetworkSpec.AbcAccountOf(bank.Chain), asset).Posted.MinorUnits));
                checks.Add(new ConservationCheck($"{bank.Chain} transit + ABC accounts, {asset}", genesis, now));
            }

            long customersGenesis = spec.Participants.Sum(b => b.Customers.Sum(c => c.Balances.GetValueOrDefault(asset)));
            long customersNow = spec.Participants.Sum(b => network.ReadParticipant(b.Chain, 0,
                p => b.Customers.Sum(c => p.Ledger.GetBalance(c.Account, asset).Posted.MinorUnits)));
            checks.Add(new ConservationCheck($"all customers, {asset}", customersGenesis, customersNow));
            foreach (var icc in spec.Intermediaries)
            {
                checks.Add(new ConservationCheck($"{icc.Chain} clearing account, {asset}", 0,
                    network.ReadIntermediary(icc.Chain, 0, i => i.Ledger.GetBalance(SettlementNetworkSpec.ClearingAccount, asset).Posted.MinorUnits)));
            }
        }

        checks.Add(new ConservationCheck("pending legs, all validators (count)", 0, PendingLegs(network)));
        checks.Add(new ConservationCheck("validators differing from validator 0 (count)", 0, Disagreements(network)));
        return checks;
    }

    /// <summary>Reserved and not yet posted or voided legs, over every validator of every chain.</summary>
    private static int PendingLegs(InProcessSettlementNetwork network)
    {
        var spec = network.Spec;
        int pending = 0;
        for (int v = 0; v < ValidatorsPerChain; v++)
        {
            pending += spec.Participants.Sum(b => network.ReadParticipant(b.Chain, v, p => p.Ledger.PendingCount));
            pending += spec.Intermediaries.Sum(i => network.ReadIntermediary(i.Chain, v, a => a.Ledger.PendingCount));
        }

        return pending;
    }

    /// <summary>How many validators hold a balance differing from validator 0 of their chain.</summary>
    private static int Disagreements(InProcessSettlementNetwork network)
    {
        var spec = network.Spec;
        int differing = 0;
        foreach (var bank in spec.Participants)
        {
            var accounts = bank.Customers.Select(c => c.Account).Append(SettlementNetworkSpec.TransitAccount).ToList();
            long[] Of(int v) => network.ReadParticipant(bank.Chain, v,
                p => accounts.SelectMany(a => spec.Assets.Select(s => p.Ledger.GetBalance(a, s).Posted.MinorUnits)).ToArray());
            var reference = Of(0);
            differing += Enumerable.Range(1, ValidatorsPerChain - 1).Count(v => !Of(v).SequenceEqual(reference));
        }

        foreach (var icc in spec.Intermediaries)
        {
            var accounts = icc.Participants.Select(SettlementNetworkSpec.AbcAccountOf).Append(SettlementNetworkSpec.ClearingAccount).ToList();
            long[] Of(int v) => network.ReadIntermediary(icc.Chain, v,
                i => accounts.SelectMany(a => spec.Assets.Select(s => i.Ledger.GetBalance(a, s).Posted.MinorUnits)).ToArray());
            var reference = Of(0);
            differing += Enumerable.Range(1, ValidatorsPerChain - 1).Count(v => !Of(v).SequenceEqual(reference));
        }

        return differing;
    }

    private static string Format(ConservationCheck check, bool actual = false)
    {
        long value = actual ? check.Actual : check.Expected;
        return check.Name.EndsWith("(count)", StringComparison.Ordinal) ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : Money(value);
    }
}
