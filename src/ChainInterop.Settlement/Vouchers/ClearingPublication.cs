using ChainInterop.Codec;

namespace ChainInterop.Settlement.Vouchers;

/// <summary>
/// What an institution submits to the voucher ledger chain (V4, step 311): its signed clearing voucher together with
/// the co-signed clearing relation it clears, so every validator can check every signature and the transfers before
/// accepting it. Encoded as <c>[clearing voucher, clearing relation]</c>; the payload of a <c>ClientRequest</c>.
/// </summary>
/// <param name="clearing">The clearing voucher.</param>
/// <param name="relation">The co-signed relation.</param>
public sealed class ClearingPublication(ClearingVoucher clearing, ClearingRelationVoucher relation) : ICanonicalEncodable<ClearingPublication>
{
    /// <summary>The clearing voucher.</summary>
    public ClearingVoucher Clearing { get; } = clearing ?? throw new ArgumentNullException(nameof(clearing));

    /// <summary>The clearing relation.</summary>
    public ClearingRelationVoucher Relation { get; } = relation ?? throw new ArgumentNullException(nameof(relation));

    /// <summary>The canonical bytes, to submit as a chain request's payload.</summary>
    /// <returns>The payload.</returns>
    public byte[] ToPayload() => Canonical.Encode(this);

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(2);
        Clearing.Encode(ref writer);
        Relation.Encode(ref writer);
    }

    /// <inheritdoc />
    public static ClearingPublication Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(2);
        return new ClearingPublication(ClearingVoucher.Decode(ref reader), ClearingRelationVoucher.Decode(ref reader));
    }
}
