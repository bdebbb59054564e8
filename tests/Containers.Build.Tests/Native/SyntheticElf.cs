using System.Buffers.Binary;
using System.Text;

namespace Containers.Build.Tests.Native;

/// <summary>
/// A minimal ELF file, as a linker lays one out: the header, program headers (two PT_LOADs that map file offsets to
/// addresses by different amounts, PT_INTERP when there is an interpreter, PT_DYNAMIC), the interpreter's name, the
/// dynamic string table and the dynamic section. <see cref="Build"/> also tells where each part is, for tests that
/// then damage it.
/// </summary>
internal sealed record SyntheticElf
{
    public const uint PtLoad = 1;
    public const uint PtDynamic = 2;
    public const uint PtInterp = 3;
    public const long DtNeeded = 1;
    public const long DtStrtab = 5;
    public const long DtStrsz = 10;
    public const long DtSoname = 14;
    public const long DtRpath = 15;
    public const long DtRunpath = 29;

    /// <summary>Where the first PT_LOAD (headers and interpreter) is mapped.</summary>
    public const ulong FirstLoadAddress = 0x10000;

    /// <summary>Where the second PT_LOAD (string table and dynamic section) is mapped: not the first's offset-to-address distance.</summary>
    public const ulong SecondLoadAddress = 0x7000_0000;

    public bool Is64Bit { get; init; } = true;
    public bool LittleEndian { get; init; } = true;
    public ushort Machine { get; init; } = 62;
    public ushort Type { get; init; } = 3;
    public string? Interpreter { get; init; }
    public IReadOnlyList<string> Needed { get; init; } = [];
    public string? RunPath { get; init; }
    public string? RPath { get; init; }
    public string? Soname { get; init; }

    /// <summary>Zero bytes after the dynamic section, inside the second PT_LOAD: the bulk of a real library, which a reader must not read.</summary>
    public int Padding { get; init; }

    public Built Build()
    {
        var headerSize = Is64Bit ? 64 : 52;
        var programHeaderSize = Is64Bit ? 56 : 32;
        var programHeaderCount = Interpreter is null ? 3 : 4;
        var word = Is64Bit ? 8 : 4;

        var interpreterOffset = headerSize + programHeaderCount * programHeaderSize;
        var interpreterBytes = Interpreter is null ? [] : Encoding.UTF8.GetBytes(Interpreter + "\0");

        var strings = new MemoryStream();
        strings.WriteByte(0);
        ulong Add(string text)
        {
            var at = (ulong)strings.Length;
            strings.Write(Encoding.UTF8.GetBytes(text + "\0"));
            return at;
        }
        var dynamic = new List<(long Tag, ulong Value)>();
        foreach (var name in Needed)
        {
            dynamic.Add((DtNeeded, Add(name)));
        }
        if (RPath is not null)
        {
            dynamic.Add((DtRpath, Add(RPath)));
        }
        if (RunPath is not null)
        {
            dynamic.Add((DtRunpath, Add(RunPath)));
        }
        if (Soname is not null)
        {
            dynamic.Add((DtSoname, Add(Soname)));
        }
        var stringTable = strings.ToArray();

        var stringTableOffset = Align(interpreterOffset + interpreterBytes.Length, 16);
        var stringTableAddress = SecondLoadAddress;
        dynamic.Add((DtStrtab, stringTableAddress));
        dynamic.Add((DtStrsz, (ulong)stringTable.Length));
        dynamic.Add((0, 0));

        var dynamicOffset = Align(stringTableOffset + stringTable.Length, 16);
        var dynamicSize = dynamic.Count * 2 * word;
        var total = dynamicOffset + dynamicSize + Padding;

        var built = new Built(new byte[total], Is64Bit, LittleEndian)
        {
            ProgramHeaderOffset = headerSize,
            ProgramHeaderSize = programHeaderSize,
            DynamicProgramHeader = programHeaderCount - 1,
            InterpreterProgramHeader = Interpreter is null ? -1 : 2,
            DynamicOffset = dynamicOffset,
            StringTableOffset = stringTableOffset,
            PaddingOffset = total - Padding,
        };
        var bytes = built.Bytes;
        bytes[0] = 0x7F;
        bytes[1] = (byte)'E';
        bytes[2] = (byte)'L';
        bytes[3] = (byte)'F';
        bytes[4] = (byte)(Is64Bit ? 2 : 1);
        bytes[5] = (byte)(LittleEndian ? 1 : 2);
        bytes[6] = 1;
        built.SetU16(16, Type);
        built.SetU16(18, Machine);
        built.SetU32(20, 1);
        built.SetWord(Is64Bit ? 32 : 28, (ulong)headerSize);
        built.SetU16(Is64Bit ? 52 : 40, (ushort)headerSize);
        built.SetU16(Is64Bit ? 54 : 42, (ushort)programHeaderSize);
        built.SetU16(Is64Bit ? 56 : 44, (ushort)programHeaderCount);

        built.SetProgramHeader(0, PtLoad, 0, FirstLoadAddress, (ulong)stringTableOffset);
        built.SetProgramHeader(1, PtLoad, (ulong)stringTableOffset, stringTableAddress, (ulong)(total - stringTableOffset));
        if (Interpreter is not null)
        {
            built.SetProgramHeader(2, PtInterp, (ulong)interpreterOffset, FirstLoadAddress + (ulong)interpreterOffset, (ulong)interpreterBytes.Length);
            interpreterBytes.CopyTo(bytes, interpreterOffset);
        }
        built.SetProgramHeader(built.DynamicProgramHeader, PtDynamic, (ulong)dynamicOffset, stringTableAddress + (ulong)(dynamicOffset - stringTableOffset), (ulong)dynamicSize);

        stringTable.CopyTo(bytes, stringTableOffset);
        for (var i = 0; i < dynamic.Count; i++)
        {
            built.SetWord(dynamicOffset + i * 2 * word, (ulong)dynamic[i].Tag);
            built.SetWord(dynamicOffset + i * 2 * word + word, dynamic[i].Value);
        }
        return built;
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;

    /// <summary>The file's bytes, where its parts are, and writers in its byte order for damaging them.</summary>
    internal sealed record Built(byte[] Bytes, bool Is64Bit, bool LittleEndian)
    {
        public int ProgramHeaderOffset { get; init; }
        public int ProgramHeaderSize { get; init; }
        public int DynamicProgramHeader { get; init; }
        public int InterpreterProgramHeader { get; init; }
        public int DynamicOffset { get; init; }
        public int StringTableOffset { get; init; }
        public int PaddingOffset { get; init; }

        public int Word => Is64Bit ? 8 : 4;

        /// <summary>Where e_phoff, e_phentsize and e_phnum are.</summary>
        public int PhoffField => Is64Bit ? 32 : 28;
        public int PhentsizeField => Is64Bit ? 54 : 42;
        public int PhnumField => Is64Bit ? 56 : 44;

        /// <summary>Where p_type of a program header is.</summary>
        public int SegmentTypeField(int index) => ProgramHeaderAt(index);

        public int ProgramHeaderAt(int index) => ProgramHeaderOffset + index * ProgramHeaderSize;

        /// <summary>Where p_offset, p_vaddr and p_filesz of a program header are.</summary>
        public int SegmentOffsetField(int index) => ProgramHeaderAt(index) + (Is64Bit ? 8 : 4);
        public int SegmentAddressField(int index) => ProgramHeaderAt(index) + (Is64Bit ? 16 : 8);
        public int SegmentFileSizeField(int index) => ProgramHeaderAt(index) + (Is64Bit ? 32 : 16);

        /// <summary>The offset of the value of the first dynamic entry with <paramref name="tag"/>.</summary>
        public int DynamicValueOf(long tag)
        {
            for (var at = DynamicOffset; ; at += 2 * Word)
            {
                var current = Is64Bit ? (long)ReadWord(at) : (int)ReadWord(at);
                if (current == tag)
                {
                    return at + Word;
                }
                if (current == 0)
                {
                    throw new InvalidOperationException($"No dynamic entry {tag}.");
                }
            }
        }

        public byte[] Copy() => (byte[])Bytes.Clone();

        public void SetProgramHeader(int index, uint type, ulong offset, ulong address, ulong size)
        {
            var at = ProgramHeaderAt(index);
            SetU32(at, type);
            SetWord(SegmentOffsetField(index), offset);
            SetWord(SegmentAddressField(index), address);
            SetWord(Is64Bit ? at + 24 : at + 12, address);
            SetWord(SegmentFileSizeField(index), size);
            SetWord(Is64Bit ? at + 40 : at + 20, size);
        }

        public void SetU16(int at, ushort value)
        {
            if (LittleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(at), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(Bytes.AsSpan(at), value);
            }
        }

        public void SetU32(int at, uint value)
        {
            if (LittleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan(at), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(Bytes.AsSpan(at), value);
            }
        }

        /// <summary>A word of the file's size: 8 bytes in a 64-bit file, 4 (the low half of <paramref name="value"/>) in a 32-bit one.</summary>
        public void SetWord(int at, ulong value)
        {
            if (!Is64Bit)
            {
                SetU32(at, (uint)value);
            }
            else if (LittleEndian)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(at), value);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(Bytes.AsSpan(at), value);
            }
        }

        public ulong ReadWord(int at) => (Is64Bit, LittleEndian) switch
        {
            (true, true) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes.AsSpan(at)),
            (true, false) => BinaryPrimitives.ReadUInt64BigEndian(Bytes.AsSpan(at)),
            (false, true) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(at)),
            (false, false) => BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan(at)),
        };
    }
}
