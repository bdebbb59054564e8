namespace Containers.Build.Layers;

/// <summary>
/// CRC-32 as gzip's trailer carries it (ISO-HDLC: reflected polynomial 0xEDB88320, initial and final value
/// all ones), computed slicing-by-8, and <see cref="Combine"/>, which joins the CRCs of two adjacent pieces
/// without their bytes: the parallel gzip writer checksums its blocks on the workers and joins the results in order.
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
        return ~c;
    }

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
