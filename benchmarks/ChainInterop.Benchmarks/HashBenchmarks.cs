using BenchmarkDotNet.Attributes;
using ChainInterop.Crypto;
using ChainInterop.Merkle;

namespace ChainInterop.Benchmarks;

/// <summary>SHA-256 of a 1 KB message and the Merkle root of a 1,000-entry block (C3).</summary>
[MemoryDiagnoser]
[BenchmarkCategory("hashing")]
public class HashBenchmarks
{
    private readonly byte[] _kilobyte = Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray();
    private ReadOnlyMemory<byte>[] _entries = null!;
    private Hash256[] _leafHashes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _entries = Enumerable.Range(0, 1000).Select(i => (ReadOnlyMemory<byte>)_kilobyte.AsMemory(0, 100 + (i % 200))).ToArray();
        _leafHashes = MerkleTree.HashLeaves(_entries);
    }

    [Benchmark]
    public Hash256 Sha256_1KB() => Hash256.Compute(_kilobyte);

    [Benchmark]
    public Hash256 Merkle_root_of_1000_leaf_hashes() => MerkleTree.ComputeRoot(_leafHashes);

    [Benchmark]
    public Hash256 Merkle_root_of_1000_entries_including_leaf_hashing() => MerkleTree.ComputeRoot(_entries);
}
