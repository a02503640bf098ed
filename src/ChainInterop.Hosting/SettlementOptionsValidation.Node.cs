namespace ChainInterop.Hosting;

/// <summary>The checks of the node and client sections, against the network section.</summary>
public static partial class SettlementOptionsValidation
{
    /// <summary>
    /// Checks the node section only; a network entry that does not parse is skipped here (the network check reports
    /// it), so no problem is reported twice.
    /// </summary>
    internal static void CheckNode(SettlementNetworkOptions network, SettlementNodeOptions node, List<string> errors)
    {
        const string Root = SettlementNodeOptions.SectionName;
        if (node.SnapshotIntervalBlocks < 0)
        {
            errors.Add($"{Root}:SnapshotIntervalBlocks", $"must be 0 (off) or more blocks, not {node.SnapshotIntervalBlocks}");
        }

        if (string.IsNullOrWhiteSpace(node.DataDirectory))
        {
            errors.Add($"{Root}:DataDirectory", "not given");
        }

        var validators = node.Validators ?? [];
        if (validators.Count == 0)
        {
            errors.Add($"{Root}:Validators", "this node runs no validator; list at least one (Chain, Index, KeyFile)");
        }

        var hosted = new Dictionary<(ChainId, int), string>();
        for (int i = 0; i < validators.Count; i++)
        {
            string path = $"{Root}:Validators:{i}";
            var validator = validators[i];
            if (!node.UseDemoKeys && string.IsNullOrWhiteSpace(validator.KeyFile))
            {
                errors.Add($"{path}:KeyFile", "not given; name the validator's key file (or set UseDemoKeys for a demo)");
            }

            if (FindValidator(network, validator.Chain, validator.Index, path, errors) is not var (chain, keyPath, keyText))
            {
                continue;
            }

            if (!hosted.TryAdd((chain, validator.Index), path))
            {
                errors.Add(path, $"validator {validator.Index} of {chain} is already run by {hosted[(chain, validator.Index)]}");
                continue;
            }

            if (!ConfigText.TryParsePublicKey(keyText, out var expected))
            {
                continue;
            }

            if (node.UseDemoKeys)
            {
                using var demo = DemoSigningKeyProvider.DeriveKey(chain, validator.Index);
                if (demo.PublicKey != expected)
                {
                    errors.Add(path, $"the demo key of validator {validator.Index} of {chain} has public key {demo.PublicKey}, but {keyPath} is {expected}; UseDemoKeys needs the network to list the demo keys");
                }
            }
            else if (!string.IsNullOrWhiteSpace(validator.KeyFile) && File.Exists(node.ResolvePath(validator.KeyFile)))
            {
                string file = node.ResolvePath(validator.KeyFile);
                if (PublicKeyInFile(file, $"{path}:KeyFile", errors) is { } actual && actual != expected)
                {
                    errors.Add($"{path}:KeyFile", $"key file {file} holds public key {actual}, but {keyPath} is {expected}");
                }
            }
        }
    }

    /// <summary>Checks the client section only, like <see cref="CheckNode"/>.</summary>
    internal static void CheckClient(SettlementNetworkOptions network, SettlementClientOptions client, List<string> errors)
    {
        const string Root = SettlementClientOptions.SectionName;
        (ChainOptions Chain, string Path)? entry = null;
        if (!ChainId.TryCreate(client.Chain, out var chain))
        {
            errors.Add($"{Root}:Chain", $"{ConfigText.Quote(client.Chain)} is not a chain id ({IdentifierRule})");
        }
        else if ((entry = network.TryFind(chain)) is null)
        {
            errors.Add($"{Root}:Chain", $"{chain} is not a chain of the network ({SettlementNetworkOptions.SectionName})");
        }

        if (string.IsNullOrWhiteSpace(client.KeyFile))
        {
            errors.Add($"{Root}:KeyFile", "not given; name the client's key file");
        }
        else if (entry is var (chainOptions, chainPath) && File.Exists(client.ResolvePath(client.KeyFile)))
        {
            string file = client.ResolvePath(client.KeyFile);
            var operators = (chainOptions.Operators ?? []).Select(o => ConfigText.TryParsePublicKey(o, out var key) ? key : null);
            if (PublicKeyInFile(file, $"{Root}:KeyFile", errors) is { } actual && !operators.Contains(actual))
            {
                errors.Add($"{Root}:KeyFile", $"key file {file} holds public key {actual}, which is not one of {chainPath}:Operators");
            }
        }
    }

    /// <summary>The chain, and the path and text of the network's key, of a validator named by the node; null (reported) when there is none.</summary>
    private static (ChainId Chain, string KeyPath, string KeyText)? FindValidator(SettlementNetworkOptions network, string chainText, int index, string path, List<string> errors)
    {
        if (!ChainId.TryCreate(chainText, out var chain))
        {
            errors.Add($"{path}:Chain", $"{ConfigText.Quote(chainText)} is not a chain id ({IdentifierRule})");
            return null;
        }

        if (network.TryFind(chain) is not var (options, chainPath))
        {
            errors.Add($"{path}:Chain", $"{chain} is not a chain of the network ({SettlementNetworkOptions.SectionName})");
            return null;
        }

        var validators = options.Validators ?? [];
        int count = validators.Count;
        if (index < 0 || index >= count)
        {
            errors.Add($"{path}:Index", $"{index} is not a validator of {chain}, which has {count} (indexes 0 to {count - 1})");
            return null;
        }

        return (chain, $"{chainPath}:Validators:{index}:PublicKey", validators[index].PublicKey);
    }
}
