using Containers.Build.Model;
using Containers.Build.Native;

namespace Containers.Build.Tests.Native;

public class ElfFileTests
{
    private static ElfFile? Read(byte[] bytes) => ElfFile.TryRead(new MemoryStream(bytes, writable: false));

    private static ElfFile ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return ElfFile.TryRead(stream) ?? throw new InvalidOperationException($"{path} was not read as ELF.");
    }

    private static SyntheticElf Library => new()
    {
        Interpreter = "/lib64/ld-linux-x86-64.so.2",
        Needed = ["libfontconfig.so.1", "libm.so.6", "libc.so.6"],
        RunPath = "$ORIGIN:/opt/skia/lib",
        Soname = "libSkiaSharp.so",
    };

    [Fact]
    public void This_machines_ls_is_a_program_that_asks_for_the_glibc_loader()
    {
        var ls = ReadFile("/bin/ls");

        Assert.Contains(ls.Type, new[] { ElfType.Executable, ElfType.SharedObject });
        Assert.True(ls.Is64Bit);
        Assert.True(ls.IsLittleEndian);
        Assert.Equal(Platform.Host.Architecture, ls.Architecture);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", ls.Interpreter);
        Assert.Contains("libc.so.6", ls.Needed);
        Assert.Null(ls.Soname);
        Assert.Equal(LibcFlavor.Glibc, ls.Libc);
    }

    [Fact]
    public void A_system_library_names_itself_and_has_no_interpreter()
    {
        var zlib = new[] { "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1", "/lib/libz.so.1" }
            .First(File.Exists);
        var library = ReadFile(zlib);

        Assert.Equal(ElfType.SharedObject, library.Type);
        Assert.Equal("libz.so.1", library.Soname);
        Assert.Null(library.Interpreter);
        Assert.Contains("libc.so.6", library.Needed);
        Assert.Equal(LibcFlavor.Glibc, library.Libc);
    }

    [Fact]
    public void The_dotnet_runtimes_jit_needs_the_cpp_runtime_and_has_no_run_path()
    {
        // The runtime this test runs on: libclrjit.so sits next to System.Private.CoreLib.dll.
        var jit = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "libclrjit.so");
        var library = ReadFile(jit);

        Assert.Equal(ElfType.SharedObject, library.Type);
        Assert.Equal("libclrjit.so", library.Soname);
        Assert.Contains("libstdc++.so.6", library.Needed);
        Assert.Contains("libc.so.6", library.Needed);
        Assert.Empty(library.RunPaths);
        Assert.Equal(Platform.Host.Architecture, library.Architecture);
    }

    [Fact]
    public void A_64_bit_little_endian_library_is_read_whole()
    {
        var file = Read(Library.Build().Bytes)!;

        Assert.True(file.Is64Bit);
        Assert.True(file.IsLittleEndian);
        Assert.Equal(62, file.Machine);
        Assert.Equal("amd64", file.Architecture);
        Assert.Equal(ElfType.SharedObject, file.Type);
        Assert.Equal("/lib64/ld-linux-x86-64.so.2", file.Interpreter);
        Assert.Equal(["libfontconfig.so.1", "libm.so.6", "libc.so.6"], file.Needed);
        Assert.Equal(["$ORIGIN", "/opt/skia/lib"], file.RunPaths);
        Assert.Equal("libSkiaSharp.so", file.Soname);
        Assert.Equal(LibcFlavor.Glibc, file.Libc);
    }

    [Fact]
    public void A_32_bit_big_endian_program_is_read_in_its_byte_order()
    {
        var file = Read(new SyntheticElf
        {
            Is64Bit = false,
            LittleEndian = false,
            Machine = 20,
            Type = 2,
            Interpreter = "/lib/ld.so.1",
            Needed = ["libz.so.1", "libc.so.6"],
            RPath = "/usr/local/lib",
        }.Build().Bytes)!;

        Assert.False(file.Is64Bit);
        Assert.False(file.IsLittleEndian);
        Assert.Equal(20, file.Machine);
        Assert.Null(file.Architecture);
        Assert.Equal(ElfType.Executable, file.Type);
        Assert.Equal("/lib/ld.so.1", file.Interpreter);
        Assert.Equal(["libz.so.1", "libc.so.6"], file.Needed);
        Assert.Equal(["/usr/local/lib"], file.RunPaths);
        Assert.Null(file.Soname);
    }

    [Fact]
    public void A_64_bit_big_endian_file_is_read_too()
    {
        var file = Read(new SyntheticElf { LittleEndian = false, Machine = 22, Needed = ["libc.so.6"] }.Build().Bytes)!;

        Assert.Equal("s390x", file.Architecture);
        Assert.Equal(["libc.so.6"], file.Needed);
    }

    [Fact]
    public void Runpath_wins_over_rpath_and_rpath_counts_without_it()
    {
        var both = Read((Library with { RPath = "/old/rpath", RunPath = "/new/runpath::$ORIGIN/../lib" }).Build().Bytes)!;
        var rpathOnly = Read((Library with { RPath = "/old/rpath:$ORIGIN", RunPath = null }).Build().Bytes)!;
        var neither = Read((Library with { RunPath = null }).Build().Bytes)!;

        Assert.Equal(["/new/runpath", "$ORIGIN/../lib"], both.RunPaths);
        Assert.Equal(["/old/rpath", "$ORIGIN"], rpathOnly.RunPaths);
        Assert.Empty(neither.RunPaths);
    }

    [Fact]
    public void A_static_program_has_no_interpreter_and_needs_nothing()
    {
        var file = Read(new SyntheticElf { Type = 2 }.Build().Bytes)!;

        Assert.Null(file.Interpreter);
        Assert.Empty(file.Needed);
        Assert.Equal(LibcFlavor.Unknown, file.Libc);
    }

    [Fact]
    public void Musl_is_told_by_its_loader_or_by_its_libc_soname()
    {
        var program = Read(new SyntheticElf { Interpreter = "/lib/ld-musl-x86_64.so.1", Needed = ["libc.musl-x86_64.so.1"] }.Build().Bytes)!;
        var library = Read(new SyntheticElf { Needed = ["libstdc++.so.6", "libc.musl-x86_64.so.1"] }.Build().Bytes)!;
        var glibcLibrary = Read(new SyntheticElf { Needed = ["libstdc++.so.6", "libc.so.6"] }.Build().Bytes)!;
        var neither = Read(new SyntheticElf { Needed = ["libstdc++.so.6"] }.Build().Bytes)!;

        Assert.Equal(LibcFlavor.Musl, program.Libc);
        Assert.Equal(LibcFlavor.Musl, library.Libc);
        Assert.Equal(LibcFlavor.Glibc, glibcLibrary.Libc);
        Assert.Equal(LibcFlavor.Unknown, neither.Libc);
    }

    [Theory]
    [InlineData(62, true, true, "amd64")]
    [InlineData(62, false, true, null)]
    [InlineData(183, true, true, "arm64")]
    [InlineData(183, true, false, null)]
    [InlineData(40, false, true, "arm")]
    [InlineData(3, false, true, "386")]
    [InlineData(243, true, true, "riscv64")]
    [InlineData(21, true, true, "ppc64le")]
    [InlineData(21, true, false, "ppc64")]
    [InlineData(22, true, false, "s390x")]
    [InlineData(258, true, true, "loong64")]
    [InlineData(8, false, false, null)]
    public void The_machine_is_named_as_OCI_names_architectures(ushort machine, bool is64Bit, bool littleEndian, string? architecture)
    {
        var file = new ElfFile(is64Bit, littleEndian, machine, ElfType.SharedObject, null, [], [], null);

        Assert.Equal(architecture, file.Architecture);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x7F, (byte)'E', (byte)'L' })]
    [InlineData(new byte[] { (byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0 })]
    [InlineData(new byte[] { (byte)'#', (byte)'!', (byte)'/', (byte)'b', (byte)'i', (byte)'n', (byte)'/', (byte)'s', (byte)'h', (byte)'\n' })]
    public void What_is_not_ELF_is_null(byte[] bytes)
    {
        Assert.Null(Read(bytes));
    }

    [Fact]
    public void A_file_with_an_unknown_class_or_byte_order_is_null()
    {
        var badClass = Library.Build().Copy();
        badClass[4] = 3;
        var badOrder = Library.Build().Copy();
        badOrder[5] = 0;

        Assert.Null(Read(badClass));
        Assert.Null(Read(badOrder));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void A_file_cut_short_anywhere_is_null_or_whole_and_never_throws(bool is64Bit, bool littleEndian)
    {
        var bytes = (Library with { Is64Bit = is64Bit, LittleEndian = littleEndian }).Build().Bytes;
        var whole = Read(bytes)!;

        for (var length = 0; length < bytes.Length; length++)
        {
            var file = Read(bytes[..length]);
            if (file is not null)
            {
                Assert.Equal(whole.Needed, file.Needed);
                Assert.Equal(whole.Interpreter, file.Interpreter);
            }
        }
        // The dynamic section ends the file: any cut loses part of what it names.
        Assert.Null(Read(bytes[..^1]));
    }

    [Fact]
    public void A_stream_that_ends_before_its_length_is_null()
    {
        var bytes = Library.Build().Bytes;

        Assert.Null(ElfFile.TryRead(new LyingLengthStream(bytes[..(bytes.Length / 2)], bytes.Length)));
    }

    public static TheoryData<string> Damages => new()
    {
        "program headers past the end",
        "program header offset that wraps around",
        "more program headers than the cap",
        "program headers too small",
        "interpreter past the end",
        "interpreter without its terminator",
        "dynamic section past the end",
        "dynamic section larger than the cap",
        "string table at an address no segment loads",
        "string table in a segment that is not loaded",
        "string table segment at an offset that wraps around",
        "needed name past the string table",
        "string table size cut before the last name ends",
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Hostile_offsets_and_counts_are_null(string damage)
    {
        var built = Library.Build();
        var bytes = Damage(built, damage);

        Assert.NotNull(Read(built.Bytes));
        Assert.Null(Read(bytes));
    }

    private static byte[] Damage(SyntheticElf.Built original, string damage)
    {
        var copy = original.Copy();
        var damaged = original with { Bytes = copy };
        var dynamic = damaged.DynamicProgramHeader;
        var interpreter = damaged.InterpreterProgramHeader;
        switch (damage)
        {
            case "program headers past the end": damaged.SetWord(damaged.PhoffField, (ulong)copy.Length); break;
            case "program header offset that wraps around": damaged.SetWord(damaged.PhoffField, ulong.MaxValue - 8); break;
            case "more program headers than the cap": damaged.SetU16(damaged.PhnumField, 0xFFFF); break;
            case "program headers too small": damaged.SetU16(damaged.PhentsizeField, 8); break;
            case "interpreter past the end": damaged.SetWord(damaged.SegmentOffsetField(interpreter), (ulong)copy.Length + 100); break;
            case "interpreter without its terminator": damaged.SetWord(damaged.SegmentFileSizeField(interpreter), (ulong)"/lib64/ld-linux-x86-64.so.2".Length); break;
            case "dynamic section past the end": damaged.SetWord(damaged.SegmentOffsetField(dynamic), (ulong)copy.Length - 8); break;
            case "dynamic section larger than the cap": damaged.SetWord(damaged.SegmentFileSizeField(dynamic), 0xFFFF_FFF0); break;
            case "string table at an address no segment loads": damaged.SetWord(damaged.DynamicValueOf(SyntheticElf.DtStrtab), 0x1234); break;
            case "string table in a segment that is not loaded": damaged.SetU32(damaged.SegmentTypeField(1), 4); break;
            case "string table segment at an offset that wraps around": damaged.SetWord(damaged.SegmentOffsetField(1), ulong.MaxValue - 4); break;
            case "needed name past the string table": damaged.SetWord(damaged.DynamicValueOf(SyntheticElf.DtNeeded), 0xFFFF_0000); break;
            case "string table size cut before the last name ends": damaged.SetWord(damaged.DynamicValueOf(SyntheticElf.DtStrsz), damaged.ReadWord(damaged.DynamicValueOf(SyntheticElf.DtStrsz)) - 2); break;
            default: throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }
        return copy;
    }

    [Fact]
    public void A_string_offset_that_wraps_around_to_the_start_of_the_file_is_null()
    {
        var built = Library.Build();
        var damaged = built with { Bytes = built.Copy() };
        // The string table's offset plus this is 1 (mod 2^64): "ELF..." if the sum were taken as it wraps.
        damaged.SetWord(damaged.DynamicValueOf(SyntheticElf.DtNeeded), ulong.MaxValue - (ulong)built.StringTableOffset + 2);

        Assert.Null(Read(damaged.Bytes));
    }

    [Theory]
    [InlineData("more program headers than the cap")]
    [InlineData("more dynamic entries than the cap")]
    public void Counts_past_the_caps_are_null_even_when_the_file_holds_them(string damage)
    {
        // Zeros are PT_NULL program headers and DT_NULL dynamic entries: harmless, only too many.
        var built = (Library with { Padding = 65537 * 16 }).Build();
        var damaged = built with { Bytes = built.Copy() };
        var withinCap = built with { Bytes = built.Copy() };
        if (damage == "more program headers than the cap")
        {
            foreach (var (file, count) in new[] { (damaged, 4097), (withinCap, 4096) })
            {
                file.SetWord(file.PhoffField, (ulong)built.PaddingOffset);
                file.SetU16(file.PhnumField, (ushort)count);
            }
        }
        else
        {
            damaged.SetWord(damaged.SegmentFileSizeField(built.DynamicProgramHeader), 65537 * 16);
            withinCap.SetWord(withinCap.SegmentFileSizeField(built.DynamicProgramHeader), 65536 * 16);
        }

        Assert.NotNull(Read(withinCap.Bytes));
        Assert.Null(Read(damaged.Bytes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sizes_a_small_file_claims_are_never_allocated(bool is64Bit)
    {
        var built = (Library with { Is64Bit = is64Bit }).Build();
        var claims = new List<byte[]>();
        foreach (var change in new Action<SyntheticElf.Built>[]
        {
            file => { file.SetU16(file.PhentsizeField, 0xFFFF); file.SetU16(file.PhnumField, 4096); },
            file => file.SetWord(file.SegmentFileSizeField(built.DynamicProgramHeader), 65536 * 16),
            file => file.SetWord(file.SegmentFileSizeField(built.InterpreterProgramHeader), 0xFFFF_FFFF),
        })
        {
            var damaged = built with { Bytes = built.Copy() };
            change(damaged);
            claims.Add(damaged.Bytes);
        }

        foreach (var bytes in claims)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            _ = Read(bytes);
            Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
        }
    }

    [Fact]
    public void A_string_longer_than_the_cap_is_null()
    {
        var file = Read(new SyntheticElf { Needed = [new string('a', 5000)] }.Build().Bytes);
        var withinCap = Read(new SyntheticElf { Needed = [new string('a', 4000)] }.Build().Bytes);

        Assert.Null(file);
        Assert.Equal(4000, Assert.Single(withinCap!.Needed).Length);
    }

    [Fact]
    public void Random_damage_never_makes_it_throw()
    {
        var random = new Random(20240611);
        var originals = new[]
        {
            Library.Build().Bytes,
            (Library with { Is64Bit = false, LittleEndian = false }).Build().Bytes,
        };
        for (var round = 0; round < 5000; round++)
        {
            var bytes = (byte[])originals[round % 2].Clone();
            for (var flips = random.Next(1, 8); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            _ = Read(bytes);
        }
    }

    [Fact]
    public void Only_the_headers_and_what_they_name_are_read()
    {
        var bytes = (Library with { Padding = 4 << 20 }).Build().Bytes;
        var stream = new CountingStream(bytes);

        var file = ElfFile.TryRead(stream);

        Assert.NotNull(file);
        Assert.True(stream.BytesRead < 64 * 1024, $"{stream.BytesRead} bytes read of {bytes.Length}");
    }

    /// <summary>A stream that counts what is read from it.</summary>
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = base.Read(buffer, offset, count);
            BytesRead += read;
            return read;
        }

        public override int Read(Span<byte> buffer)
        {
            var read = base.Read(buffer);
            BytesRead += read;
            return read;
        }
    }

    /// <summary>A stream whose length says more than it holds, as a file cut while it is read does.</summary>
    private sealed class LyingLengthStream(byte[] bytes, long length) : MemoryStream(bytes, writable: false)
    {
        public override long Length => length;
    }
}
