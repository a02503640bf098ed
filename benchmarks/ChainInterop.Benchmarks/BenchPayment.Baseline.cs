namespace ChainInterop.Benchmarks;

/// <summary>
/// The same record through the pre-MessagePack codec (namespace <c>Baseline</c>), field for field as
/// <see cref="Encode(ref ChainInterop.Codec.CanonicalWriter)"/> and <see cref="Decode(ref ChainInterop.Codec.CanonicalReader)"/>,
/// so the two codecs are compared on identical work (issue 14).
/// </summary>
public sealed partial class BenchPayment : Baseline.ICanonicalEncodable<BenchPayment>
{
    void Baseline.ICanonicalEncodable<BenchPayment>.Encode(ref Baseline.CanonicalWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.WriteString(Payer);
        writer.WriteString(PayerAccount);
        writer.WriteString(Payee);
        writer.WriteString(PayeeAccount);
        writer.WriteString(Asset);
        writer.WriteInt64(Amount);
        writer.WriteString(Reference);
        writer.WriteInt64(CreatedUnixMs);
        writer.WriteUInt64(Sequence);
        writer.WriteString(RemittanceInformation);
        writer.WriteArrayHeader(Charges.Count);
        foreach (var charge in Charges)
        {
            writer.WriteArrayHeader(3);
            writer.WriteString(charge.Asset);
            writer.WriteInt64(charge.Amount);
            writer.WriteString(charge.Reason);
        }

        writer.WriteBinary(PayerPublicKey);
        writer.WriteBinary(Signature);
    }

    static BenchPayment Baseline.ICanonicalEncodable<BenchPayment>.Decode(ref Baseline.CanonicalReader reader)
    {
        reader.ReadArrayHeader(FieldCount);
        var payment = new BenchPayment
        {
            Payer = reader.ReadString(),
            PayerAccount = reader.ReadString(),
            Payee = reader.ReadString(),
            PayeeAccount = reader.ReadString(),
            Asset = reader.ReadString(),
            Amount = reader.ReadInt64(),
            Reference = reader.ReadString(),
            CreatedUnixMs = reader.ReadInt64(),
            Sequence = reader.ReadUInt64(),
            RemittanceInformation = reader.ReadString(),
        };
        int charges = reader.ReadArrayHeader();
        payment.Charges = new List<BenchCharge>(charges);
        for (int i = 0; i < charges; i++)
        {
            reader.ReadArrayHeader(3);
            payment.Charges.Add(new BenchCharge { Asset = reader.ReadString(), Amount = reader.ReadInt64(), Reason = reader.ReadString() });
        }

        payment.PayerPublicKey = reader.ReadBinaryArray();
        payment.Signature = reader.ReadBinaryArray();
        return payment;
    }
}
