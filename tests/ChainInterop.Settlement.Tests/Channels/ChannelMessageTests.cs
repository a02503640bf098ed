using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Channels;
using ChainInterop.Testing;
using static ChainInterop.Settlement.Tests.Channels.ChannelTestSupport;

namespace ChainInterop.Settlement.Tests.Channels;

/// <summary>Terms, agreements, transactions and commands: checks, signatures and one canonical byte form each (C2).</summary>
public class ChannelMessageTests
{
    [Fact]
    public void Terms_check_refuses_unusable_terms_P4()
    {
        Assert.Equal(ChannelResultCode.Ok, Terms().Check(T0));
        Assert.Equal(ChannelResultCode.InvalidTerms, Terms(unitPrice: 0).Check(T0));
        Assert.Equal(ChannelResultCode.InvalidTerms, Terms(maxUnits: 0).Check(T0));
        Assert.Equal(ChannelResultCode.InvalidTerms, Terms(maxTotal: 99).Check(T0));
        Assert.Equal(ChannelResultCode.InvalidTerms, Terms(timeoutMs: 0).Check(T0));
        Assert.Equal(ChannelResultCode.InvalidTerms, Terms(penalty: new PenaltyRule(M(0), 10_001)).Check(T0));
        Assert.Equal(ChannelResultCode.DeadlinePassed, Terms().Check(T0 + 60_000));
    }

    [Fact]
    public void Terms_need_a_collateral_that_covers_the_largest_claim_and_its_penalty_P4()
    {
        // 10 units of 100 = 1,000; penalty 50 + 10 % = 150; so 1,150 is enough and 1,149 is not.
        Assert.Equal(ChannelResultCode.Ok, Terms(collateral: 1_150).Check(T0));
        Assert.Equal(ChannelResultCode.CollateralTooSmall, Terms(collateral: 1_149).Check(T0));
    }

    [Fact]
    public void Penalty_is_the_fixed_part_plus_the_share_rounded_down()
    {
        Assert.True(new PenaltyRule(M(50), 1_000).TryCompute(M(999), out var penalty));
        Assert.Equal(M(149), penalty);
        Assert.False(new PenaltyRule(M(long.MaxValue), 1).TryCompute(M(10_000), out _));
        Assert.False(new PenaltyRule(M(-1), 0).TryCompute(M(1), out _));
    }

    [Fact]
    public void The_channel_id_binds_every_term()
    {
        Assert.Equal(Terms().Id, Terms().Id);
        Assert.NotEqual(Terms().Id, Terms(nonce: 8).Id);
        Assert.NotEqual(Terms().Id, Terms(timing: TimingMode.Prepay).Id);
        Assert.NotEqual(Terms().Id, Terms(collateral: 5_000).Id);
    }

    [Fact]
    public void Agreement_verifies_both_signatures_P4()
    {
        var terms = Terms();
        Assert.Equal(ChannelResultCode.Ok, Agree(terms).Verify(T0));
        Assert.Equal(ChannelResultCode.InvalidSignature, new ChannelAgreement(terms, terms.Sign(PayerKey), terms.Sign(StrangerKey)).Verify(T0));
        // A signature of other terms does not carry over.
        Assert.Equal(ChannelResultCode.InvalidSignature, new ChannelAgreement(terms, Terms(nonce: 8).Sign(PayerKey), terms.Sign(ProviderKey)).Verify(T0));
    }

    [Fact]
    public void A_changed_field_invalidates_the_payers_signature_P1()
    {
        var terms = Terms();
        var genuine = Iterative(terms, 300);
        var bytes = Canonical.Encode(genuine);
        // Re-encode with the amount changed and the old signature: the digest changes, the signature no longer fits.
        var tampered = PaymentTransaction.Create(StrangerKey, terms.Chain, terms.Payer, terms.Provider, terms.Asset, M(3000), terms.Nonce, terms.Id);
        var spliced = Canonical.Decode<PaymentTransaction>(Splice(Canonical.Encode(tampered), genuine.Signature.ToArray()));
        Assert.True(Canonical.Decode<PaymentTransaction>(bytes).VerifySignature(PayerKey.PublicKey));
        Assert.False(spliced.VerifySignature(PayerKey.PublicKey));
    }

    [Fact]
    public void Transactions_and_commands_round_trip_through_their_one_canonical_form_C2()
    {
        var terms = Terms();
        var agreement = Agree(terms);
        var tx = Iterative(terms, 700);
        ChannelCommand[] commands =
        [
            new RegisterAccountCommand(PayerAccount, Bank, PayerKey.PublicKey, [Cny]),
            new RegisterAccountCommand(PenaltyFund, Bank, null, [Cny, new AssetCode("USD")]),
            new DepositCommand(PayerAccount, Cny, M(5)),
            new OpenChannelCommand(agreement),
            new SubmitPaymentCommand(tx),
            new ClaimCollateralCommand(tx),
            ReleaseCollateralCommand.Create(terms.Id, ProviderKey),
        ];
        foreach (var command in commands)
        {
            var bytes = command.ToPayload();
            var decoded = Canonical.Decode<ChannelCommand>(bytes);
            Assert.Equal(command.Kind, decoded.Kind);
            Assert.Equal(bytes, decoded.ToPayload());
            // Any split of the input decodes the same (readers see multi-segment sequences on the network).
            Assert.Equal(bytes, Canonical.Decode<ChannelCommand>(Sequences.Split(bytes, bytes.Length / 3, bytes.Length / 2)).ToPayload());
        }

        var again = Canonical.Decode<ChannelAgreement>(Canonical.Encode(agreement));
        Assert.Equal(terms.Id, again.ChannelId);
        Assert.Equal(ChannelResultCode.Ok, again.Verify(T0));
        Assert.Equal(tx.Digest, Canonical.Decode<PaymentTransaction>(Canonical.Encode(tx)).Digest);
    }

    [Fact]
    public void Truncated_or_padded_commands_are_refused_with_a_codec_error_C2()
    {
        var bytes = new SubmitPaymentCommand(Iterative(Terms(), 100)).ToPayload();
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Throws<CodecException>(() => Canonical.Decode<ChannelCommand>(bytes.AsMemory(0, cut)));
        }

        Assert.Throws<CodecException>(() => Canonical.Decode<ChannelCommand>(bytes.Concat(new byte[] { 0xc0 }).ToArray()));
        Assert.Throws<CodecException>(() => Canonical.Decode<ChannelCommand>(new byte[] { 0x91, 0x63 })); // kind 99
    }

    /// <summary>Replaces the trailing 64-byte signature of an encoded transaction.</summary>
    private static byte[] Splice(byte[] encoded, byte[] signature)
    {
        var copy = (byte[])encoded.Clone();
        signature.CopyTo(copy, copy.Length - signature.Length);
        return copy;
    }
}
