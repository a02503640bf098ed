using ChainInterop.Crypto;

namespace ChainInterop.Hosting;

/// <summary>
/// Reads each validator's key from the <see cref="HostedValidatorOptions.KeyFile"/> configured for it, resolved against
/// <see cref="SettlementNodeOptions.BaseDirectory"/> (<see cref="KeyFile.Read"/>).
/// </summary>
public sealed class KeyFileSigningKeyProvider : ISigningKeyProvider
{
    private readonly SettlementNodeOptions _node;

    /// <summary>Creates the provider over this node's options.</summary>
    /// <param name="node">This node's options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="node"/> is null.</exception>
    public KeyFileSigningKeyProvider(SettlementNodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">This node does not run that validator, or runs it without a key file.</exception>
    /// <exception cref="KeyFileException">The key file is missing, unreadable, too open or malformed.</exception>
    public PrivateKey GetSigningKey(ChainId chain, int validatorIndex)
    {
        var validator = _node.Validators.FirstOrDefault(v => v.Index == validatorIndex && string.Equals(v.Chain, chain.Value, StringComparison.Ordinal))
            ?? throw new ArgumentException($"This node does not run validator {validatorIndex} of {chain} ({SettlementNodeOptions.SectionName}:Validators).", nameof(chain));
        if (string.IsNullOrWhiteSpace(validator.KeyFile))
        {
            throw new ArgumentException($"Validator {validatorIndex} of {chain} has no KeyFile configured.", nameof(chain));
        }

        return KeyFile.Read(_node.ResolvePath(validator.KeyFile));
    }
}
