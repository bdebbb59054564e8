namespace Containers.Build.Layers;

/// <summary>
/// A file's bytes with the same few bytes written over them at each of some offsets: how a planned entry carries a
/// publish file changed for the image without holding the file in memory. A 300 MB static web assets manifest with
/// half a million Last-Modified values is half a million offsets (4 MB), not a second copy of the file.
/// </summary>
public sealed class ByteOverlay
{
    /// <param name="offsets">Where <paramref name="replacement"/> goes, ascending, the copies not overlapping.</param>
    public ByteOverlay(IReadOnlyList<long> offsets, byte[] replacement)
    {
        for (var i = 1; i < offsets.Count; i++)
        {
            if (offsets[i] < offsets[i - 1] + replacement.Length)
            {
                throw new ArgumentException("The offsets must ascend and the replacements must not overlap.", nameof(offsets));
            }
        }
        Offsets = offsets;
        Replacement = replacement;
    }

    public IReadOnlyList<long> Offsets { get; }

    public byte[] Replacement { get; }

    /// <summary>The file at <paramref name="path"/> as it reads with the overlay applied: same length, seekable, read-only.</summary>
    public Stream Open(string path) => new OverlaidStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), this);

    /// <summary>Writes the overlay onto <paramref name="buffer"/>, which holds the file's bytes from <paramref name="position"/>.</summary>
    private void Apply(long position, Span<byte> buffer)
    {
        // The first replacement that can reach into the buffer: it starts less than one replacement before it.
        var index = FirstAtOrAfter(position - Replacement.Length + 1);
        for (; index < Offsets.Count && Offsets[index] < position + buffer.Length; index++)
        {
            var start = Offsets[index];
            var from = Math.Max(start, position);
            var to = Math.Min(start + Replacement.Length, position + buffer.Length);
            Replacement.AsSpan((int)(from - start), (int)(to - from)).CopyTo(buffer[(int)(from - position)..]);
        }
    }

    private int FirstAtOrAfter(long offset)
    {
        int low = 0, high = Offsets.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (Offsets[middle] < offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    private sealed class OverlaidStream(FileStream file, ByteOverlay overlay) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => file.Length;

        public override long Position
        {
            get => file.Position;
            set => file.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var position = file.Position;
            var read = file.Read(buffer);
            overlay.Apply(position, buffer[..read]);
            return read;
        }

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                file.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
