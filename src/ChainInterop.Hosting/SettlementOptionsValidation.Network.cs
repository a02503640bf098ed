using System.Net;
using ChainInterop.Blocks;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Relay;

namespace ChainInterop.Hosting;

/// <summary>The checks of the network section.</summary>
public static partial class SettlementOptionsValidation
{
    private const string IdentifierRule = "1-64 characters from A-Z a-z 0-9 . _ - :, starting with a letter or digit";

    private static void CheckNetwork(SettlementNetworkOptions network, List<string> errors)
    {
        const string Root = SettlementNetworkOptions.SectionName;
        var assets = CheckAssets(network.Assets ?? [], errors);
        if (network.ResendAfterMs is <= 0)
        {
            errors.Add($"{Root}:ResendAfterMs", $"{network.ResendAfterMs} is not a positive number of milliseconds");
        }

        if ((network.Participants ?? []).Count == 0)
        {
            errors.Add($"{Root}:Participants", "no participant chain given");
        }

        if ((network.Intermediaries ?? []).Count == 0)
        {
            errors.Add($"{Root}:Intermediaries", "no intermediary chain given");
        }

        var chains = new Dictionary<ChainId, string>();
        var endPoints = new Dictionary<EndPoint, (string Path, string Owner)>();
        var participants = new List<(ChainId Id, string Path)>();
        var linked = new HashSet<ChainId>();
        foreach (var (chain, path) in network.ChainsWithPaths())
        {
            var id = CheckChain(chain, path, chains, endPoints, errors);
            switch (chain)
            {
                case ParticipantOptions participant:
                    CheckParticipant(participant, path, assets, errors);
                    if (id is { } participantId)
                    {
                        participants.Add((participantId, path));
                    }

                    break;
                case IntermediaryOptions intermediary:
                    CheckLinks(intermediary, path, participants, linked, errors);
                    break;
            }
        }

        foreach (var (id, path) in participants.Where(p => !linked.Contains(p.Id)))
        {
            errors.Add($"{path}:Chain", $"no intermediary links {id}; name it in an intermediary's Participants");
        }
    }

    private static HashSet<AssetCode> CheckAssets(List<string> assets, List<string> errors)
    {
        const string Path = $"{SettlementNetworkOptions.SectionName}:Assets";
        var known = new HashSet<AssetCode>();
        if (assets.Count == 0)
        {
            errors.Add(Path, "no asset given; name at least one, e.g. USD");
        }

        for (int i = 0; i < assets.Count; i++)
        {
            if (!AssetCode.TryCreate(assets[i], out var asset))
            {
                errors.Add($"{Path}:{i}", $"{ConfigText.Quote(assets[i])} is not an asset code (1-{AssetCode.MaxLength} characters from A-Z 0-9 . _ -, starting with a letter)");
            }
            else if (!known.Add(asset))
            {
                errors.Add($"{Path}:{i}", $"{asset} is listed twice");
            }
        }

        return known;
    }

    /// <summary>Checks what every chain declares; returns its id when valid and not already taken.</summary>
    private static ChainId? CheckChain(
        ChainOptions chain, string path, Dictionary<ChainId, string> chains, Dictionary<EndPoint, (string Path, string Owner)> endPoints, List<string> errors)
    {
        ChainId? id = null;
        if (!ChainId.TryCreate(chain.Chain, out var parsed))
        {
            errors.Add($"{path}:Chain", $"{ConfigText.Quote(chain.Chain)} is not a chain id ({IdentifierRule})");
        }
        else if (chains.TryGetValue(parsed, out string? first))
        {
            errors.Add($"{path}:Chain", $"{parsed} is already the chain of {first}");
        }
        else
        {
            chains.Add(parsed, path);
            id = parsed;
        }

        if (!ConfigText.TryParseEngine(chain.Engine, out _))
        {
            errors.Add($"{path}:Engine", $"unknown engine {ConfigText.Quote(chain.Engine)}; {ConfigText.EngineExpected}");
        }

        var validators = chain.Validators ?? [];
        if (validators.Count is 0 or > ValidatorSet.MaxValidators)
        {
            errors.Add($"{path}:Validators", $"{validators.Count} validators; a chain has 1 to {ValidatorSet.MaxValidators}");
        }

        CheckKeys([.. validators.Select(v => v.PublicKey)], i => $"{path}:Validators:{i}:PublicKey", errors);
        for (int i = 0; i < validators.Count; i++)
        {
            string owner = $"{path}:Validators:{i}";
            CheckEndPoint(validators[i].Consensus, $"{owner}:Consensus", owner, endPoints, errors);
            CheckEndPoint(validators[i].Relay, $"{owner}:Relay", owner, endPoints, errors);
        }

        CheckKeys(chain.Operators ?? [], i => $"{path}:Operators:{i}", errors);
        return id;
    }

    /// <summary>Each key parses and none repeats (within one list).</summary>
    private static void CheckKeys(List<string> keys, Func<int, string> pathOf, List<string> errors)
    {
        var seen = new Dictionary<PublicKey, string>();
        for (int i = 0; i < keys.Count; i++)
        {
            string path = pathOf(i);
            if (!ConfigText.TryParsePublicKey(keys[i], out var key))
            {
                errors.Add(path, ConfigText.PublicKeyExpected);
            }
            else if (!seen.TryAdd(key, path))
            {
                errors.Add(path, $"repeats the key at {seen[key]}");
            }
        }
    }

    /// <summary>The end point parses and no other validator listens on it (one validator may use one for both roles).</summary>
    private static void CheckEndPoint(string text, string path, string owner, Dictionary<EndPoint, (string Path, string Owner)> endPoints, List<string> errors)
    {
        if (!ConfigText.TryParseEndPoint(text, out var endPoint))
        {
            errors.Add(path, $"{ConfigText.Quote(text)} is {ConfigText.EndPointExpected}");
        }
        else if (!endPoints.TryAdd(endPoint, (path, owner)) && endPoints[endPoint].Owner != owner)
        {
            errors.Add(path, $"{text} is already the end point of {endPoints[endPoint].Path}");
        }
    }

    private static void CheckParticipant(ParticipantOptions participant, string path, HashSet<AssetCode> assets, List<string> errors)
    {
        var customers = participant.Customers ?? [];
        var accounts = new Dictionary<AccountId, string>();
        for (int i = 0; i < customers.Count; i++)
        {
            string customer = $"{path}:Customers:{i}";
            string text = customers[i].Account;
            if (!AccountId.TryCreate(text, out var account))
            {
                errors.Add($"{customer}:Account", $"{ConfigText.Quote(text)} is not an account id ({IdentifierRule})");
            }
            else if (account == SettlementNetworkSpec.TransitAccount)
            {
                errors.Add($"{customer}:Account", $"{account} is the bank's own transit account; name the customer otherwise");
            }
            else if (!accounts.TryAdd(account, customer))
            {
                errors.Add($"{customer}:Account", $"{account} is already the account of {accounts[account]}");
            }

            CheckAmounts(customers[i].Balances, $"{customer}:Balances", assets, errors);
        }

        CheckAmounts(participant.TransitLiquidity, $"{path}:TransitLiquidity", assets, errors);
        CheckAmounts(participant.AbcDeposit, $"{path}:AbcDeposit", assets, errors);
    }

    /// <summary>Each asset is one of the network's and each amount is 0 or more.</summary>
    private static void CheckAmounts(Dictionary<string, long>? amounts, string path, HashSet<AssetCode> assets, List<string> errors)
    {
        foreach (var (text, amount) in (amounts ?? []).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            string entry = $"{path}:{text}";
            if (!AssetCode.TryCreate(text, out var asset))
            {
                errors.Add(entry, $"{ConfigText.Quote(text)} is not an asset code");
            }
            else if (!assets.Contains(asset))
            {
                errors.Add(entry, $"{asset} is not one of the network's Assets");
            }

            if (amount < 0)
            {
                errors.Add(entry, $"{amount} is negative; an opening balance is 0 or more minor units");
            }
        }
    }

    /// <summary>An intermediary links at least two distinct participant chains of the network, each once.</summary>
    private static void CheckLinks(IntermediaryOptions intermediary, string path, List<(ChainId Id, string Path)> participants, HashSet<ChainId> linked, List<string> errors)
    {
        var links = intermediary.Participants ?? [];
        var distinct = new HashSet<ChainId>();
        for (int i = 0; i < links.Count; i++)
        {
            string entry = $"{path}:Participants:{i}";
            if (!ChainId.TryCreate(links[i], out var link))
            {
                errors.Add(entry, $"{ConfigText.Quote(links[i])} is not a chain id ({IdentifierRule})");
            }
            else if (!participants.Exists(p => p.Id == link))
            {
                errors.Add(entry, $"{link} is not a participant chain of this network");
            }
            else if (!distinct.Add(link))
            {
                errors.Add(entry, $"{link} is listed twice");
            }
        }

        linked.UnionWith(distinct);
        if (distinct.Count < 2)
        {
            errors.Add($"{path}:Participants", $"links {distinct.Count} known participant chain(s); an intermediary links at least 2 (Alg. 5)");
        }

        // One TBC per linked PPC (seed 000 [0013]): every message between the PPC and the ABC passes through it.
        var tradingChains = intermediary.TradingChains ?? [];
        var served = new HashSet<ChainId>();
        for (int j = 0; j < tradingChains.Count; j++)
        {
            string entry = $"{path}:TradingChains:{j}:Participant";
            if (!ChainId.TryCreate(tradingChains[j].Participant, out var participant) || !distinct.Contains(participant))
            {
                errors.Add(entry, $"{ConfigText.Quote(tradingChains[j].Participant)} is not a participant chain this intermediary links");
            }
            else if (!served.Add(participant))
            {
                errors.Add(entry, $"{participant} already has a trading chain here");
            }
        }

        foreach (var missing in distinct.Where(p => !served.Contains(p)))
        {
            errors.Add($"{path}:TradingChains", $"no trading chain links {missing}; add one naming it as Participant");
        }
    }
}
