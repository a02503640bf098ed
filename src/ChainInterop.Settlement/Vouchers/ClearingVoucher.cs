using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>One row of a clearing voucher: transfer <paramref name="Amount"/> of <paramref name="Asset"/> to <paramref name="Destination"/>.</summary>
/// <param name="Destination">The receiving institution (目的机构).</param>
/// <param name="Asset">The cleared asset type (清算资产类型).</param>
/// <param name="Amount">The transferred amount (转移资产数量), positive.</param>
public readonly record struct ClearingTransfer(InstitutionId Destination, AssetCode Asset, Amount Amount);

/// <summary>
/// One asset-source record (资产转移记录) of a clearing voucher: <paramref name="Amount"/> of the paid funds comes from
/// a credit recorded on the payer's settlement account on the account ledger.
/// </summary>
/// <param name="Account">The payer's settlement account.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">How much of the clearing this record funds, positive.</param>
/// <param name="LedgerSequence">The sequence number of the crediting posting on the account ledger; 0 for the account's credit line.</param>
/// <param name="LedgerTransfer">The ledger command that credited the account; zero for the credit line.</param>
public readonly record struct AssetSourceRecord(AccountId Account, AssetCode Asset, Amount Amount, long LedgerSequence, TransferId LedgerTransfer);

/// <summary>
/// A clearing voucher (清算凭证, seed 001 table 3, SPEC V4): what one paying institution transfers to clear a
/// clearing relation, signed by it alone, with the records of where its funds come from. Published on the voucher
/// ledger chain through consensus (<see cref="ClearingPublication"/>).
/// </summary>
/// <remarks>Encoding: <c>[id, body, originator signature]</c>; body = <c>[4, clearing relation id, originator,
/// transfers [[destination, asset, amount]…] sorted by destination then asset, asset sources [[account, asset, amount,
/// ledger sequence, ledger transfer id]…], timestamp ms]</c>. The relation id fills table 3's "other" (其他) row.
/// Signed over the id under <c>ChainInterop/voucher/clearing/v1</c>.</remarks>
public sealed class ClearingVoucher : ICanonicalEncodable<ClearingVoucher>
{
    /// <summary>The most transfers one clearing voucher holds, in rows.</summary>
    public const int MaxTransfers = ClearingRelationVoucher.MaxObligations;

    /// <summary>The most asset-source records one clearing voucher holds, in records.</summary>
    public const int MaxAssetSources = 64;

    /// <summary>The most postings of the payer's history read to find asset sources, in postings.</summary>
    public const int MaxSourceScanPostings = 100_000;

    private readonly ClearingTransfer[] _transfers;
    private readonly AssetSourceRecord[] _sources;
    private readonly byte[] _signature;
    private readonly Hash256 _bodyHash;

    private ClearingVoucher(
        Hash256? claimedId, Hash256 relationId, InstitutionId originator, ClearingTransfer[] transfers, AssetSourceRecord[] sources,
        long createdAtMs, byte[] signature)
    {
        if (originator.IsDefault)
        {
            throw new ArgumentException("The originator must be set.");
        }

        if (transfers.Length is 0 or > MaxTransfers || sources.Length > MaxAssetSources)
        {
            throw new ArgumentException($"A clearing voucher holds 1 to {MaxTransfers} transfers and at most {MaxAssetSources} sources.");
        }

        for (int i = 0; i < transfers.Length; i++)
        {
            var t = transfers[i];
            if (t.Destination.IsDefault || t.Destination == originator || t.Asset.IsDefault || !t.Amount.IsPositive)
            {
                throw new ArgumentException($"Invalid transfer {t}.");
            }

            if (i > 0 && (transfers[i - 1].Destination, transfers[i - 1].Asset).CompareTo((t.Destination, t.Asset)) >= 0)
            {
                throw new ArgumentException("Transfers are sorted by destination then asset, one per pair.");
            }
        }

        foreach (var s in sources)
        {
            if (s.Account.IsDefault || s.Asset.IsDefault || !s.Amount.IsPositive || s.LedgerSequence < 0)
            {
                throw new ArgumentException($"Invalid asset source {s}.");
            }
        }

        ClearingRelationId = relationId;
        Originator = originator;
        _transfers = transfers;
        _sources = sources;
        CreatedAtMs = createdAtMs;
        _signature = signature;
        _bodyHash = VoucherCodec.Hash(WriteBody);
        Id = claimedId ?? _bodyHash;
    }

    private static ReadOnlySpan<byte> DomainTag => "ChainInterop/voucher/clearing/v1"u8;

    /// <summary>The clearing voucher's id (清算凭证标识): SHA-256 of its body.</summary>
    public Hash256 Id { get; }

    /// <summary>The clearing relation it clears.</summary>
    public Hash256 ClearingRelationId { get; }

    /// <summary>The paying institution, which creates and signs this voucher (发起机构标识).</summary>
    public InstitutionId Originator { get; }

    /// <summary>The transfers, one per row.</summary>
    public IReadOnlyList<ClearingTransfer> Transfers => _transfers;

    /// <summary>Table 3's cleared asset types (清算资产类型), row by row.</summary>
    public IReadOnlyList<AssetCode> AssetTypes => [.. _transfers.Select(t => t.Asset)];

    /// <summary>Table 3's transferred amounts (转移资产数量), row by row.</summary>
    public IReadOnlyList<Amount> TransferAmounts => [.. _transfers.Select(t => t.Amount)];

    /// <summary>Table 3's destination institutions (目的机构标识), row by row.</summary>
    public IReadOnlyList<InstitutionId> Destinations => [.. _transfers.Select(t => t.Destination)];

    /// <summary>The originator's asset sources (发起机构资产来源).</summary>
    public IReadOnlyList<AssetSourceRecord> AssetSources => _sources;

    /// <summary>When the voucher was created (时间戳), Unix milliseconds.</summary>
    public long CreatedAtMs { get; }

    /// <summary>The originator's signature on <see cref="Id"/> (发起机构签名).</summary>
    public ReadOnlyMemory<byte> OriginatorSignature => _signature;

    /// <summary>Whether <see cref="Id"/> is the hash of the body.</summary>
    public bool IsIdConsistent => Id == _bodyHash;

    /// <summary>
    /// Creates and signs <paramref name="payer"/>'s clearing voucher for a verified relation: the transfers are its
    /// obligations, the asset sources are the most recent credits of its settlement account on
    /// <paramref name="ledger"/> (then its credit line) covering each asset's total.
    /// </summary>
    /// <param name="payer">The paying institution.</param>
    /// <param name="key">Its private key.</param>
    /// <param name="relation">The co-signed relation (verify it first).</param>
    /// <param name="ledger">The account ledger holding the payer's settlement account.</param>
    /// <param name="directory">The trust root (gives the settlement account).</param>
    /// <param name="createdAtMs">The timestamp, Unix milliseconds.</param>
    /// <returns>The voucher, or <see cref="VoucherFailure.NothingToClear"/>, <see cref="VoucherFailure.UnknownInstitution"/>,
    /// <see cref="VoucherFailure.NoSettlementAccount"/>, <see cref="VoucherFailure.NoAssociatedAsset"/>,
    /// <see cref="VoucherFailure.InsufficientAssets"/> or <see cref="VoucherFailure.AmountOverflow"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static VoucherResult<ClearingVoucher> Create(
        InstitutionId payer, PrivateKey key, ClearingRelationVoucher relation, AccountLedger ledger, InstitutionDirectory directory, long createdAtMs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(directory);
        var check = relation.GetTransfers(payer, out var transfers);
        if (!check.IsValid)
        {
            return VoucherResult.Fail<ClearingVoucher>(check);
        }

        if (transfers.Count == 0)
        {
            return VoucherResult.Fail<ClearingVoucher>(VoucherFailure.NothingToClear, $"{payer} owes nothing in relation {relation.Id.ToShortString()}");
        }

        if (!directory.TryGet(payer, out var entry))
        {
            return VoucherResult.Fail<ClearingVoucher>(VoucherFailure.UnknownInstitution, $"{payer} is not in the directory");
        }

        var sources = new List<AssetSourceRecord>();
        foreach (var group in transfers.GroupBy(t => t.Asset))
        {
            if (!TryAddAll(group.Select(t => t.Amount), out var total))
            {
                return VoucherResult.Fail<ClearingVoucher>(VoucherFailure.AmountOverflow, $"{payer}'s {group.Key} transfers overflow");
            }

            check = SelectSources(ledger, entry.SettlementAccount, payer, group.Key, total, sources);
            if (!check.IsValid)
            {
                return VoucherResult.Fail<ClearingVoucher>(check);
            }
        }

        return VoucherResult.Ok(Create(payer, key, relation.Id, transfers, sources, createdAtMs));
    }

    /// <summary>Creates and signs a clearing voucher from its parts.</summary>
    /// <param name="payer">The paying institution.</param>
    /// <param name="key">Its private key.</param>
    /// <param name="relationId">The relation cleared.</param>
    /// <param name="transfers">The transfers, sorted by destination then asset.</param>
    /// <param name="sources">The asset sources.</param>
    /// <param name="createdAtMs">The timestamp, Unix milliseconds.</param>
    /// <returns>The signed voucher.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A part is invalid.</exception>
    public static ClearingVoucher Create(
        InstitutionId payer, PrivateKey key, Hash256 relationId, IReadOnlyList<ClearingTransfer> transfers, IReadOnlyList<AssetSourceRecord> sources, long createdAtMs)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(transfers);
        ArgumentNullException.ThrowIfNull(sources);
        var unsigned = new ClearingVoucher(null, relationId, payer, [.. transfers], [.. sources], createdAtMs, new byte[InstitutionSignature.SignatureSizeBytes]);
        return new ClearingVoucher(unsigned.Id, relationId, payer, unsigned._transfers, unsigned._sources, createdAtMs,
            VoucherInstrumentation.Sign(key, DomainTag, unsigned.Id));
    }

    /// <summary>
    /// Checks this voucher against the relation it clears (what the voucher ledger checks before accepting, V4): id,
    /// the relation link, the originator's signature, transfers exactly the originator's obligations, and asset
    /// sources from its settlement account adding up, per asset, to exactly what it transfers. The relation's own
    /// signatures are checked separately (<see cref="ClearingRelationVoucher.VerifyCoSigned"/>).
    /// </summary>
    /// <param name="directory">The trust root.</param>
    /// <param name="relation">The relation.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public VoucherCheck Verify(InstitutionDirectory directory, ClearingRelationVoucher relation)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(relation);
        if (!IsIdConsistent)
        {
            return VoucherCheck.Fail(VoucherFailure.IdMismatch, $"clearing voucher {Id.ToShortString()} does not hash to its id (altered after signing)");
        }

        if (ClearingRelationId != relation.Id)
        {
            return VoucherCheck.Fail(VoucherFailure.LinkMismatch, "the clearing voucher clears another relation");
        }

        if (!directory.TryGet(Originator, out var entry))
        {
            return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"{Originator} is not in the directory");
        }

        foreach (var t in _transfers)
        {
            if (!directory.Contains(t.Destination))
            {
                return VoucherCheck.Fail(VoucherFailure.UnknownInstitution, $"{t.Destination} is not in the directory");
            }
        }

        if (!VoucherInstrumentation.Verify(entry.PublicKey, DomainTag, Id, _signature))
        {
            return VoucherCheck.Fail(VoucherFailure.InvalidSignature, $"{Originator}'s signature on the clearing voucher does not verify");
        }

        var check = relation.GetTransfers(Originator, out var expected);
        if (!check.IsValid)
        {
            return check;
        }

        if (!expected.SequenceEqual(_transfers))
        {
            return VoucherCheck.Fail(VoucherFailure.TransfersMismatch, $"{Originator}'s transfers are not its obligations in the relation");
        }

        foreach (var group in _transfers.GroupBy(t => t.Asset))
        {
            var sources = _sources.Where(s => s.Asset == group.Key).ToArray();
            if (!TryAddAll(group.Select(t => t.Amount), out var paid) || !TryAddAll(sources.Select(s => s.Amount), out var sourced) || paid != sourced)
            {
                return VoucherCheck.Fail(VoucherFailure.SourceMismatch, $"{group.Key} sources do not add up to the transfers");
            }
        }

        foreach (var s in _sources)
        {
            if (s.Account != entry.SettlementAccount || !_transfers.Any(t => t.Asset == s.Asset))
            {
                return VoucherCheck.Fail(VoucherFailure.SourceMismatch, $"source {s.Account} {s.Asset} is not the payer's settlement account or not a cleared asset");
            }
        }

        return VoucherCheck.Valid;
    }

    /// <summary>
    /// The account-ledger transfers that execute this clearing between settlement accounts, one per row, each with an
    /// id derived from this voucher's id and the row (so applying them twice is refused by the ledger as already applied).
    /// </summary>
    /// <param name="directory">The trust root (gives the settlement accounts).</param>
    /// <returns>The commands.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="directory"/> is null.</exception>
    /// <exception cref="InvalidOperationException">An institution is not in the directory.</exception>
    public IReadOnlyList<TransferCommand> ToTransferCommands(InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var from = directory.TryGet(Originator, out var payer) ? payer.SettlementAccount : throw new InvalidOperationException($"{Originator} is not in the directory.");
        var commands = new TransferCommand[_transfers.Length];
        Span<byte> idBytes = stackalloc byte[Hash256.SizeBytes];
        Id.WriteTo(idBytes);
        Span<byte> row = stackalloc byte[sizeof(int)];
        for (int i = 0; i < _transfers.Length; i++)
        {
            var t = _transfers[i];
            var to = directory.TryGet(t.Destination, out var payee) ? payee.SettlementAccount : throw new InvalidOperationException($"{t.Destination} is not in the directory.");
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(row, i);
            var transferId = TransferId.FromHash(Hash256.Compute(idBytes, row));
            commands[i] = new TransferCommand(transferId, from, to, t.Asset, t.Amount);
        }

        return commands;
    }

    private static VoucherCheck SelectSources(AccountLedger ledger, AccountId account, InstitutionId payer, AssetCode asset, Amount total, List<AssetSourceRecord> sources)
    {
        if (!ledger.TryGetAccount(account, out var info) || info.Owner != payer)
        {
            return VoucherCheck.Fail(VoucherFailure.NoSettlementAccount, $"{payer} has no settlement account {account} on the ledger");
        }

        if (!ledger.TryGetBalance(account, asset, out var balance))
        {
            return VoucherCheck.Fail(VoucherFailure.NoAssociatedAsset, $"{account} does not hold {asset}");
        }

        if (balance.Available < total)
        {
            return VoucherCheck.Fail(VoucherFailure.InsufficientAssets, $"{account} has {balance.Available} {asset} available, needs {total}");
        }

        // The most recent credits fund the clearing first; read the history oldest first, keep the credits.
        var credits = new List<Posting>();
        long after = 0;
        int scanned = 0;
        while (scanned < MaxSourceScanPostings)
        {
            var page = ledger.GetHistory(account, asset, after, Math.Min(AccountLedger.MaxHistoryPageCount, MaxSourceScanPostings - scanned));
            if (page.Count == 0)
            {
                break;
            }

            credits.AddRange(page.Where(p => p.Side == PostingSide.Credit && p.PostedDelta.IsPositive));
            scanned += page.Count;
            after = page[^1].Sequence;
        }

        var remaining = total;
        for (int i = credits.Count - 1; i >= 0 && remaining.IsPositive && sources.Count < MaxAssetSources - 1; i--)
        {
            var take = credits[i].PostedDelta < remaining ? credits[i].PostedDelta : remaining;
            sources.Add(new AssetSourceRecord(account, asset, take, credits[i].Sequence, credits[i].TransferId));
            remaining -= take;
        }

        if (remaining.IsPositive)
        {
            sources.Add(new AssetSourceRecord(account, asset, remaining, 0, TransferId.Zero));
        }

        return VoucherCheck.Valid;
    }

    private static bool TryAddAll(IEnumerable<Amount> amounts, out Amount total)
    {
        total = Amount.Zero;
        foreach (var a in amounts)
        {
            if (!total.TryAdd(a, out total))
            {
                return false;
            }
        }

        return true;
    }

    private void WriteBody(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(6);
        writer.WriteUInt32(VoucherCodec.ClearingBodyKind);
        writer.WriteHash256(ClearingRelationId);
        writer.WriteInstitutionId(Originator);
        writer.WriteArrayHeader(_transfers.Length);
        foreach (var t in _transfers)
        {
            writer.WriteArrayHeader(3);
            writer.WriteInstitutionId(t.Destination);
            writer.WriteAssetCode(t.Asset);
            writer.WriteAmount(t.Amount);
        }

        writer.WriteArrayHeader(_sources.Length);
        foreach (var s in _sources)
        {
            writer.WriteArrayHeader(5);
            writer.WriteAccountId(s.Account);
            writer.WriteAssetCode(s.Asset);
            writer.WriteAmount(s.Amount);
            writer.WriteInt64(s.LedgerSequence);
            s.LedgerTransfer.Encode(ref writer);
        }

        writer.WriteInt64(CreatedAtMs);
    }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteHash256(Id);
        WriteBody(ref writer);
        writer.WriteBinary(_signature);
    }

    /// <inheritdoc />
    public static ClearingVoucher Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        var id = reader.ReadHash256();
        long bodyOffset = reader.Consumed;
        reader.ReadArrayHeader(6);
        if (reader.ReadUInt32() != VoucherCodec.ClearingBodyKind)
        {
            throw new CodecException(CodecError.ValueOutOfRange, bodyOffset, "not a clearing voucher body");
        }

        var relationId = reader.ReadHash256();
        var originator = reader.ReadInstitutionId();
        var transfers = VoucherCodec.ReadList(ref reader, MaxTransfers, "transfers", static (ref CanonicalReader r) =>
        {
            r.ReadArrayHeader(3);
            return new ClearingTransfer(r.ReadInstitutionId(), r.ReadAssetCode(), r.ReadAmount());
        });
        var sources = VoucherCodec.ReadList(ref reader, MaxAssetSources, "asset sources", static (ref CanonicalReader r) =>
        {
            r.ReadArrayHeader(5);
            return new AssetSourceRecord(r.ReadAccountId(), r.ReadAssetCode(), r.ReadAmount(), r.ReadInt64(), TransferId.Decode(ref r));
        });
        long createdAt = reader.ReadInt64();
        long offset = reader.Consumed;
        var signature = reader.ReadBinaryArray();
        return signature.Length == InstitutionSignature.SignatureSizeBytes
            ? new ClearingVoucher(id, relationId, originator, transfers, sources, createdAt, signature)
            : throw new CodecException(CodecError.UnexpectedLength, offset, "a signature is 64 bytes");
    }

    /// <summary>The id, payer and transfers, for logs.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        $"ClearingVoucher {Id.ToShortString()} by {Originator}: {string.Join("; ", _transfers.Select(t => $"{t.Amount} {t.Asset} → {t.Destination}"))}";
}
