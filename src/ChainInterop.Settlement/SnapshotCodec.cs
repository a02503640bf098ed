using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement;

/// <summary>
/// The pieces the settlement applications' snapshots (<c>IChainApplication.WriteSnapshot</c>) share: the header every
/// one starts with, the error a bad one gives, enum fields, and putting decoded tables in force.
/// </summary>
internal static class SnapshotCodec
{
    /// <summary>The error for bytes that are not a valid snapshot (restore changes nothing).</summary>
    public static CodecException Invalid(long offset, string what) =>
        new(CodecError.ValueOutOfRange, offset, $"not a valid snapshot: {what}");

    /// <summary>Writes the header: the snapshot's field count, then its format version and the chain it belongs to.</summary>
    public static void WriteHeader(ref CanonicalWriter writer, int fieldCount, int version, ChainId chain)
    {
        writer.WriteArrayHeader(fieldCount);
        writer.WriteInt32(version);
        writer.WriteChainId(chain);
    }

    /// <summary>Reads a header <see cref="WriteHeader"/> wrote, refusing another field count, version or chain.</summary>
    public static void ReadHeader(ref CanonicalReader reader, int fieldCount, int version, ChainId chain, string what)
    {
        reader.ReadArrayHeader(fieldCount);
        ReadVersion(ref reader, version, what);
        long offset = reader.Consumed;
        if (reader.ReadChainId() != chain)
        {
            throw Invalid(offset, $"a {what} snapshot of another chain than {chain}");
        }
    }

    /// <summary>Reads a format version field, refusing any other than <paramref name="expected"/>.</summary>
    public static void ReadVersion(ref CanonicalReader reader, int expected, string what)
    {
        long offset = reader.Consumed;
        if (reader.ReadInt32() != expected)
        {
            throw Invalid(offset, $"unsupported {what} snapshot version (expected {expected})");
        }
    }

    /// <summary>Reads an enum written as its number, refusing an undefined value.</summary>
    public static TEnum ReadEnum<TEnum>(ref CanonicalReader reader, string what)
        where TEnum : struct, Enum => Netting.NettingCodec.ReadEnum<TEnum>(ref reader, what);

    /// <summary>
    /// Reads an application's remembered replies (receipts, outcomes), oldest first: at most <paramref name="max"/>, one
    /// per request.
    /// </summary>
    public static List<T> ReadReplies<T>(ref CanonicalReader reader, int max, Func<T, Hash256> requestOf, string what)
        where T : ICanonicalEncodable<T>
    {
        long offset = reader.Consumed;
        int count = reader.ReadArrayHeader();
        if (count > max)
        {
            throw Invalid(offset, $"more than {max} {what}");
        }

        var replies = new List<T>(count);
        var seen = new HashSet<Hash256>(count);
        for (int i = 0; i < count; i++)
        {
            offset = reader.Consumed;
            var reply = T.Decode(ref reader);
            if (!seen.Add(requestOf(reply)))
            {
                throw Invalid(offset, $"two {what} for one request");
            }

            replies.Add(reply);
        }

        return replies;
    }

    /// <summary>Replaces a table's contents with a decoded one (at the end of a restore, once nothing can fail).</summary>
    public static void Refill<TKey, TValue>(Dictionary<TKey, TValue> target, Dictionary<TKey, TValue> source)
        where TKey : notnull
    {
        target.Clear();
        target.EnsureCapacity(source.Count);
        foreach (var (key, value) in source)
        {
            target.Add(key, value);
        }
    }
}
