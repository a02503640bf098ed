using System.Text;
using ChainInterop.Codec;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Blocks;

/// <summary>
/// A block-level hash record (C4, Jingtum BLHR, seed 003 §2.3): a key, the hash of the data being recorded (e.g. a
/// document's digest or signature hash) and an optional <see cref="Link"/> to an earlier record that this one
/// continues. Records are submitted without a transaction or account and written when the block closes; the block
/// does not interpret them, it only proves they were there.
/// </summary>
/// <remarks>Canonical form: <c>[key, hash, link | nil]</c>. Its <see cref="Id"/> is its Merkle leaf hash.</remarks>
public sealed class HashRecord : ICanonicalEncodable<HashRecord>, IEquatable<HashRecord>
{
    /// <summary>The longest key, in UTF-8 bytes.</summary>
    public const int MaxKeyLengthBytes = 256;

    /// <summary>Creates a record.</summary>
    /// <param name="key">The user's key for the record (1 to 256 UTF-8 bytes).</param>
    /// <param name="hash">The hash of the recorded data.</param>
    /// <param name="link">The <see cref="Id"/> of an earlier record this one continues, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is empty, too long or not valid Unicode.</exception>
    public HashRecord(string key, Hash256 hash, Hash256? link = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValidKey(key))
        {
            throw new ArgumentException($"A hash-record key is 1 to {MaxKeyLengthBytes} bytes of valid UTF-8.", nameof(key));
        }

        Key = key;
        Hash = hash;
        Link = link;
        Id = MerkleTree.HashLeaf(Canonical.Encode(this));
    }

    /// <summary>The user's key.</summary>
    public string Key { get; }

    /// <summary>The hash of the recorded data.</summary>
    public Hash256 Hash { get; }

    /// <summary>The <see cref="Id"/> of an earlier record this one continues, if any.</summary>
    public Hash256? Link { get; }

    /// <summary>The record's Merkle leaf hash: what the hash-records root commits to and what later records link to.</summary>
    public Hash256 Id { get; }

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(3);
        writer.WriteString(Key);
        writer.WriteHash256(Hash);
        if (Link is { } link)
        {
            writer.WriteHash256(link);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <inheritdoc />
    public static HashRecord Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(3);
        long keyOffset = reader.Consumed;
        string key = reader.ReadString();
        if (!IsValidKey(key))
        {
            throw CanonicalPrimitives.Invalid(keyOffset, "hash-record key");
        }

        var hash = reader.ReadHash256();
        Hash256? link = reader.TryReadNil() ? null : reader.ReadHash256();
        return new HashRecord(key, hash, link);
    }

    private static bool IsValidKey(string key)
    {
        if (key.Length == 0 || key.Length > MaxKeyLengthBytes)
        {
            return false;
        }

        try
        {
            return StrictUtf8.GetByteCount(key) <= MaxKeyLengthBytes;
        }
        catch (EncoderFallbackException)
        {
            return false; // a lone surrogate cannot be UTF-8
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Records are equal when their ids are (the id covers every field).</summary>
    /// <param name="other">The other record.</param>
    /// <returns>Whether they are the same record.</returns>
    public bool Equals(HashRecord? other) => other is not null && Id == other.Id;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as HashRecord);

    /// <inheritdoc />
    public override int GetHashCode() => Id.GetHashCode();
}
