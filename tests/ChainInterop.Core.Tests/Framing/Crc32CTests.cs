using ChainInterop.Framing;
using ChainInterop.Testing;

namespace ChainInterop.Tests.Framing;

public class Crc32CTests
{
    [Fact]
    public void Check_value_of_123456789_is_E3069283_as_in_RFC3720()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void RFC3720_B4_vectors_32_zero_bytes_and_32_ones()
    {
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xff, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Property]
    public bool Hardware_and_table_paths_agree_and_appending_composes(byte[] a, byte[] b)
    {
        byte[] both = [.. a, .. b];
        return Crc32C.Compute(both) == Crc32C.ComputeSoftware(both)
            && Crc32C.Append(Crc32C.Compute(a), b) == Crc32C.Compute(both);
    }

    [Fact]
    public void The_three_lane_path_agrees_with_the_table_at_every_length_around_its_lane_boundaries()
    {
        var random = new Random(3720);
        var data = new byte[(3 * 8192 * 2) + 3 * 256 + 40];
        random.NextBytes(data);
        var lengths = Enumerable.Range(0, 3 * 256 * 2 + 20)
            .Concat(new[] { 3 * 8192 - 1, 3 * 8192, 3 * 8192 + 1, 3 * 8192 + 3 * 256 + 7, 2 * 3 * 8192, data.Length });
        foreach (int length in lengths)
        {
            foreach (int offset in new[] { 0, 1, 5 })
            {
                var slice = data.AsSpan(offset, Math.Min(length, data.Length - offset));
                Assert.Equal(Crc32C.ComputeSoftware(slice), Crc32C.Compute(slice));
            }
        }
    }

    [Fact]
    public void The_carry_less_folding_paths_agree_with_the_table_and_the_crc32_path_at_every_length_to_4096_and_large()
    {
        // Compute folds inputs of 256 bytes and more where AVX-512 has VPCLMULQDQ; the reference values come from
        // the table (up to 4096 bytes) and the three-lane crc32 loop (longer inputs).
        var random = new Random(20090101);
        var data = new byte[(1 << 20) + 300];
        random.NextBytes(data);
        var lengths = Enumerable.Range(0, 4097).Concat(new[] { 8191, 3 * 8192 + 17, 65536, 65547, 100_003, 1 << 20 });
        foreach (int length in lengths)
        {
            foreach (int offset in new[] { 0, 3 })
            {
                var slice = data.AsSpan(offset, length);
                uint expected = length <= 4096 ? Crc32C.ComputeSoftware(slice) : Crc32C.ComputeSse42OrSoftware(slice);
                Assert.Equal(expected, Crc32C.Compute(slice));
            }
        }

        // Large inputs against the table as well (slow, so only a few), and appending across the folding threshold.
        foreach (int length in new[] { 65536 + 11, 1 << 20 })
        {
            Assert.Equal(Crc32C.ComputeSoftware(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
        }

        for (int split = 0; split < 700; split += 7)
        {
            var whole = data.AsSpan(0, 1000);
            Assert.Equal(Crc32C.Compute(whole), Crc32C.Append(Crc32C.Compute(whole[..split]), whole[split..]));
        }
    }

    [Fact]
    public void Agrees_with_System_IO_Hashing_Crc32C_at_every_length_to_4096_and_large()
    {
        // System.IO.Hashing's Castagnoli parameter set (polynomial 0x1EDC6F41 reflected, initial and final xor
        // 0xFFFFFFFF) is the same CRC as ours, implemented independently.
        var random = new Random(14);
        var data = new byte[(1 << 20) + 5];
        random.NextBytes(data);
        foreach (int length in Enumerable.Range(0, 4097).Concat(new[] { 8191, 3 * 8192 + 17, 65536, 100_003, 1 << 20 }))
        {
            var slice = data.AsSpan(5 - (length % 5), length);
            Assert.Equal(System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, slice), Crc32C.Compute(slice));
        }

        Assert.Equal(0xE3069283u, System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, "123456789"u8));
    }

    [Fact]
    public void The_folding_paths_give_the_known_vectors_for_long_inputs()
    {
        // 256+ bytes of zeros, of 0xff and of a counter: the table is the reference.
        foreach (var input in new[] { new byte[4096], Enumerable.Repeat((byte)0xff, 300).ToArray(), Enumerable.Range(0, 1024).Select(i => (byte)i).ToArray() })
        {
            Assert.Equal(Crc32C.ComputeSoftware(input), Crc32C.Compute(input));
        }
    }
}
