using System.Buffers.Binary;
using System.Text;

namespace Containers.Build.Native;

/// <summary>
/// What the dynamic loader reads of an ELF file before it runs it: the program interpreter (the loader itself),
/// the libraries it needs (DT_NEEDED) and where it asks for them to be looked up (DT_RUNPATH, or the older DT_RPATH).
/// That is enough to tell, at build time, that a native library in an image will not load there.
/// </summary>
/// <param name="Machine">The raw e_machine; <see cref="Architecture"/> names it the way OCI platforms do.</param>
/// <param name="Interpreter">PT_INTERP: the loader a program asks for (<c>/lib64/ld-linux-x86-64.so.2</c>); null for libraries and static programs.</param>
/// <param name="Needed">The DT_NEEDED sonames, in the order the loader looks them up.</param>
/// <param name="RunPaths">DT_RUNPATH split on ':', or DT_RPATH's when there is no DT_RUNPATH (the loader ignores RPATH then); unexpanded, <c>$ORIGIN</c> kept.</param>
/// <param name="Soname">DT_SONAME: the name other files need this library by; null when it has none.</param>
public sealed record ElfFile(
    bool Is64Bit,
    bool IsLittleEndian,
    ushort Machine,
    ElfType Type,
    string? Interpreter,
    IReadOnlyList<string> Needed,
    IReadOnlyList<string> RunPaths,
    string? Soname)
{
    // Caps on what a hostile or damaged file can make the reader allocate or read; real files stay far below them.
    private const int MaxProgramHeaders = 4096;
    private const int MaxDynamicEntries = 65536;
    private const int MaxStringLength = 4096;

    private const int ElfClass32 = 1;
    private const int ElfClass64 = 2;
    private const int ElfDataLittleEndian = 1;
    private const int ElfDataBigEndian = 2;

    private const uint PtLoad = 1;
    private const uint PtDynamic = 2;
    private const uint PtInterp = 3;

    private const long DtNull = 0;
    private const long DtNeeded = 1;
    private const long DtStrtab = 5;
    private const long DtStrsz = 10;
    private const long DtSoname = 14;
    private const long DtRpath = 15;
    private const long DtRunpath = 29;

    /// <summary>
    /// The OCI architecture the file runs on (amd64, arm64, arm, 386, riscv64, ppc64le, ppc64, s390x, loong64), or null
    /// for any other machine. The word size and byte order must be the ones that architecture uses: an x32 or big-endian
    /// arm64 file has the same e_machine but does not load in an amd64 or arm64 image.
    /// </summary>
    public string? Architecture => Machine switch
    {
        62 when Is64Bit && IsLittleEndian => "amd64",
        183 when Is64Bit && IsLittleEndian => "arm64",
        40 when !Is64Bit && IsLittleEndian => "arm",
        3 when !Is64Bit && IsLittleEndian => "386",
        243 when Is64Bit && IsLittleEndian => "riscv64",
        21 when Is64Bit => IsLittleEndian ? "ppc64le" : "ppc64",
        22 when Is64Bit && !IsLittleEndian => "s390x",
        258 when Is64Bit && IsLittleEndian => "loong64",
        _ => null,
    };

    /// <summary>
    /// The C library the file was linked against, from its loader or its libc's soname: musl's are named
    /// <c>ld-musl-&lt;arch&gt;.so.1</c> and <c>libc.musl-&lt;arch&gt;.so.1</c>, glibc's <c>ld-linux*.so.*</c> and <c>libc.so.6</c>.
    /// </summary>
    public LibcFlavor Libc
    {
        get
        {
            if (Interpreter?.Contains("ld-musl-", StringComparison.Ordinal) == true
                || Needed.Any(name => name.StartsWith("libc.musl-", StringComparison.Ordinal)))
            {
                return LibcFlavor.Musl;
            }
            if (Interpreter?.Contains("ld-linux", StringComparison.Ordinal) == true
                || Needed.Any(name => name == "libc.so.6"))
            {
                return LibcFlavor.Glibc;
            }
            return LibcFlavor.Unknown;
        }
    }

    /// <summary>
    /// Reads the ELF header, the program headers, the dynamic section and the strings it names from a seekable stream,
    /// never the rest of the file. Null when the stream is not ELF, or is truncated or malformed (an offset or size
    /// outside the file, a string table no loaded segment holds, a count past the caps): input never makes this throw.
    /// </summary>
    public static ElfFile? TryRead(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The ELF reader seeks to the parts it reads; the stream must be seekable.", nameof(stream));
        }
        try
        {
            return Read(new Source(stream, stream.Length));
        }
        catch (EndOfStreamException)
        {
            // The stream ended before the length it reported: a file cut short while it was read.
            return null;
        }
    }

    private static ElfFile? Read(Source source)
    {
        var ident = source.ReadAt(0, 16);
        if (ident is null || ident[0] != 0x7F || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
        {
            return null;
        }
        var is64 = ident[4] switch { ElfClass32 => false, ElfClass64 => true, _ => (bool?)null };
        var little = ident[5] switch { ElfDataLittleEndian => true, ElfDataBigEndian => false, _ => (bool?)null };
        if (is64 is null || little is null)
        {
            return null;
        }
        var fields = new Fields(is64.Value, little.Value);
        var header = source.ReadAt(0, is64.Value ? 64UL : 52UL);
        if (header is null)
        {
            return null;
        }
        var type = fields.U16(header, 16) switch
        {
            2 => ElfType.Executable,
            3 => ElfType.SharedObject,
            _ => ElfType.Other,
        };
        var machine = fields.U16(header, 18);

        var segments = ReadSegments(source, fields, header);
        if (segments is null)
        {
            return null;
        }

        string? interpreter = null;
        if (segments.FirstOrDefault(s => s.Type == PtInterp) is { } interp)
        {
            interpreter = source.ReadString(interp.Offset, SafeEnd(interp.Offset, interp.FileSize));
            if (interpreter is null)
            {
                return null;
            }
        }

        var dynamic = segments.FirstOrDefault(s => s.Type == PtDynamic) is { } dynamicSegment
            ? ReadDynamic(source, fields, dynamicSegment, segments)
            : Dynamic.None;
        if (dynamic is null)
        {
            return null;
        }
        return new ElfFile(is64.Value, little.Value, machine, type, interpreter, dynamic.Needed, dynamic.RunPaths, dynamic.Soname);
    }

    private static List<Segment>? ReadSegments(Source source, Fields fields, byte[] header)
    {
        var offset = fields.Is64 ? fields.U64(header, 32) : fields.U32(header, 28);
        var entrySize = fields.U16(header, fields.Is64 ? 54 : 42);
        var count = fields.U16(header, fields.Is64 ? 56 : 44);
        var segments = new List<Segment>();
        if (count == 0)
        {
            return segments;
        }
        // 0xFFFF (PN_XNUM) defers the real count to a section header; it is also past the cap.
        if (count > MaxProgramHeaders || entrySize < (fields.Is64 ? 56 : 32))
        {
            return null;
        }
        var table = source.ReadAt(offset, (ulong)count * entrySize);
        if (table is null)
        {
            return null;
        }
        for (var i = 0; i < count; i++)
        {
            var at = i * entrySize;
            segments.Add(fields.Is64
                ? new Segment(fields.U32(table, at), Offset: fields.U64(table, at + 8), VirtualAddress: fields.U64(table, at + 16), FileSize: fields.U64(table, at + 32))
                : new Segment(fields.U32(table, at), Offset: fields.U32(table, at + 4), VirtualAddress: fields.U32(table, at + 8), FileSize: fields.U32(table, at + 16)));
        }
        return segments;
    }

    private static Dynamic? ReadDynamic(Source source, Fields fields, Segment dynamic, List<Segment> segments)
    {
        var entrySize = fields.Is64 ? 16 : 8;
        var count = dynamic.FileSize / (ulong)entrySize;
        if (count > MaxDynamicEntries)
        {
            return null;
        }
        var table = source.ReadAt(dynamic.Offset, count * (ulong)entrySize);
        if (table is null)
        {
            return null;
        }

        var needed = new List<ulong>();
        var runPaths = new List<ulong>();
        var rPaths = new List<ulong>();
        ulong? soname = null;
        ulong? stringTable = null;
        ulong? stringTableSize = null;
        for (var at = 0; at < table.Length; at += entrySize)
        {
            var tag = fields.Is64 ? (long)fields.U64(table, at) : (int)fields.U32(table, at);
            var value = fields.Is64 ? fields.U64(table, at + 8) : fields.U32(table, at + 4);
            if (tag == DtNull)
            {
                break;
            }
            switch (tag)
            {
                case DtNeeded: needed.Add(value); break;
                case DtRunpath: runPaths.Add(value); break;
                case DtRpath: rPaths.Add(value); break;
                case DtSoname: soname ??= value; break;
                case DtStrtab: stringTable ??= value; break;
                case DtStrsz: stringTableSize ??= value; break;
            }
        }

        var named = runPaths.Count > 0 ? runPaths : rPaths;
        if (needed.Count == 0 && named.Count == 0 && soname is null)
        {
            return Dynamic.None;
        }
        // DT_STRTAB is an address in memory: the file offset is where a loaded segment maps it from.
        if (stringTable is null || MapToFile(stringTable.Value, segments) is not { } tableStart)
        {
            return null;
        }
        var tableEnd = stringTableSize is { } size ? SafeEnd(tableStart, size) : ulong.MaxValue;

        string? StringAt(ulong offset) => offset < tableEnd - tableStart ? source.ReadString(tableStart + offset, tableEnd) : null;

        var neededNames = new List<string>(needed.Count);
        foreach (var offset in needed)
        {
            if (StringAt(offset) is not { } name)
            {
                return null;
            }
            neededNames.Add(name);
        }
        var paths = new List<string>();
        foreach (var offset in named)
        {
            if (StringAt(offset) is not { } list)
            {
                return null;
            }
            paths.AddRange(list.Split(':', StringSplitOptions.RemoveEmptyEntries));
        }
        string? sonameText = null;
        if (soname is { } sonameOffset && (sonameText = StringAt(sonameOffset)) is null)
        {
            return null;
        }
        return new Dynamic(neededNames, paths, sonameText);
    }

    private static ulong? MapToFile(ulong address, List<Segment> segments)
    {
        foreach (var segment in segments)
        {
            if (segment.Type == PtLoad && address >= segment.VirtualAddress && address - segment.VirtualAddress < segment.FileSize)
            {
                var delta = address - segment.VirtualAddress;
                return segment.Offset <= ulong.MaxValue - delta ? segment.Offset + delta : null;
            }
        }
        return null;
    }

    /// <summary>The end of <paramref name="size"/> bytes from <paramref name="start"/>, saturating instead of wrapping.</summary>
    private static ulong SafeEnd(ulong start, ulong size) => start <= ulong.MaxValue - size ? start + size : ulong.MaxValue;

    private sealed record Segment(uint Type, ulong Offset, ulong VirtualAddress, ulong FileSize);

    private sealed record Dynamic(IReadOnlyList<string> Needed, IReadOnlyList<string> RunPaths, string? Soname)
    {
        public static Dynamic None { get; } = new([], [], null);
    }

    /// <summary>Integers of the file's word size and byte order.</summary>
    private readonly record struct Fields(bool Is64, bool IsLittleEndian)
    {
        public ushort U16(byte[] bytes, int at) => IsLittleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at))
            : BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));

        public uint U32(byte[] bytes, int at) => IsLittleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at))
            : BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));

        public ulong U64(byte[] bytes, int at) => IsLittleEndian
            ? BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at))
            : BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(at));
    }

    /// <summary>Reads of the stream that are checked against its length before anything is allocated.</summary>
    private sealed class Source(Stream stream, long length)
    {
        /// <summary><paramref name="count"/> bytes at <paramref name="offset"/>, or null when they are not all in the file.</summary>
        public byte[]? ReadAt(ulong offset, ulong count)
        {
            var fileLength = (ulong)length;
            if (offset > fileLength || count > fileLength - offset)
            {
                return null;
            }
            var bytes = new byte[count];
            stream.Position = (long)offset;
            stream.ReadExactly(bytes);
            return bytes;
        }

        /// <summary>The NUL-terminated UTF-8 string at <paramref name="offset"/> that ends before <paramref name="end"/>; null when it does not, or is longer than the cap.</summary>
        public string? ReadString(ulong offset, ulong end)
        {
            var limit = Math.Min(Math.Min(end, (ulong)length), SafeEnd(offset, MaxStringLength + 1));
            if (offset >= limit)
            {
                return null;
            }
            var bytes = ReadAt(offset, limit - offset);
            var terminator = bytes is null ? -1 : Array.IndexOf(bytes, (byte)0);
            return terminator < 0 ? null : Encoding.UTF8.GetString(bytes!, 0, terminator);
        }
    }
}
