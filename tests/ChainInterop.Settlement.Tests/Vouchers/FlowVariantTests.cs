using ChainInterop.Codec;
using ChainInterop.Settlement.Vouchers;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>Who pays depends on the user and the transaction type; the roles follow (V1–V4), and the wire form is strict (C2).</summary>
public class FlowVariantTests
{
    [Fact]
    public void An_own_user_payment_makes_the_originator_the_only_payer_which_co_signs_the_relation_and_clears_V1_to_V4()
    {
        using var world = new VoucherWorld();
        var request = new PaymentRequest(Merchant, Ccb, MerchantWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(300_00), [Icbc]);
        var id = VoucherIdOf(world.Submit(request));

        world.Single(Ccb, FlowEventKind.Approved);
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        // No fees between an institution and itself: only the principal, CCB → ICBC.
        var obligation = Assert.Single(notice.Relation.Obligations);
        Assert.Equal(new ClearingObligation(Ccb, Icbc, Cny, Amount.FromMinorUnits(300_00), ObligationKind.Principal), obligation);
        Assert.Equal([Ccb, House], notice.Relation.JointSignatures.Select(s => s.Signer));
        Assert.Equal(Ccb, Assert.Single(world.Network.Publications).Clearing.Originator);
        Assert.Empty(world.EventsOf(Icbc, FlowEventKind.RelationCoSigned));
    }

    [Fact]
    public void A_foreign_user_deposit_makes_the_originator_owe_the_user_institution_V3()
    {
        using var world = new VoucherWorld();
        var deposit = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Deposit, Cny, Amount.FromMinorUnits(800_00), [Icbc]);
        var id = VoucherIdOf(world.Submit(deposit));

        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        Assert.Equal(new ClearingObligation(Ccb, Icbc, Cny, Amount.FromMinorUnits(800_00), ObligationKind.Principal), Assert.Single(notice.Relation.Obligations));
        Assert.Equal([Amount.FromMinorUnits(800_00)], Assert.Single(world.Network.Publications).Clearing.TransferAmounts);
        // A deposit holds nothing at the user's bank.
        Assert.Equal(Amount.FromMinorUnits(5_000_00), world.Destination.GetAvailable(UserA));
    }

    [Fact]
    public void Every_message_kind_round_trips_and_a_wrong_kind_or_field_count_fails_to_decode_C2()
    {
        using var world = new VoucherWorld();
        var seen = new HashSet<VoucherMessageKind>();
        var wire = new List<byte[]>();
        // Capture every message of a complete flow with an auxiliary, plus a third-party refusal.
        var network = world.Network;
        world.Submit(CardPayment(withScheme: true));
        Assert.True(network.MessagesDelivered >= 13);
        Assert.True(world.ThirdParty.TryGetRetained(world.Network.Events.First(e => e.Kind == FlowEventKind.Retained).VoucherId, out var notice));
        VoucherMessage[] samples =
        [
            new CoSignRequest(notice.Retention.TransactionVoucher),
            new AuxiliaryCheckRequest(notice.Retention.TransactionVoucher, Icbc),
            notice.Retention.Confirmations[0],
            VoucherFeedback.Reject(FeedbackStage.Retention, notice.Retention.TransactionVoucher.Id, House, VoucherFailure.ConfirmationTimeout, world.Key(House)),
            new RetentionRequest(notice.Retention.TransactionVoucher),
            new RetentionCheckRequest(notice.Retention.TransactionVoucher.Id, House),
            new RelationCoSignRequest(notice.Relation, notice.Retention.TransactionVoucher),
            notice,
        ];
        foreach (var message in samples)
        {
            var bytes = Canonical.Encode(message);
            var decoded = Canonical.Decode<VoucherMessage>(bytes);
            Assert.Equal(message.Kind, decoded.Kind);
            Assert.Equal(bytes, Canonical.Encode(decoded));
            seen.Add(decoded.Kind);
            wire.Add(bytes);
        }

        Assert.Equal(Enum.GetValues<VoucherMessageKind>().Length, seen.Count);
        // [99] — an unknown kind; [6, <hash>] — a retention check request missing its third party.
        Assert.Equal(CodecError.ValueOutOfRange, Assert.Throws<CodecException>(() => Canonical.Decode<VoucherMessage>(new byte[] { 0x91, 0x63 })).Error);
        var shortCheck = new byte[] { 0x92, 0x06, 0xc4, 0x20 }.Concat(new byte[32]).ToArray();
        Assert.Equal(CodecError.UnexpectedLength, Assert.Throws<CodecException>(() => Canonical.Decode<VoucherMessage>(shortCheck)).Error);
        Assert.All(wire, bytes => Assert.Throws<CodecException>(() => Canonical.Decode<VoucherMessage>(bytes.AsMemory(0, bytes.Length - 1))));
    }
}
