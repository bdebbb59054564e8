using System.Net;

namespace Containers.Build.Registry;

/// <summary>
/// The inactivity timeout of one request (ContainerRegistryTimeout): from the connection (TCP, TLS handshake) to
/// the last byte of the response body, a request must move at least <see cref="MinimumBytes"/> bytes in every
/// <see cref="Timeout"/>; otherwise its token is cancelled and the request fails as stalled. A silent registry
/// (no handshake, no answer) and one trickling a byte a second are both caught; a slow but moving transfer is not.
/// The token is linked to the build's, so Ctrl+C still stops the request at once.
/// </summary>
internal sealed class RequestWatchdog : IDisposable
{
    /// <summary>Less than this in a whole <see cref="Timeout"/> counts as no progress.</summary>
    public const int MinimumBytes = 1024;

    private readonly CancellationTokenSource _cancellation;
    private readonly Timer _timer;
    private readonly long _timeoutMilliseconds;
    private long _windowStart;
    private long _windowBytes;
    private volatile bool _fired;
    private volatile string _phase;

    public RequestWatchdog(TimeSpan timeout, string registry, string request, CancellationToken buildCancellation)
    {
        Timeout = timeout;
        Registry = registry;
        Request = request;
        _phase = "connecting to it or waiting for its answer to";
        _timeoutMilliseconds = (long)timeout.TotalMilliseconds;
        _windowStart = Environment.TickCount64;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(buildCancellation);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 10, 1000));
        _timer = new Timer(_ => Check(), null, period, period);
    }

    public TimeSpan Timeout { get; }
    public string Registry { get; }

    /// <summary>METHOD /path, for the message.</summary>
    public string Request { get; }

    /// <summary>Cancelled when the request stalls or the build is cancelled.</summary>
    public CancellationToken Token => _cancellation.Token;

    public bool HasFired => _fired;

    /// <summary>What the request is doing now (connecting, sending, reading), and a fresh window for it.</summary>
    public void Enter(string phase)
    {
        _phase = phase;
        Volatile.Write(ref _windowStart, Environment.TickCount64);
        Interlocked.Exchange(ref _windowBytes, 0);
    }

    public void Progress(int bytes)
    {
        if (bytes <= 0)
        {
            return;
        }
        if (Interlocked.Add(ref _windowBytes, bytes) >= MinimumBytes)
        {
            Volatile.Write(ref _windowStart, Environment.TickCount64);
            Interlocked.Exchange(ref _windowBytes, 0);
        }
    }

    private void Check()
    {
        if (_fired || Environment.TickCount64 - Volatile.Read(ref _windowStart) < _timeoutMilliseconds)
        {
            return;
        }
        _fired = true;
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public RegistryStalledException Stalled(Exception? inner)
        => new($"Registry {Registry} stalled: less than {MinimumBytes} bytes came or went for {Timeout.TotalSeconds:0.#} s while {_phase} {Request}.", Timeout, inner);

    public void Dispose()
    {
        _timer.Dispose();
        _cancellation.Dispose();
    }
}

/// <summary>A request body that tells the watchdog about every write, and that the request has been sent.</summary>
internal sealed class WatchedRequestContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly RequestWatchdog _watchdog;

    public WatchedRequestContent(HttpContent inner, RequestWatchdog watchdog)
    {
        _inner = inner;
        _watchdog = watchdog;
        foreach (var header in inner.Headers)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _watchdog.Enter("sending");
        await _inner.CopyToAsync(new ProgressStream(stream, _watchdog), context, cancellationToken).ConfigureAwait(false);
        _watchdog.Enter("waiting for its answer to");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Write-through to the connection, counting.</summary>
    private sealed class ProgressStream(Stream inner, RequestWatchdog watchdog) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            watchdog.Progress(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            watchdog.Progress(count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>A response body read under the watchdog: each read is bounded by it, and a stall is a <see cref="RegistryStalledException"/>.</summary>
internal sealed class WatchedResponseContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly RequestWatchdog _watchdog;

    public WatchedResponseContent(HttpContent inner, RequestWatchdog watchdog)
    {
        _inner = inner;
        _watchdog = watchdog;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new WatchedReadStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _watchdog);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var body = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _watchdog.Dispose();
        }
        base.Dispose(disposing);
    }

    private sealed class WatchedReadStream(Stream inner, RequestWatchdog watchdog) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token) : null;
            int read;
            try
            {
                read = await inner.ReadAsync(buffer, linked?.Token ?? watchdog.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (watchdog.HasFired && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                throw watchdog.Stalled(e);
            }
            watchdog.Progress(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Synchronous reads (not used by the client) go through the same bounded path.
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
