using System.IO.Compression;
using System.Text;
using ICSharpCode.SharpZipLib.Tar;

namespace Containers.Build.Publishing.Destinations;

/// <summary>
/// Writes a tar (optionally gzipped) of files and byte arrays, with fixed times and owners, as a
/// <see cref="PendingFile"/> that is moved into place only when complete: a cancelled build leaves no
/// half-written archive.
/// </summary>
internal sealed class TarArchiveWriter : IAsyncDisposable
{
    private readonly string? _finalPath;
    private readonly PendingFile? _pending;
    private readonly Stream _file;
    private readonly GZipStream? _gzip;
    private readonly TarOutputStream _tar;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private bool _completed;

    public TarArchiveWriter(string path, bool gzip)
    {
        _finalPath = Path.GetFullPath(path);
        PendingFile.RemoveAbandoned(Path.GetDirectoryName(_finalPath)!, Path.GetFileName(_finalPath));
        _pending = PendingFile.For(_finalPath, useAsync: true);
        _file = _pending.Stream;
        _gzip = gzip ? new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true) : null;
        _tar = new TarOutputStream((Stream?)_gzip ?? _file, Encoding.UTF8) { IsStreamOwner = false };
    }

    /// <summary>A tar written straight into <paramref name="output"/> (e.g. a process's standard input), not a file.</summary>
    public TarArchiveWriter(Stream output)
    {
        _file = output;
        _tar = new TarOutputStream(output, Encoding.UTF8) { IsStreamOwner = false };
    }

    public async Task AddBytesAsync(string name, byte[] content, CancellationToken cancellationToken)
    {
        if (!_written.Add(name))
        {
            return;
        }
        _tar.PutNextEntry(Entry(name, content.Length));
        await _tar.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        _tar.CloseEntry();
    }

    /// <summary>
    /// Adds <paramref name="size"/> bytes read from <paramref name="content"/> once; a second add of the same name
    /// (a layer shared by two images) is skipped. A content stream that fails (a layer found corrupt) fails the archive.
    /// </summary>
    public async Task AddStreamAsync(string name, Func<Task<Stream>> openContent, long size, CancellationToken cancellationToken)
    {
        if (!_written.Add(name))
        {
            return;
        }
        await using var source = await openContent().ConfigureAwait(false);
        _tar.PutNextEntry(Entry(name, size));
        var buffer = new byte[FileBuffer.Size];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await _tar.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        _tar.CloseEntry();
    }

    public void AddDirectory(string name)
    {
        if (_written.Add(name))
        {
            var header = Entry(name.TrimEnd('/') + "/", 0).TarHeader;
            header.TypeFlag = TarHeader.LF_DIR;
            header.Mode = 0b111_101_101;
            _tar.PutNextEntry(new TarEntry(header));
            _tar.CloseEntry();
        }
    }

    /// <summary>Finishes the tar and moves it to its final path.</summary>
    public async Task CompleteAsync()
    {
        _tar.Finish();
        _tar.Dispose();
        if (_gzip is not null)
        {
            await _gzip.DisposeAsync().ConfigureAwait(false);
        }
        await _file.FlushAsync().ConfigureAwait(false);
        _pending?.Commit(_finalPath!);
        _completed = true;
    }

    private static TarEntry Entry(string name, long size) => new(new TarHeader
    {
        Name = name,
        Size = size,
        Mode = 0b110_100_100,
        ModTime = DateTime.UnixEpoch,
        UserName = "",
        GroupName = "",
        TypeFlag = TarHeader.LF_NORMAL,
    });

    /// <summary>
    /// Without <see cref="CompleteAsync"/> (a failure or a cancellation), the archive is abandoned: the tar is not
    /// finished (finishing an entry half written throws, and would hide the real failure; it would also hand a
    /// reader a well-formed but truncated tar), and the pending file is deleted.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed)
        {
            return;
        }
        try
        {
            if (_gzip is not null)
            {
                await _gzip.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The file is being dropped: a failure to flush it changes nothing.
        }
        finally
        {
            if (_pending is not null)
            {
                await _pending.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
