using ChainInterop.Settlement.Channels;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

public class ChannelPayerTests
{
    [Fact]
    public void Pay_after_delivery_payer_signs_for_unit_k_only_after_receiving_it_P5()
    {
        var payer = Payer(Agree(Terms(TimingMode.PayAfterDelivery)));
        Assert.Equal(ChannelResultCode.PaymentNotDue, payer.Pay(T0).Code);

        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(1));
        var first = payer.Pay(T0);
        Assert.Equal(ChannelResultCode.Ok, first.Code);
        Assert.Equal(100, first.Transaction!.Amount.MinorUnits);
        Assert.Equal(ChannelResultCode.PaymentNotDue, payer.Pay(T0).Code);
    }

    [Fact]
    public void Prepay_payer_prepays_one_unit_ahead_and_no_more_P5()
    {
        var payer = Payer(Agree(Terms(TimingMode.Prepay)));
        Assert.Equal(ChannelResultCode.Ok, payer.Pay(T0).Code);
        Assert.Equal(ChannelResultCode.PaymentNotDue, payer.Pay(T0).Code);
        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(1));
        Assert.Equal(200, payer.Pay(T0).Transaction!.Amount.MinorUnits);
    }

    [Fact]
    public void Payer_refuses_a_unit_out_of_order_or_not_prepaid_P5()
    {
        var prepay = Payer(Agree(Terms(TimingMode.Prepay)));
        Assert.Equal(ChannelResultCode.DeliveryNotPaid, prepay.OnDelivered(1));
        prepay.Pay(T0);
        Assert.Equal(ChannelResultCode.UnexpectedUnit, prepay.OnDelivered(2));
        Assert.Equal(0, prepay.DeliveredUnits);

        var after = Payer(Agree(Terms(TimingMode.PayAfterDelivery)));
        Assert.Equal(ChannelResultCode.Ok, after.OnDelivered(1));
        Assert.Equal(ChannelResultCode.PaymentOutstanding, after.OnDelivered(2));
    }

    [Fact]
    public void Every_iterative_transaction_is_a_complete_signed_chain_transaction_with_the_agreed_nonce_and_the_cumulative_amount_P1()
    {
        var terms = Terms(TimingMode.Prepay);
        var payer = Payer(Agree(terms));
        var amounts = new List<long>();
        for (int k = 1; k <= 5; k++)
        {
            var tx = payer.Pay(T0).Transaction!;
            Assert.True(tx.VerifySignature(PayerKey.PublicKey));
            Assert.Equal((terms.Chain, terms.Payer, terms.Provider, terms.Asset, terms.Nonce, terms.Id), (tx.Chain, tx.Payer, tx.Payee, tx.Asset, tx.Nonce, tx.ChannelId));
            amounts.Add(tx.Amount.MinorUnits);
            payer.OnDelivered(k);
        }

        Assert.Equal([100, 200, 300, 400, 500], amounts);
        Assert.Equal(M(500), payer.LastSignedAmount);
    }

    [Fact]
    public void Payer_stops_at_the_deadline_and_at_the_unit_limit_P2()
    {
        var terms = Terms(TimingMode.Prepay, maxUnits: 1);
        var payer = Payer(Agree(terms));
        Assert.Equal(ChannelResultCode.Ok, payer.Pay(T0).Code);
        Assert.Equal(ChannelResultCode.Ok, payer.OnDelivered(1));
        Assert.Equal(CloseReason.MaxUnitsReached, payer.CloseReason);
        Assert.Equal(ChannelResultCode.ChannelNotActive, payer.Pay(T0).Code);

        var late = Payer(Agree(Terms(TimingMode.Prepay)));
        Assert.Equal(ChannelResultCode.EndConditionReached, late.Pay(terms.DeadlineUnixMs).Code);
        Assert.Equal(CloseReason.DeadlineReached, late.CloseReason);
    }

    [Fact]
    public void Payer_endpoint_refuses_a_key_that_is_not_the_terms_payer_key()
    {
        Assert.Equal(ChannelResultCode.WrongKey, ChannelPayer.TryCreate(Agree(Terms()), ProviderKey, T0, out var payer));
        Assert.Null(payer);
    }
}
