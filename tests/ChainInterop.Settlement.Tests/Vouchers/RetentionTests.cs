using ChainInterop.Settlement.Vouchers;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>V3 (seed 001 steps 306–309): the third party confirms, retains, records the clearing relation, collects co-signatures, distributes.</summary>
public class RetentionTests
{
    [Fact]
    public void The_third_party_confirms_with_every_destination_then_makes_both_vouchers_and_sends_them_to_every_institution_V3_steps_307_to_309()
    {
        using var world = new VoucherWorld();
        var id = VoucherIdOf(world.Submit(CardPayment(100_00, withScheme: true)));

        world.Single(House, FlowEventKind.Retained);
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        var retention = notice.Retention;
        Assert.Equal(id, retention.TransactionVoucher.Id);
        Assert.Equal([Icbc], retention.Confirmations.Select(c => c.Institution));
        Assert.True(retention.Verify(world.Directory).IsValid);

        // Every institution involved verified both vouchers; the originator may now process the request (step 310).
        world.Single(Ccb, FlowEventKind.Approved);
        world.Single(Icbc, FlowEventKind.VouchersVerified);
        world.Single(Scheme, FlowEventKind.VouchersVerified);
        Assert.Equal(0, world.Originator.OpenFlowCount);
        Assert.Equal(0, world.ThirdParty.OpenFlowCount);
    }

    [Fact]
    public void The_clearing_relation_has_every_field_of_table_2_fee_debts_included_and_is_co_signed_by_the_payers_and_the_third_party_V3()
    {
        using var world = new VoucherWorld();
        var id = VoucherIdOf(world.Submit(CardPayment(100_00)));
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        var relation = notice.Relation;

        Assert.Equal(notice.Retention.Id, relation.RetentionVoucherId);        // 其他 (links)
        Assert.Equal(id, relation.TransactionVoucherId);
        Assert.Equal([Ccb, Ccb, Icbc], relation.DebitInstitutions);             // 借方机构标识 (owed)
        Assert.Equal([Icbc, Icbc, Ccb], relation.CreditInstitutions);           // 贷方机构标识 (owe)
        Assert.Equal([Cny, Cny, Cny], relation.AssetTypes);                     // 资产借贷发生类型
        Assert.Equal([100_00L, 50, 20], relation.Amounts.Select(a => a.MinorUnits)); // 资产借贷发生数量: principal, 0.50 % service fee, 0.20 % interchange
        Assert.Equal([ObligationKind.Principal, ObligationKind.Fee, ObligationKind.Fee], relation.Obligations.Select(o => o.Kind));
        Assert.Equal([Ccb, Icbc, House], relation.JointSignatures.Select(s => s.Signer)); // 贷方机构、第三方机构联合签名
        Assert.Equal(world.Network.NowMs, relation.CreatedAtMs);                // 时间戳
        Assert.True(relation.VerifyCoSigned(world.Directory).IsValid);
        world.Single(Icbc, FlowEventKind.RelationCoSigned);
        world.Single(Ccb, FlowEventKind.RelationCoSigned);
    }

    [Fact]
    public void The_third_party_refuses_a_voucher_missing_a_destination_co_signature_V3()
    {
        using var world = new VoucherWorld();
        var originatorOnly = TransactionVoucher.Create(CardPayment(), Ccb, world.Key(Ccb), StartMs);
        var step = world.ThirdParty.Receive(new RetentionRequest(originatorOnly), StartMs);
        Assert.Empty(step.Messages);
        Assert.Equal(VoucherFailure.MissingSignature, Assert.Single(step.Events).Failure);
        Assert.Equal(0, world.ThirdParty.OpenFlowCount);
    }

    [Fact]
    public void The_third_party_refuses_a_forged_co_signature_V3()
    {
        using var world = new VoucherWorld();
        var voucher = TransactionVoucher.Create(CardPayment(), Ccb, world.Key(Ccb), StartMs);
        var forged = voucher.WithSignature(voucher.Sign(Icbc, world.Key(Ccb)));
        var step = world.ThirdParty.Receive(new RetentionRequest(forged), StartMs);
        Assert.Equal(VoucherFailure.InvalidSignature, Assert.Single(step.Events).Failure);
        Assert.Equal(0, world.ThirdParty.OpenFlowCount);
    }

    [Fact]
    public void A_replayed_retention_request_is_refused_and_retains_nothing_twice_V3()
    {
        using var world = new VoucherWorld();
        var id = VoucherIdOf(world.Submit(CardPayment()));
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        int published = world.Network.Publications.Count;

        var replay = world.ThirdParty.Receive(new RetentionRequest(notice.Retention.TransactionVoucher), world.Network.NowMs);
        Assert.Empty(replay.Messages);
        Assert.Equal(VoucherFailure.Replayed, Assert.Single(replay.Events).Failure);
        Assert.Equal(1, world.ThirdParty.RetainedCount);

        // A replayed notice makes no second clearing voucher either.
        world.Network.Send(Icbc, notice);
        world.Network.Send(Ccb, notice);
        world.Network.Run();
        Assert.Equal(VoucherFailure.Replayed, world.EventsOf(Icbc, FlowEventKind.MessageRefused).Single().Failure);
        Assert.Equal(VoucherFailure.UnknownFlow, world.EventsOf(Ccb, FlowEventKind.MessageRefused).Single().Failure);
        Assert.Equal(published, world.Network.Publications.Count);
    }

    [Fact]
    public void A_destination_does_not_confirm_a_voucher_it_never_co_signed_and_retention_fails_V3_step_307()
    {
        using var world = new VoucherWorld();
        // CCB and ICBC co-sign, but ICBC "forgets" (a fresh party without that memory answers the third party).
        var voucher = TransactionVoucher.Create(CardPayment(), Ccb, world.Key(Ccb), StartMs);
        var coSigned = voucher.WithSignature(voucher.Sign(Icbc, world.Key(Icbc)));
        var originatorStep = world.Originator.Submit(CardPayment(), StartMs);
        Assert.Equal(coSigned.Id, VoucherIdOf(originatorStep));
        world.Network.Accept(world.Originator.Receive(VoucherFeedback.Accept(FeedbackStage.TransactionVoucher, coSigned.Id, coSigned.JointSignatures.Single(s => s.Signer == Icbc)), StartMs));
        world.Network.Run();

        var confirmation = world.EventsOf(Icbc, FlowEventKind.Confirmed).Single();
        Assert.Equal(VoucherFailure.NotCoSignedByUs, confirmation.Failure);
        var failed = world.Single(House, FlowEventKind.RetentionFailed);
        Assert.Equal((VoucherFailure.ConfirmationRefused, VoucherFailure.NotCoSignedByUs), (failed.Failure, failed.RemoteFailure));
        Assert.Equal(VoucherFailure.ConfirmationRefused, world.Single(Ccb, FlowEventKind.RetentionFailed).Failure);
        Assert.Empty(world.Network.Publications);
    }

    [Fact]
    public void A_payer_refuses_to_co_sign_a_relation_whose_obligations_differ_from_the_voucher_V3_step_308()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(House);
        var id = VoucherIdOf(world.Submit(CardPayment(100_00)));
        var voucher = TransactionVoucher.Create(CardPayment(100_00), Ccb, world.Key(Ccb), StartMs);
        voucher = voucher.WithSignature(voucher.Sign(Icbc, world.Key(Icbc)));
        Assert.Equal(id, voucher.Id);

        // The third party signs a relation that charges ICBC 10 more.
        var inflated = ClearingRelationVoucher.Create(House, world.Key(House), id, default,
            [new ClearingObligation(Icbc, Ccb, Cny, Amount.FromMinorUnits(100_10), ObligationKind.Principal)], StartMs);
        var step = world.Destination.Receive(new RelationCoSignRequest(inflated, voucher), StartMs);
        var reply = Assert.IsType<VoucherFeedback>(Assert.Single(step.Messages).Message);
        Assert.Equal((false, VoucherFailure.RelationMismatch), (reply.Accepted, reply.Reason));
        Assert.True(reply.VerifyRejection(world.Directory).IsValid);

        // A relation not signed by a retention institution is refused without a reply.
        var byBank = ClearingRelationVoucher.Create(Boc, world.Key(Boc), id, default, inflated.Obligations, StartMs);
        var refused = world.Destination.Receive(new RelationCoSignRequest(byBank, voucher), StartMs);
        Assert.Empty(refused.Messages);
        Assert.Equal(VoucherFailure.NotARetentionInstitution, Assert.Single(refused.Events).Failure);
    }

    [Fact]
    public void A_third_party_that_never_answers_fails_the_flow_ThirdPartyTimeout_and_nothing_is_published_V3()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(House);
        var id = VoucherIdOf(world.Submit(CardPayment()));
        world.Single(Ccb, FlowEventKind.CoSigned);

        world.Network.AdvanceTo(StartMs + world.Options.RetentionTimeoutMs - 1);
        Assert.Empty(world.EventsOf(Ccb, FlowEventKind.RetentionFailed));
        world.Network.AdvanceTo(StartMs + world.Options.RetentionTimeoutMs);
        var failed = world.Single(Ccb, FlowEventKind.RetentionFailed);
        Assert.Equal((id, VoucherFailure.ThirdPartyTimeout), (failed.VoucherId, failed.Failure));
        Assert.Empty(world.Network.Publications);
        Assert.Empty(world.EventsOf(Ccb, FlowEventKind.Approved));

        // A notice arriving after the timeout is refused: still nothing is published.
        var late = new VoucherWorld();
        try
        {
            var lateId = VoucherIdOf(late.Submit(CardPayment()));
            Assert.True(late.ThirdParty.TryGetRetained(lateId, out var notice));
            Assert.Equal(id, lateId);
            var step = world.Originator.Receive(notice, world.Network.NowMs);
            Assert.Empty(step.Publications);
            Assert.Equal(VoucherFailure.UnknownFlow, Assert.Single(step.Events).Failure);
        }
        finally
        {
            late.Dispose();
        }
    }

    [Fact]
    public void A_destination_that_never_confirms_to_the_third_party_fails_retention_ConfirmationTimeout_V3()
    {
        using var world = new VoucherWorld();
        var submitted = world.Originator.Submit(CardPayment(), StartMs);
        world.Network.Accept(submitted);
        world.Network.Run();
        Assert.Single(world.EventsOf(House, FlowEventKind.Retained));

        // Second payment: ICBC co-signs, then goes silent before the third party's check.
        var second = world.Originator.Submit(CardPayment(nonce: 2), StartMs);
        var coSign = world.Destination.Receive(Assert.IsType<CoSignRequest>(second.Messages[0].Message), StartMs);
        world.Network.Silence(Icbc);
        world.Network.Accept(world.Originator.Receive(coSign.Messages[0].Message, StartMs));
        world.Network.Run();
        world.Network.AdvanceTo(StartMs + world.Options.ConfirmationTimeoutMs);
        Assert.Equal(VoucherFailure.ConfirmationTimeout, world.Single(House, FlowEventKind.RetentionFailed).Failure);
        Assert.Equal(VoucherFailure.ConfirmationTimeout, world.Single(Ccb, FlowEventKind.RetentionFailed).Failure);
        Assert.Single(world.EventsOf(Ccb, FlowEventKind.Approved));
    }
}
