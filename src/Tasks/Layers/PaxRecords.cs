using System.Globalization;
using System.Text;

namespace Containers.Build.Layers;

/// <summary>
/// The records of a PAX extended header (POSIX.1-2001 'x' entry): "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n", where the
/// length counts the whole record including its own digits. Used for what a ustar header cannot hold: names
/// over 100 bytes, non-ASCII names, link targets alike, sizes of 8 GiB and more, and uids and gids over 2,097,151.
/// </summary>
internal static class PaxRecords
{
    public const int UstarNameLength = 100;
    public const long UstarMaxSize = (1L << 33) - 1; // 11 octal digits
    public const int UstarMaxId = (1 << 21) - 1; // 7 octal digits: 2,097,151

    /// <summary>Whether a uid or gid fits a ustar header's field; a larger one (OpenShift's, say) goes into a PAX record too.</summary>
    public static bool FitsUstar(int id) => id is >= 0 and <= UstarMaxId;

    /// <summary>Whether a name or link target fits a ustar field as it is: at most 100 characters, all printable ASCII.</summary>
    public static bool FitsUstar(string value)
    {
        // A loop rather than ContainsAnyExceptInRange: that generic method's precompiled (ReadyToRun) code boxes its two
        // bounds until the JIT replaces it, 96 bytes a call and two calls a file: 14 MB on a folder of 50,000 files.
        if (value.Length > UstarNameLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }
        return true;
    }

    public static byte[] Encode(IEnumerable<KeyValuePair<string, string>> records)
    {
        var builder = new StringBuilder();
        foreach (var (key, value) in records)
        {
            var body = $" {key}={value}\n";
            var bodyLength = Encoding.UTF8.GetByteCount(body);
            // The length prefix counts its own digits: grow it until it is consistent.
            var length = bodyLength + 1;
            while (length.ToString(CultureInfo.InvariantCulture).Length + bodyLength != length)
            {
                length = length.ToString(CultureInfo.InvariantCulture).Length + bodyLength;
            }
            builder.Append(length.ToString(CultureInfo.InvariantCulture)).Append(body);
        }
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>A stand-in ustar name for readers that ignore PAX: ASCII, at most 100 bytes, unique enough to spot.</summary>
    public static string FallbackName(string name)
    {
        var ascii = new string(name.Select(c => c is >= ' ' and <= '~' ? c : '_').ToArray());
        return ascii.Length <= UstarNameLength ? ascii : ascii[^UstarNameLength..].TrimStart('/');
    }
}
