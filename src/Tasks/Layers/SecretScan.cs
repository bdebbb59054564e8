using System.Buffers;
using System.Collections.Concurrent;

namespace Containers.Build.Layers;

/// <summary>
/// The published files that look like secrets (<see cref="SecretFileDetector"/>), judged from the read that hashes
/// each file for its layer's key or tars it (<see cref="LayerInputKey"/>, <see cref="LayerWriter"/>), not from a read of
/// their own: every file of every layer is read for the key anyway, and a second open of each small text file cost a
/// folder of 50,000 of them 0.3 s. Files are read side by side, so this is safe to share between readers.
/// </summary>
public sealed class SecretScan
{
    private readonly ConcurrentDictionary<string, byte> _found = new(StringComparer.Ordinal);

    /// <summary>The image paths (<c>/app/secrets.json</c>) of the files found so far, sorted.</summary>
    public IReadOnlyList<string> Found => _found.Keys.Order(StringComparer.Ordinal).Select(path => "/" + path).ToArray();

    /// <summary>
    /// Where a file's bytes go as they are read, or null when its name decides: a name that says "secret" is recorded
    /// here and now, any other name that <see cref="SecretFileDetector.ContentTells"/> nothing about is never looked at.
    /// </summary>
    public Reading? Begin(LayerEntry entry)
    {
        var name = Path.GetFileName(entry.ContainerPath);
        if (SecretFileDetector.NameSaysSecret(name))
        {
            _found.TryAdd(entry.ContainerPath, 0);
            return null;
        }
        return SecretFileDetector.ContentTells(name) ? new Reading(this, entry.ContainerPath, name) : null;
    }

    /// <summary>One file's bytes, kept up to <see cref="SecretFileDetector.MaxContentBytes"/>; a larger file is not judged.</summary>
    public sealed class Reading(SecretScan scan, string containerPath, string fileName)
    {
        private readonly ArrayBufferWriter<byte> _content = new();
        private bool _tooLarge;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_tooLarge || _content.WrittenCount + bytes.Length > SecretFileDetector.MaxContentBytes)
            {
                _tooLarge = true;
                return;
            }
            _content.Write(bytes);
        }

        /// <summary>The whole file has been read: judge it.</summary>
        public void Complete()
        {
            if (!_tooLarge && SecretFileDetector.ContentSaysSecret(fileName, _content.WrittenSpan))
            {
                scan._found.TryAdd(containerPath, 0);
            }
        }
    }
}
