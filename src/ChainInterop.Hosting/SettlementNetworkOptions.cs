using System.Net;
using System.Text.Json.Serialization;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Hosting;

/// <summary>
/// The settlement network, as configured in section <c>ChainInterop:Network</c>: the assets, the banks' participant
/// chains and the intermediary chains, each with its validators (keys and end points) and operators. Every node and
/// client of the network is given the same section.
/// </summary>
/// <remarks>
/// <para>Mutable, for the options binder. Values are text until validated by <see cref="SettlementOptionsValidation"/>
/// (which names every bad field at once); the typed views below parse what they return and throw
/// <see cref="InvalidOperationException"/>, naming the configuration path, on a value that does not parse.</para>
/// <para>Do not give lists default items: the binder appends configured items to them.</para>
/// </remarks>
public sealed class SettlementNetworkOptions
{
    /// <summary>The configuration section: <c>ChainInterop:Network</c>.</summary>
    public const string SectionName = "ChainInterop:Network";

    /// <summary>The binder's message when the host's binding of this section failed (reported by validation); never bound.</summary>
    internal string? BindingError { get; set; }

    /// <summary>The asset codes settled, e.g. <c>USD</c>; at least one.</summary>
    public List<string> Assets { get; set; } = [];

    /// <summary>
    /// How long a PPC waits before resending a pending transaction's message, in committed ms; null keeps the
    /// <see cref="SettlementNetworkSpec.ResendAfterMs"/> default.
    /// </summary>
    public long? ResendAfterMs { get; set; }

    /// <summary>The banks' participant chains (PPCs).</summary>
    public List<ParticipantOptions> Participants { get; set; } = [];

    /// <summary>The intermediary chains (ICCs).</summary>
    public List<IntermediaryOptions> Intermediaries { get; set; } = [];

    /// <summary>Every chain id, participants first, each in configuration order.</summary>
    /// <exception cref="InvalidOperationException">A chain id is not valid (the message names its path).</exception>
    [JsonIgnore]
    public IEnumerable<ChainId> Chains => ChainsWithPaths().Select(c => ParseChain(c.Chain.Chain, c.Path));

    /// <summary>The opening state of the network for the settlement applications (the genesis state of every chain).</summary>
    /// <remarks>Opening balances are listed by asset code in ordinal order, so the genesis state never depends on the
    /// order a configuration provider lists its keys in.</remarks>
    /// <returns>The spec.</returns>
    /// <exception cref="InvalidOperationException">The options are not valid; the message lists every error.</exception>
    public SettlementNetworkSpec ToSpec()
    {
        var errors = SettlementOptionsValidation.Validate(this);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException($"The settlement network configuration is not valid:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }

        var spec = new SettlementNetworkSpec(
            [.. Assets.Select(a => new AssetCode(a))],
            [.. Participants.Select(p => new ParticipantSpec(
                new ChainId(p.Chain),
                [.. p.Customers.Select(c => new CustomerSpec(new AccountId(c.Account), Amounts(c.Balances)))],
                Amounts(p.TransitLiquidity),
                Amounts(p.AbcDeposit)))],
            [.. Intermediaries.Select(i => new IntermediarySpec(new ChainId(i.Chain), [.. i.Participants.Select(p => new ChainId(p))])
            {
                TradingChains = [.. i.Participants.Select(p => new ChainId(i.TradingChains.Single(t => t.Participant == p).Chain))],
            })]);
        return ResendAfterMs is long resend ? spec with { ResendAfterMs = resend } : spec;
    }

    /// <summary>The validators of <paramref name="chain"/>, in primary order.</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <returns>The validator set.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="InvalidOperationException">A key does not parse, repeats, or the chain has no validator.</exception>
    public ValidatorSet ValidatorsOf(ChainId chain)
    {
        var (options, path) = Find(chain);
        try
        {
            return new ValidatorSet(options.Validators.Select((v, i) => ParseKey(v.PublicKey, $"{path}:Validators:{i}:PublicKey")));
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{path}:Validators: {e.Message}", e);
        }
    }

    /// <summary>The node ids of the operators of <paramref name="chain"/> (the clients allowed to submit to it).</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <returns>The operators' node ids.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="InvalidOperationException">An operator key does not parse.</exception>
    public IReadOnlySet<NodeId> OperatorsOf(ChainId chain) => OperatorKeysOf(chain).Select(NodeId.FromPublicKey).ToHashSet();

    /// <summary>The public keys of the operators of <paramref name="chain"/>, in configuration order (e.g. a transport's client whitelist).</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <returns>The operators' keys.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="InvalidOperationException">An operator key does not parse.</exception>
    public IReadOnlyList<PublicKey> OperatorKeysOf(ChainId chain)
    {
        var (options, path) = Find(chain);
        return [.. options.Operators.Select((o, i) => ParseKey(o, $"{path}:Operators:{i}"))];
    }

    /// <summary>The consensus engine of <paramref name="chain"/>.</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <returns>The engine.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="InvalidOperationException">The engine name is unknown.</exception>
    public ConsensusEngine EngineOf(ChainId chain)
    {
        var (options, path) = Find(chain);
        return ConfigText.TryParseEngine(options.Engine, out var engine)
            ? engine
            : throw new InvalidOperationException($"{path}:Engine: unknown engine {ConfigText.Quote(options.Engine)}; {ConfigText.EngineExpected}");
    }

    /// <summary>Where validator <paramref name="validatorIndex"/> of <paramref name="chain"/> listens for consensus traffic and clients.</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <param name="validatorIndex">The validator's position in the chain's validator list.</param>
    /// <returns>An <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> for a host name.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validatorIndex"/> is not a validator of the chain.</exception>
    /// <exception cref="InvalidOperationException">The end point does not parse.</exception>
    public EndPoint ConsensusEndPointOf(ChainId chain, int validatorIndex) => EndPointOf(chain, validatorIndex, relay: false);

    /// <summary>Where validator <paramref name="validatorIndex"/> of <paramref name="chain"/> listens for relay traffic from other chains.</summary>
    /// <param name="chain">A chain of this network.</param>
    /// <param name="validatorIndex">The validator's position in the chain's validator list.</param>
    /// <returns>An <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> for a host name.</returns>
    /// <exception cref="ArgumentException"><paramref name="chain"/> is not a chain of this network.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validatorIndex"/> is not a validator of the chain.</exception>
    /// <exception cref="InvalidOperationException">The end point does not parse.</exception>
    public EndPoint RelayEndPointOf(ChainId chain, int validatorIndex) => EndPointOf(chain, validatorIndex, relay: true);

    /// <summary>Every chain with its configuration path, participants first.</summary>
    internal IEnumerable<(ChainOptions Chain, string Path)> ChainsWithPaths() =>
        (Participants ?? []).Select((p, i) => ((ChainOptions)p, $"{SectionName}:Participants:{i}"))
            .Concat((Intermediaries ?? []).SelectMany((c, i) => (c.TradingChains ?? [])
                .Select((t, j) => ((ChainOptions)t, $"{SectionName}:Intermediaries:{i}:TradingChains:{j}"))
                .Prepend(((ChainOptions)c, $"{SectionName}:Intermediaries:{i}"))));

    /// <summary>The options and path of <paramref name="chain"/>, or null when no chain has that id.</summary>
    internal (ChainOptions Chain, string Path)? TryFind(ChainId chain)
    {
        foreach (var entry in ChainsWithPaths())
        {
            if (string.Equals(entry.Chain.Chain, chain.Value, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    private (ChainOptions Chain, string Path) Find(ChainId chain) =>
        TryFind(chain) ?? throw new ArgumentException($"{chain} is not a chain of this network.", nameof(chain));

    private EndPoint EndPointOf(ChainId chain, int validatorIndex, bool relay)
    {
        var (options, path) = Find(chain);
        ArgumentOutOfRangeException.ThrowIfNegative(validatorIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(validatorIndex, options.Validators.Count);
        var validator = options.Validators[validatorIndex];
        string text = relay ? validator.Relay : validator.Consensus;
        return ConfigText.TryParseEndPoint(text, out var endPoint)
            ? endPoint
            : throw new InvalidOperationException($"{path}:Validators:{validatorIndex}:{(relay ? "Relay" : "Consensus")}: {ConfigText.Quote(text)} is {ConfigText.EndPointExpected}");
    }

    private static ChainId ParseChain(string text, string path) =>
        ChainId.TryCreate(text, out var id) ? id : throw new InvalidOperationException($"{path}:Chain: {ConfigText.Quote(text)} is not a valid chain id");

    private static PublicKey ParseKey(string text, string path) =>
        ConfigText.TryParsePublicKey(text, out var key) ? key : throw new InvalidOperationException($"{path}: {ConfigText.PublicKeyExpected}");

    private static Dictionary<AssetCode, long> Amounts(Dictionary<string, long> amounts) =>
        amounts.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => new AssetCode(a.Key), a => a.Value);
}
