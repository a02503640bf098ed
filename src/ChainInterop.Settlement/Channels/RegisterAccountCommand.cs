using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Channels;

/// <summary>
/// Operator only: registers an account on the contract's ledger with the key that signs its payments (none for an
/// account that only receives, such as a penalty fund).
/// </summary>
/// <remarks>Canonical form: <c>[1, account, owner, key | nil, [asset...]]</c>.</remarks>
public sealed class RegisterAccountCommand : ChannelCommand
{
    private readonly AssetCode[] _assets;

    /// <summary>Creates the command.</summary>
    /// <param name="account">The account.</param>
    /// <param name="owner">The institution that owns it.</param>
    /// <param name="key">The key that signs its payments, or null for a receive-only account.</param>
    /// <param name="assets">The assets it holds (1 to <see cref="Ledger.AccountLedger.MaxAssetsPerAccount"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="assets"/> is null.</exception>
    /// <exception cref="ArgumentException">An id or asset is <c>default</c>, or there are too many assets.</exception>
    public RegisterAccountCommand(AccountId account, InstitutionId owner, PublicKey? key, IReadOnlyList<AssetCode> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        if (account.IsDefault || owner.IsDefault)
        {
            throw new ArgumentException("The account and the owner must be set.", nameof(account));
        }

        _assets = [.. assets];
        if (_assets.Length > Ledger.AccountLedger.MaxAssetsPerAccount || Array.Exists(_assets, a => a.IsDefault))
        {
            throw new ArgumentException($"At most {Ledger.AccountLedger.MaxAssetsPerAccount} assets, none default.", nameof(assets));
        }

        Account = account;
        Owner = owner;
        Key = key;
    }

    /// <inheritdoc />
    public override ChannelCommandKind Kind => ChannelCommandKind.RegisterAccount;

    /// <summary>The account.</summary>
    public AccountId Account { get; }

    /// <summary>The institution that owns it.</summary>
    public InstitutionId Owner { get; }

    /// <summary>The key that signs its payments, or null.</summary>
    public PublicKey? Key { get; }

    /// <summary>The assets it holds.</summary>
    public IReadOnlyList<AssetCode> Assets => _assets;

    /// <inheritdoc />
    private protected override int FieldCount => 4;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteAccountId(Account);
        writer.WriteInstitutionId(Owner);
        if (Key is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WritePublicKey(Key);
        }

        writer.WriteArrayHeader(_assets.Length);
        foreach (var asset in _assets)
        {
            writer.WriteAssetCode(asset);
        }
    }

    internal static RegisterAccountCommand DecodeFields(ref CanonicalReader reader)
    {
        var account = reader.ReadAccountId();
        var owner = reader.ReadInstitutionId();
        var key = reader.TryReadNil() ? null : reader.ReadPublicKey();
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > Ledger.AccountLedger.MaxAssetsPerAccount)
        {
            throw new CodecException(CodecError.LimitExceeded, offset, $"an account holds at most {Ledger.AccountLedger.MaxAssetsPerAccount} assets, found {count}");
        }

        var assets = new AssetCode[count];
        for (int i = 0; i < count; i++)
        {
            assets[i] = reader.ReadAssetCode();
        }

        return new RegisterAccountCommand(account, owner, key, assets);
    }
}
