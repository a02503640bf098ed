using ChainInterop.Blocks;
using ChainInterop.Codec;
using ChainInterop.Crypto;

namespace ChainInterop.Tests.Blocks;

/// <summary>A small certified chain with deterministic validator keys, for block and certificate tests.</summary>
internal sealed class TestChain : IDisposable
{
    public TestChain(int validatorCount = 4, ISignatureScheme? scheme = null, int? faultTolerance = null, ChainId? chainId = null)
    {
        ChainId = chainId ?? new ChainId("ppc-bank-a");
        scheme ??= SignatureSchemes.Ed25519;
        Keys = Enumerable.Range(0, validatorCount)
            .Select(i => scheme.ImportPrivateKey(Enumerable.Repeat((byte)(i + 1), scheme.PrivateKeySizeBytes).ToArray()))
            .ToArray();
        Validators = new ValidatorSet(Keys.Select(k => k.PublicKey), faultTolerance);
    }

    public ChainId ChainId { get; }

    public PrivateKey[] Keys { get; }

    public ValidatorSet Validators { get; }

    public List<Block> Blocks { get; } = [];

    /// <summary>Appends a block with <paramref name="entryCount"/> entries and <paramref name="recordCount"/> hash records, certified by a quorum.</summary>
    public Block Append(int entryCount = 3, int recordCount = 2)
    {
        ulong height = (ulong)Blocks.Count;
        var entries = Enumerable.Range(0, entryCount)
            .Select(i => (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes($"pay {height}-{i}: bank-a -> bank-b 100.00 CNY"));
        var records = Enumerable.Range(0, recordCount)
            .Select(i => new HashRecord($"doc/{height}/{i}", Hash256.Compute(BitConverter.GetBytes((height * 100) + (ulong)i))));
        return Append(entries, 1_700_000_000_000 + ((long)height * 1000), records);
    }

    /// <summary>Appends a certified block holding <paramref name="entries"/>, proposed at <paramref name="timestampUnixMs"/>.</summary>
    public Block Append(IEnumerable<ReadOnlyMemory<byte>> entries, long timestampUnixMs, IEnumerable<HashRecord>? records = null)
    {
        var previous = Blocks.Count == 0 ? null : Blocks[^1].Header;
        ulong height = previous is null ? 0 : previous.Height + 1;
        var proposer = Validators.NodeIds[(int)(height % (ulong)Validators.Count)];
        var block = Block.Create(ChainId, height, previous?.Hash ?? Hash256.Zero, timestampUnixMs, proposer, view: 0, entries, records);
        var certified = block.WithCertificate(CommitCertificate.Sign(block.Header, Keys.Take(Validators.Quorum)));
        Blocks.Add(certified);
        return certified;
    }

    public byte[][] Encoded() => Blocks.Select(b => Canonical.Encode(b)).ToArray();

    public void Dispose()
    {
        foreach (var key in Keys)
        {
            key.Dispose();
        }
    }
}
