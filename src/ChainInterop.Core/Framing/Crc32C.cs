using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace ChainInterop.Framing;

/// <summary>
/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected as 0x82F63B78), the checksum of iSCSI, ext4 and most
/// write-ahead logs. Uses the SSE4.2 or ARMv8 CRC instructions when present and a table otherwise; all paths give
/// the same value.
/// </summary>
/// <remarks>
/// Our own rather than System.IO.Hashing's <c>Crc32ParameterSet.Crc32C</c>: measured in the same runs (issue 14,
/// docs/BENCHMARKS.md), System.IO.Hashing 11.0.0 took 1.8× our time at 64 B and 1 KB and 2.0× at 64 KB on this
/// project's machine (AVX-512); without AVX-512 the two are at parity from 1 KB up. Internal: only the frame codec,
/// the store and the transport use it.
/// </remarks>
internal static class Crc32C
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
            if (data.Length >= FoldMinBytes && Vector512Folding)
            {
                state = AppendFolding(state, data);
            }
            else
            {
                state = AppendSse42(state, data);
            }
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

    /// <summary>Inputs at least this long are folded with carry-less multiplication (when available).</summary>
    private const int FoldMinBytes = 256;

    /// <summary>
    /// Whether the folding path runs: it needs VPCLMULQDQ on 512-bit registers (AVX-512). A 128-bit PCLMULQDQ fold
    /// was measured at about half the speed of the three-lane crc32 loop on this project's machine (10 vs 18 GB/s),
    /// so without AVX-512 the crc32 loop stays.
    /// </summary>
    private static readonly bool Vector512Folding = Pclmulqdq.V512.IsSupported && Avx512F.IsSupported;

    // Folding constants: folding a 128-bit block over D bits multiplies its first 8 bytes by x^(D+63) mod P and its
    // last 8 by x^(D-1) mod P (bit-reflected; the extra x of a reflected carry-less product is absorbed here).
    private static readonly Vector128<ulong> Fold128 = FoldConstants(128);
    private static readonly Vector128<ulong> Fold256 = FoldConstants(256);
    private static readonly Vector128<ulong> Fold384 = FoldConstants(384);
    private static readonly Vector128<ulong> Fold512 = FoldConstants(512);
    private static readonly Vector128<ulong> Fold1024 = FoldConstants(1024);
    private static readonly Vector128<ulong> Fold1536 = FoldConstants(1536);
    private static readonly Vector128<ulong> Fold2048 = FoldConstants(2048);

    /// <summary>
    /// The x64 path for inputs of <see cref="FoldMinBytes"/> or more with AVX-512: carry-less multiplication folds
    /// 16-byte blocks onto later ones (Intel, "Fast CRC computation for generic polynomials using PCLMULQDQ", 2009),
    /// with VPCLMULQDQ on four 512-bit registers of four blocks each (256 bytes a step), then the 16 lanes onto one.
    /// The last 16-byte accumulator is reduced with two crc32 instructions (it equals the remainder of everything
    /// folded so far), and the tail of under 16 bytes goes through <see cref="AppendSse42"/>.
    /// </summary>
    /// <remarks>Compiled fully optimized at once: unoptimized (tier-0) code would call every fold and vector helper
    /// out of line, several times slower, for as long as tiering takes under load.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint AppendFolding(uint state, ReadOnlySpan<byte> data)
    {
        ref byte next = ref MemoryMarshal.GetReference(data);
        nuint left = (nuint)data.Length;
        // 256 bytes or more (FoldMinBytes): four 64-byte registers to start.
        var y0 = Vector512.LoadUnsafe(ref next).AsUInt64() ^ Vector512.CreateScalar(state).AsUInt64();
        var y1 = Vector512.LoadUnsafe(ref next, 64).AsUInt64();
        var y2 = Vector512.LoadUnsafe(ref next, 128).AsUInt64();
        var y3 = Vector512.LoadUnsafe(ref next, 192).AsUInt64();
        next = ref Unsafe.Add(ref next, 256);
        left -= 256;
        var k = Vector512.Create(Fold2048);
        while (left >= 256)
        {
            y0 = Fold(y0, k, Vector512.LoadUnsafe(ref next).AsUInt64());
            y1 = Fold(y1, k, Vector512.LoadUnsafe(ref next, 64).AsUInt64());
            y2 = Fold(y2, k, Vector512.LoadUnsafe(ref next, 128).AsUInt64());
            y3 = Fold(y3, k, Vector512.LoadUnsafe(ref next, 192).AsUInt64());
            next = ref Unsafe.Add(ref next, 256);
            left -= 256;
        }

        var y = Fold(y0, Vector512.Create(Fold1536), Fold(y1, Vector512.Create(Fold1024), Fold(y2, Vector512.Create(Fold512), y3)));
        var x = Fold(y.GetLower().GetLower(), Fold384, Fold(y.GetLower().GetUpper(), Fold256, Fold(y.GetUpper().GetLower(), Fold128, y.GetUpper().GetUpper())));

        while (left >= 16)
        {
            x = Fold(x, Fold128, Vector128.LoadUnsafe(ref next).AsUInt64());
            next = ref Unsafe.Add(ref next, 16);
            left -= 16;
        }

        ulong reduced = Sse42.X64.Crc32(Sse42.X64.Crc32(0UL, x.GetElement(0)), x.GetElement(1));
        return AppendSse42((uint)reduced, MemoryMarshal.CreateReadOnlySpan(ref next, (int)left));
    }

    /// <summary>(<paramref name="x"/> moved over the distance of <paramref name="k"/>) xor <paramref name="later"/>, per 128-bit lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k, Vector128<ulong> later) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11) ^ later;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold(Vector512<ulong> x, Vector512<ulong> k, Vector512<ulong> later) =>
        Avx512F.TernaryLogic(Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00), Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11), later, 0x96);

    /// <summary>The constants that fold a 16-byte block over <paramref name="distanceBits"/> bits.</summary>
    private static Vector128<ulong> FoldConstants(int distanceBits) =>
        Vector128.Create(ReflectedPowerMod(distanceBits + 63), ReflectedPowerMod(distanceBits - 1));

    /// <summary>x^<paramref name="n"/> mod P, bit-reflected into the top 32 bits of a 64-bit lane (degree d at bit 63 − d).</summary>
    private static ulong ReflectedPowerMod(int n)
    {
        ulong r = 1; // x^0, in normal (not reflected) bit order
        for (int i = 0; i < n; i++)
        {
            r <<= 1;
            if ((r & 0x1_0000_0000UL) != 0)
            {
                r ^= 0x1_1EDC6F41UL;
            }
        }

        uint reflected = 0;
        for (int bit = 0; bit < 32; bit++)
        {
            reflected |= (uint)((r >> bit) & 1) << (31 - bit);
        }

        return (ulong)reflected << 32;
    }

    /// <summary>Whether <see cref="Compute"/> folds inputs of 256 bytes or more on this machine (for tests and benchmarks).</summary>
    internal static bool UsesFolding => Sse42.X64.IsSupported && Vector512Folding;

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

    /// <summary>The three-lane crc32 path (the table where SSE4.2 is missing), for tests of the folding path.</summary>
    internal static uint ComputeSse42OrSoftware(ReadOnlySpan<byte> data) => Sse42.X64.IsSupported ? ~AppendSse42(~0u, data) : ComputeSoftware(data);

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
