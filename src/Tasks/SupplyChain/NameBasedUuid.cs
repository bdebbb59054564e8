using System.Security.Cryptography;
using System.Text;

namespace Containers.Build.SupplyChain;

/// <summary>
/// RFC 9562 version 5 UUIDs (SHA-1 of a namespace and a name): the same name always gives the same UUID, so a
/// document's serial number is derived from what it describes rather than drawn at random. SHA-1 is what version 5
/// is defined with; nothing here relies on it resisting collisions.
/// </summary>
internal static class NameBasedUuid
{
    /// <summary>RFC 9562's namespace for names that are URLs.</summary>
    public static readonly Guid UrlNamespace = new("6ba7b811-9dad-11d1-80b4-00c04fd430c8");

    /// <summary>The UUID in its lowercase 8-4-4-4-12 form.</summary>
    public static string Create(Guid @namespace, string name)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        @namespace.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);
        var hash = SHA1.HashData(input);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString("D");
    }
}
