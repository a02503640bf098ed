using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Codec;

/// <summary>A fixed-field record, as signed objects are encoded: an array in field order.</summary>
internal sealed record SamplePayment(ulong Sequence, long Amount, string Currency, Hash256 Previous, byte[] Memo, SampleInner? Inner)
    : ICanonicalEncodable<SamplePayment>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(6);
        writer.WriteUInt64(Sequence);
        writer.WriteInt64(Amount);
        writer.WriteString(Currency);
        writer.WriteHash256(Previous);
        writer.WriteBinary(Memo);
        if (Inner is null)
        {
            writer.WriteNil();
        }
        else
        {
            // Nested Canonical.Encode (as a signer hashing an inner object would) must not disturb the outer buffer.
            writer.WriteRaw(Canonical.Encode(Inner));
        }
    }

    public static SamplePayment Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(6);
        ulong sequence = reader.ReadUInt64();
        long amount = reader.ReadInt64();
        string currency = reader.ReadString();
        Hash256 previous = reader.ReadHash256();
        byte[] memo = reader.ReadBinaryArray();
        SampleInner? inner = reader.TryReadNil() ? null : SampleInner.Decode(ref reader);
        return new SamplePayment(sequence, amount, currency, previous, memo, inner);
    }

    public bool Equals(SamplePayment? other) =>
        other is not null && Sequence == other.Sequence && Amount == other.Amount && Currency == other.Currency
        && Previous == other.Previous && Memo.AsSpan().SequenceEqual(other.Memo) && Equals(Inner, other.Inner);

    public override int GetHashCode() => HashCode.Combine(Sequence, Amount, Currency);
}

/// <summary>A nested record whose decoder validates its content, like domain types do.</summary>
internal sealed record SampleInner(string Account, uint Flags) : ICanonicalEncodable<SampleInner>
{
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        writer.WriteString(Account);
        writer.WriteUInt32(Flags);
    }

    public static SampleInner Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        string account = reader.ReadString();
        uint flags = reader.ReadUInt32();
        ArgumentException.ThrowIfNullOrWhiteSpace(account);
        return new SampleInner(account, flags);
    }
}
