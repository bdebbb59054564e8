using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Tests.Support;

public sealed record TarEntryInfo(string Name, bool IsDirectory, int Mode, long Size, int UserId, int GroupId, string UserName, string GroupName, DateTime ModTime, string Content, byte TypeFlag = 0, string LinkName = "");

/// <summary>Reads a gzipped layer back: its entries and the sha256 of the uncompressed tar.</summary>
public static class TarReader
{
    public static (IReadOnlyList<TarEntryInfo> Entries, string DiffId) ReadGzippedLayer(string path)
    {
        byte[] tar;
        using (var file = File.OpenRead(path))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            gzip.CopyTo(buffer);
            tar = buffer.ToArray();
        }
        var diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));

        var entries = new List<TarEntryInfo>();
        using var input = new TarInputStream(new MemoryStream(tar), Encoding.UTF8);
        while (input.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            if (!entry.IsDirectory)
            {
                input.CopyEntryContents(content);
            }
            entries.Add(new TarEntryInfo(entry.Name, entry.IsDirectory, entry.TarHeader.Mode, entry.Size, entry.UserId, entry.GroupId,
                entry.UserName, entry.GroupName, entry.ModTime, Encoding.UTF8.GetString(content.ToArray()), entry.TarHeader.TypeFlag, entry.TarHeader.LinkName));
        }
        return (entries, diffId);
    }
}
