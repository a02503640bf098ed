using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Storage;

/// <summary>
/// A checkpoint of a chain's application state (e.g. the ABC's balances) as of a committed height, so recovery
/// replays only the blocks after it. The block log stays the source of truth: a lost or damaged snapshot only
/// costs a longer replay.
/// </summary>
/// <remarks>Canonical form: <c>[chainId, height, stateHash, state]</c>. <see cref="StateHash"/> must be SHA-256 of <see cref="State"/>.</remarks>
public sealed class StateSnapshot : ICanonicalEncodable<StateSnapshot>
{
    private readonly byte[] _state;

    /// <summary>Creates a snapshot and computes its hash.</summary>
    /// <param name="chainId">The chain.</param>
    /// <param name="height">The height of the last block applied to the state.</param>
    /// <param name="state">The application's serialized state (copied).</param>
    public StateSnapshot(ChainId chainId, ulong height, ReadOnlySpan<byte> state)
        : this(chainId, height, Hash256.Compute(state), state.ToArray())
    {
    }

    private StateSnapshot(ChainId chainId, ulong height, Hash256 stateHash, byte[] state)
    {
        if (chainId.IsDefault)
        {
            throw new ArgumentException("A snapshot needs a chain id.", nameof(chainId));
        }

        ChainId = chainId;
        Height = height;
        StateHash = stateHash;
        _state = state;
    }

    /// <summary>The chain.</summary>
    public ChainId ChainId { get; }

    /// <summary>The height of the last block applied to <see cref="State"/>.</summary>
    public ulong Height { get; }

    /// <summary>SHA-256 of <see cref="State"/>.</summary>
    public Hash256 StateHash { get; }

    /// <summary>The serialized state.</summary>
    public ReadOnlyMemory<byte> State => _state;

    /// <inheritdoc />
    public void Encode(ref CanonicalWriter writer)
    {
        writer.WriteArrayHeader(4);
        writer.WriteChainId(ChainId);
        writer.WriteUInt64(Height);
        writer.WriteHash256(StateHash);
        writer.WriteBinary(_state);
    }

    /// <inheritdoc />
    public static StateSnapshot Decode(ref CanonicalReader reader)
    {
        reader.ReadArrayHeader(4);
        var chainId = reader.ReadChainId();
        ulong height = reader.ReadUInt64();
        long hashOffset = reader.Consumed;
        var hash = reader.ReadHash256();
        var state = reader.ReadBinaryArray();
        if (Hash256.Compute(state) != hash)
        {
            throw new CodecException(CodecError.ValueOutOfRange, hashOffset, "snapshot state does not match its hash");
        }

        return new StateSnapshot(chainId, height, hash, state);
    }
}
