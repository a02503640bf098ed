using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The transaction voucher (交易凭证, seed 001 table 1, SPEC V2): every field of table 1, an id that is the SHA-256 of
/// the canonical body, and the joint signature of the institutions involved: the originator signs alone first, then
/// every destination institution co-signs.
/// </summary>
/// <remarks>
/// <para>Encoding: <c>[id, body, signatures]</c>; body = <c>[1, user, asset address, user's institution,
/// participants [[institution, role]…] sorted by institution, type, asset, amount, timestamp ms, nonce]</c>.
/// Signatures are over the id under the domain tag <c>ChainInterop/voucher/transaction/v1</c>, sorted by signer.</para>
/// <para>The id is carried in the encoding as table 1 lists it; a decoded voucher whose body was changed after the
/// id was computed keeps the claimed <see cref="Id"/> and fails verification with <see cref="VoucherFailure.IdMismatch"/>.</para>
/// </remarks>
public sealed class TransactionVoucher : ICanonicalEncodable<TransactionVoucher>
{
    /// <summary>The most institutions one voucher involves, in institutions.</summary>
    public const int MaxParticipants = 16;

    private readonly VoucherParticipant[] _participants;
    private readonly InstitutionSignature[] _signatures;
    private readonly Hash256 _bodyHash;

    private TransactionVoucher(
        Hash256? claimedId, UserId user, AccountId assetAddress, InstitutionId userInstitution, VoucherParticipant[] participants,
        TransactionType type, AssetCode asset, Amount amount, long createdAtMs, ulong nonce, InstitutionSignature[] signatures)
    {
        if (user.IsDefault || assetAddress.IsDefault || userInstitution.IsDefault || asset.IsDefault)
        {
            throw new ArgumentException("The user, the asset address, the user's institution and the asset must be set.");
        }

        if (!Enum.IsDefined(type))
        {
            throw new ArgumentException($"Unknown transaction type {type}.");
        }

        if (!amount.IsPositive)
        {
            throw new ArgumentException("A voucher's amount is positive.");
        }

        ValidateParticipants(participants, userInstitution);
        User = user;
        AssetAddress = assetAddress;
        UserInstitution = userInstitution;
        _participants = participants;
        Type = type;
        Asset = asset;
        Amount = amount;
        CreatedAtMs = createdAtMs;
        Nonce = nonce;
        _signatures = signatures;
        _bodyHash = VoucherCodec.Hash(WriteBody);
        Id = claimedId ?? _bodyHash;
        Originator = Array.Find(participants, p => p.Role == ParticipantRole.Originator).Institution;
        Destinations = [.. participants.Where(p => p.Role == ParticipantRole.Destination).Select(p => p.Institution)];
        Auxiliaries = [.. participants.Where(p => p.Role == ParticipantRole.Auxiliary).Select(p => p.Institution)];
    }

    /// <summary>The domain tag of the institutions' signatures on the voucher id.</summary>
    internal static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/transaction/v1"u8;

    /// <summary>The voucher id (交易凭证标识): SHA-256 of the canonical body, as carried in the encoding.</summary>
    public Hash256 Id { get; }

    /// <summary>The user (用户编号).</summary>
    public UserId User { get; }

    /// <summary>The user's asset address (资产地址).</summary>
    public AccountId AssetAddress { get; }

    /// <summary>The institution the user belongs to (用户所属机构标识).</summary>
    public InstitutionId UserInstitution { get; }

    /// <summary>Every institution involved and its part, sorted by institution.</summary>
    public IReadOnlyList<VoucherParticipant> Participants => _participants;

    /// <summary>The other institutions involved (交易涉及其他机构标识): the participants except the user's institution.</summary>
    public IReadOnlyList<InstitutionId> OtherInstitutions =>
        [.. _participants.Where(p => p.Institution != UserInstitution).Select(p => p.Institution)];

    /// <summary>The originating institution.</summary>
    public InstitutionId Originator { get; }

    /// <summary>The destination institutions, sorted.</summary>
    public IReadOnlyList<InstitutionId> Destinations { get; }

    /// <summary>The auxiliary institutions, sorted.</summary>
    public IReadOnlyList<InstitutionId> Auxiliaries { get; }

    /// <summary>The transaction type (交易类型).</summary>
    public TransactionType Type { get; }

    /// <summary>The asset type (资产类型).</summary>
    public AssetCode Asset { get; }

    /// <summary>The amount the voucher authorises (交易额度), in minor units; positive.</summary>
    public Amount Amount { get; }

    /// <summary>The joint signature (交易涉及机构联合签名): one signature per signing institution, sorted by signer.</summary>
    public IReadOnlyList<InstitutionSignature> JointSignatures => _signatures;

    /// <summary>When the originator created the voucher (时间戳), Unix milliseconds.</summary>
    public long CreatedAtMs { get; }

    /// <summary>The originator's number for the request (not in table 1: keeps equal payments' ids distinct).</summary>
    public ulong Nonce { get; }

    /// <summary>Whether <see cref="Id"/> is the hash of the body (false when the body was altered after signing).</summary>
    public bool IsIdConsistent => Id == _bodyHash;

    /// <summary>Whether the originator and every destination have signed (signatures not verified here).</summary>
    public bool IsFullySigned =>
        VoucherCodec.Find(_signatures, Originator) is not null && Destinations.All(d => VoucherCodec.Find(_signatures, d) is not null);

    /// <summary>The role of <paramref name="institution"/>, or null when it is not involved.</summary>
    /// <param name="institution">The institution.</param>
    /// <returns>Its role.</returns>
    public ParticipantRole? RoleOf(InstitutionId institution)
    {
        foreach (var p in _participants)
        {
            if (p.Institution == institution)
            {
                return p.Role;
            }
        }

        return null;
    }

    /// <summary>
    /// Creates the voucher for an audited request and signs it alone as the originator (seed 001 claim 5).
    /// </summary>
    /// <param name="request">The request (audit it first: <see cref="PaymentAudit"/>).</param>
    /// <param name="originator">The originating institution.</param>
    /// <param name="originatorKey">Its private key.</param>
    /// <param name="createdAtMs">The timestamp, Unix milliseconds.</param>
    /// <returns>The voucher carrying the originator's signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="originatorKey"/> is null.</exception>
    /// <exception cref="ArgumentException">The request does not make a structurally valid voucher.</exception>
    public static TransactionVoucher Create(PaymentRequest request, InstitutionId originator, PrivateKey originatorKey, long createdAtMs)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(originatorKey);
        var participants = BuildParticipants(originator, request.Destinations, request.Auxiliaries)
            ?? throw new ArgumentException("An institution is named twice, or the originator is also a destination or an auxiliary.", nameof(request));
        var unsigned = new TransactionVoucher(null, request.User, request.AssetAddress, request.UserInstitution, participants,
            request.Type, request.Asset, request.Amount, createdAtMs, request.Nonce, []);
        return unsigned.WithSignature(unsigned.Sign(originator, originatorKey));
    }

    /// <summary>The participants of a request sorted by institution, or null when an institution is named twice.</summary>
    internal static VoucherParticipant[]? BuildParticipants(InstitutionId originator, IReadOnlyList<InstitutionId> destinations, IReadOnlyList<InstitutionId> auxiliaries)
    {
        var all = new List<VoucherParticipant>(1 + destinations.Count + auxiliaries.Count) { new(originator, ParticipantRole.Originator) };
        all.AddRange(destinations.Select(d => new VoucherParticipant(d, ParticipantRole.Destination)));
        all.AddRange(auxiliaries.Select(a => new VoucherParticipant(a, ParticipantRole.Auxiliary)));
        all.Sort((a, b) => a.Institution.CompareTo(b.Institution));
        for (int i = 1; i < all.Count; i++)
        {
            if (all[i - 1].Institution == all[i].Institution)
            {
                return null;
            }
        }

        return [.. all];
    }

    /// <summary>Signs this voucher's id as <paramref name="signer"/> (the originator's signature or a destination's co-signature).</summary>
    /// <param name="signer">The signing institution.</param>
    /// <param name="key">Its private key.</param>
    /// <returns>The signature, to attach with <see cref="WithSignature"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public InstitutionSignature Sign(InstitutionId signer, PrivateKey key) =>
        new(signer, VoucherInstrumentation.Sign(key, DomainTag, Id));

    /// <summary>This voucher with <paramref name="signature"/> added (replacing any earlier one by the same signer).</summary>
    /// <param name="signature">The signature.</param>
    /// <returns>A new voucher; this one is unchanged.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="signature"/> is null.</exception>
    /// <exception cref="ArgumentException">The signer is not the originator or a destination.</exception>
    public TransactionVoucher WithSignature(InstitutionSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (RoleOf(signature.Signer) is not (ParticipantRole.Originator or ParticipantRole.Destination))
        {
            throw new ArgumentException($"{signature.Signer} does not sign this voucher.", nameof(signature));
        }

        return new TransactionVoucher(Id, User, AssetAddress, UserInstitution, _participants, Type, Asset, Amount, CreatedAtMs, Nonce,
            VoucherCodec.WithSignature(_signatures, signature));
    }

    /// <summary>
    /// Checks what a destination needs before deciding (V2): the id matches the body, every participant is in the
    /// directory, and the originator's signature verifies. Other signatures are not looked at.
    /// </summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck VerifyOriginatorSignature(InstitutionDirectory directory)
    {
        var check = VerifyStructure(directory);
        if (!check.IsValid)
        {
            return check;
        }

        var signature = VoucherCodec.Find(_signatures, Originator);
        return signature is null
            ? VoucherCheck.Fail(VoucherFailure.MissingSignature, $"the transaction voucher lacks the originator {Originator}'s signature")
            : VoucherCodec.VerifyOne(signature, directory, DomainTag, Id, "transaction voucher");
    }

    /// <summary>
    /// Checks the fully co-signed voucher (V2 done): the id matches the body, every participant is in the directory,
    /// and the joint signature is exactly the originator's and every destination's, each verifying.
    /// </summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck VerifyCoSigned(InstitutionDirectory directory)
    {
        var check = VerifyStructure(directory);
        return check.IsValid
            ? VoucherCodec.VerifyJoint(_signatures, [Originator, .. Destinations], directory, DomainTag, Id, "transaction voucher")
            : check;
    }

    /// <summary>Checks one co-signature (e.g. a destination's feedback) against this voucher's id.</summary>
    internal VoucherCheck VerifySignature(InstitutionSignature signature, InstitutionDirectory directory) =>
        VoucherCodec.VerifyOne(signature, directory, DomainTag, Id, "transaction voucher");

    private VoucherCheck VerifyStructure(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!IsIdConsistent)
        {
            return VoucherCheck.Fail(VoucherFailure.IdMismatch, $"transaction voucher {Id.ToShortString()} does not hash to its id (altered after signing)");
        }

        foreach (var p in _participants)
        {
            if (!directory.Contains(p.Institution))
            {
                return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"institution {p.Institution} is not in the directory");
            }
        }

        return VoucherCheck.Valid;
    }

    private static void ValidateParticipants(VoucherParticipant[] participants, InstitutionId userInstitution)
    {
        if (participants.Length is 0 or > MaxParticipants)
        {
            throw new ArgumentException($"A voucher involves 1 to {MaxParticipants} institutions.");
        }

        int originators = 0;
        int destinations = 0;
        for (int i = 0; i < participants.Length; i++)
        {
            var p = participants[i];
            if (p.Institution.IsDefault || !Enum.IsDefined(p.Role))
            {
                throw new ArgumentException("A participant needs an institution and a known role.");
            }

            if (i > 0 && participants[i - 1].Institution.CompareTo(p.Institution) >= 0)
            {
                throw new ArgumentException("Participants are sorted by institution, each named once.");
            }

            originators += p.Role == ParticipantRole.Originator ? 1 : 0;
            destinations += p.Role == ParticipantRole.Destination ? 1 : 0;
        }

        if (originators != 1 || destinations == 0)
        {
            throw new ArgumentException("A voucher has exactly one originator and at least one destination.");
        }

        if (Array.Find(participants, p => p.Institution == userInstitution).Role is not (ParticipantRole.Originator or ParticipantRole.Destination))
        {
            throw new ArgumentException("The user's institution is the originator or a destination.");
        }
    }

    private void WriteBody(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(10);
        writer.WriteUInt32(VoucherCodec.TransactionBodyKind);
        writer.WriteIdentifier(User);
        writer.WriteAccountId(AssetAddress);
        writer.WriteInstitutionId(UserInstitution);
        writer.WriteArrayHeader(_participants.Length);
        foreach (var p in _participants)
        {
            writer.WriteArrayHeader(2);
            writer.WriteInstitutionId(p.Institution);
            writer.WriteUInt32((uint)p.Role);
        }

        writer.WriteUInt32((uint)Type);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        writer.WriteInt64(CreatedAtMs);
        writer.WriteUInt64(Nonce);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteHash256(Id);
        WriteBody(ref writer);
        VoucherCodec.WriteList(ref writer, _signatures);
    }

    /// <inheritdoc />
    public static TransactionVoucher Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        var id = reader.ReadHash256();
        long bodyOffset = reader.Consumed;
        reader.ReadArrayHeader(10);
        if (reader.ReadUInt32() != VoucherCodec.TransactionBodyKind)
        {
            throw new CodecException(CodecError.ValueOutOfRange, bodyOffset, "not a transaction voucher body");
        }

        var user = reader.ReadIdentifier<UserId>();
        var address = reader.ReadAccountId();
        var userInstitution = reader.ReadInstitutionId();
        var participants = VoucherCodec.ReadList(ref reader, MaxParticipants, "participants", static (ref CanonicalReader r) =>
        {
            r.ReadArrayHeader(2);
            return new VoucherParticipant(r.ReadInstitutionId(), VoucherCodec.ReadEnum<ParticipantRole>(ref r, "participant role"));
        });
        var type = VoucherCodec.ReadEnum<TransactionType>(ref reader, "transaction type");
        var asset = reader.ReadAssetCode();
        var amount = reader.ReadAmount();
        long createdAt = reader.ReadInt64();
        ulong nonce = reader.ReadUInt64();
        long signaturesOffset = reader.Consumed;
        var signatures = VoucherCodec.ReadList(ref reader, MaxParticipants, "signatures", InstitutionSignature.Decode);
        VoucherCodec.RequireSortedSigners(signatures, signaturesOffset);
        return new TransactionVoucher(id, user, address, userInstitution, participants, type, asset, amount, createdAt, nonce, signatures);
    }

    /// <summary>The id, amount and signers, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"TransactionVoucher {Id.ToShortString()} {Type} {Amount} {Asset} user {User}@{UserInstitution} signed by [{string.Join(",", _signatures.Select(s => s.Signer))}]";
}
