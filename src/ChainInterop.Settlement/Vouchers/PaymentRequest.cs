namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// A user's payment-settlement request as the originating institution receives it (seed 001 step 301, SPEC V1).
/// It is input to <see cref="OriginatingInstitution.Submit"/>, which audits it before anything is signed; the
/// constructor only rejects missing values, every semantic check is a typed audit refusal.
/// </summary>
public sealed class PaymentRequest
{
    private readonly InstitutionId[] _destinations;
    private readonly InstitutionId[] _auxiliaries;

    /// <summary>Creates the request.</summary>
    /// <param name="user">The user (用户编号).</param>
    /// <param name="userInstitution">The institution the user belongs to (用户所属机构).</param>
    /// <param name="assetAddress">The user's asset address (资产地址): its unique account or wallet at its institution.</param>
    /// <param name="type">The transaction type.</param>
    /// <param name="asset">The asset type.</param>
    /// <param name="amount">The amount, in minor units.</param>
    /// <param name="destinations">The destination institutions that must co-sign (the user's institution is one of them when it is not the originator).</param>
    /// <param name="auxiliaries">Institutions whose confirmation the destinations wait for; none when null.</param>
    /// <param name="nonce">The originator's number for this request, so that two equal payments in one millisecond get distinct voucher ids.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destinations"/> is null.</exception>
    /// <exception cref="ArgumentException">An id, the asset or the asset address is default.</exception>
    public PaymentRequest(
        UserId user, InstitutionId userInstitution, AccountId assetAddress, TransactionType type, AssetCode asset, Amount amount,
        IReadOnlyList<InstitutionId> destinations, IReadOnlyList<InstitutionId>? auxiliaries = null, ulong nonce = 0)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        if (user.IsDefault || userInstitution.IsDefault || assetAddress.IsDefault || asset.IsDefault)
        {
            throw new ArgumentException("The user, its institution, its asset address and the asset must be set.", nameof(user));
        }

        _destinations = [.. destinations];
        _auxiliaries = auxiliaries is null ? [] : [.. auxiliaries];
        if (Array.Exists(_destinations, d => d.IsDefault) || Array.Exists(_auxiliaries, a => a.IsDefault))
        {
            throw new ArgumentException("No institution id may be default.", nameof(destinations));
        }

        User = user;
        UserInstitution = userInstitution;
        AssetAddress = assetAddress;
        Type = type;
        Asset = asset;
        Amount = amount;
        Nonce = nonce;
    }

    /// <summary>The user.</summary>
    public UserId User { get; }

    /// <summary>The institution the user belongs to.</summary>
    public InstitutionId UserInstitution { get; }

    /// <summary>The user's asset address.</summary>
    public AccountId AssetAddress { get; }

    /// <summary>The transaction type.</summary>
    public TransactionType Type { get; }

    /// <summary>The asset type.</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount.</summary>
    public Amount Amount { get; }

    /// <summary>The destination institutions.</summary>
    public IReadOnlyList<InstitutionId> Destinations => _destinations;

    /// <summary>The auxiliary institutions.</summary>
    public IReadOnlyList<InstitutionId> Auxiliaries => _auxiliaries;

    /// <summary>The originator's number for this request.</summary>
    public ulong Nonce { get; }
}
