using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Containers.Build.Layers;

/// <summary>
/// CRC-32 as gzip's trailer carries it (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final value
/// all ones), and <see cref="Combine"/>, which joins the CRCs of two adjacent pieces without their bytes: the
/// parallel gzip writer checksums its blocks on the workers and joins the results in order. On x86 with carry-less
/// multiplication (every x86-64 CPU since 2010) runs of 64 bytes and more are folded 64 bytes a step, as zlib and
/// Linux do (Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"), about five times the speed of
/// slicing-by-8, which does the rest and every other CPU: the layer writer checksums every byte of every layer.
/// </summary>
public static class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    // Tables[k][b]: the CRC contribution of byte b followed by k zero bytes; eight of them let one step take 8 bytes.
    private static readonly uint[][] Tables = BuildTables();

    // PowersOfX[n] = x^(2^n) mod P, for Combine's shift of a CRC by a number of zero bits.
    private static readonly uint[] PowersOfX = BuildPowers();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>The CRC-32 of the bytes whose CRC is <paramref name="crc"/>, followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var c = ~crc;
        // Pclmulqdq implies SSE2, which the fold's shifts use.
        if (Pclmulqdq.IsSupported && data.Length >= 64)
        {
            var folded = data.Length & ~15;
            c = Fold(c, data[..folded]);
            data = data[folded..];
        }
        return ~AppendSlicing(c, data);
    }

    /// <summary>Slicing-by-8 alone, whatever the CPU (for tests: the folding must agree with it).</summary>
    internal static uint AppendPortable(uint crc, ReadOnlySpan<byte> data) => ~AppendSlicing(~crc, data);

    // The CRC register (not inverted) after data, eight bytes a step.
    private static uint AppendSlicing(uint c, ReadOnlySpan<byte> data)
    {
        var t0 = Tables[0];
        var t1 = Tables[1];
        var t2 = Tables[2];
        var t3 = Tables[3];
        var t4 = Tables[4];
        var t5 = Tables[5];
        var t6 = Tables[6];
        var t7 = Tables[7];
        while (data.Length >= 8)
        {
            var low = c ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data);
            var high = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t7[low & 0xFF] ^ t6[(low >> 8) & 0xFF] ^ t5[(low >> 16) & 0xFF] ^ t4[low >> 24]
                ^ t3[high & 0xFF] ^ t2[(high >> 8) & 0xFF] ^ t1[(high >> 16) & 0xFF] ^ t0[high >> 24];
            data = data[8..];
        }
        foreach (var b in data)
        {
            c = t0[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c;
    }

    // The fold's constants for the reflected polynomial (Intel's paper; zlib's crc32_simd.c and Linux's
    // crc32-pclmul use the same): x^(4·128±32) and x^(128±32) mod P, x^64 mod P, and P and Barrett's μ.
    private static readonly Vector128<ulong> FoldBy4 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
    private static readonly Vector128<ulong> FoldBy1 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
    private static readonly Vector128<ulong> Fold64 = Vector128.Create(0x0163cd6124UL, 0UL);
    private static readonly Vector128<ulong> PolynomialAndMu = Vector128.Create(0x01db710641UL, 0x01f7011641UL);

    // The CRC register after data, whose length is a multiple of 16 and at least 64: four 128-bit lanes are folded
    // forward 64 bytes a step, then into one, which is reduced to 64 bits and then, by Barrett's method, to 32.
    private static uint Fold(uint c, ReadOnlySpan<byte> data)
    {
        var x1 = Load(data, 0) ^ Vector128.CreateScalar(c).AsUInt64();
        var x2 = Load(data, 16);
        var x3 = Load(data, 32);
        var x4 = Load(data, 48);
        var offset = 64;
        for (; data.Length - offset >= 64; offset += 64)
        {
            x1 = FoldInto(x1, FoldBy4, Load(data, offset));
            x2 = FoldInto(x2, FoldBy4, Load(data, offset + 16));
            x3 = FoldInto(x3, FoldBy4, Load(data, offset + 32));
            x4 = FoldInto(x4, FoldBy4, Load(data, offset + 48));
        }
        x1 = FoldInto(x1, FoldBy1, x2);
        x1 = FoldInto(x1, FoldBy1, x3);
        x1 = FoldInto(x1, FoldBy1, x4);
        for (; data.Length - offset >= 16; offset += 16)
        {
            x1 = FoldInto(x1, FoldBy1, Load(data, offset));
        }

        // 128 bits to 64.
        var low32 = Vector128.Create(~0u, 0u, ~0u, 0u).AsUInt64();
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ Pclmulqdq.CarrylessMultiply(x1, FoldBy1, 0x10);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & low32, Fold64, 0x00) ^ Sse2.ShiftRightLogical128BitLane(x1, 4);

        // Barrett's reduction to 32 bits.
        var t = Pclmulqdq.CarrylessMultiply(x1 & low32, PolynomialAndMu, 0x10) & low32;
        x1 ^= Pclmulqdq.CarrylessMultiply(t, PolynomialAndMu, 0x00);
        return x1.AsUInt32().GetElement(1);
    }

    // Sixteen bytes from offset; the callers keep within data.
    private static Vector128<ulong> Load(ReadOnlySpan<byte> data, int offset)
        => Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(data), (nuint)offset).AsUInt64();

    // x carried 128 bits further (its halves times the constants' halves), plus the next 16 bytes.
    private static Vector128<ulong> FoldInto(Vector128<ulong> x, Vector128<ulong> constants, Vector128<ulong> next)
        => Pclmulqdq.CarrylessMultiply(x, constants, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, constants, 0x11) ^ next;

    /// <summary>
    /// The CRC-32 of A followed by B, from A's CRC, B's CRC and B's length: A's CRC shifted over B's length in
    /// zero bits (a multiplication by x^(8·length) modulo the polynomial), then B's added.
    /// </summary>
    public static uint Combine(uint first, uint second, long secondLength)
        => MultiplyModP(XPowerModP(secondLength, 3), first) ^ second;

    // a·b modulo the polynomial, in the reflected bit order CRCs use (bit 31 is x^0).
    private static uint MultiplyModP(uint a, uint b)
    {
        var m = 1u << 31;
        var product = 0u;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                {
                    return product;
                }
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
    }

    // x^(n·2^k) modulo the polynomial.
    private static uint XPowerModP(long n, int k)
    {
        var p = 1u << 31; // x^0
        while (n != 0)
        {
            if ((n & 1) != 0)
            {
                p = MultiplyModP(PowersOfX[k & 31], p);
            }
            n >>= 1;
            k++;
        }
        return p;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        for (var k = 0; k < 8; k++)
        {
            tables[k] = new uint[256];
        }
        for (uint b = 0; b < 256; b++)
        {
            var c = b;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }
            tables[0][b] = c;
        }
        for (var b = 0; b < 256; b++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = tables[k - 1][b];
                tables[k][b] = tables[0][previous & 0xFF] ^ (previous >> 8);
            }
        }
        return tables;
    }

    private static uint[] BuildPowers()
    {
        var powers = new uint[32];
        var p = 1u << 30; // x^1
        powers[0] = p;
        for (var n = 1; n < 32; n++)
        {
            powers[n] = p = MultiplyModP(p, p);
        }
        return powers;
    }
}
