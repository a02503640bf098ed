using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Settlement.Vouchers;
using ChainInterop.Testing;
using FsCheck;
using FsCheck.Fluent;
using static ChainInterop.Settlement.Tests.Vouchers.VoucherWorld;

namespace ChainInterop.Settlement.Tests.Vouchers;

/// <summary>V2: the transaction voucher (seed 001 table 1), its id, its encoding and its joint signature.</summary>
public sealed class TransactionVoucherTests : IDisposable
{
    /// <summary>A co-signed voucher's bytes and its world, made on first use: FsCheck.Xunit runs all of a property's cases on one instance.</summary>
    private readonly Lazy<(VoucherWorld World, byte[] Bytes)> _coSigned = new(() =>
    {
        var world = new VoucherWorld();
        return (world, Canonical.Encode(CoSigned(world)));
    });

    public void Dispose()
    {
        if (_coSigned.IsValueCreated)
        {
            _coSigned.Value.World.Dispose();
        }
    }

    private static TransactionVoucher CoSigned(VoucherWorld world, PaymentRequest? request = null)
    {
        var voucher = TransactionVoucher.Create(request ?? CardPayment(withScheme: true), Ccb, world.Key(Ccb), StartMs);
        return voucher.WithSignature(voucher.Sign(Icbc, world.Key(Icbc)));
    }

    /// <summary>Re-encodes <paramref name="voucher"/> with its body changed by <paramref name="edit"/>, keeping id and signatures.</summary>
    internal static byte[] Tamper(TransactionVoucher voucher, Func<byte[], byte[]> edit)
    {
        var bytes = Canonical.Encode(voucher);
        return edit(bytes);
    }

    [Fact]
    public void A_voucher_carries_every_field_of_table_1_and_its_id_is_the_SHA256_of_its_canonical_body_V2()
    {
        using var world = new VoucherWorld();
        var voucher = TransactionVoucher.Create(CardPayment(123_45, withScheme: true, nonce: 9), Ccb, world.Key(Ccb), StartMs);

        Assert.Equal(UserA, voucher.User);                                 // 用户编号
        Assert.Equal(UserAWallet, voucher.AssetAddress);                   // 资产地址
        Assert.Equal(Icbc, voucher.UserInstitution);                       // 用户所属机构标识
        Assert.Equal([Ccb, Scheme], voucher.OtherInstitutions.Order());    // 交易涉及其他机构标识
        Assert.Equal(TransactionType.Purchase, voucher.Type);              // 交易类型
        Assert.Equal(Cny, voucher.Asset);                                  // 资产类型
        Assert.Equal(Amount.FromMinorUnits(123_45), voucher.Amount);       // 交易额度
        Assert.Equal([Ccb], voucher.JointSignatures.Select(s => s.Signer)); // 联合签名 (the originator alone so far)
        Assert.Equal(StartMs, voucher.CreatedAtMs);                        // 时间戳
        Assert.Equal(Ccb, voucher.Originator);
        Assert.Equal([Icbc], voucher.Destinations);
        Assert.Equal([Scheme], voucher.Auxiliaries);

        // 交易凭证标识: SHA-256 of the body = the encoding's second element.
        var encoded = Canonical.Encode(voucher);
        var reader = new CanonicalReader(encoded);
        reader.ReadArrayHeader(3);
        Assert.Equal(voucher.Id, reader.ReadHash256());
        long bodyStart = reader.Consumed;
        reader.Skip();
        Assert.Equal(voucher.Id, Hash256.Compute(encoded.AsSpan((int)bodyStart, (int)(reader.Consumed - bodyStart))));
        Assert.True(voucher.IsIdConsistent);
    }

    [Fact]
    public void A_co_signed_voucher_round_trips_and_verifies_V2()
    {
        using var world = new VoucherWorld();
        var voucher = CoSigned(world);
        var decoded = Canonical.Decode<TransactionVoucher>(Canonical.Encode(voucher));
        Assert.Equal(Canonical.Encode(voucher), Canonical.Encode(decoded));
        Assert.True(decoded.VerifyCoSigned(world.Directory).IsValid);
        Assert.True(decoded.IsFullySigned);
    }

    [Fact]
    public void Two_equal_payments_get_distinct_ids_through_the_nonce_V2()
    {
        using var world = new VoucherWorld();
        var a = TransactionVoucher.Create(CardPayment(nonce: 1), Ccb, world.Key(Ccb), StartMs);
        var b = TransactionVoucher.Create(CardPayment(nonce: 2), Ccb, world.Key(Ccb), StartMs);
        Assert.NotEqual(a.Id, b.Id);
    }

    [Fact]
    public void A_voucher_missing_a_destination_co_signature_fails_as_MissingSignature_V2()
    {
        using var world = new VoucherWorld();
        var originatorOnly = TransactionVoucher.Create(CardPayment(), Ccb, world.Key(Ccb), StartMs);
        Assert.True(originatorOnly.VerifyOriginatorSignature(world.Directory).IsValid);
        Assert.Equal(VoucherFailure.MissingSignature, originatorOnly.VerifyCoSigned(world.Directory).Failure);
    }

    [Fact]
    public void A_co_signature_made_with_another_key_fails_as_InvalidSignature_V2()
    {
        using var world = new VoucherWorld();
        var voucher = TransactionVoucher.Create(CardPayment(), Ccb, world.Key(Ccb), StartMs);
        var forged = voucher.WithSignature(voucher.Sign(Icbc, world.Key(Stranger)));
        Assert.Equal(VoucherFailure.InvalidSignature, forged.VerifyCoSigned(world.Directory).Failure);
    }

    [Property(MaxTest = 400)]
    public Property Flipping_any_byte_of_an_encoded_co_signed_voucher_makes_decoding_or_verification_fail_V2()
    {
        var (world, bytes) = _coSigned.Value;
        return Prop.ForAll(Arbitraries.ByteFlips(bytes.Length), f =>
        {
            var copy = (byte[])bytes.Clone();
            copy[f.Position] ^= f.Mask;
            TransactionVoucher decoded;
            try
            {
                decoded = Canonical.Decode<TransactionVoucher>(copy);
            }
            catch (CodecException)
            {
                return;
            }

            Assert.False(decoded.VerifyCoSigned(world.Directory).IsValid, $"flipping byte {f.Position} with {f.Mask:x2} still verified");
        });
    }

    [Fact]
    public void Decoding_refuses_unsorted_signatures_and_oversized_lists_C2()
    {
        using var world = new VoucherWorld();
        var voucher = CoSigned(world);
        // Swap the two signatures in the encoding: the signer order is part of the canonical form.
        var writer = new ArrayBufferWriter<byte>();
        var w = new CanonicalWriter(writer);
        var full = Canonical.Encode(voucher);
        var reader = new CanonicalReader(full);
        reader.ReadArrayHeader(3);
        reader.ReadHash256();
        long bodyStart = reader.Consumed;
        reader.Skip();
        w.WriteRaw(full.AsSpan(0, (int)reader.Consumed));
        w.WriteArrayHeader(2);
        voucher.JointSignatures[1].Encode(ref w);
        voucher.JointSignatures[0].Encode(ref w);
        Assert.True(bodyStart > 0);
        var e = Assert.Throws<CodecException>(() => Canonical.Decode<TransactionVoucher>(writer.WrittenMemory));
        Assert.Equal(CodecError.NonCanonical, e.Error);
    }
}
