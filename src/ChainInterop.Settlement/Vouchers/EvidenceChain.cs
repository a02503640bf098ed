using ChainInterop.Blocks;
using ChainInterop.Codec;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// The full evidence of one payment, for a dispute (SPEC V4, step 312): the retention voucher (with the co-signed
/// transaction voucher and the destinations' confirmations), the co-signed clearing relation, every clearing voucher
/// and optionally the certified voucher-ledger blocks that hold them. Self-contained: anyone holding the institution
/// directory (and the ledger chain's validator set, for the blocks) verifies it offline with
/// <see cref="VoucherVerifier.VerifyEvidence"/>. Encoded as <c>[retention, relation, clearings, blocks]</c>.
/// </summary>
public sealed class EvidenceChain : ICanonicalEncodable<EvidenceChain>
{
    /// <summary>The most blocks one evidence chain carries, in blocks.</summary>
    public const int MaxBlocks = 64;

    private readonly ClearingVoucher[] _clearings;
    private readonly Block[] _blocks;

    /// <summary>Creates the evidence.</summary>
    /// <param name="retention">The retention voucher.</param>
    /// <param name="relation">The co-signed clearing relation.</param>
    /// <param name="clearings">The clearing vouchers.</param>
    /// <param name="blocks">The ledger blocks holding them (may be empty).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Too many clearings or blocks.</exception>
    public EvidenceChain(RetentionVoucher retention, ClearingRelationVoucher relation, IReadOnlyList<ClearingVoucher> clearings, IReadOnlyList<Block> blocks)
    {
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(clearings);
        ArgumentNullException.ThrowIfNull(blocks);
        if (clearings.Count > ClearingRelationVoucher.MaxObligations || blocks.Count > MaxBlocks)
        {
            throw new ArgumentException($"Evidence holds at most {ClearingRelationVoucher.MaxObligations} clearings and {MaxBlocks} blocks.");
        }

        Retention = retention;
        Relation = relation;
        _clearings = [.. clearings];
        _blocks = [.. blocks];
    }

    /// <summary>The retention voucher.</summary>
    public RetentionVoucher Retention { get; }

    /// <summary>The co-signed transaction voucher (inside the retention voucher).</summary>
    public TransactionVoucher TransactionVoucher => Retention.TransactionVoucher;

    /// <summary>The co-signed clearing relation.</summary>
    public ClearingRelationVoucher Relation { get; }

    /// <summary>The clearing vouchers.</summary>
    public IReadOnlyList<ClearingVoucher> Clearings => _clearings;

    /// <summary>The certified ledger blocks holding the clearing vouchers.</summary>
    public IReadOnlyList<Block> Blocks => _blocks;

    /// <summary>Every signature in the evidence, as (what, signer), for a readable account of who vouched for what.</summary>
    public IReadOnlyList<(string Voucher, InstitutionId Signer)> Signatures =>
    [
        .. TransactionVoucher.JointSignatures.Select(s => ("transaction voucher", s.Signer)),
        .. Retention.Confirmations.Select(c => ("retention confirmation", c.Institution)),
        ("retention voucher", Retention.ThirdParty),
        .. Relation.JointSignatures.Select(s => ("clearing relation", s.Signer)),
        .. _clearings.Select(c => ("clearing voucher", c.Originator)),
    ];

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        Retention.Encode(ref writer);
        Relation.Encode(ref writer);
        VoucherCodec.WriteList(ref writer, _clearings);
        VoucherCodec.WriteList(ref writer, _blocks);
    }

    /// <inheritdoc />
    public static EvidenceChain Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var retention = RetentionVoucher.Decode(ref reader);
        var relation = ClearingRelationVoucher.Decode(ref reader);
        var clearings = VoucherCodec.ReadList(ref reader, ClearingRelationVoucher.MaxObligations, "clearing vouchers", ClearingVoucher.Decode);
        var blocks = VoucherCodec.ReadList(ref reader, MaxBlocks, "blocks", Block.Decode);
        return new EvidenceChain(retention, relation, clearings, blocks);
    }
}
