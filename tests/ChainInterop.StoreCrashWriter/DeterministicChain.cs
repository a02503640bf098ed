using ChainInterop.Blocks;
using ChainInterop.Crypto;

namespace ChainInterop.Testing;

/// <summary>
/// Certified blocks whose contents depend only on the chain id, the height and the tip they follow, so a process that
/// restarts from any stored tip produces exactly the blocks a verifier expects (shared by the crash writer and the
/// storage tests).
/// </summary>
internal sealed class DeterministicChain : IDisposable
{
    public DeterministicChain(string chainId = "ppc-crash-writer", int validatorCount = 4)
    {
        ChainId = new ChainId(chainId);
        var scheme = SignatureSchemes.Ed25519;
        Keys = Enumerable.Range(0, validatorCount)
            .Select(i => scheme.ImportPrivateKey(Enumerable.Repeat((byte)(0x40 + i), scheme.PrivateKeySizeBytes).ToArray()))
            .ToArray();
        Validators = new ValidatorSet(Keys.Select(k => k.PublicKey));
    }

    public ChainId ChainId { get; }

    public PrivateKey[] Keys { get; }

    public ValidatorSet Validators { get; }

    /// <summary>The block after <paramref name="tip"/> (genesis when null) with entries of a size derived from the height.</summary>
    public Block Next(BlockHeader? tip, int maxEntryBytes = 600)
    {
        ulong height = tip is null ? 0 : tip.Height + 1;
        // Not string.GetHashCode: .NET seeds it randomly per process, and the crash writer and the verifier are two.
        ulong state = (height * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL
            ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(Hash256.Compute(System.Text.Encoding.UTF8.GetBytes(ChainId.Value)).ToArray());
        int entryCount = 1 + (int)(height % 4);
        var entries = new ReadOnlyMemory<byte>[entryCount];
        for (int i = 0; i < entryCount; i++)
        {
            var bytes = new byte[1 + (int)(Step(ref state) % (ulong)maxEntryBytes)];
            for (int b = 0; b < bytes.Length; b++)
            {
                bytes[b] = (byte)Step(ref state);
            }

            entries[i] = bytes;
        }

        var records = new[] { new HashRecord($"doc/{height}", Hash256.Compute(BitConverter.GetBytes(height))) };
        var proposer = Validators.NodeIds[(int)(height % (ulong)Validators.Count)];
        var block = Block.Create(ChainId, height, tip?.Hash ?? Hash256.Zero, 1_700_000_000_000 + ((long)height * 1000), proposer, 0, entries, records);
        return block.WithCertificate(CommitCertificate.Sign(block.Header, Keys.Take(Validators.Quorum)));
    }

    /// <summary>Blocks after <paramref name="tip"/>.</summary>
    public List<Block> Take(BlockHeader? tip, int count, int maxEntryBytes = 600)
    {
        var blocks = new List<Block>(count);
        for (int i = 0; i < count; i++)
        {
            var block = Next(tip, maxEntryBytes);
            blocks.Add(block);
            tip = block.Header;
        }

        return blocks;
    }

    public void Dispose()
    {
        foreach (var key in Keys)
        {
            key.Dispose();
        }
    }

    private static ulong Step(ref ulong state)
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
}
