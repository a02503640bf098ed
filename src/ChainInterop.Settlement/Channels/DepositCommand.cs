using ChainInterop.Codec;

namespace ChainInterop.Settlement.Channels;

/// <summary>Operator only: credits money brought onto the chain from outside (e.g. a bank's deposit) to an account.</summary>
/// <remarks>Canonical form: <c>[2, account, asset, amount]</c>. The ledger id is derived from the request digest.</remarks>
/// <param name="account">The account credited.</param>
/// <param name="asset">The asset.</param>
/// <param name="amount">The amount (positive).</param>
public sealed class DepositCommand(AccountId account, AssetCode asset, Amount amount) : ChannelCommand
{
    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.Deposit;

    /// <summary>The account credited.</summary>
    public AccountId Account { get; } = account;

    /// <summary>The asset.</summary>
    public AssetCode Asset { get; } = asset;

    /// <summary>The amount.</summary>
    public Amount Amount { get; } = amount;

    /// <inheritdoc />
    private protected override int FieldCount => 3;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteAccountId(Account);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
    }
}
