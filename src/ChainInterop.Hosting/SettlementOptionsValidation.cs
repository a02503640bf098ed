using System.Globalization;
using ChainInterop.Crypto;
using Microsoft.Extensions.Configuration;

namespace ChainInterop.Hosting;

/// <summary>
/// Checks a settlement configuration and reports every problem at once, each as <c>path: problem</c> with the field's
/// configuration path, e.g. <c>ChainInterop:Network:Participants:1:Validators:2:PublicKey: not 64 hex digits (an Ed25519 public key)</c>.
/// The same checks run at host start through <c>AddSettlementNodeOptions</c>; these methods serve programs without
/// dependency injection (a node prints the errors and exits with code 2).
/// </summary>
/// <remarks>
/// A key file is read (to compare its public key with the network's entry) only when it exists: a missing file is the
/// key provider's business when the validator starts (a host may sign with an HSM instead). Errors come in
/// configuration order, so the same configuration always gives the same list.
/// </remarks>
public static partial class SettlementOptionsValidation
{
    /// <summary>Checks the network section alone (assets, chains, validators, end points, operators, balances, links).</summary>
    /// <param name="network">The network options.</param>
    /// <returns>Every problem, <c>path: problem</c>; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="network"/> is null.</exception>
    public static IReadOnlyList<string> Validate(SettlementNetworkOptions network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var errors = new List<string>();
        CheckNetwork(network, errors);
        return errors;
    }

    /// <summary>
    /// Checks a node: the network section, then the node section against it (chains and indexes known, no validator
    /// twice, key files given, and each existing key file or demo key matching the network's public key).
    /// </summary>
    /// <param name="network">The network options.</param>
    /// <param name="node">This node's options; relative key files resolve against <see cref="SettlementNodeOptions.BaseDirectory"/>.</param>
    /// <returns>Every problem, <c>path: problem</c>; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<string> Validate(SettlementNetworkOptions network, SettlementNodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(node);
        var errors = new List<string>();
        CheckNetwork(network, errors);
        CheckNode(network, node, errors);
        return errors;
    }

    /// <summary>
    /// Checks a bank's client: the network section, then the client section against it (a participant chain, a key
    /// file given, and an existing key file's public key one of that chain's operators).
    /// </summary>
    /// <param name="network">The network options.</param>
    /// <param name="client">The client's options; a relative key file resolves against <see cref="SettlementClientOptions.BaseDirectory"/>.</param>
    /// <returns>Every problem, <c>path: problem</c>; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<string> Validate(SettlementNetworkOptions network, SettlementClientOptions client)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(client);
        var errors = new List<string>();
        CheckNetwork(network, errors);
        CheckClient(network, client, errors);
        return errors;
    }

    /// <summary>
    /// Binds and checks a whole configuration: the network section, and the node and client sections when present.
    /// Numbers and flags are checked first, in the configuration's own text: binding stops at a value it cannot convert
    /// (and the reflection binder would silently drop the list item holding it: a balance of <c>1,000</c> would
    /// vanish), so when any such value is found, those errors, all of them, are returned alone.
    /// </summary>
    /// <param name="configuration">The configuration root, e.g. from <c>AddJsonFile</c> and <c>AddEnvironmentVariables</c>.</param>
    /// <param name="baseDirectory">The directory relative key files resolve against (the configuration file's); null for the current directory.</param>
    /// <returns>Every problem, <c>path: problem</c>; empty when the configuration is valid.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="configuration"/> is null.</exception>
    public static IReadOnlyList<string> Validate(IConfiguration configuration, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        CheckNetworkValues(configuration, errors);
        CheckNodeValues(configuration, errors);
        var network = new SettlementNetworkOptions();
        if (errors.Count > 0
            || !Bound(SettlementNetworkOptions.SectionName, TryBind(() => configuration.GetSection(SettlementNetworkOptions.SectionName).Bind(network)), errors))
        {
            return errors;
        }

        CheckNetwork(network, errors);
        var node = new SettlementNodeOptions();
        if (configuration.GetSection(SettlementNodeOptions.SectionName).Exists()
            && Bound(SettlementNodeOptions.SectionName, TryBind(() => configuration.GetSection(SettlementNodeOptions.SectionName).Bind(node)), errors))
        {
            node.BaseDirectory = baseDirectory ?? node.BaseDirectory;
            CheckNode(network, node, errors);
        }

        var client = new SettlementClientOptions();
        if (configuration.GetSection(SettlementClientOptions.SectionName).Exists()
            && Bound(SettlementClientOptions.SectionName, TryBind(() => configuration.GetSection(SettlementClientOptions.SectionName).Bind(client)), errors))
        {
            client.BaseDirectory = baseDirectory ?? client.BaseDirectory;
            CheckClient(network, client, errors);
        }

        return errors;
    }

    /// <summary>The network section's numbers (<c>ResendAfterMs</c>, every balance) are whole numbers.</summary>
    internal static void CheckNetworkValues(IConfiguration configuration, List<string> errors)
    {
        var network = configuration.GetSection(SettlementNetworkOptions.SectionName);
        CheckValue<long>(network.GetSection(nameof(SettlementNetworkOptions.ResendAfterMs)), "a whole number", errors);
        foreach (var participant in network.GetSection(nameof(SettlementNetworkOptions.Participants)).GetChildren())
        {
            var amounts = participant.GetSection(nameof(ParticipantOptions.Customers)).GetChildren()
                .SelectMany(c => c.GetSection(nameof(CustomerOptions.Balances)).GetChildren())
                .Concat(participant.GetSection(nameof(ParticipantOptions.TransitLiquidity)).GetChildren())
                .Concat(participant.GetSection(nameof(ParticipantOptions.AbcDeposit)).GetChildren());
            foreach (var amount in amounts)
            {
                CheckValue<long>(amount, "a whole number of minor units", errors);
            }
        }
    }

    /// <summary>The node section's <c>UseDemoKeys</c> is true or false and every <c>Index</c> a whole number.</summary>
    internal static void CheckNodeValues(IConfiguration configuration, List<string> errors)
    {
        var node = configuration.GetSection(SettlementNodeOptions.SectionName);
        CheckValue<bool>(node.GetSection(nameof(SettlementNodeOptions.UseDemoKeys)), "true or false", errors);
        foreach (var validator in node.GetSection(nameof(SettlementNodeOptions.Validators)).GetChildren())
        {
            CheckValue<int>(validator.GetSection(nameof(HostedValidatorOptions.Index)), "a whole number", errors);
        }
    }

    private static void CheckValue<T>(IConfigurationSection section, string expected, List<string> errors)
        where T : IParsable<T>
    {
        if (section.Value is { } text && !T.TryParse(text.Trim(), CultureInfo.InvariantCulture, out _))
        {
            errors.Add(section.Path, $"{ConfigText.Quote(text)} is not {expected}");
        }
    }

    /// <summary>Runs a binder call; returns the binder's message, which names the path and the value, when it cannot convert a value.</summary>
    internal static string? TryBind(Action bind)
    {
        try
        {
            bind();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    /// <summary>Reports a binding failure (<see cref="TryBind"/>) under its section; returns whether the section bound.</summary>
    internal static bool Bound(string section, string? bindingError, List<string> errors)
    {
        if (bindingError is not null)
        {
            errors.Add(section, bindingError);
        }

        return bindingError is null;
    }

    private static void Add(this List<string> errors, string path, string problem) => errors.Add($"{path}: {problem}");

    /// <summary>The public key in an existing key file, or null (with the file's problem reported under <paramref name="path"/>).</summary>
    private static PublicKey? PublicKeyInFile(string file, string path, List<string> errors)
    {
        try
        {
            using var key = KeyFile.Read(file);
            return key.PublicKey;
        }
        catch (KeyFileException e)
        {
            errors.Add(path, e.Message);
            return null;
        }
    }
}
