using ChainInterop.Framing;
using FsCheck;
using FsCheck.Fluent;

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

    [Fact]
    public void Hardware_and_table_paths_agree_and_appending_composes()
    {
        Prop.ForAll<byte[], byte[]>((a, b) =>
        {
            a ??= [];
            b ??= [];
            byte[] both = [.. a, .. b];
            return Crc32C.Compute(both) == Crc32C.ComputeSoftware(both)
                && Crc32C.Append(Crc32C.Compute(a), b) == Crc32C.Compute(both);
        }).QuickCheckThrowOnFailure();
    }
}
