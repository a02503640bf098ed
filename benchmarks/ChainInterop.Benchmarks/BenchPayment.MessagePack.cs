using System.Buffers;
using MessagePack;

namespace ChainInterop.Benchmarks;

/// <summary>
/// The same record straight on MessagePack-CSharp's <see cref="MessagePackWriter"/>/<see cref="MessagePackReader"/>,
/// with none of the canonical checks (lenient UTF-8, any integer form accepted, no limits): the floor of what the
/// library costs, to tell its own cost from the canonical layer's (issue 14).
/// </summary>
public sealed partial class BenchPayment
{
    public void EncodeMessagePack(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(FieldCount);
        writer.Write(Payer);
        writer.Write(PayerAccount);
        writer.Write(Payee);
        writer.Write(PayeeAccount);
        writer.Write(Asset);
        writer.Write(Amount);
        writer.Write(Reference);
        writer.Write(CreatedUnixMs);
        writer.Write(Sequence);
        writer.Write(RemittanceInformation);
        writer.WriteArrayHeader(Charges.Count);
        foreach (var charge in Charges)
        {
            writer.WriteArrayHeader(3);
            writer.Write(charge.Asset);
            writer.Write(charge.Amount);
            writer.Write(charge.Reason);
        }

        writer.Write(PayerPublicKey.AsSpan());
        writer.Write(Signature.AsSpan());
    }

    public static BenchPayment DecodeMessagePack(ref MessagePackReader reader)
    {
        reader.ReadArrayHeader();
        var payment = new BenchPayment
        {
            Payer = reader.ReadString()!,
            PayerAccount = reader.ReadString()!,
            Payee = reader.ReadString()!,
            PayeeAccount = reader.ReadString()!,
            Asset = reader.ReadString()!,
            Amount = reader.ReadInt64(),
            Reference = reader.ReadString()!,
            CreatedUnixMs = reader.ReadInt64(),
            Sequence = reader.ReadUInt64(),
            RemittanceInformation = reader.ReadString()!,
        };
        int charges = reader.ReadArrayHeader();
        payment.Charges = new List<BenchCharge>(charges);
        for (int i = 0; i < charges; i++)
        {
            reader.ReadArrayHeader();
            payment.Charges.Add(new BenchCharge { Asset = reader.ReadString()!, Amount = reader.ReadInt64(), Reason = reader.ReadString()! });
        }

        payment.PayerPublicKey = reader.ReadBytes()!.Value.ToArray();
        payment.Signature = reader.ReadBytes()!.Value.ToArray();
        return payment;
    }
}
