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
    /// Where a file's bytes go as they are read; one that looks at nothing (<c>default</c>) when its name or size decides:
    /// a name that says "secret" is recorded here and now; a file over <see cref="SecretFileDetector.MaxContentBytes"/>,
    /// or one whose name <see cref="SecretFileDetector.ContentTells"/> nothing about, is never looked at.
    /// </summary>
    /// <param name="length">The file's length as it was opened: its bytes are kept in one buffer of that size.</param>
    public Reading Begin(LayerEntry entry, long length)
    {
        var name = Path.GetFileName(entry.ContainerPath.AsSpan());
        if (SecretFileDetector.NameSaysSecret(name))
        {
            _found.TryAdd(entry.ContainerPath, 0);
            return default;
        }
        return length <= SecretFileDetector.MaxContentBytes && SecretFileDetector.ContentTells(name)
            ? new Reading(this, entry.ContainerPath, (int)length)
            : default;
    }

    /// <summary>
    /// One file's bytes as they are read, in a buffer from the shared pool: a folder of 50,000 small text files would
    /// otherwise allocate its whole size again, and in a build whose heap holds as many items every collection is dear.
    /// A file that grew past its length as opened is not judged. A struct, kept in the reader's local (never copied
    /// while it reads): an object each was 3 MB more garbage on a folder of 50,000 text files.
    /// </summary>
    public struct Reading
    {
        private readonly SecretScan? _scan;
        private readonly string? _containerPath;
        private readonly int _length;
        private byte[]? _content;
        private int _read;
        private bool _grew;

        internal Reading(SecretScan scan, string containerPath, int length)
        {
            _scan = scan;
            _containerPath = containerPath;
            _length = length;
            _content = ArrayPool<byte>.Shared.Rent(length);
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_content is null)
            {
                return;
            }
            if (_grew || _read + bytes.Length > _length)
            {
                _grew = true;
                return;
            }
            bytes.CopyTo(_content.AsSpan(_read));
            _read += bytes.Length;
        }

        /// <summary>The whole file has been read: judge it. (A read that fails never completes; its buffer is left to the collector.)</summary>
        public void Complete()
        {
            if (_content is not { } content)
            {
                return;
            }
            _content = null;
            if (!_grew && SecretFileDetector.ContentSaysSecret(Path.GetFileName(_containerPath.AsSpan()), content.AsSpan(0, _read)))
            {
                _scan!._found.TryAdd(_containerPath!, 0);
            }
            ArrayPool<byte>.Shared.Return(content);
        }
    }
}
