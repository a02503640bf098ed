using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Channels;

/// <summary>What the <see cref="ChannelContract"/> did with one committed request: identical on every validator.</summary>
/// <param name="RequestDigest">The request's digest (<see cref="Consensus.ClientRequest.Digest"/>); zero when the entry was not a request.</param>
/// <param name="Kind">The command's kind; <see cref="ChannelCommandKind.None"/> when it could not be decoded.</param>
/// <param name="Code">The outcome.</param>
/// <param name="LedgerCode">When <paramref name="Code"/> is <see cref="ChannelResultCode.LedgerRefused"/>, why the ledger refused; otherwise <see cref="LedgerResultCode.Ok"/>.</param>
/// <param name="ChannelId">The channel concerned, or zero.</param>
public readonly record struct ChannelReceipt(
    Hash256 RequestDigest, ChannelCommandKind Kind, ChannelResultCode Code, LedgerResultCode LedgerCode, Hash256 ChannelId)
{
    /// <summary>Whether the command was executed.</summary>
    public bool IsSuccess => Code == ChannelResultCode.Ok;
}
