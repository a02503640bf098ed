using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChainInterop.Hosting.Tests;

/// <summary>
/// A valid network to break one field at a time: assets USD and CNY (balances in USD only, so an asset can break
/// alone), PPCs ppc-bank-a and ppc-bank-b and ICC icc-1 (its ABC and a TBC per PPC, icc-1.tbc1 and icc-1.tbc2), each
/// chain with 4 validators holding their demo keys.
/// </summary>
internal static class TestNetwork
{
    public const int ValidatorsPerChain = 4;

    public static SettlementNetworkOptions Create() => new()
    {
        Assets = ["USD", "CNY"],
        Participants = [Participant("ppc-bank-a", 7100), Participant("ppc-bank-b", 7200)],
        Intermediaries = [Intermediary("icc-1", 7300, "ppc-bank-a", "ppc-bank-b")],
    };

    public static ParticipantOptions Participant(string chain, int basePort) => new()
    {
        Chain = chain,
        Validators = Validators(chain, basePort),
        Operators = [OperatorKeyOf(chain)],
        Customers =
        [
            new CustomerOptions { Account = "alice", Balances = new() { ["USD"] = 1_000_000 } },
            new CustomerOptions { Account = "bob", Balances = new() { ["USD"] = 500 } },
        ],
        TransitLiquidity = new() { ["USD"] = 10_000_000 },
        AbcDeposit = new() { ["USD"] = 2_000_000 },
    };

    public static IntermediaryOptions Intermediary(string chain, int basePort, params string[] participants) => new()
    {
        Chain = chain,
        Validators = Validators(chain, basePort),
        Participants = [.. participants],
        TradingChains = [.. participants.Select((p, i) => new TradingChainOptions
        {
            Chain = $"{chain}.tbc{i + 1}",
            Validators = Validators($"{chain}.tbc{i + 1}", basePort + 10 + (10 * i)),
            Participant = p,
        })],
    };

    /// <summary>Validator i listens on basePort + i (consensus) and basePort + 50 + i (relay).</summary>
    public static List<NetworkValidatorOptions> Validators(string chain, int basePort) =>
        [.. Enumerable.Range(0, ValidatorsPerChain).Select(i => new NetworkValidatorOptions
        {
            PublicKey = DemoKeyOf(chain, i),
            Consensus = $"127.0.0.1:{basePort + i}",
            Relay = $"127.0.0.1:{basePort + 50 + i}",
        })];

    public static string DemoKeyOf(string chain, int index)
    {
        using var key = DemoSigningKeyProvider.DeriveKey(new ChainId(chain), index);
        return key.PublicKey.ToString();
    }

    public static string OperatorKeyOf(string chain) => DemoKeyOf(chain + "-operator", 0);

    /// <summary>A node running validator 1 of ppc-bank-a on demo keys.</summary>
    public static SettlementNodeOptions DemoNode() => new()
    {
        UseDemoKeys = true,
        Validators = [new HostedValidatorOptions { Chain = "ppc-bank-a", Index = 1 }],
    };
}

/// <summary>A fresh temporary directory, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("chaininterop-hosting-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>What a host does at start with <c>AddSettlementNodeOptions</c>.</summary>
internal static class Startup
{
    /// <summary>
    /// The validation failures that stop a host with <paramref name="configuration"/> at start, in ordinal order (the
    /// two sections are checked by two validators, in an order that is the host's business); empty when it starts.
    /// </summary>
    public static IReadOnlyList<string> Failures(IConfiguration configuration, string? baseDirectory = null)
    {
        using var provider = new ServiceCollection().AddSettlementNodeOptions(configuration, baseDirectory).BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures.Order(StringComparer.Ordinal)];
        }
        catch (AggregateException e)
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(f => f.Failures).Order(StringComparer.Ordinal)];
        }
    }
}
