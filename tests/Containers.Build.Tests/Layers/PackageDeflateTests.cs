using System.IO.Compression;
using System.Security.Cryptography;
using Containers.Build.Layers;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Layers;

/// <summary>
/// Files unpacked from NuGet packages go into a gzip layer as their package deflated them (<see cref="PackageArchive"/>,
/// <see cref="ParallelGzipStream.Substitute"/>): the same tar, no compression, never bytes that were not checked.
/// </summary>
public class PackageDeflateTests
{
    private static readonly LayerOptions Options = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    [Fact]
    public void The_archive_gives_deflated_entries_by_their_unescaped_names_and_nothing_else()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var big = Text(300_000, seed: 1);
        var archive = WritePackage(folder.Combine("pkg.1.0.0.nupkg"), ("lib/net10.0/Pkg.dll", big, CompressionLevel.Optimal),
            ("lib/net10.0/stored.txt", Text(5000, seed: 2), CompressionLevel.NoCompression), ("content/a%20b.txt", Text(100, seed: 3), CompressionLevel.Optimal));

        var package = PackageArchive.Open(archive)!;
        var found = package.Find("lib/net10.0/Pkg.dll", big.Length)!;

        Assert.Equal(big.Length, found.Length);
        Assert.Equal(Crc32.Compute(big), found.Crc);
        var deflated = File.ReadAllBytes(archive).AsSpan((int)found.DataOffset, found.CompressedLength).ToArray();
        using (var inflate = new DeflateStream(new MemoryStream(deflated), CompressionMode.Decompress))
        {
            using var unpacked = new MemoryStream();
            inflate.CopyTo(unpacked);
            Assert.Equal(big, unpacked.ToArray());
        }
        Assert.NotNull(package.Find("content/a b.txt", 100));
        Assert.Null(package.Find("lib/net10.0/stored.txt", 5000));
        Assert.Null(package.Find("lib/net10.0/Pkg.dll", big.Length + 1));
        Assert.Null(package.Find("lib/net10.0/Other.dll", big.Length));
        Assert.Null(PackageArchive.Open(folder.WriteFile("not-a-zip.nupkg", "nothing")));
    }

    [Fact]
    public void Locates_the_archive_beside_the_unpacked_package_or_nothing()
    {
        using var packages = new TempDirectory("cb-packages");
        var file = packages.WriteFile("newtonsoft.json/13.0.3/lib/net6.0/Newtonsoft.Json.dll", "x");
        packages.WriteFile("newtonsoft.json/13.0.3/newtonsoft.json.13.0.3.nupkg", "zip");

        var packed = PackedFile.Locate(file, "lib/net6.0/Newtonsoft.Json.dll", "Newtonsoft.Json", "13.0.3");

        Assert.Equal(new PackedFile(packages.Combine("newtonsoft.json/13.0.3/newtonsoft.json.13.0.3.nupkg"), "lib/net6.0/Newtonsoft.Json.dll"), packed);
        Assert.Null(PackedFile.Locate(file, "lib/net6.0/Newtonsoft.Json.dll", "Newtonsoft.Json", "13.0.2"));
        Assert.Null(PackedFile.Locate(file, "lib/net8.0/Newtonsoft.Json.dll", "Newtonsoft.Json", "13.0.3"));
        Assert.Null(PackedFile.Locate(file, "", "Newtonsoft.Json", "13.0.3"));
        Assert.Null(PackedFile.Locate("/publish/Newtonsoft.Json.dll", "Newtonsoft.Json.dll", "Newtonsoft.Json", "13.0.3"));
    }

    [Theory]
    [InlineData(1, 700)]
    [InlineData(3, 700)]
    // Right after a whole block: the block after the substitute must not refer back to that one's bytes.
    [InlineData(2, 0)]
    public void A_substitute_stands_for_its_bytes_as_a_member_of_its_own(int workers, int pastBlock)
    {
        using var folder = new TempDirectory("cb-nupkg");
        var content = Text(ParallelGzipStream.BlockSize + 5000, seed: 4);
        var archive = WritePackage(folder.Combine("p.nupkg"), ("lib/P.dll", content, CompressionLevel.Optimal));
        var entry = PackageArchive.Open(archive)!.Find("lib/P.dll", content.Length)!;
        var before = Text(ParallelGzipStream.BlockSize + pastBlock, seed: 5);
        // Words the blocks before used, so a block that could refer back to them would.
        var after = before.AsSpan(before.Length - 40_000, 30_000).ToArray();

        var gzip = Gzip(workers, stream =>
        {
            stream.Write(before);
            stream.Substitute(entry);
            // In pieces that straddle the substitute's end, as the tar's buffer writes them.
            stream.Write(content.AsSpan(0, 1000));
            stream.Write([.. content.AsSpan(1000), .. after]);
        });

        Assert.Equal([.. before, .. content, .. after], Gunzip(gzip));
        var deflated = File.ReadAllBytes(archive).AsSpan((int)entry.DataOffset, entry.CompressedLength).ToArray();
        Assert.True(gzip.AsSpan().IndexOf(deflated) > 0, "the package's deflate bytes are not in the gzip as they were");
        Assert.Equal(3, Members(gzip));
        // Each member is whole on its own: the last one read alone gives the bytes after the substitute.
        var last = gzip.AsSpan().LastIndexOf(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF });
        Assert.Equal(after, Gunzip(gzip[last..]));
        Assert.Equal(Gzip(1, stream => { stream.Write(before); stream.Substitute(entry); stream.Write([.. content, .. after]); }), gzip);
    }

    [Fact]
    public async Task Gzip_and_python_read_every_member()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var content = Text(200_000, seed: 7);
        var entry = PackageArchive.Open(WritePackage(folder.Combine("p.nupkg"), ("a", content, CompressionLevel.Optimal)))!.Find("a", content.Length)!;
        var whole = new byte[][] { Text(1000, seed: 8), content, Text(1000, seed: 9), content }.SelectMany(b => b).ToArray();
        var file = folder.Combine("members.gz");
        await File.WriteAllBytesAsync(file, Gzip(2, stream =>
        {
            stream.Write(whole.AsSpan(0, 1000));
            stream.Substitute(entry);
            stream.Write(whole.AsSpan(1000, content.Length + 1000));
            // A substitute right after another's bytes and one at the very end: members with no block between them.
            stream.Substitute(entry);
            stream.Write(whole.AsSpan(2000 + content.Length));
        }));
        var expected = Convert.ToHexStringLower(SHA256.HashData(whole));

        var test = await ProcessRunner.RunAsync("gzip", ["-t", file]);
        Assert.True(test.ExitCode == 0, test.ToString());
        var gunzip = await ProcessRunner.RunAsync("sh", ["-c", "gzip -dc \"$1\" | sha256sum", "sh", file]);
        Assert.StartsWith(expected, gunzip.Output, StringComparison.Ordinal);
        var python = await ProcessRunner.RunAsync("python3", ["-c",
            "import gzip, hashlib, sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())", file]);
        Assert.Equal(expected, python.Output.Trim());
    }

    [Fact]
    public void Members_held_at_once_stay_under_the_bound_whatever_the_workers()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var content = Text(200_000, seed: 16);
        var entry = PackageArchive.Open(WritePackage(folder.Combine("p.nupkg"), ("a", content, CompressionLevel.Optimal)))!.Find("a", content.Length)!;
        var member = entry.CompressedLength + 18;

        long Peak(long bound)
        {
            using var output = new MemoryStream();
            using var gzip = new ParallelGzipStream(output, 6, maxBlocksInFlight: 16, bound);
            for (var i = 0; i < 10; i++)
            {
                gzip.Substitute(entry);
                gzip.Write(content);
            }
            gzip.Complete();
            Assert.Equal(Enumerable.Repeat(content, 10).SelectMany(b => b).ToArray(), Gunzip(output.ToArray()));
            return gzip.PeakPackedBytesInFlight;
        }

        Assert.Equal(member, Peak(bound: member));
        Assert.Equal(3 * member, Peak(bound: 3 * member + 1));
        Assert.True(Peak(ParallelGzipStream.DefaultMaxPackedBytesInFlight) <= ParallelGzipStream.DefaultMaxPackedBytesInFlight);
    }

    [Fact]
    public void Bytes_that_are_not_the_entry_fail_the_layer()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var content = Text(100_000, seed: 10);
        var entry = PackageArchive.Open(WritePackage(folder.Combine("p.nupkg"), ("a", content, CompressionLevel.Optimal)))!.Find("a", content.Length)!;
        var changed = content.ToArray();
        changed[50_000] ^= 1;

        var e = Assert.Throws<IOException>(() => Gzip(2, stream => { stream.Substitute(entry); stream.Write(changed); }));
        Assert.Contains("changed while it was read", e.Message);
        Assert.Throws<IOException>(() => Gzip(2, stream => { stream.Substitute(entry); stream.Write(content.AsSpan(1)); }));
    }

    [Fact]
    public void Deflate_bytes_that_do_not_give_the_entry_are_never_written()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var content = Text(100_000, seed: 11);
        var archive = WritePackage(folder.Combine("p.nupkg"), ("a", content, CompressionLevel.Optimal));
        var entry = PackageArchive.Open(archive)!.Find("a", content.Length)!;
        var bytes = File.ReadAllBytes(archive);
        var damaged = folder.Combine("damaged.nupkg");
        bytes[(int)entry.DataOffset + entry.CompressedLength / 2] ^= 0x10;
        File.WriteAllBytes(damaged, bytes);
        // A directory that says the deflate stream is longer than it is: the byte after it would be read as the trailer.
        var longer = folder.Combine("longer.bin");
        File.WriteAllBytes(longer, [.. File.ReadAllBytes(archive).AsSpan((int)entry.DataOffset, entry.CompressedLength), 0]);

        Assert.Throws<PackageArchiveDamagedException>(() => Gzip(2, stream => { stream.Substitute(entry with { ArchivePath = damaged }); stream.Write(content); }));
        Assert.Throws<PackageArchiveDamagedException>(() => Gzip(2, stream =>
        {
            stream.Substitute(entry with { ArchivePath = longer, DataOffset = 0, CompressedLength = entry.CompressedLength + 1 });
            stream.Write(content);
        }));
    }

    [Fact]
    public async Task A_layer_of_package_files_is_the_same_tar_with_their_packages_deflate_and_a_key_of_its_own()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var dll = Text(700_000, seed: 12);
        var native = Text(20_000, seed: 13);
        var archive = WritePackage(folder.Combine("pkg.nupkg"), ("lib/Pkg.dll", dll, CompressionLevel.Optimal), ("runtimes/libpkg.so", native, CompressionLevel.Optimal));
        var publish = folder.Combine("publish");
        Directory.CreateDirectory(publish);
        File.WriteAllBytes(Path.Combine(publish, "Pkg.dll"), dll);
        File.WriteAllBytes(Path.Combine(publish, "libpkg.so"), native);
        File.WriteAllText(Path.Combine(publish, "App.dll"), "app");
        var plain = LayerPlanner.PlanDirectory(publish, "/app");
        var packed = plain.Select(e => e.ContainerPath switch
        {
            "app/Pkg.dll" => e with { Packed = new PackedFile(archive, "lib/Pkg.dll") },
            "app/libpkg.so" => e with { Packed = new PackedFile(archive, "runtimes/libpkg.so") },
            _ => e,
        }).ToArray();
        using var storeDirectory = new TempDirectory("cb-store");
        var writer = new LayerWriter(new ContentStore(storeDirectory.Path));

        var (ordinary, ordinaryKey) = await writer.WriteKeyedAsync(plain, Options, CancellationToken.None);
        var (reused, reusedKey) = await writer.WriteKeyedAsync(packed, Options, CancellationToken.None);

        Assert.Equal(ordinary.DiffId, reused.DiffId);
        Assert.NotEqual(ordinary.Descriptor.Digest, reused.Descriptor.Digest);
        Assert.NotEqual(ordinaryKey, reusedKey);
        Assert.Equal(reusedKey, await LayerInputKey.ComputeAsync(packed, Options, CancellationToken.None));
        // Before, between and after the two package files: three members of our own.
        Assert.Equal(5, Members(await File.ReadAllBytesAsync(reused.BlobPath!)));
        var tar = await ProcessRunner.RunAsync("tar", ["-tzf", reused.BlobPath!]);
        Assert.True(tar.ExitCode == 0, tar.ToString());
        Assert.Contains("app/Pkg.dll", tar.Output);

        // Stored (level 0) or smaller than the package's (9): compressed as asked, the ordinary key.
        foreach (var level in new[] { CompressionLevel.NoCompression, CompressionLevel.SmallestSize })
        {
            var (layer, key) = await writer.WriteKeyedAsync(packed, Options with { CompressionLevel = level }, CancellationToken.None);
            var (alone, aloneKey) = await writer.WriteKeyedAsync(plain, Options with { CompressionLevel = level }, CancellationToken.None);
            Assert.Equal(alone.Descriptor.Digest, layer.Descriptor.Digest);
            Assert.Equal(aloneKey, key);
        }
        // zstd: nothing to reuse.
        var zstd = Options with { Compression = LayerCompression.Zstd };
        Assert.Equal((await writer.WriteAsync(plain, zstd, CancellationToken.None)).Descriptor.Digest, (await writer.WriteAsync(packed, zstd, CancellationToken.None)).Descriptor.Digest);
    }

    [Fact]
    public async Task A_file_changed_after_it_was_unpacked_is_compressed_as_it_is()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var dll = Text(300_000, seed: 14);
        var archive = WritePackage(folder.Combine("pkg.nupkg"), ("lib/Pkg.dll", dll, CompressionLevel.Optimal));
        var patched = dll.ToArray();
        patched[1234] ^= 1;
        var (plain, packed) = PublishOne(folder, patched, new PackedFile(archive, "lib/Pkg.dll"));
        using var storeDirectory = new TempDirectory("cb-store");
        var writer = new LayerWriter(new ContentStore(storeDirectory.Path));

        var layer = await writer.WriteAsync(packed, Options, CancellationToken.None);

        Assert.Equal((await writer.WriteAsync(plain, Options, CancellationToken.None)).Descriptor.Digest, layer.Descriptor.Digest);
        Assert.Equal(1, Members(await File.ReadAllBytesAsync(layer.BlobPath!)));
    }

    [Fact]
    public async Task A_damaged_package_archive_gives_the_layer_compressed_here()
    {
        using var folder = new TempDirectory("cb-nupkg");
        var dll = Text(300_000, seed: 15);
        var archive = WritePackage(folder.Combine("pkg.nupkg"), ("lib/Pkg.dll", dll, CompressionLevel.Optimal));
        var entry = PackageArchive.Open(archive)!.Find("lib/Pkg.dll", dll.Length)!;
        var bytes = File.ReadAllBytes(archive);
        // The directory still says the file's CRC and length; the deflate bytes no longer give them.
        bytes[(int)entry.DataOffset + 100] ^= 0x40;
        File.WriteAllBytes(archive, bytes);
        var (plain, packed) = PublishOne(folder, dll, new PackedFile(archive, "lib/Pkg.dll"));
        using var storeDirectory = new TempDirectory("cb-store");
        var writer = new LayerWriter(new ContentStore(storeDirectory.Path));

        var (layer, key) = await writer.WriteKeyedAsync(packed, Options, CancellationToken.None);

        Assert.Equal((await writer.WriteAsync(plain, Options, CancellationToken.None)).Descriptor.Digest, layer.Descriptor.Digest);
        Assert.Equal(await LayerInputKey.ComputeAsync(packed, Options, CancellationToken.None), key);
        Assert.Single(Directory.GetFiles(storeDirectory.Path, "*", SearchOption.AllDirectories), f => !Path.GetFileName(f).StartsWith('.'));
    }

    /// <summary>A publish folder of one file, Pkg.dll, planned as it is and as unpacked from <paramref name="origin"/>.</summary>
    private static (IReadOnlyList<LayerEntry> Plain, LayerEntry[] Packed) PublishOne(TempDirectory folder, byte[] published, PackedFile origin)
    {
        var publish = folder.Combine("publish");
        Directory.CreateDirectory(publish);
        File.WriteAllBytes(Path.Combine(publish, "Pkg.dll"), published);
        var plain = LayerPlanner.PlanDirectory(publish, "/app");
        return (plain, plain.Select(e => e.Kind == LayerEntryKind.File ? e with { Packed = origin } : e).ToArray());
    }

    /// <summary>A zip as NuGet packs one (System.IO.Compression, each entry at its level).</summary>
    internal static string WritePackage(string path, params (string Name, byte[] Content, CompressionLevel Level)[] entries)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var (name, content, level) in entries)
            {
                using var stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return path;
    }

    private static byte[] Gzip(int workers, Action<ParallelGzipStream> write)
    {
        using var output = new MemoryStream();
        using (var gzip = new ParallelGzipStream(output, 6, workers))
        {
            write(gzip);
            gzip.Complete();
        }
        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>
    /// How many gzip members the bytes hold, counted by their headers (deflate, no flags, no time, OS 255: the only header
    /// this tool writes, eight fixed bytes that compressed data all but never holds by chance).
    /// </summary>
    internal static int Members(byte[] gzip)
    {
        var members = 0;
        for (var i = 0; i + 10 <= gzip.Length; i++)
        {
            if (gzip[i] == 0x1F && gzip[i + 1] == 0x8B && gzip[i + 2] == 8 && gzip[i + 3] == 0 && gzip[i + 4] == 0 && gzip[i + 5] == 0 && gzip[i + 6] == 0
                && gzip[i + 7] == 0 && gzip[i + 8] is 0 or 2 or 4 && gzip[i + 9] == 0xFF)
            {
                members++;
            }
        }
        return members;
    }

    private static byte[] Text(int size, int seed)
    {
        var random = new Random(seed);
        var words = Enumerable.Range(0, 500).Select(i => System.Text.Encoding.ASCII.GetBytes($"t{i * 31 % 977}x ")).ToArray();
        var data = new byte[size];
        var offset = 0;
        while (offset < size)
        {
            var piece = words[random.Next(words.Length)];
            var take = Math.Min(piece.Length, size - offset);
            piece.AsSpan(0, take).CopyTo(data.AsSpan(offset));
            offset += take;
        }
        return data;
    }
}
