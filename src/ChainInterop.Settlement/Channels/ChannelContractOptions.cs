using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>How a <see cref="ChannelContract"/> is set up. Every validator of the chain uses the same options.</summary>
public sealed class ChannelContractOptions
{
    /// <summary>The longest claim window, in milliseconds (one year).</summary>
    public const long MaxClaimWindowMs = 366L * 24 * 60 * 60 * 1000;

    /// <summary>The chain the contract runs on: requests and transactions for another chain are refused.</summary>
    public ChainId Chain { get; set; }

    /// <summary>The key allowed to register accounts and credit deposits.</summary>
    public PublicKey? Operator { get; set; }

    /// <summary>The preset collateral account (P4); opened by the contract itself, it has no key and cannot sign payments.</summary>
    public AccountId CollateralAccount { get; set; } = new("channel-collateral");

    /// <summary>The institution recorded as the owner of <see cref="CollateralAccount"/>.</summary>
    public InstitutionId ContractOwner { get; set; } = new("channel-contract");

    /// <summary>The assets channels may use (the collateral account holds them), 1 to <see cref="Ledger.AccountLedger.MaxAssetsPerAccount"/>.</summary>
    public IList<AssetCode> Assets { get; } = [];

    /// <summary>
    /// How long after a channel's deadline its collateral stays held so that the provider can claim, in milliseconds.
    /// 24 hours by default.
    /// </summary>
    public long ClaimWindowMs { get; set; } = 24 * 60 * 60 * 1000;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public void Validate()
    {
        if (Chain.IsDefault || Operator is null || CollateralAccount.IsDefault || ContractOwner.IsDefault)
        {
            throw new ArgumentException("The chain, the operator key, the collateral account and the contract owner must be set.");
        }

        if (Assets.Count is 0 or > Ledger.AccountLedger.MaxAssetsPerAccount || Assets.Any(a => a.IsDefault) || Assets.Distinct().Count() != Assets.Count)
        {
            throw new ArgumentException($"Give 1 to {Ledger.AccountLedger.MaxAssetsPerAccount} distinct assets.");
        }

        if (ClaimWindowMs is < 1 or > MaxClaimWindowMs)
        {
            throw new ArgumentException($"The claim window is 1 to {MaxClaimWindowMs} ms, not {ClaimWindowMs}.");
        }
    }
}
