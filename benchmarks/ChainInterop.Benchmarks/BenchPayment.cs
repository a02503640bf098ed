using System.Text.Json.Serialization;
using ChainInterop.Codec;

namespace ChainInterop.Benchmarks;

/// <summary>One fee or charge line of <see cref="BenchPayment"/>.</summary>
public sealed class BenchCharge
{
    public string Asset { get; set; } = "";

    public long Amount { get; set; }

    public string Reason { get; set; } = "";
}

/// <summary>
/// A ~1 KB signed bank payment: the message the codec comparison encodes and decodes, as a canonical MessagePack
/// record (<c>[payer, payerAccount, payee, payeeAccount, asset, amount, reference, created, sequence, remittance,
/// [[asset, amount, reason] …], payerPublicKey, signature]</c>), with the same fields in Protobuf and JSON.
/// </summary>
public sealed partial class BenchPayment : ICanonicalEncodable<BenchPayment>
{
    private const int FieldCount = 13;

    public string Payer { get; set; } = "";

    public string PayerAccount { get; set; } = "";

    public string Payee { get; set; } = "";

    public string PayeeAccount { get; set; } = "";

    public string Asset { get; set; } = "";

    public long Amount { get; set; }

    public string Reference { get; set; } = "";

    public long CreatedUnixMs { get; set; }

    public ulong Sequence { get; set; }

    public string RemittanceInformation { get; set; } = "";

    public List<BenchCharge> Charges { get; set; } = [];

    public byte[] PayerPublicKey { get; set; } = [];

    public byte[] Signature { get; set; } = [];

    public static BenchPayment Sample()
    {
        var payment = new BenchPayment
        {
            Payer = "bank-a",
            PayerAccount = "bank-a:nostro-cny-0001",
            Payee = "bank-b",
            PayeeAccount = "bank-b:vostro-cny-0042",
            Asset = "CNY",
            Amount = 1_250_000_00,
            Reference = "INV-2026-11-0042/PO-77813",
            CreatedUnixMs = 1_795_000_000_123,
            Sequence = 918_273,
            RemittanceInformation = string.Concat(Enumerable.Repeat("Settlement of invoice batch 2026-11 for trade finance line 7; ", 9)),
            PayerPublicKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
            Signature = Enumerable.Range(0, 64).Select(i => (byte)(255 - i)).ToArray(),
        };
        for (int i = 0; i < 4; i++)
        {
            payment.Charges.Add(new BenchCharge { Asset = "CNY", Amount = 1500 + i, Reason = $"correspondent fee {i}" });
        }

        return payment;
    }

    public void Encode(ref CanonicalWriter writer)
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

    public static BenchPayment Decode(ref CanonicalReader reader)
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

    public Proto.SignedPayment ToProto()
    {
        var proto = new Proto.SignedPayment
        {
            Payer = Payer,
            PayerAccount = PayerAccount,
            Payee = Payee,
            PayeeAccount = PayeeAccount,
            Asset = Asset,
            Amount = Amount,
            Reference = Reference,
            CreatedUnixMs = CreatedUnixMs,
            Sequence = Sequence,
            RemittanceInformation = RemittanceInformation,
            PayerPublicKey = Google.Protobuf.ByteString.CopyFrom(PayerPublicKey),
            Signature = Google.Protobuf.ByteString.CopyFrom(Signature),
        };
        proto.Charges.AddRange(Charges.Select(c => new Proto.Charge { Asset = c.Asset, Amount = c.Amount, Reason = c.Reason }));
        return proto;
    }
}

/// <summary>Source-generated System.Text.Json metadata, the fastest way STJ has.</summary>
[JsonSerializable(typeof(BenchPayment))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
