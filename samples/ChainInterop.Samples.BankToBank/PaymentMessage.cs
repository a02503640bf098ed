using ChainInterop;
using ChainInterop.Codec;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// A bank-to-bank payment instruction as the sample sends it: who pays whom, what, and a reference.
/// Canonical form: <c>[payer, payerAccount, payee, payeeAccount, asset, amountMinorUnits, reference, createdUnixMs]</c>.
/// </summary>
internal sealed record PaymentMessage(
    InstitutionId Payer,
    AccountId PayerAccount,
    InstitutionId Payee,
    AccountId PayeeAccount,
    AssetCode Asset,
    Amount Amount,
    string Reference,
    long CreatedUnixMs) : ICanonicalEncodable<PaymentMessage>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(8);
        writer.WriteInstitutionId(Payer);
        writer.WriteAccountId(PayerAccount);
        writer.WriteInstitutionId(Payee);
        writer.WriteAccountId(PayeeAccount);
        writer.WriteAssetCode(Asset);
        writer.WriteAmount(Amount);
        writer.WriteString(Reference);
        writer.WriteInt64(CreatedUnixMs);
    }

    public static PaymentMessage Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(8);
        return new PaymentMessage(
            reader.ReadInstitutionId(),
            reader.ReadAccountId(),
            reader.ReadInstitutionId(),
            reader.ReadAccountId(),
            reader.ReadAssetCode(),
            reader.ReadAmount(),
            reader.ReadString(),
            reader.ReadInt64());
    }
}
