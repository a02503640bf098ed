using System.Text.Json.Serialization;
using ChainInterop.Consensus.Hosting;

namespace ChainInterop.Hosting;

/// <summary>
/// This node, as configured in section <c>ChainInterop:Node</c>: the validators this process runs (one or more, of one
/// or more chains of <see cref="SettlementNetworkOptions"/>), where they keep their data and where their keys are.
/// </summary>
/// <remarks>Mutable, for the options binder; validated by <see cref="SettlementOptionsValidation"/>.</remarks>
public sealed class SettlementNodeOptions
{
    /// <summary>The configuration section: <c>ChainInterop:Node</c>.</summary>
    public const string SectionName = "ChainInterop:Node";

    /// <summary>The binder's message when the host's binding of this section failed (reported by validation); never bound.</summary>
    internal string? BindingError { get; set; }

    /// <summary>The data directory; each validator stores under <c>DataDirectory/&lt;chain&gt;-&lt;index&gt;</c> (<see cref="DataDirectoryOf"/>).</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// How many committed blocks between two snapshots of a validator's state (its client table and settlement
    /// application), kept under <c>DataDirectory/&lt;chain&gt;-&lt;index&gt;/snapshots</c>: a restart restores the newest
    /// and re-executes only the blocks after it. 0 turns snapshots off (a restart replays the whole store). Default 1,000.
    /// </summary>
    public int SnapshotIntervalBlocks { get; set; } = ReplicaSnapshots.DefaultIntervalBlocks;

    /// <summary>
    /// Derive every validator's key from its chain id and index instead of reading key files
    /// (<see cref="DemoSigningKeyProvider"/>). Demos only: anyone can derive these keys; a host must log
    /// <see cref="DemoSigningKeyProvider.Warning"/> when it uses them.
    /// </summary>
    public bool UseDemoKeys { get; set; }

    /// <summary>The validators this process runs; at least one.</summary>
    public List<HostedValidatorOptions> Validators { get; set; } = [];

    /// <summary>
    /// The directory that relative paths (<see cref="DataDirectory"/>, <see cref="HostedValidatorOptions.KeyFile"/>) are
    /// relative to: the configuration file's directory, set by the host
    /// (<c>AddSettlementNodeOptions(configuration, baseDirectory)</c>); null for the current directory.
    /// </summary>
    [JsonIgnore]
    public string? BaseDirectory { get; set; }

    /// <summary>Resolves a path of this configuration against <see cref="BaseDirectory"/>.</summary>
    /// <param name="path">An absolute path, or one relative to <see cref="BaseDirectory"/>.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return ConfigText.Resolve(BaseDirectory, path);
    }

    /// <summary>Where validator <paramref name="validatorIndex"/> of <paramref name="chain"/> keeps its data: <c>DataDirectory/&lt;chain&gt;-&lt;index&gt;</c>, absolute.</summary>
    /// <param name="chain">The chain.</param>
    /// <param name="validatorIndex">The validator's position in the chain's validator list.</param>
    /// <returns>The absolute directory path.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validatorIndex"/> is negative.</exception>
    public string DataDirectoryOf(ChainId chain, int validatorIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validatorIndex);
        return Path.Combine(ResolvePath(DataDirectory), $"{chain}-{validatorIndex}");
    }
}

/// <summary>One validator this process runs: which chain, which position in its validator list, and its key file.</summary>
public sealed class HostedValidatorOptions
{
    /// <summary>The chain id; a chain of the network.</summary>
    public string Chain { get; set; } = "";

    /// <summary>The validator's position in the chain's validator list (0-based), which names its public key and end points.</summary>
    public int Index { get; set; }

    /// <summary>
    /// The file holding the validator's 32-byte Ed25519 seed in hex (<see cref="Hosting.KeyFile"/> format), relative to
    /// <see cref="SettlementNodeOptions.BaseDirectory"/>; required unless <see cref="SettlementNodeOptions.UseDemoKeys"/>.
    /// </summary>
    public string? KeyFile { get; set; }
}
