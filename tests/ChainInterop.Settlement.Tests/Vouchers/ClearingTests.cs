using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Ledger;
using ChainInterop.Settlement.Vouchers;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>V4 (seed 001 steps 310–312): verification before processing, clearing vouchers, the voucher ledger, evidence.</summary>
public sealed class ClearingTests : IDisposable
{
    // Made on first use by the properties below: FsCheck.Xunit runs all of a property's cases on one instance.
    private readonly Lazy<(VoucherWorld World, byte[] Bytes)> _evidence = new(() =>
    {
        var (world, id, _) = Completed();
        var evidence = world.ThirdParty.AssembleEvidence(id, world.Network.Publications.Select(p => p.Clearing)).Value!;
        return (world, Canonical.Encode(evidence));
    });

    private readonly Lazy<VoucherWorld> _keys = new(() => new VoucherWorld());

    public void Dispose()
    {
        if (_evidence.IsValueCreated)
        {
            _evidence.Value.World.Dispose();
        }

        if (_keys.IsValueCreated)
        {
            _keys.Value.Dispose();
        }
    }

    private static (VoucherWorld World, Hash256 Id, RetentionNotice Notice) Completed(long amount = 100_00)
    {
        var world = new VoucherWorld();
        var id = VoucherIdOf(world.Submit(CardPayment(amount)));
        Assert.True(world.ThirdParty.TryGetRetained(id, out var notice));
        return (world, id, notice);
    }

    private static VoucherLedgerOutcome Publish(VoucherLedger ledger, ClearingPublication publication, ulong height = 1) =>
        ledger.Apply(publication.ToPayload(), Hash256.Compute(publication.ToPayload()), height, 0, StartMs);

    [Fact]
    public void The_originator_approves_only_after_verifying_both_vouchers_V4_step_310()
    {
        var (world, id, notice) = Completed();
        using var _ = world;
        Assert.Equal(id, world.Single(Ccb, FlowEventKind.Approved).VoucherId);

        // A fresh originator in the same state (co-signed, awaiting retention) refuses a notice whose relation lacks a payer's co-signature.
        using var other = new VoucherWorld();
        other.Network.Silence(House);
        other.Submit(CardPayment());
        var unsigned = ClearingRelationVoucher.Create(House, other.Key(House), id, notice.Retention.Id, notice.Relation.Obligations, notice.Relation.CreatedAtMs);
        var step = other.Originator.Receive(new RetentionNotice(notice.Retention, unsigned), other.Network.NowMs);
        Assert.Equal(VoucherFailure.MissingSignature, Assert.Single(step.Events).Failure);
        Assert.Empty(step.Publications);
        Assert.Equal(1, other.Originator.OpenFlowCount);

        // The genuine notice is accepted.
        var accepted = other.Originator.Receive(notice, other.Network.NowMs);
        Assert.Contains(accepted.Events, e => e.Kind == FlowEventKind.Approved);
    }

    [Fact]
    public void Each_paying_institution_makes_a_clearing_voucher_with_every_field_of_table_3_and_its_asset_sources_V4_step_311()
    {
        var (world, _, notice) = Completed();
        using var _w = world;
        var byPayer = world.Network.Publications.ToDictionary(p => p.Clearing.Originator);
        Assert.Equal([Ccb, Icbc], byPayer.Keys.Order());

        var icbc = byPayer[Icbc].Clearing;
        Assert.True(icbc.IsIdConsistent);                                          // 清算凭证标识
        Assert.Equal([Cny], icbc.AssetTypes);                                       // 清算资产类型
        Assert.Equal([Amount.FromMinorUnits(100_50)], icbc.TransferAmounts);        // 转移资产数量: principal + service fee
        Assert.Equal(Icbc, icbc.Originator);                                        // 发起机构标识
        Assert.Equal([Ccb], icbc.Destinations);                                     // 目的机构标识
        Assert.Equal(64, icbc.OriginatorSignature.Length);                          // 发起机构签名
        Assert.Equal(world.Network.NowMs, icbc.CreatedAtMs);                        // 时间戳
        var source = Assert.Single(icbc.AssetSources);                              // 发起机构资产来源
        Assert.Equal((SettlementAccount(Icbc), Cny, Amount.FromMinorUnits(100_50), TransferId.FromUInt64(2)),
            (source.Account, source.Asset, source.Amount, source.LedgerTransfer));
        Assert.Equal(notice.Relation.Id, icbc.ClearingRelationId);                 // 其他

        var ccb = byPayer[Ccb].Clearing;
        Assert.Equal([Amount.FromMinorUnits(20)], ccb.TransferAmounts);             // the interchange fee
        Assert.Equal([Icbc], ccb.Destinations);
        foreach (var publication in byPayer.Values)
        {
            Assert.True(VoucherVerifier.VerifyPublication(publication, world.Directory).IsValid);
        }
    }

    [Fact]
    public void A_payer_without_the_funds_on_the_ledger_cannot_make_its_clearing_voucher_V4()
    {
        var (world, _, notice) = Completed();
        using var _w = world;
        var poor = new AccountLedger();
        poor.Apply(new OpenAccountCommand(SettlementAccount(Icbc), Icbc, [Cny]), StartMs);
        var created = ClearingVoucher.Create(Icbc, world.Key(Icbc), notice.Relation, poor, world.Directory, StartMs);
        Assert.Equal(VoucherFailure.InsufficientAssets, created.Failure);
        Assert.Equal(VoucherFailure.NothingToClear, ClearingVoucher.Create(Boc, world.Key(Boc), notice.Relation, world.Ledger, world.Directory, StartMs).Failure);
    }

    [Fact]
    public void A_second_clearing_relation_for_the_same_payment_is_refused_so_it_never_clears_twice_V4()
    {
        var (world, id, notice) = Completed();
        using var _w = world;
        var ledger = new VoucherLedger(world.Directory);
        Assert.True(Publish(ledger, world.Network.Publications[0]).IsAccepted);

        // A retried or misbehaving third party makes another relation for the same transaction voucher (new timestamp),
        // fully co-signed; the payer's clearing voucher for it is valid on its own.
        var again = ClearingRelationVoucher.Create(House, world.Key(House), id, notice.Retention.Id, notice.Relation.Obligations, notice.Relation.CreatedAtMs + 1);
        foreach (var payer in again.Payers.Where(p => p != House))
        {
            again = again.WithSignature(again.Sign(payer, world.Key(payer)));
        }

        var payerOfFirst = world.Network.Publications[0].Clearing.Originator;
        var clearing = ClearingVoucher.Create(payerOfFirst, world.Key(payerOfFirst), again, world.Ledger, world.Directory, StartMs);
        Assert.True(clearing.IsSuccess, clearing.Check.ToString());
        Assert.Equal(VoucherFailure.Duplicate, Publish(ledger, new ClearingPublication(clearing.Value!, again), 2).Failure);
        Assert.Single(ledger.GetClearings(notice.Relation.Id));
    }

    [Fact]
    public void The_voucher_ledger_accepts_each_clearing_once_and_then_reports_the_clearing_executed_V4_step_312()
    {
        var (world, id, notice) = Completed();
        using var _w = world;
        var ledger = new VoucherLedger(world.Directory);
        Assert.Equal(ClearingStatus.Unknown, ledger.GetClearingStatus(notice.Relation.Id));

        var first = world.Network.Publications[0];
        Assert.True(Publish(ledger, first).IsAccepted);
        Assert.Equal(ClearingStatus.Partial, ledger.GetClearingStatus(notice.Relation.Id));
        Assert.Equal(VoucherFailure.Duplicate, Publish(ledger, first, 2).Failure);
        Assert.True(Publish(ledger, world.Network.Publications[1], 3).IsAccepted);
        Assert.Equal(ClearingStatus.Executed, ledger.GetClearingStatus(notice.Relation.Id));
        Assert.Equal(ClearingStatus.Executed, ledger.GetClearingStatusOfTransaction(id));
        Assert.Equal(2, ledger.GetClearings(notice.Relation.Id).Count);

        // Net positions: CCB received 100.50 and paid 0.20; ICBC the opposite; they sum to zero.
        Assert.Equal(Amount.FromMinorUnits(100_30), ledger.GetNetPosition(Ccb, Cny));
        Assert.Equal(Amount.FromMinorUnits(-100_30), ledger.GetNetPosition(Icbc, Cny));
        Assert.Equal(Amount.Zero, Amount.Sum(ledger.GetNetPositions().Select(p => p.Position)));
    }

    [Fact]
    public void The_voucher_ledger_refuses_forged_tampered_unknown_and_half_signed_publications_and_changes_nothing_V4()
    {
        var (world, _, notice) = Completed();
        using var _w = world;
        var ledger = new VoucherLedger(world.Directory);
        var genuine = world.Network.Publications.Single(p => p.Clearing.Originator == Icbc);
        var clearing = genuine.Clearing;

        // Forged: ICBC's clearing voucher signed with another key.
        var forged = ClearingVoucher.Create(Icbc, world.Key(Stranger), notice.Relation.Id, clearing.Transfers, clearing.AssetSources, clearing.CreatedAtMs);
        // Tampered amount after signing: a smaller transfer, re-signed by ICBC itself, no longer matches its obligations.
        var shortPaid = ClearingVoucher.Create(Icbc, world.Key(Icbc), notice.Relation.Id,
            [clearing.Transfers[0] with { Amount = Amount.FromMinorUnits(1) }], [clearing.AssetSources[0] with { Amount = Amount.FromMinorUnits(1) }], clearing.CreatedAtMs);
        // Sources that do not add up.
        var unfunded = ClearingVoucher.Create(Icbc, world.Key(Icbc), notice.Relation.Id, clearing.Transfers, [], clearing.CreatedAtMs);
        // The relation without ICBC's co-signature.
        var halfSigned = ClearingRelationVoucher.Create(House, world.Key(House), notice.Relation.TransactionVoucherId, notice.Relation.RetentionVoucherId,
            notice.Relation.Obligations, notice.Relation.CreatedAtMs);
        halfSigned = halfSigned.WithSignature(halfSigned.Sign(Ccb, world.Key(Ccb)));
        // A payer outside the directory.
        var strangerRelation = ClearingRelationVoucher.Create(House, world.Key(House), notice.Relation.TransactionVoucherId, default,
            [new ClearingObligation(Stranger, Ccb, Cny, Amount.FromMinorUnits(5), ObligationKind.Principal)], StartMs);
        strangerRelation = strangerRelation.WithSignature(strangerRelation.Sign(Stranger, world.Key(Stranger)));
        var strangerClearing = ClearingVoucher.Create(Stranger, world.Key(Stranger), strangerRelation.Id,
            [new ClearingTransfer(Ccb, Cny, Amount.FromMinorUnits(5))], [new AssetSourceRecord(new AccountId("x"), Cny, Amount.FromMinorUnits(5), 0, TransferId.Zero)], StartMs);

        var cases = new (ClearingPublication Publication, VoucherFailure Expected)[]
        {
            (new(forged, notice.Relation), VoucherFailure.InvalidSignature),
            (new(shortPaid, notice.Relation), VoucherFailure.TransfersMismatch),
            (new(unfunded, notice.Relation), VoucherFailure.SourceMismatch),
            (new(clearing, halfSigned), VoucherFailure.MissingSignature),
            (new(strangerClearing, strangerRelation), VoucherFailure.UnknownInstitution),
        };
        ulong height = 1;
        foreach (var (publication, expected) in cases)
        {
            Assert.Equal(expected, Publish(ledger, publication, height++).Failure);
        }

        Assert.Equal(VoucherFailure.Malformed, ledger.Apply(new byte[] { 0x92, 0x01 }, Hash256.Zero, height, 0, StartMs).Failure);
        Assert.Equal(0, ledger.ClearingCount);
        Assert.Empty(ledger.GetNetPositions());
        Assert.True(Publish(ledger, genuine, height).IsAccepted);
    }

    [Fact]
    public void Every_signature_of_the_evidence_chain_verifies_offline_and_missing_or_mismatched_parts_are_named_V4_step_312()
    {
        var (world, id, _) = Completed();
        using var _w = world;
        var evidence = world.ThirdParty.AssembleEvidence(id, world.Network.Publications.Select(p => p.Clearing)).Value!;
        Assert.Equal(9, evidence.Signatures.Count); // CCB + ICBC on the voucher, ICBC's confirmation, the house's retention, house + ICBC + CCB on the relation, two clearings
        Assert.True(VoucherVerifier.VerifyEvidence(evidence, world.Directory, Fees).IsValid);

        // Offline: only the bytes and the directory.
        var bytes = Canonical.Encode(evidence);
        Assert.True(VoucherVerifier.VerifyEvidence(Canonical.Decode<EvidenceChain>(bytes), world.Directory, Fees).IsValid);

        var missing = new EvidenceChain(evidence.Retention, evidence.Relation, [evidence.Clearings[0]], []);
        Assert.Equal(VoucherFailure.ClearingMissing, VoucherVerifier.VerifyEvidence(missing, world.Directory, Fees).Failure);
        Assert.Equal(VoucherFailure.RelationMismatch, VoucherVerifier.VerifyEvidence(evidence, world.Directory, FeeSchedule.None).Failure);
        Assert.Equal(VoucherFailure.UnknownFlow, world.ThirdParty.AssembleEvidence(Hash256.Zero, []).Failure);
    }

    [Property(MaxTest = 200)]
    public Property Flipping_any_byte_of_an_encoded_evidence_chain_is_detected_offline_V4_step_312()
    {
        var (world, bytes) = _evidence.Value;
        return Prop.ForAll(Arbitraries.ByteFlips(bytes.Length), f =>
        {
            var copy = (byte[])bytes.Clone();
            copy[f.Position] ^= f.Mask;
            EvidenceChain changed;
            try
            {
                changed = Canonical.Decode<EvidenceChain>(copy);
            }
            catch (CodecException)
            {
                return;
            }

            Assert.False(VoucherVerifier.VerifyEvidence(changed, world.Directory, Fees).IsValid, $"byte {f.Position} ^ {f.Mask:x2} went unnoticed");
        });
    }

    [Fact]
    public void Clearing_moves_money_between_settlement_accounts_without_creating_or_losing_any_V4()
    {
        var (world, _, _) = Completed(1_234_56);
        using var _w = world;
        Amount Total() => Amount.Sum(world.Ledger.GetAccountIds().Select(a => world.Ledger.GetBalance(a, Cny).Posted));
        var before = Total();
        foreach (var publication in world.Network.Publications)
        {
            foreach (var command in publication.Clearing.ToTransferCommands(world.Directory))
            {
                Assert.Equal(LedgerResultCode.Ok, world.Ledger.Apply(command, StartMs).Code);
                Assert.Equal(LedgerResultCode.AlreadyApplied, world.Ledger.Apply(command, StartMs).Code);
            }
        }

        Assert.Equal(before, Total());
        // 1,234.56 + 0.50 % (6.17) to CCB, 0.20 % (2.46) back to ICBC.
        Assert.Equal(Amount.FromMinorUnits(500_000_00 + 1_234_56 + 6_17 - 2_46), world.Ledger.GetBalance(SettlementAccount(Ccb), Cny).Posted);
    }

    /// <summary>Payments of 1 to 2^31 - 1 whole units (in thousandths); shrinks toward one unit.</summary>
    private static readonly Arbitrary<long> PaymentAmounts =
        Arb.Convert(CommonArbitraries.Range(1, int.MaxValue), v => (long)v * 1000, amount => (int)(amount / 1000));

    /// <summary>Up to four purchase fee rules, any basis points, fixed fee and payer; shrinks to fewer, smaller rules.</summary>
    private static readonly Arbitrary<FeeRule[]> FeeRules = Arb.From(
        Gen.ListOf(
                from basisPoints in Gen.Choose(0, FeeSchedule.MaxBasisPoints)
                from fixedFee in Gen.Choose(0, 10_000)
                from payer in Gen.Elements(FeePayer.UserInstitution, FeePayer.Originator)
                select new FeeRule(TransactionType.Purchase, payer, basisPoints, Amount.FromMinorUnits(fixedFee)))
            .Select(l => l.Take(4).ToArray()),
        rules => Shrink.Array(rules, r =>
            Shrink.Toward(r.BasisPoints, 0).Select(bp => r with { BasisPoints = bp })
                .Concat(Shrink.Toward(r.Fixed.MinorUnits, 0L).Select(f => r with { Fixed = Amount.FromMinorUnits(f) }))));

    [Property(MaxTest = 60)]
    public Property Accepted_clearings_conserve_every_asset_for_any_amount_and_fee_schedule_V4()
    {
        var keys = _keys.Value;
        return Prop.ForAll(PaymentAmounts, FeeRules, (amount, feeRules) =>
        {
            var fees = new FeeSchedule(feeRules);
            var voucher = TransactionVoucher.Create(CardPayment(amount), Ccb, keys.Key(Ccb), StartMs);
            voucher = voucher.WithSignature(voucher.Sign(Icbc, keys.Key(Icbc)));
            Assert.True(ClearingRules.Derive(voucher, fees, out var obligations).IsValid);
            var relation = ClearingRelationVoucher.Create(House, keys.Key(House), voucher.Id, default, obligations, StartMs);
            foreach (var payer in relation.Payers)
            {
                relation = relation.WithSignature(relation.Sign(payer, keys.Key(payer)));
            }

            var ledger = new VoucherLedger(keys.Directory);
            ulong height = 1;
            foreach (var payer in relation.Payers)
            {
                relation.GetTransfers(payer, out var transfers);
                var sources = transfers.Select(t => new AssetSourceRecord(SettlementAccount(payer), t.Asset, t.Amount, 0, TransferId.Zero)).ToArray();
                var clearing = ClearingVoucher.Create(payer, keys.Key(payer), relation.Id, transfers, sources, StartMs);
                Assert.True(Publish(ledger, new ClearingPublication(clearing, relation), height++).IsAccepted);
            }

            Assert.Equal(ClearingStatus.Executed, ledger.GetClearingStatus(relation.Id));
            Assert.Equal(Amount.Zero, ledger.GetNetPosition(Ccb, Cny) + ledger.GetNetPosition(Icbc, Cny));
            var expectedCcb = Amount.Sum(obligations.Select(o => o.Payee == Ccb ? o.Amount : -o.Amount));
            Assert.Equal(expectedCcb, ledger.GetNetPosition(Ccb, Cny));
        });
    }
}
