using System.Text;
using ChainInterop.Crypto;

namespace ChainInterop;

/// <summary>
/// Names a node (a validator of a chain) by its public key: SHA-256("ChainInterop/node-id/v1" ‖ algorithm ‖ key).
/// Two nodes can only share an id by sharing a key, and the algorithm is bound in so that one key byte string under
/// two schemes is two nodes.
/// </summary>
[System.ComponentModel.TypeConverter(typeof(NodeIdTypeConverter))]
public readonly record struct NodeId : IComparable<NodeId>
{
    private static readonly byte[] DomainTag = Encoding.ASCII.GetBytes("ChainInterop/node-id/v1");

    /// <summary>Wraps an already derived id (e.g. when decoding).</summary>
    /// <param name="value">The 32-byte id.</param>
    public NodeId(Hash256 value) => Value = value;

    /// <summary>The 32-byte id.</summary>
    public Hash256 Value { get; }

    /// <summary>Derives the id of the node that holds <paramref name="publicKey"/>.</summary>
    /// <param name="publicKey">The node's public key.</param>
    /// <returns>The node id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="publicKey"/> is null.</exception>
    public static NodeId FromPublicKey(PublicKey publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var key = publicKey.Bytes;
        Span<byte> buffer = stackalloc byte[DomainTag.Length + 1 + key.Length];
        DomainTag.CopyTo(buffer);
        buffer[DomainTag.Length] = (byte)publicKey.Algorithm;
        key.CopyTo(buffer[(DomainTag.Length + 1)..]);
        return new NodeId(Hash256.Compute(buffer));
    }

    /// <inheritdoc />
    public int CompareTo(NodeId other) => Value.CompareTo(other.Value);

    /// <summary>The first 12 hex digits, enough to tell nodes apart in logs.</summary>
    /// <returns>A short id.</returns>
    public string ToShortString() => Value.ToShortString();

    /// <summary>The 64 hex digits of the id.</summary>
    /// <returns>The hex text.</returns>
    public override string ToString() => Value.ToString();
}
