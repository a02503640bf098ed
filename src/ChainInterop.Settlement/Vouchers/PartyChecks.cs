using ChainInterop.Crypto;
using ChainInterop.Ledger;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>The checks and actions several roles share: verifying a retention notice, deciding on a relation, clearing.</summary>
internal static class PartyChecks
{
    /// <summary>
    /// Step 309–310: both vouchers of a notice verify, refer to each other, and the relation is the one the voucher
    /// and the fee schedule give; <paramref name="self"/> is involved.
    /// </summary>
    internal static VoucherCheck VerifyNotice(RetentionNotice notice, InstitutionId self, InstitutionDirectory directory, FeeSchedule fees)
    {
        var retention = notice.Retention;
        var relation = notice.Relation;
        var voucher = retention.TransactionVoucher;
        if (voucher.RoleOf(self) is null && !relation.Obligations.Any(o => o.Payer == self || o.Payee == self))
        {
            return VoucherCheck.Fail(VoucherFailure.NotAddressedToUs, $"{self} is not involved in voucher {voucher.Id.ToShortString()}");
        }

        return VoucherVerifier.VerifyRetained(retention, relation, directory, fees);
    }

    /// <summary>Whether <paramref name="relation"/>'s obligations are exactly those derived from <paramref name="voucher"/>.</summary>
    internal static VoucherCheck CheckDerivation(TransactionVoucher voucher, ClearingRelationVoucher relation, FeeSchedule fees)
    {
        var check = ClearingRules.Derive(voucher, fees, out var expected);
        if (!check.IsValid)
        {
            return check;
        }

        return expected.SequenceEqual(relation.Obligations)
            ? VoucherCheck.Valid
            : VoucherCheck.Fail(VoucherFailure.RelationMismatch, "the relation's obligations are not those the transaction voucher and the fee schedule give");
    }

    /// <summary>
    /// Step 308 at a paying institution: co-sign the relation when it derives from the voucher this institution
    /// vouched for (<paramref name="known"/>), otherwise reply with a signed rejection. Forged or misdirected
    /// requests are refused without a reply.
    /// </summary>
    internal static void DecideRelation(
        InstitutionId self, PrivateKey key, RelationCoSignRequest request, TransactionVoucher? known, InstitutionDirectory directory,
        FeeSchedule fees, StepBuilder step)
    {
        var relation = request.Relation;
        var voucherId = relation.TransactionVoucherId;
        var check = relation.VerifyThirdPartySignature(directory);
        if (!check.IsValid)
        {
            step.Fail(voucherId, FlowEventKind.MessageRefused, check);
            return;
        }

        if (!relation.Payers.Contains(self))
        {
            step.Fail(voucherId, FlowEventKind.MessageRefused, VoucherFailure.NotAddressedToUs, $"{self} owes nothing in relation {relation.Id.ToShortString()}");
            return;
        }

        check = known is null
            ? VoucherCheck.Fail(VoucherFailure.NotCoSignedByUs, $"{self} did not vouch for transaction voucher {voucherId.ToShortString()}")
            : request.Voucher.Id != known.Id
                ? VoucherCheck.Fail(VoucherFailure.LinkMismatch, "the request carries another transaction voucher")
                : CheckDerivation(known, relation, fees);
        if (!check.IsValid)
        {
            step.Send(relation.ThirdParty, VoucherFeedback.Reject(FeedbackStage.ClearingRelation, relation.Id, self, check.Failure, key));
            step.Fail(voucherId, FlowEventKind.MessageRefused, check);
            return;
        }

        step.Send(relation.ThirdParty, VoucherFeedback.Accept(FeedbackStage.ClearingRelation, relation.Id, relation.Sign(self, key)));
        step.Event(voucherId, FlowEventKind.RelationCoSigned, $"{self} co-signed clearing relation {relation.Id.ToShortString()}");
    }

    /// <summary>Step 311 at a paying institution: make and sign its clearing voucher, to publish.</summary>
    internal static void PrepareClearing(
        InstitutionId self, PrivateKey key, ClearingRelationVoucher relation, AccountLedger ledger, InstitutionDirectory directory, long nowMs, StepBuilder step)
    {
        if (!relation.Payers.Contains(self))
        {
            return;
        }

        var created = ClearingVoucher.Create(self, key, relation, ledger, directory, nowMs);
        if (created.IsSuccess)
        {
            step.Publish(new ClearingPublication(created.Value, relation));
            step.Event(relation.TransactionVoucherId, FlowEventKind.ClearingPrepared, $"{created.Value}");
        }
        else
        {
            step.Fail(relation.TransactionVoucherId, FlowEventKind.ClearingFailed, created.Check);
        }
    }

    /// <summary>The keys of <paramref name="flows"/> due at <paramref name="nowMs"/>, sorted (so ticks are deterministic).</summary>
    internal static List<Hash256> Due<T>(Dictionary<Hash256, T> flows, Func<T, long> deadline, long nowMs)
    {
        var due = new List<Hash256>();
        foreach (var (id, flow) in flows)
        {
            if (deadline(flow) <= nowMs)
            {
                due.Add(id);
            }
        }

        due.Sort();
        return due;
    }
}
