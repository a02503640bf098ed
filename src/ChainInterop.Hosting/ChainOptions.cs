using System.Text.Json.Serialization;

namespace ChainInterop.Hosting;

/// <summary>
/// What every chain of the network declares, participant or intermediary: its id, its engine, its validators in
/// primary order and its operators. Values are kept as text so that validation can name every bad one at once
/// (<see cref="SettlementOptionsValidation"/>); the typed views are on <see cref="SettlementNetworkOptions"/>. Written
/// files list these fields before a chain's own.
/// </summary>
public abstract class ChainOptions
{
    private protected ChainOptions()
    {
    }

    /// <summary>The chain id, e.g. <c>ppc-bank-a</c>; unique across participants and intermediaries.</summary>
    [JsonPropertyOrder(-4)]
    public string Chain { get; set; } = "";

    /// <summary>The consensus engine: <c>pbft</c> (the default), <c>cbft</c> or <c>single-authority</c>.</summary>
    [JsonPropertyOrder(-3)]
    public string Engine { get; set; } = "pbft";

    /// <summary>The chain's validators in primary order (p = v mod N); at least one.</summary>
    [JsonPropertyOrder(-2)]
    public List<NetworkValidatorOptions> Validators { get; set; } = [];

    /// <summary>
    /// The Ed25519 public keys (64 hex digits) of the clients allowed to submit to this chain: for a bank's PPC its
    /// settlement services, which start transfers.
    /// </summary>
    [JsonPropertyOrder(-1)]
    public List<string> Operators { get; set; } = [];
}

/// <summary>One validator of a chain: its public key and where it listens.</summary>
public sealed class NetworkValidatorOptions
{
    /// <summary>The validator's Ed25519 public key, 64 hex digits.</summary>
    public string PublicKey { get; set; } = "";

    /// <summary>Where it listens for consensus traffic and clients, <c>host:port</c> (e.g. <c>127.0.0.1:7101</c>).</summary>
    public string Consensus { get; set; } = "";

    /// <summary>Where it listens for cross-chain relay traffic from other chains' validators, <c>host:port</c>.</summary>
    public string Relay { get; set; } = "";
}

/// <summary>A bank's participant chain (PPC): the chain, its customers and the bank's own funds.</summary>
public sealed class ParticipantOptions : ChainOptions
{
    /// <summary>The customer accounts and their opening balances.</summary>
    public List<CustomerOptions> Customers { get; set; } = [];

    /// <summary>The bank's funds in its transit account, per asset code, in minor units (pays incoming transfers out).</summary>
    public Dictionary<string, long> TransitLiquidity { get; set; } = [];

    /// <summary>The bank's balance per asset code, in minor units, in its account on each linked ICC's ABC.</summary>
    public Dictionary<string, long> AbcDeposit { get; set; } = [];
}

/// <summary>
/// An intermediary (ICC) and the participant chains it links (at least two, Alg. 5): this entry is its account chain
/// (ABC), and <see cref="TradingChains"/> its trading chains (TBC), one per linked PPC, each a chain of its own.
/// </summary>
public sealed class IntermediaryOptions : ChainOptions
{
    /// <summary>The chain ids of the linked PPCs.</summary>
    public List<string> Participants { get; set; } = [];

    /// <summary>The ICC's TBCs: exactly one per linked PPC, naming it.</summary>
    public List<TradingChainOptions> TradingChains { get; set; } = [];
}

/// <summary>A trading chain (TBC) of an intermediary: the chain between one linked PPC and the intermediary's ABC.</summary>
public sealed class TradingChainOptions : ChainOptions
{
    /// <summary>The PPC it links (one of its intermediary's <see cref="IntermediaryOptions.Participants"/>).</summary>
    public string Participant { get; set; } = "";
}

/// <summary>A customer account on a bank's PPC and its opening balances.</summary>
public sealed class CustomerOptions
{
    /// <summary>The account id, e.g. <c>alice</c>; unique on its chain (<c>transit</c> is the bank's own).</summary>
    public string Account { get; set; } = "";

    /// <summary>The opening balance per asset code, in minor units; each asset one of the network's.</summary>
    public Dictionary<string, long> Balances { get; set; } = [];
}
