using ChainInterop;
using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Samples.BankToBank;

/// <summary>
/// Stands in for a chain's consensus in this sample: four validator keys in one process sign every block.
/// (The consensus engines of ChainInterop.Consensus replace this with real PBFT/CBFT replicas.)
/// </summary>
internal sealed class LocalChain : IDisposable
{
    private readonly PrivateKey[] _keys;
    private BlockHeader? _tip;

    public LocalChain(ChainId chainId, BlockHeader? tip = null)
    {
        ChainId = chainId;
        _tip = tip;
        // Deterministic keys so that a restarted sample signs as the same validators.
        _keys = Enumerable.Range(1, 4)
            .Select(i => SignatureSchemes.Ed25519.ImportPrivateKey(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes($"{chainId}/validator/{i}")).ToArray()))
            .ToArray();
        Validators = new ValidatorSet(_keys.Select(k => k.PublicKey));
    }

    public ChainId ChainId { get; }

    public ValidatorSet Validators { get; }

    /// <summary>Builds the next block holding <paramref name="entries"/> and certifies it with a quorum of signatures.</summary>
    public Block Next<T>(long timestampUnixMs, params T[] entries)
        where T : ICanonicalEncodable<T>
    {
        ulong height = _tip is null ? 0 : _tip.Height + 1;
        var proposer = Validators.NodeIds[(int)(height % (ulong)Validators.Count)];
        var block = Block.Create(ChainId, height, _tip?.Hash ?? Hash256.Zero, timestampUnixMs, proposer, view: 0,
            entries.Select(e => (ReadOnlyMemory<byte>)Canonical.Encode(e)));
        _tip = block.Header;
        return block.WithCertificate(CommitCertificate.Sign(block.Header, _keys.Take(Validators.Quorum)));
    }

    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }
}
