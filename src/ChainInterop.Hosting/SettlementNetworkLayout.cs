using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Writes a ready-to-run settlement network into one directory (a node's <c>init</c>): fresh keys for every validator
/// and every chain's operator (a bank's settlement service, the intermediary's operations), one configuration file per
/// validator process and one per chain's client.
/// </summary>
/// <remarks>
/// <para>Files, all paths inside them relative to the directory:</para>
/// <list type="bullet">
/// <item><description><c>keys/&lt;chain&gt;-&lt;i&gt;.key</c> and <c>keys/&lt;chain&gt;-operator.key</c>: <see cref="KeyFile"/> format, mode 600;</description></item>
/// <item><description><c>node-&lt;chain&gt;-&lt;i&gt;.json</c>: <c>{"ChainInterop":{"Network":{…},"Node":{…}}}</c>, the node running validator i of the chain
/// (with <see cref="IntermediaryStorage.Logical"/>, the node of an ICC runs validator i of its ABC and of each of its TBCs;
/// with <see cref="IntermediaryStorage.Physical"/>, each TBC validator has a node of its own, <c>node-&lt;tbc&gt;-&lt;i&gt;.json</c>);</description></item>
/// <item><description><c>client-&lt;chain&gt;.json</c>: <c>{"ChainInterop":{"Network":{…},"Client":{"Chain":…,"KeyFile":…}}}</c>.</description></item>
/// </list>
/// <para>Every file validates with <see cref="SettlementOptionsValidation"/> when loaded with its directory as base.</para>
/// </remarks>
public static class SettlementNetworkLayout
{
    private const string KeyDirectory = "keys";

    /// <summary>Writes the layout into <paramref name="directory"/>, creating it when missing.</summary>
    /// <param name="directory">The directory; none of the layout's files may exist in it yet.</param>
    /// <param name="options">The network's shape.</param>
    /// <returns>The files written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty, or an option is out of range (the message says which).</exception>
    /// <exception cref="IOException">A file of the layout already exists (nothing is written), or a file cannot be written.</exception>
    public static SettlementLayoutFiles Write(string directory, SettlementLayoutOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        string root = Path.GetFullPath(directory);

        var banks = Enumerable.Range(0, options.Banks).Select(b => $"ppc-bank-{Letters(b)}").ToList();
        var iccs = Enumerable.Range(1, options.Intermediaries).Select(i => string.Create(CultureInfo.InvariantCulture, $"icc-{i}")).ToList();
        string TradingChain(string icc, int bank) => string.Create(CultureInfo.InvariantCulture, $"{icc}.tbc{bank + 1}");
        var tradingChains = iccs.ToDictionary(icc => icc, icc => banks.Select((_, b) => TradingChain(icc, b)).ToList());

        // Every chain has its validators: the banks' PPCs, then each ICC's ABC followed by its TBCs.
        var chains = banks.Concat(iccs.SelectMany(icc => tradingChains[icc].Prepend(icc))).ToList();
        var clients = banks.Concat(iccs).ToList();
        var validators = chains
            .SelectMany(chain => Enumerable.Range(0, options.ValidatorsPerChain).Select(i => (Chain: chain, Index: i)))
            .ToList();

        // One node process per validator, except that with logical storage isolation validator i of an ICC's ABC and of
        // its TBCs share one process (each chain in its own storage area under the node's data directory).
        bool logical = options.IntermediaryStorage == IntermediaryStorage.Logical;
        var nodes = logical
            ? banks.Concat(iccs).SelectMany(chain => Enumerable.Range(0, options.ValidatorsPerChain)
                .Select(i => (Name: (Chain: chain, Index: i), Runs: tradingChains.TryGetValue(chain, out var tbcs)
                    ? tbcs.Prepend(chain).Select(c => (Chain: c, Index: i)).ToList()
                    : [(Chain: chain, Index: i)]))).ToList()
            : validators.Select(v => (Name: v, Runs: new List<(string Chain, int Index)> { v })).ToList();
        string ValidatorKey((string Chain, int Index) v) => $"{KeyDirectory}/{v.Chain}-{v.Index}.key";
        string OperatorKey(string chain) => $"{KeyDirectory}/{chain}-operator.key";
        string NodeConfig((string Chain, int Index) v) => $"node-{v.Chain}-{v.Index}.json";
        string ClientConfig(string chain) => $"client-{chain}.json";

        var files = new SettlementLayoutFiles(
            root,
            [.. nodes.Select(n => Path.Combine(root, NodeConfig(n.Name)))],
            [.. validators.Select(v => Path.Combine(root, ValidatorKey(v)))],
            [.. clients.Select(b => Path.Combine(root, OperatorKey(b)))],
            [.. clients.Select(b => Path.Combine(root, ClientConfig(b)))]);
        string? existing = files.NodeConfigs.Concat(files.ValidatorKeys).Concat(files.OperatorKeys).Concat(files.ClientConfigs).FirstOrDefault(File.Exists);
        if (existing is not null)
        {
            throw new IOException($"{existing} already exists; lay the network out in an empty directory (existing keys are never overwritten).");
        }

        Directory.CreateDirectory(root);
        var validatorKeys = validators.ToDictionary(v => v, v => NewKey(Path.Combine(root, ValidatorKey(v))));
        var operatorKeys = clients.ToDictionary(b => b, b => NewKey(Path.Combine(root, OperatorKey(b))));

        var network = new SettlementNetworkOptions
        {
            Assets = [.. options.Assets.Select(a => a.ToString())],
            Participants = [.. banks.Select(bank => new ParticipantOptions
            {
                Chain = bank,
                Engine = ConfigText.NameOf(options.Engine),
                Validators = Endpoints(bank),
                Operators = [operatorKeys[bank]],
                Customers = [.. Enumerable.Range(1, options.CustomersPerBank).Select(c => new CustomerOptions
                {
                    Account = string.Create(CultureInfo.InvariantCulture, $"customer-{c}"),
                    Balances = PerAsset(options, options.CustomerBalance),
                })],
                TransitLiquidity = PerAsset(options, options.TransitLiquidity),
                AbcDeposit = PerAsset(options, options.AbcDeposit),
            })],
            Intermediaries = [.. iccs.Select(icc => new IntermediaryOptions
            {
                Chain = icc,
                Engine = ConfigText.NameOf(options.Engine),
                Validators = Endpoints(icc),
                Operators = [operatorKeys[icc]],
                Participants = [.. banks],
                TradingChains = [.. banks.Select((bank, b) => new TradingChainOptions
                {
                    Chain = TradingChain(icc, b),
                    Engine = ConfigText.NameOf(options.Engine),
                    Validators = Endpoints(TradingChain(icc, b)),
                    Operators = [operatorKeys[icc]], // the intermediary operates its TBCs too
                    Participant = bank,
                })],
            })],
        };

        // Validator g of the layout (banks' chains first, then each ABC and its TBCs) listens on BasePort + 2g (consensus) and BasePort + 2g + 1 (relay).
        List<NetworkValidatorOptions> Endpoints(string chain) =>
            [.. Enumerable.Range(0, options.ValidatorsPerChain).Select(i =>
            {
                int consensusPort = options.BasePort + (2 * validators.IndexOf((chain, i)));
                return new NetworkValidatorOptions
                {
                    PublicKey = validatorKeys[(chain, i)],
                    Consensus = string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{consensusPort}"),
                    Relay = string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{consensusPort + 1}"),
                };
            })];

        foreach (var (name, runs) in nodes)
        {
            var node = new SettlementNodeOptions
            {
                SnapshotIntervalBlocks = options.SnapshotIntervalBlocks,
                Validators = [.. runs.Select(v => new HostedValidatorOptions { Chain = v.Chain, Index = v.Index, KeyFile = ValidatorKey(v) })],
            };
            WriteConfig(Path.Combine(root, NodeConfig(name)), new LayoutSections(network, Node: node));
        }

        foreach (string chain in clients)
        {
            var client = new SettlementClientOptions { Chain = chain, KeyFile = OperatorKey(chain) };
            WriteConfig(Path.Combine(root, ClientConfig(chain)), new LayoutSections(network, Client: client));
        }

        return files;
    }

    private static void Check(SettlementLayoutOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Banks, 2, "options.Banks");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Intermediaries, 1, "options.Intermediaries");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValidatorsPerChain, 1, "options.ValidatorsPerChain");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ValidatorsPerChain, ValidatorSet.MaxValidators, "options.ValidatorsPerChain");
        ArgumentOutOfRangeException.ThrowIfNegative(options.CustomersPerBank, "options.CustomersPerBank");
        ArgumentOutOfRangeException.ThrowIfNegative(options.CustomerBalance, "options.CustomerBalance");
        ArgumentOutOfRangeException.ThrowIfNegative(options.TransitLiquidity, "options.TransitLiquidity");
        ArgumentOutOfRangeException.ThrowIfNegative(options.AbcDeposit, "options.AbcDeposit");
        ArgumentOutOfRangeException.ThrowIfNegative(options.SnapshotIntervalBlocks, "options.SnapshotIntervalBlocks");
        long ports = PortsNeeded(options);
        if (options.BasePort < 1 || options.BasePort + ports - 1 > 65_535)
        {
            throw new ArgumentOutOfRangeException("options.BasePort", options.BasePort, $"The layout needs ports {options.BasePort} to {options.BasePort + ports - 1}, which must lie in 1-65535.");
        }

        if (!ConfigText.TryParseEndPoint($"{options.Host}:1", out _))
        {
            throw new ArgumentException($"'{options.Host}' is not an IPv4 address, [IPv6] address or DNS name.", "options.Host");
        }

        if (options.Assets is not { Count: > 0 } || options.Assets.Any(a => a.IsDefault) || options.Assets.Distinct().Count() != options.Assets.Count)
        {
            throw new ArgumentException("The layout needs one or more distinct assets.", "options.Assets");
        }
    }

    /// <summary>How many consecutive ports from <see cref="SettlementLayoutOptions.BasePort"/> a layout uses: two per validator of every chain (PPCs, ABCs, TBCs).</summary>
    /// <param name="options">The network's shape.</param>
    /// <returns>The number of ports.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static int PortsNeeded(SettlementLayoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        long chains = options.Banks + ((long)options.Intermediaries * (1 + options.Banks));
        return (int)Math.Min(int.MaxValue, 2L * chains * options.ValidatorsPerChain);
    }

    /// <summary>Generates a key into a new key file; returns its public key in hex.</summary>
    private static string NewKey(string path)
    {
        using var key = SignatureSchemes.Ed25519.GenerateKey();
        KeyFile.Write(path, key);
        return key.PublicKey.ToString();
    }

    private static Dictionary<string, long> PerAsset(SettlementLayoutOptions options, long amount) =>
        options.Assets.ToDictionary(a => a.ToString(), _ => amount);

    private static void WriteConfig(string path, LayoutSections sections) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new LayoutFile(sections), LayoutJsonContext.Default.LayoutFile) + Environment.NewLine);

    /// <summary>a, b, …, z, aa, ab, … (bijective base 26).</summary>
    private static string Letters(int index)
    {
        string letters = "";
        for (int n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('a' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }
}

/// <summary>A configuration file of the layout: <c>{"ChainInterop":{…}}</c>.</summary>
/// <param name="ChainInterop">The sections.</param>
internal sealed record LayoutFile(LayoutSections ChainInterop);

/// <summary>The sections of a layout file: the network, and a node's or a client's section.</summary>
/// <param name="Network">The network, the same in every file.</param>
/// <param name="Node">A validator process's section, or null.</param>
/// <param name="Client">A bank client's section, or null.</param>
internal sealed record LayoutSections(SettlementNetworkOptions Network, SettlementNodeOptions? Node = null, SettlementClientOptions? Client = null);

/// <summary>Source-generated JSON for the layout files, so <c>init</c> also runs trimmed or ahead-of-time compiled.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LayoutFile))]
internal sealed partial class LayoutJsonContext : JsonSerializerContext;
