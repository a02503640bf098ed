using System.Text.Json.Serialization;

namespace ChainInterop.Hosting;

/// <summary>
/// An operator's client of one chain (a bank's settlement service on its PPC, or the intermediary's operations on its
/// ICC), as configured in section <c>ChainInterop:Client</c> next to the network section: the chain and the key file.
/// </summary>
/// <remarks>Mutable, for the options binder; validated by <see cref="SettlementOptionsValidation"/>.</remarks>
public sealed class SettlementClientOptions
{
    /// <summary>The configuration section: <c>ChainInterop:Client</c>.</summary>
    public const string SectionName = "ChainInterop:Client";

    /// <summary>The chain (a bank's PPC, or an ICC for the intermediary's operations) whose <see cref="ChainOptions.Operators"/> list this client's key.</summary>
    public string Chain { get; set; } = "";

    /// <summary>The file holding the client's 32-byte Ed25519 seed in hex (<see cref="Hosting.KeyFile"/> format), relative to <see cref="BaseDirectory"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The directory that <see cref="KeyFile"/> is relative to (the configuration file's); null for the current directory.</summary>
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
}
