using System.IO.Hashing;
using BenchmarkDotNet.Attributes;
using ChainInterop.Framing;

namespace ChainInterop.Benchmarks;

/// <summary>
/// CRC-32C of one buffer (the checksum of every frame and store record): System.IO.Hashing's
/// <c>Crc32ParameterSet.Crc32C</c> next to our <see cref="Crc32C"/>, at 64 B, 1 KB and 64 KB.
/// </summary>
[BenchmarkCategory("crc")]
public class CrcBenchmarks
{
    private byte[] _data = null!;

    [Params(64, 1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(3720).NextBytes(_data);
        if (SystemIoHashing() != Ours())
        {
            throw new InvalidOperationException("System.IO.Hashing and ours disagree");
        }
    }

    [Benchmark]
    public uint SystemIoHashing() => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, _data);

    [Benchmark(Baseline = true)]
    public uint Ours() => Crc32C.Compute(_data);
}
