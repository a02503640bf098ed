using System.Collections.Frozen;
using ChainInterop.Crypto;

namespace ChainInterop.Blocks;

/// <summary>
/// The validators of one chain, in a fixed order (the order decides primaries: p = v mod N), with the fault
/// tolerance <see cref="FaultTolerance"/> (f) and the quorum arithmetic of BFT consensus (K2).
/// </summary>
/// <remarks>
/// <para>N ≥ 3f + 1 is required. The quorum is ⌈(N + f + 1) / 2⌉, which is exactly 2f + 1 when N = 3f + 1 (the
/// thesis's setting) and stays safe for other N: any two quorums share at least f + 1 validators, so at least one
/// honest validator is in both. (Plain 2f + 1 would not be safe when N &gt; 3f + 1; e.g. N = 5, f = 1: two sets of
/// 3 can share only a single, possibly faulty, validator.)</para>
/// <para>Immutable; safe to share between threads.</para>
/// </remarks>
public sealed class ValidatorSet
{
    /// <summary>The most validators one chain may have.</summary>
    public const int MaxValidators = 1024;

    private readonly PublicKey[] _keys;
    private readonly NodeId[] _ids;
    private readonly FrozenDictionary<NodeId, int> _indexById;

    /// <summary>Creates a validator set.</summary>
    /// <param name="publicKeys">The validators' keys, in primary order.</param>
    /// <param name="faultTolerance">f, the number of Byzantine validators to tolerate; defaults to the largest f with N ≥ 3f + 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="publicKeys"/> is null or holds null.</exception>
    /// <exception cref="ArgumentException">The set is empty, too large, has a repeated key, or N &lt; 3f + 1.</exception>
    public ValidatorSet(IEnumerable<PublicKey> publicKeys, int? faultTolerance = null)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        _keys = [.. publicKeys];
        if (_keys.Length is 0 or > MaxValidators)
        {
            throw new ArgumentException($"A validator set has 1 to {MaxValidators} validators, got {_keys.Length}.", nameof(publicKeys));
        }

        _ids = new NodeId[_keys.Length];
        var index = new Dictionary<NodeId, int>(_keys.Length);
        for (int i = 0; i < _keys.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(_keys[i], nameof(publicKeys));
            _ids[i] = NodeId.FromPublicKey(_keys[i]);
            if (!index.TryAdd(_ids[i], i))
            {
                throw new ArgumentException($"Validator {_ids[i].ToShortString()} appears twice.", nameof(publicKeys));
            }
        }

        _indexById = index.ToFrozenDictionary();
        int n = _keys.Length;
        int f = faultTolerance ?? ((n - 1) / 3);
        if (f < 0 || n < (3 * f) + 1)
        {
            throw new ArgumentException($"{n} validators cannot tolerate {f} faults: N >= 3f + 1 is required.", nameof(faultTolerance));
        }

        FaultTolerance = f;
        Quorum = (n + f + 2) / 2; // ⌈(n + f + 1) / 2⌉
    }

    /// <summary>N, the number of validators.</summary>
    public int Count => _keys.Length;

    /// <summary>f, the number of Byzantine validators the chain tolerates.</summary>
    public int FaultTolerance { get; }

    /// <summary>The votes needed to prepare or commit: ⌈(N + f + 1) / 2⌉ (2f + 1 when N = 3f + 1).</summary>
    public int Quorum { get; }

    /// <summary>f + 1: the matching answers that include at least one honest validator (e.g. a client's matching replies).</summary>
    public int WeakQuorum => FaultTolerance + 1;

    /// <summary>The validators' keys in primary order.</summary>
    public IReadOnlyList<PublicKey> PublicKeys => _keys;

    /// <summary>The validators' node ids in primary order.</summary>
    public IReadOnlyList<NodeId> NodeIds => _ids;

    /// <summary>The position of <paramref name="node"/> in the set.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The 0-based index, or -1 when the node is not a validator.</returns>
    public int IndexOf(NodeId node) => _indexById.TryGetValue(node, out int i) ? i : -1;

    /// <summary>Whether <paramref name="node"/> is a validator.</summary>
    /// <param name="node">The node.</param>
    /// <returns>True for a member.</returns>
    public bool Contains(NodeId node) => _indexById.ContainsKey(node);

    /// <summary>The public key of validator <paramref name="node"/>.</summary>
    /// <param name="node">The node.</param>
    /// <param name="publicKey">Its key when it is a validator.</param>
    /// <returns>Whether the node is a validator.</returns>
    public bool TryGetPublicKey(NodeId node, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PublicKey? publicKey)
    {
        publicKey = _indexById.TryGetValue(node, out int i) ? _keys[i] : null;
        return publicKey is not null;
    }
}
