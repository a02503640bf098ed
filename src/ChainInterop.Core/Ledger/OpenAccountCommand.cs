using ChainInterop.Codec;

namespace ChainInterop.Ledger;

/// <summary>
/// Opens an account owned by an institution, holding the given assets, each with a credit limit (how far below zero
/// its posted balance may go; zero by default).
/// </summary>
/// <remarks>
/// Canonical form: <c>[1, account, owner, [asset...], [creditLimit...]]</c>, the two lists in the same order and of the
/// same length. The ledger answers <see cref="LedgerResultCode.InvalidCommand"/> for no assets, duplicate assets, more
/// than <see cref="AccountLedger.MaxAssetsPerAccount"/> assets or a negative credit limit.
/// </remarks>
public sealed class OpenAccountCommand : LedgerCommand
{
    internal const int EncodedFieldCount = 5;

    private readonly AssetCode[] _assets;
    private readonly Amount[] _creditLimits;

    /// <summary>Creates the command.</summary>
    /// <param name="account">The new account.</param>
    /// <param name="owner">The institution that owns it.</param>
    /// <param name="assets">The assets it holds.</param>
    /// <param name="creditLimits">The credit limit of each asset, in the same order; all zero when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="assets"/> is null.</exception>
    /// <exception cref="ArgumentException">An id or asset is <c>default</c>, or the two lists differ in length.</exception>
    public OpenAccountCommand(AccountId account, InstitutionId owner, IReadOnlyList<AssetCode> assets, IReadOnlyList<Amount>? creditLimits = null)
    {
        ArgumentNullException.ThrowIfNull(assets);
        if (account.IsDefault || owner.IsDefault)
        {
            throw new ArgumentException("The account and the owner must be set.", nameof(account));
        }

        _assets = [.. assets];
        if (Array.Exists(_assets, a => a.IsDefault))
        {
            throw new ArgumentException("No asset may be default.", nameof(assets));
        }

        _creditLimits = creditLimits is null ? new Amount[_assets.Length] : [.. creditLimits];
        if (_creditLimits.Length != _assets.Length)
        {
            throw new ArgumentException("There must be one credit limit per asset.", nameof(creditLimits));
        }

        Account = account;
        Owner = owner;
    }

    /// <inheritdoc />
    public override LedgerCommandKind Kind => LedgerCommandKind.OpenAccount;

    /// <summary>The new account.</summary>
    public AccountId Account { get; }

    /// <summary>The institution that owns it.</summary>
    public InstitutionId Owner { get; }

    /// <summary>The assets it holds.</summary>
    public IReadOnlyList<AssetCode> Assets => _assets;

    /// <summary>The credit limit of each asset, in the order of <see cref="Assets"/>.</summary>
    public IReadOnlyList<Amount> CreditLimits => _creditLimits;

    /// <inheritdoc />
    private protected override int FieldCount => EncodedFieldCount;

    /// <inheritdoc />
    private protected override void EncodeFields(ref CanonicalWriter writer)
    {
        writer.WriteAccountId(Account);
        writer.WriteInstitutionId(Owner);
        writer.WriteArrayHeader(_assets.Length);
        foreach (var asset in _assets)
        {
            writer.WriteAssetCode(asset);
        }

        writer.WriteArrayHeader(_creditLimits.Length);
        foreach (var limit in _creditLimits)
        {
            writer.WriteAmount(limit);
        }
    }

    internal static OpenAccountCommand DecodeFields(ref CanonicalReader reader)
    {
        var account = reader.ReadAccountId();
        var owner = reader.ReadInstitutionId();
        int n = reader.ReadArrayHeader();
        var assets = new AssetCode[n];
        for (int i = 0; i < n; i++)
        {
            assets[i] = reader.ReadAssetCode();
        }

        long offset = reader.Consumed;
        int m = reader.ReadArrayHeader();
        if (m != n)
        {
            throw new CodecException(CodecError.UnexpectedLength, offset, $"expected {n} credit limits, found {m}");
        }

        var limits = new Amount[m];
        for (int i = 0; i < m; i++)
        {
            limits[i] = reader.ReadAmount();
        }

        return new OpenAccountCommand(account, owner, assets, limits);
    }
}
