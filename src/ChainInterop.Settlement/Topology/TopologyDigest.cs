using System.Buffers;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Settlement.Topology;

/// <summary>How topology records are hashed: SHA-256 of their canonical bytes.</summary>
internal static class TopologyDigest
{
    /// <summary>The digest of <paramref name="value"/>'s canonical encoding.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="value">The record.</param>
    /// <returns>The digest.</returns>
    public static Hash256 Of<T>(T value)
        where T : ICanonicalEncodable<T>
    {
        var buffer = new ArrayBufferWriter<byte>();
        Canonical.Encode(value, buffer);
        return Hash256.Compute(buffer.WrittenSpan);
    }
}
