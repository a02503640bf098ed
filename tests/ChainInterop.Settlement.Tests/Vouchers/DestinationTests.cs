using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Vouchers;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>V2 at the destination and the originator (seed 001 steps 303–305): co-sign or reject, and the hostile cases.</summary>
public class DestinationTests
{
    private static readonly Amount Funds = Amount.FromMinorUnits(5_000_00);

    /// <summary>The voucher with its amount changed in the encoding, keeping the claimed id and the signatures.</summary>
    private static TransactionVoucher WithAmountChanged(TransactionVoucher voucher, long newAmount, bool recomputeId)
    {
        var original = Canonical.Encode(voucher);
        var reader = new CanonicalReader(original);
        reader.ReadArrayHeader(3);
        reader.ReadHash256();
        long bodyStart = reader.Consumed;
        reader.Skip();
        long bodyEnd = reader.Consumed;
        // Rewrite the body field by field with the new amount.
        var body = new CanonicalReader(original.AsMemory((int)bodyStart, (int)(bodyEnd - bodyStart)));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(buffer);
        body.ReadArrayHeader(10);
        w.WriteArrayHeader(10);
        w.WriteUInt32(body.ReadUInt32());
        w.WriteString(body.ReadString());
        w.WriteString(body.ReadString());
        w.WriteString(body.ReadString());
        int n = body.ReadArrayHeader();
        w.WriteArrayHeader(n);
        for (int i = 0; i < n; i++)
        {
            body.ReadArrayHeader(2);
            w.WriteArrayHeader(2);
            w.WriteString(body.ReadString());
            w.WriteUInt32(body.ReadUInt32());
        }

        w.WriteUInt32(body.ReadUInt32());
        w.WriteString(body.ReadString());
        body.ReadInt64();
        w.WriteInt64(newAmount);
        w.WriteInt64(body.ReadInt64());
        w.WriteUInt64(body.ReadUInt64());
        var newBody = buffer.WrittenSpan.ToArray();

        var outBuffer = new System.Buffers.ArrayBufferWriter<byte>();
        var o = new CanonicalWriter(outBuffer);
        o.WriteArrayHeader(3);
        o.WriteHash256(recomputeId ? Hash256.Compute(newBody) : voucher.Id);
        o.WriteRaw(newBody);
        o.WriteRaw(original.AsSpan((int)bodyEnd));
        return Canonical.Decode<TransactionVoucher>(outBuffer.WrittenMemory);
    }

    [Fact]
    public void A_legal_voucher_is_co_signed_and_the_customer_funds_are_held_V2_step_305()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(House); // stop after V2
        var submitted = world.Submit(CardPayment(100_00));
        var id = VoucherIdOf(submitted);

        world.Single(Icbc, FlowEventKind.CoSigned);
        Assert.Equal(id, world.Single(Ccb, FlowEventKind.CoSigned).VoucherId);
        Assert.True(world.Destination.HasCoSigned(id));
        Assert.Equal(Funds - Amount.FromMinorUnits(100_00), world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void A_destination_rejection_refuses_the_user_request_with_the_destination_reason_V2_step_305()
    {
        using var world = new VoucherWorld();
        world.Submit(CardPayment(1_999_00));
        world.Submit(CardPayment(1_999_00, nonce: 2));
        world.Submit(CardPayment(1_999_00, nonce: 3)); // 5,000.00 − 2 × 1,999.00 < 1,999.00

        var refused = world.Single(Ccb, FlowEventKind.Refused);
        Assert.Equal((VoucherFailure.RejectedByDestination, VoucherFailure.InsufficientAssets), (refused.Failure, refused.RemoteFailure));
        Assert.Equal(VoucherFailure.InsufficientAssets, world.Single(Icbc, FlowEventKind.Rejected).Failure);
        Assert.Equal(Funds - Amount.FromMinorUnits(2 * 1_999_00), world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void A_voucher_over_the_customer_limit_is_rejected_AmountOverLimit_V2()
    {
        using var world = new VoucherWorld();
        world.Submit(CardPayment(2_000_01));
        Assert.Equal(VoucherFailure.AmountOverLimit, world.Single(Ccb, FlowEventKind.Refused).RemoteFailure);
    }

    [Fact]
    public void The_destination_waits_for_the_auxiliary_confirmation_before_co_signing_V2_step_304()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(House);
        world.Submit(CardPayment(withScheme: true));

        var order = world.Network.Events.Select(e => (e.Institution, e.Kind)).ToList();
        int confirmed = order.IndexOf((Scheme, FlowEventKind.Confirmed));
        int coSigned = order.IndexOf((Icbc, FlowEventKind.CoSigned));
        Assert.True(confirmed >= 0 && coSigned > confirmed, string.Join(", ", order));
    }

    [Fact]
    public void An_auxiliary_refusal_makes_the_destination_reject_and_release_the_hold_V2_step_304()
    {
        using var world = new VoucherWorld(schemeCheck: v => v.User == UserA ? VoucherFailure.NotEntitled : VoucherFailure.None);
        world.Submit(CardPayment(withScheme: true));

        var rejected = world.Single(Icbc, FlowEventKind.Rejected);
        Assert.Equal((VoucherFailure.AuxiliaryRefused, VoucherFailure.NotEntitled), (rejected.Failure, rejected.RemoteFailure));
        Assert.Equal(VoucherFailure.AuxiliaryRefused, world.Single(Ccb, FlowEventKind.Refused).RemoteFailure);
        Assert.Equal(Funds, world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void An_auxiliary_that_never_answers_makes_the_destination_reject_AuxiliaryTimeout_V2()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(Scheme);
        world.Submit(CardPayment(withScheme: true));
        Assert.Empty(world.EventsOf(Icbc, FlowEventKind.CoSigned));

        world.Network.AdvanceTo(StartMs + world.Options.AuxiliaryTimeoutMs);
        Assert.Equal(VoucherFailure.AuxiliaryTimeout, world.Single(Icbc, FlowEventKind.Rejected).Failure);
        Assert.Equal(VoucherFailure.AuxiliaryTimeout, world.Single(Ccb, FlowEventKind.Refused).RemoteFailure);
        Assert.Equal(Funds, world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void Destination_rejects_a_voucher_whose_amount_changed_after_signing_V2()
    {
        using var world = new VoucherWorld();
        var voucher = TransactionVoucher.Create(CardPayment(100_00), Ccb, world.Key(Ccb), StartMs);

        foreach (var (recomputeId, expected) in new[] { (false, VoucherFailure.IdMismatch), (true, VoucherFailure.InvalidSignature) })
        {
            var tampered = WithAmountChanged(voucher, 1_000_00, recomputeId);
            Assert.Equal(Amount.FromMinorUnits(1_000_00), tampered.Amount);
            var step = world.Destination.Receive(new CoSignRequest(tampered), StartMs);
            Assert.Empty(step.Messages);
            var refused = Assert.Single(step.Events);
            Assert.Equal((FlowEventKind.MessageRefused, expected), (refused.Kind, refused.Failure));
        }

        Assert.Equal(Funds, world.Destination.GetAvailable(UserA));
        Assert.False(world.Destination.HasCoSigned(voucher.Id));
    }

    [Fact]
    public void A_replayed_voucher_is_refused_and_the_funds_are_held_once_V2()
    {
        using var world = new VoucherWorld();
        var voucher = TransactionVoucher.Create(CardPayment(100_00), Ccb, world.Key(Ccb), StartMs);
        var first = world.Destination.Receive(new CoSignRequest(voucher), StartMs);
        Assert.Single(first.Messages);

        var replay = world.Destination.Receive(new CoSignRequest(voucher), StartMs + 1);
        Assert.Empty(replay.Messages);
        Assert.Equal(VoucherFailure.Replayed, Assert.Single(replay.Events).Failure);
        Assert.Equal(Funds - Amount.FromMinorUnits(100_00), world.Destination.GetAvailable(UserA));

        // After the replay window the voucher is stale, so it is still refused (signed rejection, no second hold).
        world.Destination.Tick(StartMs + world.Options.MaxVoucherAgeMs + 1);
        var late = world.Destination.Receive(new CoSignRequest(voucher), StartMs + world.Options.MaxVoucherAgeMs + 1);
        Assert.Equal(VoucherFailure.Stale, Assert.Single(late.Events).Failure);
        Assert.False(Assert.IsType<VoucherFeedback>(Assert.Single(late.Messages).Message).Accepted);
        Assert.Equal(Funds - Amount.FromMinorUnits(100_00), world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void A_voucher_for_an_unknown_institution_is_refused_UnknownInstitution_V2()
    {
        using var world = new VoucherWorld();
        // The originator would refuse this request in its audit; a hostile originator signs it anyway.
        var request = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1_00), [Icbc], [Stranger]);
        var voucher = TransactionVoucher.Create(request, Ccb, world.Key(Ccb), StartMs);
        var step = world.Destination.Receive(new CoSignRequest(voucher), StartMs);
        Assert.Empty(step.Messages);
        Assert.Equal(VoucherFailure.UnknownInstitution, Assert.Single(step.Events).Failure);

        // A voucher "signed" by an originator outside the directory fails the same way.
        var outsider = TransactionVoucher.Create(CardPayment(), Stranger, world.Key(Stranger), StartMs);
        Assert.Equal(VoucherFailure.UnknownInstitution, Assert.Single(world.Destination.Receive(new CoSignRequest(outsider), StartMs).Events).Failure);
    }

    [Fact]
    public void The_originator_refuses_a_forged_co_signature_and_keeps_waiting_V2()
    {
        using var world = new VoucherWorld();
        var submitted = world.Originator.Submit(CardPayment(), StartMs);
        var voucher = ((CoSignRequest)submitted.Messages[0].Message).Voucher;

        var forged = VoucherFeedback.Accept(FeedbackStage.TransactionVoucher, voucher.Id, voucher.Sign(Icbc, world.Key(Stranger)));
        var step = world.Originator.Receive(forged, StartMs);
        Assert.Empty(step.Messages);
        Assert.Equal(VoucherFailure.InvalidSignature, Assert.Single(step.Events).Failure);

        // A forged rejection is refused too; the genuine co-signature still completes V2.
        var forgedRejection = VoucherFeedback.Reject(FeedbackStage.TransactionVoucher, voucher.Id, Icbc, VoucherFailure.InsufficientAssets, world.Key(Stranger));
        Assert.Equal(VoucherFailure.InvalidSignature, Assert.Single(world.Originator.Receive(forgedRejection, StartMs).Events).Failure);
        var genuine = world.Destination.Receive(new CoSignRequest(voucher), StartMs);
        var done = world.Originator.Receive(Assert.Single(genuine.Messages).Message, StartMs);
        Assert.Equal(FlowEventKind.CoSigned, Assert.Single(done.Events).Kind);
        var retention = Assert.IsType<RetentionRequest>(Assert.Single(done.Messages).Message);
        Assert.True(retention.Voucher.VerifyCoSigned(world.Directory).IsValid);
    }

    [Fact]
    public void A_destination_that_never_answers_refuses_the_request_DestinationTimeout_V2()
    {
        using var world = new VoucherWorld();
        world.Network.Silence(Icbc);
        world.Submit(CardPayment());
        world.Network.AdvanceTo(StartMs + world.Options.FeedbackTimeoutMs - 1);
        Assert.Empty(world.EventsOf(Ccb, FlowEventKind.Refused));
        world.Network.AdvanceTo(StartMs + world.Options.FeedbackTimeoutMs);
        Assert.Equal(VoucherFailure.DestinationTimeout, world.Single(Ccb, FlowEventKind.Refused).Failure);
        Assert.Equal(0, world.Originator.OpenFlowCount);
    }

    [Fact]
    public void Every_destination_must_co_sign_before_retention_is_requested_V2()
    {
        using var world = new VoucherWorld();
        world.SecondDestination.AddCustomer(new CustomerAccount(UserA, UserAWallet, Cny, Funds, Funds));
        world.Network.Silence(House);
        var request = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(10_00), [Icbc, Boc]);
        world.Submit(request);
        var coSigned = world.Single(Ccb, FlowEventKind.CoSigned);
        Assert.Equal(2, world.Network.Events.Count(e => e.Kind == FlowEventKind.CoSigned && e.Institution != Ccb));
        Assert.Equal(coSigned.VoucherId, world.Single(Boc, FlowEventKind.CoSigned).VoucherId);
    }
}
