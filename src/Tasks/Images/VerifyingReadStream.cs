using System.Security.Cryptography;
using Containers.Build.Model;

namespace Containers.Build.Images;

/// <summary>
/// Reads a blob while hashing it: a read past the descriptor's size, or an end whose digest or size differs,
/// calls <c>onMismatch</c> and throws <see cref="CorruptLayerException"/> instead of handing on wrong bytes.
/// A destination that copies a layer checks it in the same pass, at no extra read.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, Descriptor expected, Action onMismatch) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _verified;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Account(Span<byte> buffer, int read)
    {
        _read += read;
        if (_read > expected.Size)
        {
            Fail($"more than its {expected.Size} bytes");
        }
        if (read > 0)
        {
            _hash.AppendData(buffer[..read]);
        }
        else if (!_verified)
        {
            if (_read != expected.Size)
            {
                Fail($"{_read} bytes instead of {expected.Size}");
            }
            var actual = Digest.FromHash(_hash.GetCurrentHash());
            if (actual != expected.Digest)
            {
                Fail($"its bytes hash to {actual}");
            }
            _verified = true;
        }
        return read;
    }

    private void Fail(string reason)
    {
        onMismatch();
        throw new CorruptLayerException(expected.Digest, reason);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => expected.Size;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
