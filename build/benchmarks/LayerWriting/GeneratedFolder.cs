using System.Text;

namespace LayerWriting;

/// <summary>
/// A stand-in publish folder when none is given: the same seed always gives the same files, a mix like a
/// real app's (a third incompressible, as native libraries nearly are; the rest text-like and compressible).
/// </summary>
public static class GeneratedFolder
{
    public static string Create(string root, int fileCount = 240, int meanFileBytes = 400_000)
    {
        var marker = Path.Combine(root, ".complete");
        if (File.Exists(marker))
        {
            return root;
        }
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        var random = new Random(42);
        var words = Enumerable.Range(0, 2000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(3, 12)).Select(_ => (char)('a' + random.Next(26))).ToArray()))
            .ToArray();
        var buffer = new byte[1 << 16];
        for (var i = 0; i < fileCount; i++)
        {
            var directory = Path.Combine(root, i % 5 == 0 ? $"runtimes/rid{i % 7}/native" : i % 3 == 0 ? "wwwroot/lib" : "");
            Directory.CreateDirectory(directory);
            var size = random.Next(meanFileBytes / 4, meanFileBytes * 7 / 4);
            using var file = new FileStream(Path.Combine(directory, $"file{i:D4}.{(i % 3 == 0 ? "so" : "dll")}"), FileMode.CreateNew);
            if (i % 3 == 0)
            {
                for (var written = 0; written < size; written += buffer.Length)
                {
                    random.NextBytes(buffer);
                    file.Write(buffer, 0, Math.Min(buffer.Length, size - written));
                }
            }
            else
            {
                var text = new StringBuilder();
                while (text.Length < size)
                {
                    text.Append(words[random.Next(words.Length)]).Append(random.Next(8) == 0 ? '\n' : ' ');
                }
                file.Write(Encoding.ASCII.GetBytes(text.ToString(0, size)));
            }
        }
        File.WriteAllText(marker, "");
        return root;
    }
}
