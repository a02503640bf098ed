using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The clearing-relation voucher (清算关系凭证, seed 001 table 2, SPEC V3): who owes whom what because of one
/// transaction, fee debts included, signed by the third party and co-signed by every paying institution (the
/// table's credit institutions, 贷方). Rows are <see cref="ClearingObligation"/>s; the table's columns are
/// <see cref="DebitInstitutions"/>, <see cref="CreditInstitutions"/>, <see cref="AssetTypes"/> and <see cref="Amounts"/>.
/// </summary>
/// <remarks>
/// <para>Encoding: <c>[id, body, signatures]</c>; body = <c>[3, transaction voucher id, retention voucher id, third party,
/// obligations [[payer, payee, asset, amount, kind]…], timestamp ms]</c>. The two voucher ids fill the table's
/// "other" (其他) row. Signatures are over the id under <c>ChainInterop/voucher/clearing-relation/v1</c>, sorted by signer.</para>
/// <para>Obligations are in the order <see cref="ClearingRules.Derive"/> gives, so every party derives the same bytes.</para>
/// </remarks>
public sealed class ClearingRelationVoucher : ICanonicalEncodable<ClearingRelationVoucher>
{
    /// <summary>The most obligations one relation holds, in rows.</summary>
    public const int MaxObligations = 64;

    private readonly ClearingObligation[] _obligations;
    private readonly InstitutionSignature[] _signatures;
    private readonly Hash256 _bodyHash;

    private ClearingRelationVoucher(
        Hash256? claimedId, Hash256 transactionVoucherId, Hash256 retentionVoucherId, InstitutionId thirdParty,
        ClearingObligation[] obligations, long createdAtMs, InstitutionSignature[] signatures)
    {
        if (thirdParty.IsDefault)
        {
            throw new ArgumentException("The third party must be set.");
        }

        if (obligations.Length is 0 or > MaxObligations)
        {
            throw new ArgumentException($"A relation holds 1 to {MaxObligations} obligations.");
        }

        foreach (var o in obligations)
        {
            if (o.Payer.IsDefault || o.Payee.IsDefault || o.Payer == o.Payee || o.Asset.IsDefault || !o.Amount.IsPositive || !Enum.IsDefined(o.Kind))
            {
                throw new ArgumentException($"Invalid obligation {o}.");
            }
        }

        TransactionVoucherId = transactionVoucherId;
        RetentionVoucherId = retentionVoucherId;
        ThirdParty = thirdParty;
        _obligations = obligations;
        CreatedAtMs = createdAtMs;
        _signatures = signatures;
        _bodyHash = VoucherCodec.Hash(WriteBody);
        Id = claimedId ?? _bodyHash;
        Payers = [.. obligations.Select(o => o.Payer).Distinct().Order()];
    }

    /// <summary>The domain tag of signatures on the relation id.</summary>
    internal static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/clearing-relation/v1"u8;

    /// <summary>The relation's id (清算关系凭证标识): SHA-256 of its body.</summary>
    public Hash256 Id { get; }

    /// <summary>The transaction voucher this relation clears.</summary>
    public Hash256 TransactionVoucherId { get; }

    /// <summary>The retention voucher made with it.</summary>
    public Hash256 RetentionVoucherId { get; }

    /// <summary>The third-party retention institution.</summary>
    public InstitutionId ThirdParty { get; }

    /// <summary>The obligations, one per row.</summary>
    public IReadOnlyList<ClearingObligation> Obligations => _obligations;

    /// <summary>Table 2's debit institutions (借方机构标识), row by row: who is owed.</summary>
    public IReadOnlyList<InstitutionId> DebitInstitutions => [.. _obligations.Select(o => o.Payee)];

    /// <summary>Table 2's credit institutions (贷方机构标识), row by row: who owes.</summary>
    public IReadOnlyList<InstitutionId> CreditInstitutions => [.. _obligations.Select(o => o.Payer)];

    /// <summary>Table 2's asset types (资产借贷发生类型), row by row.</summary>
    public IReadOnlyList<AssetCode> AssetTypes => [.. _obligations.Select(o => o.Asset)];

    /// <summary>Table 2's amounts (资产借贷发生数量), row by row.</summary>
    public IReadOnlyList<Amount> Amounts => [.. _obligations.Select(o => o.Amount)];

    /// <summary>The distinct paying institutions, sorted: they co-sign, and each publishes one clearing voucher.</summary>
    public IReadOnlyList<InstitutionId> Payers { get; }

    /// <summary>Who must sign: the third party and every payer.</summary>
    public IReadOnlyList<InstitutionId> RequiredSigners => [ThirdParty, .. Payers.Where(p => p != ThirdParty)];

    /// <summary>The joint signature of the payers and the third party (贷方机构、第三方机构联合签名), sorted by signer.</summary>
    public IReadOnlyList<InstitutionSignature> JointSignatures => _signatures;

    /// <summary>When the third party created the relation (时间戳), Unix milliseconds.</summary>
    public long CreatedAtMs { get; }

    /// <summary>Whether <see cref="Id"/> is the hash of the body.</summary>
    public bool IsIdConsistent => Id == _bodyHash;

    /// <summary>Creates the relation and signs it as the third party.</summary>
    /// <param name="thirdParty">The third party.</param>
    /// <param name="key">Its private key.</param>
    /// <param name="transactionVoucherId">The transaction voucher cleared.</param>
    /// <param name="retentionVoucherId">The retention voucher made with it.</param>
    /// <param name="obligations">The obligations (<see cref="ClearingRules.Derive"/>).</param>
    /// <param name="createdAtMs">The timestamp, Unix milliseconds.</param>
    /// <returns>The third-party-signed relation.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An obligation is invalid, or there are none or too many.</exception>
    public static ClearingRelationVoucher Create(
        InstitutionId thirdParty, PrivateKey key, Hash256 transactionVoucherId, Hash256 retentionVoucherId,
        IReadOnlyList<ClearingObligation> obligations, long createdAtMs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(obligations);
        var unsigned = new ClearingRelationVoucher(null, transactionVoucherId, retentionVoucherId, thirdParty, [.. obligations], createdAtMs, []);
        return unsigned.WithSignature(unsigned.Sign(thirdParty, key));
    }

    /// <summary>Signs the relation id as <paramref name="signer"/>.</summary>
    /// <param name="signer">The third party or a payer.</param>
    /// <param name="key">Its private key.</param>
    /// <returns>The signature.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public InstitutionSignature Sign(InstitutionId signer, PrivateKey key) => new(signer, VoucherInstrumentation.Sign(key, DomainTag, Id));

    /// <summary>This relation with <paramref name="signature"/> added.</summary>
    /// <param name="signature">The signature.</param>
    /// <returns>A new relation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="signature"/> is null.</exception>
    /// <exception cref="ArgumentException">The signer is neither the third party nor a payer.</exception>
    public ClearingRelationVoucher WithSignature(InstitutionSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!RequiredSigners.Contains(signature.Signer))
        {
            throw new ArgumentException($"{signature.Signer} does not sign this relation.", nameof(signature));
        }

        return new ClearingRelationVoucher(Id, TransactionVoucherId, RetentionVoucherId, ThirdParty, _obligations, CreatedAtMs,
            VoucherCodec.WithSignature(_signatures, signature));
    }

    /// <summary>Checks what a payer needs before co-signing: id, institutions known, and the third party's signature.</summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck VerifyThirdPartySignature(InstitutionDirectory directory)
    {
        var check = VerifyStructure(directory);
        if (!check.IsValid)
        {
            return check;
        }

        var signature = VoucherCodec.Find(_signatures, ThirdParty);
        return signature is null
            ? VoucherCheck.Fail(VoucherFailure.MissingSignature, "the relation lacks the third party's signature")
            : RetentionVoucher.VerifyThirdParty(directory, ThirdParty, DomainTag, Id, signature.Signature.ToArray(), "clearing relation");
    }

    /// <summary>Checks the finished relation: id, institutions known, the third party is a retention institution, and
    /// the joint signature is exactly the third party's and every payer's, each verifying.</summary>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    public VoucherCheck VerifyCoSigned(InstitutionDirectory directory)
    {
        var check = VerifyStructure(directory);
        if (!check.IsValid)
        {
            return check;
        }

        if (!directory.TryGet(ThirdParty, out var tp) || !tp.IsRetentionInstitution)
        {
            return VoucherCheck.Fail(VoucherFailure.NotARetentionInstitution, $"{ThirdParty} is not a retention institution");
        }

        return VoucherCodec.VerifyJoint(_signatures, RequiredSigners, directory, DomainTag, Id, "clearing relation");
    }

    /// <summary>Checks one co-signature against this relation's id.</summary>
    internal VoucherCheck VerifySignature(InstitutionSignature signature, InstitutionDirectory directory) =>
        VoucherCodec.VerifyOne(signature, directory, DomainTag, Id, "clearing relation");

    /// <summary>
    /// What <paramref name="payer"/> must transfer: its obligations merged per (payee, asset), sorted by payee then asset.
    /// </summary>
    /// <param name="payer">The paying institution.</param>
    /// <param name="transfers">The transfers (empty when it owes nothing).</param>
    /// <returns>Valid, or <see cref="VoucherFailure.AmountOverflow"/>.</returns>
    public VoucherCheck GetTransfers(InstitutionId payer, out IReadOnlyList<ClearingTransfer> transfers)
    {
        var merged = new SortedDictionary<(InstitutionId, AssetCode), Amount>();
        foreach (var o in _obligations)
        {
            if (o.Payer != payer)
            {
                continue;
            }

            merged.TryGetValue((o.Payee, o.Asset), out var sum);
            if (!sum.TryAdd(o.Amount, out sum))
            {
                transfers = [];
                return VoucherCheck.Fail(VoucherFailure.AmountOverflow, $"{payer}'s obligations to {o.Payee} overflow");
            }

            merged[(o.Payee, o.Asset)] = sum;
        }

        transfers = [.. merged.Select(kv => new ClearingTransfer(kv.Key.Item1, kv.Key.Item2, kv.Value))];
        return VoucherCheck.Valid;
    }

    private VoucherCheck VerifyStructure(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!IsIdConsistent)
        {
            return VoucherCheck.Fail(VoucherFailure.IdMismatch, $"clearing relation {Id.ToShortString()} does not hash to its id (altered after signing)");
        }

        foreach (var o in _obligations)
        {
            if (!directory.Contains(o.Payer) || !directory.Contains(o.Payee))
            {
                return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"obligation {o.Payer} → {o.Payee} names an institution not in the directory");
            }
        }

        return VoucherCheck.Valid;
    }

    private void WriteBody(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(6);
        writer.WriteUInt32(VoucherCodec.RelationBodyKind);
        writer.WriteHash256(TransactionVoucherId);
        writer.WriteHash256(RetentionVoucherId);
        writer.WriteInstitutionId(ThirdParty);
        writer.WriteArrayHeader(_obligations.Length);
        foreach (var o in _obligations)
        {
            writer.WriteArrayHeader(5);
            writer.WriteInstitutionId(o.Payer);
            writer.WriteInstitutionId(o.Payee);
            writer.WriteAssetCode(o.Asset);
            writer.WriteAmount(o.Amount);
            writer.WriteUInt32((uint)o.Kind);
        }

        writer.WriteInt64(CreatedAtMs);
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
    public static ClearingRelationVoucher Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        var id = reader.ReadHash256();
        long bodyOffset = reader.Consumed;
        reader.ReadArrayHeader(6);
        if (reader.ReadUInt32() != VoucherCodec.RelationBodyKind)
        {
            throw new CodecException(CodecError.ValueOutOfRange, bodyOffset, "not a clearing relation body");
        }

        var transactionId = reader.ReadHash256();
        var retentionId = reader.ReadHash256();
        var thirdParty = reader.ReadInstitutionId();
        var obligations = VoucherCodec.ReadList(ref reader, MaxObligations, "obligations", static (ref CanonicalReader r) =>
        {
            r.ReadArrayHeader(5);
            return new ClearingObligation(r.ReadInstitutionId(), r.ReadInstitutionId(), r.ReadAssetCode(), r.ReadAmount(),
                VoucherCodec.ReadEnum<ObligationKind>(ref r, "obligation kind"));
        });
        long createdAt = reader.ReadInt64();
        long signaturesOffset = reader.Consumed;
        var signatures = VoucherCodec.ReadList(ref reader, MaxObligations + 1, "signatures", InstitutionSignature.Decode);
        VoucherCodec.RequireSortedSigners(signatures, signaturesOffset);
        return new ClearingRelationVoucher(id, transactionId, retentionId, thirdParty, obligations, createdAt, signatures);
    }

    /// <summary>The id, rows and signers, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"ClearingRelation {Id.ToShortString()}: {string.Join("; ", _obligations.Select(o => $"{o.Payer}→{o.Payee} {o.Amount} {o.Asset} ({o.Kind})"))} signed by [{string.Join(",", _signatures.Select(s => s.Signer))}]";
}
