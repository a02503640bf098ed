using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Consensus;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// Offline verification of vouchers, given only the institution directory (and the fee schedule the institutions
/// share): no party state, no network. The voucher ledger and every party use the same checks.
/// </summary>
public static class VoucherVerifier
{
    /// <summary>
    /// Checks a retained pair (V3): the retention voucher (third-party signature, co-signed transaction voucher,
    /// every destination's confirmation), the fully co-signed relation, that they refer to each other, and that the
    /// relation's obligations are exactly those the transaction voucher and the fee schedule give.
    /// </summary>
    /// <param name="retention">The retention voucher.</param>
    /// <param name="relation">The clearing relation.</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="fees">The shared fee schedule.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static VoucherCheck VerifyRetained(RetentionVoucher retention, ClearingRelationVoucher relation, InstitutionDirectory directory, FeeSchedule fees)
    {
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentNullException.ThrowIfNull(relation);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(fees);
        var check = retention.Verify(directory);
        if (!check.IsValid)
        {
            return check;
        }

        check = relation.VerifyCoSigned(directory);
        if (!check.IsValid)
        {
            return check;
        }

        var voucher = retention.TransactionVoucher;
        if (relation.TransactionVoucherId != voucher.Id || relation.RetentionVoucherId != retention.Id || relation.ThirdParty != retention.ThirdParty)
        {
            return VoucherCheck.Fail(VoucherFailure.LinkMismatch, "the clearing relation does not belong to the retention voucher");
        }

        return PartyChecks.CheckDerivation(voucher, relation, fees);
    }

    /// <summary>
    /// Checks a clearing publication as the voucher ledger does before accepting it (V4): the relation is fully
    /// co-signed by the third party and every payer, and the clearing voucher is its payer's, signed, with exactly the
    /// payer's obligations as transfers and asset sources that add up.
    /// </summary>
    /// <param name="publication">The publication.</param>
    /// <param name="directory">The trust root.</param>
    /// <returns>Valid, or the first failure.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static VoucherCheck VerifyPublication(ClearingPublication publication, InstitutionDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentNullException.ThrowIfNull(directory);
        var check = publication.Relation.VerifyCoSigned(directory);
        return check.IsValid ? publication.Clearing.Verify(directory, publication.Relation) : check;
    }

    /// <summary>
    /// Checks a whole evidence chain offline: the retained pair (<see cref="VerifyRetained"/>), one valid clearing
    /// voucher from every payer of the relation and no other, and, when <paramref name="ledgerValidators"/> is given,
    /// that every clearing voucher is published in one of the evidence's blocks, each certified by those validators.
    /// </summary>
    /// <param name="evidence">The evidence.</param>
    /// <param name="directory">The trust root.</param>
    /// <param name="fees">The shared fee schedule.</param>
    /// <param name="ledgerValidators">The voucher ledger chain's validators; null to skip the ledger proofs.</param>
    /// <returns>Valid, or the first failure (<see cref="VoucherFailure.ClearingMissing"/> when a payer's clearing is absent,
    /// <see cref="VoucherFailure.NotOnLedger"/> when a clearing is not in a certified block).</returns>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="ledgerValidators"/> is null.</exception>
    public static VoucherCheck VerifyEvidence(EvidenceChain evidence, InstitutionDirectory directory, FeeSchedule fees, ValidatorSet? ledgerValidators = null)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var check = VerifyRetained(evidence.Retention, evidence.Relation, directory, fees);
        if (!check.IsValid)
        {
            return check;
        }

        var payers = new HashSet<InstitutionId>();
        foreach (var clearing in evidence.Clearings)
        {
            check = clearing.Verify(directory, evidence.Relation);
            if (!check.IsValid)
            {
                return check;
            }

            if (!payers.Add(clearing.Originator))
            {
                return VoucherCheck.Fail(VoucherFailure.Duplicate, $"two clearing vouchers from {clearing.Originator}");
            }
        }

        foreach (var payer in evidence.Relation.Payers)
        {
            if (!payers.Contains(payer))
            {
                return VoucherCheck.Fail(VoucherFailure.ClearingMissing, $"no clearing voucher from {payer}");
            }
        }

        return ledgerValidators is null ? VoucherCheck.Valid : VerifyOnLedger(evidence, ledgerValidators);
    }

    private static VoucherCheck VerifyOnLedger(EvidenceChain evidence, ValidatorSet validators)
    {
        var published = new HashSet<Crypto.Hash256>();
        foreach (var block in evidence.Blocks)
        {
            var result = block.Verify(validators);
            if (!result.IsValid)
            {
                return VoucherCheck.Fail(VoucherFailure.NotOnLedger, $"block {block.Height} is not certified by the ledger's validators: {result}");
            }

            foreach (var entry in block.Entries)
            {
                if (TryReadPublication(entry, out var publication))
                {
                    published.Add(publication.Clearing.Id);
                }
            }
        }

        foreach (var clearing in evidence.Clearings)
        {
            if (!published.Contains(clearing.Id))
            {
                return VoucherCheck.Fail(VoucherFailure.NotOnLedger, $"clearing voucher {clearing.Id.ToShortString()} of {clearing.Originator} is in no certified block of the evidence");
            }
        }

        return VoucherCheck.Valid;
    }

    /// <summary>Decodes a ledger entry (a client request) into the publication it carries, if it is one.</summary>
    internal static bool TryReadPublication(ReadOnlyMemory<byte> entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClearingPublication? publication)
    {
        try
        {
            publication = Canonical.Decode<ClearingPublication>(Canonical.Decode<ClientRequest>(entry).Payload);
            return true;
        }
        catch (CodecException)
        {
            publication = null;
            return false;
        }
    }
}
