using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ChainInterop.Framing;

/// <summary>
/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected as 0x82F63B78), the checksum of iSCSI, ext4 and most
/// write-ahead logs. Uses the SSE4.2 or ARMv8 CRC instructions when present and a table otherwise; all paths give
/// the same value. (System.IO.Hashing is not on this machine's package feed, hence our own.)
/// </summary>
public static class Crc32C
{
    private const uint ReflectedPolynomial = 0x82F63B78;

    /// <summary>Lane length of the three-lane path for long inputs, in bytes.</summary>
    private const int LongLaneBytes = 8192;

    /// <summary>Lane length of the three-lane path for medium inputs, in bytes.</summary>
    private const int ShortLaneBytes = 256;

    private static readonly uint[] Table = CreateTable();
    private static readonly uint[] LongLaneZeros = ZerosTables(LongLaneBytes);
    private static readonly uint[] ShortLaneZeros = ZerosTables(ShortLaneBytes);

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The checksum (e.g. 0xE3069283 for the ASCII bytes "123456789").</returns>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a checksum: <c>Append(Compute(a), b) == Compute(a ‖ b)</c>.</summary>
    /// <param name="crc">The checksum of the bytes so far (0 for none).</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The checksum of everything.</returns>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        if (Sse42.X64.IsSupported)
        {
            state = AppendSse42(state, data);
        }
        else if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = Crc32.Arm64.ComputeCrc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            foreach (byte b in data)
            {
                state = Crc32.ComputeCrc32C(state, b);
            }
        }
        else
        {
            state = AppendSoftware(state, data);
        }

        return ~state;
    }

    /// <summary>
    /// The x64 path. The crc32 instruction has a latency of about three cycles but a throughput of one per cycle, so
    /// one dependent chain runs at a third of the possible speed. Long inputs are therefore cut into three lanes
    /// checksummed at once, and the lanes are joined by shifting the earlier lanes' registers over the later lanes'
    /// length with precomputed "append n zero bytes" operators (the method of Mark Adler's crc32c.c).
    /// </summary>
    private static uint AppendSse42(uint state, ReadOnlySpan<byte> data)
    {
        ulong crc0 = state;
        ref byte next = ref MemoryMarshal.GetReference(data);
        nuint left = (nuint)data.Length;
        while (left >= 3 * LongLaneBytes)
        {
            ulong crc1 = 0, crc2 = 0;
            for (nuint i = 0; i < LongLaneBytes; i += 8)
            {
                crc0 = Sse42.X64.Crc32(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i)));
                crc1 = Sse42.X64.Crc32(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i + LongLaneBytes)));
                crc2 = Sse42.X64.Crc32(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i + (2 * LongLaneBytes))));
            }

            crc0 = Shift(LongLaneZeros, (uint)crc0) ^ crc1;
            crc0 = Shift(LongLaneZeros, (uint)crc0) ^ crc2;
            next = ref Unsafe.Add(ref next, 3 * LongLaneBytes);
            left -= 3 * LongLaneBytes;
        }

        while (left >= 3 * ShortLaneBytes)
        {
            ulong crc1 = 0, crc2 = 0;
            for (nuint i = 0; i < ShortLaneBytes; i += 8)
            {
                crc0 = Sse42.X64.Crc32(crc0, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i)));
                crc1 = Sse42.X64.Crc32(crc1, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i + ShortLaneBytes)));
                crc2 = Sse42.X64.Crc32(crc2, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref next, i + (2 * ShortLaneBytes))));
            }

            crc0 = Shift(ShortLaneZeros, (uint)crc0) ^ crc1;
            crc0 = Shift(ShortLaneZeros, (uint)crc0) ^ crc2;
            next = ref Unsafe.Add(ref next, 3 * ShortLaneBytes);
            left -= 3 * ShortLaneBytes;
        }

        while (left >= 8)
        {
            crc0 = Sse42.X64.Crc32(crc0, Unsafe.ReadUnaligned<ulong>(ref next));
            next = ref Unsafe.Add(ref next, 8);
            left -= 8;
        }

        uint result = (uint)crc0;
        while (left > 0)
        {
            result = Sse42.Crc32(result, next);
            next = ref Unsafe.Add(ref next, 1);
            left--;
        }

        return result;
    }

    /// <summary>Applies a precomputed zeros operator to a CRC register, one byte of the register per table.</summary>
    private static uint Shift(uint[] zeros, uint crc) =>
        zeros[crc & 0xff] ^ zeros[256 + ((crc >> 8) & 0xff)] ^ zeros[512 + ((crc >> 16) & 0xff)] ^ zeros[768 + (crc >> 24)];

    /// <summary>Four 256-entry tables that append <paramref name="length"/> zero bytes to a CRC register.</summary>
    private static uint[] ZerosTables(int length)
    {
        // The operator for one zero bit, as a 32×32 matrix over GF(2) (column n = image of bit n), squared up to
        // the operator for length·8 zero bits.
        var odd = new uint[32];
        var even = new uint[32];
        odd[0] = ReflectedPolynomial;
        uint row = 1;
        for (int n = 1; n < 32; n++)
        {
            odd[n] = row;
            row <<= 1;
        }

        Square(even, odd); // 2 zero bits
        Square(odd, even); // 4 zero bits
        var op = odd;
        for (int len = length; ;)
        {
            Square(even, odd); // each pass doubles: first 8 bits = 1 byte
            len >>= 1;
            if (len == 0)
            {
                op = even;
                break;
            }

            Square(odd, even);
            len >>= 1;
            if (len == 0)
            {
                op = odd;
                break;
            }
        }

        var tables = new uint[4 * 256];
        for (uint n = 0; n < 256; n++)
        {
            tables[n] = Times(op, n);
            tables[256 + n] = Times(op, n << 8);
            tables[512 + n] = Times(op, n << 16);
            tables[768 + n] = Times(op, n << 24);
        }

        return tables;

        static uint Times(uint[] matrix, uint vector)
        {
            uint sum = 0;
            for (int i = 0; vector != 0; i++, vector >>= 1)
            {
                if ((vector & 1) != 0)
                {
                    sum ^= matrix[i];
                }
            }

            return sum;
        }

        static void Square(uint[] square, uint[] matrix)
        {
            for (int n = 0; n < 32; n++)
            {
                square[n] = Times(matrix, matrix[n]);
            }
        }
    }

    /// <summary>The table-driven path, exposed to tests so it can be checked against the hardware path.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~AppendSoftware(~0u, data);

    private static uint AppendSoftware(uint state, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            state = Table[(state ^ b) & 0xff] ^ (state >> 8);
        }

        return state;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
