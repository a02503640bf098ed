using ChainInterop.Settlement.Vouchers;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>V1 (seed 001 steps 201–207): the originator audits a request before anything is signed.</summary>
public class AuditTests
{
    private static readonly Dictionary<UserId, UserEntitlement> OwnUsers = new()
    {
        [Merchant] = new UserEntitlement(Merchant, MerchantWallet, [TransactionType.Purchase], Amount.FromMinorUnits(1_000_00)),
    };

    private static PaymentRequest OwnUserPayment(long minorUnits = 500_00, TransactionType type = TransactionType.Purchase, AccountId? wallet = null) =>
        new(Merchant, Ccb, wallet ?? MerchantWallet, type, Cny, Amount.FromMinorUnits(minorUnits), [Icbc]);

    private static VoucherCheck Audit(VoucherWorld world, PaymentRequest request) =>
        PaymentAudit.Audit(Ccb, request, OwnUsers, world.Directory, world.Ledger);

    [Fact]
    public void An_entitled_own_user_passes_the_audit_V1_step_203()
    {
        using var world = new VoucherWorld();
        Assert.True(Audit(world, OwnUserPayment()).IsValid);
    }

    [Theory]
    [InlineData(TransactionType.AtmWithdrawal, 500_00, VoucherFailure.NotEntitled)]
    [InlineData(TransactionType.Purchase, 1_000_01, VoucherFailure.AmountOverLimit)]
    public void An_own_user_outside_its_entitlement_is_refused_V1_step_207(TransactionType type, long amount, VoucherFailure expected)
    {
        using var world = new VoucherWorld();
        Assert.Equal(expected, Audit(world, OwnUserPayment(amount, type)).Failure);
    }

    [Fact]
    public void An_own_user_with_another_asset_address_or_unknown_is_refused_V1()
    {
        using var world = new VoucherWorld();
        Assert.Equal(VoucherFailure.AssetAddressMismatch, Audit(world, OwnUserPayment(wallet: new AccountId("ccb:someone-else"))).Failure);
        var unknown = new PaymentRequest(new UserId("nobody"), Ccb, MerchantWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1), [Icbc]);
        Assert.Equal(VoucherFailure.UnknownUser, Audit(world, unknown).Failure);
    }

    [Fact]
    public void A_foreign_user_passes_when_every_institution_has_a_settlement_account_holding_the_asset_and_the_payer_has_funds_V1_step_204()
    {
        using var world = new VoucherWorld();
        Assert.True(Audit(world, CardPayment()).IsValid);
    }

    [Fact]
    public void A_foreign_user_whose_institution_lacks_funds_on_the_ledger_is_refused_InsufficientAssets_V1_step_205()
    {
        using var world = new VoucherWorld(icbcFunds: 50_00);
        Assert.Equal(VoucherFailure.InsufficientAssets, Audit(world, CardPayment(100_00)).Failure);
    }

    [Fact]
    public void A_foreign_user_is_refused_when_an_institution_has_no_settlement_account_or_no_associated_asset_V1_step_205()
    {
        using var world = new VoucherWorld();
        // The card scheme is in the directory but has no account on the ledger: as a destination it cannot clear.
        var noAccount = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1), [Icbc, Scheme]);
        Assert.Equal(VoucherFailure.NoSettlementAccount, Audit(world, noAccount).Failure);
        var usd = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, new AssetCode("USD"), Amount.FromMinorUnits(1), [Icbc]);
        Assert.Equal(VoucherFailure.NoAssociatedAsset, Audit(world, usd).Failure);
    }

    [Fact]
    public void A_request_naming_an_institution_outside_the_directory_is_refused_UnknownInstitution_V1()
    {
        using var world = new VoucherWorld();
        var request = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1), [Icbc, Stranger]);
        Assert.Equal(VoucherFailure.UnknownInstitution, Audit(world, request).Failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_malformed_request_is_refused_InvalidRequest_V1(long amount)
    {
        using var world = new VoucherWorld();
        Assert.Equal(VoucherFailure.InvalidRequest, Audit(world, CardPayment(amount)).Failure);
        // A foreign user's institution must vouch for it as a destination.
        var notDestination = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1), [Boc]);
        Assert.Equal(VoucherFailure.InvalidRequest, Audit(world, notDestination).Failure);
        var twice = new PaymentRequest(UserA, Icbc, UserAWallet, TransactionType.Purchase, Cny, Amount.FromMinorUnits(1), [Icbc, Icbc]);
        Assert.Equal(VoucherFailure.InvalidRequest, Audit(world, twice).Failure);
    }

    [Fact]
    public void A_refused_audit_ends_the_request_before_anything_is_signed_or_sent_V1_step_207()
    {
        using var world = new VoucherWorld(icbcFunds: 10_00);
        var step = world.Originator.Submit(CardPayment(100_00), StartMs);
        Assert.Empty(step.Messages);
        var refused = Assert.Single(step.Events);
        Assert.Equal((FlowEventKind.Refused, VoucherFailure.InsufficientAssets), (refused.Kind, refused.Failure));
        Assert.Equal(0, world.Originator.OpenFlowCount);
    }
}
