using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Containers.Build.Tests.Support;

/// <summary>One HTTP request as the hostile registry read it off the socket.</summary>
public sealed record HostileRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];
    public string? Authorization => Headers.GetValueOrDefault("Authorization");
}

/// <summary>How the script answers one request: a whole response, or raw bytes on the connection (trickles, endless bodies, silence).</summary>
public sealed class HostileResponse(Stream stream, CancellationToken stopping)
{
    public Stream Stream { get; } = stream;

    /// <summary>Cancelled when the registry is disposed: a script that stalls waits on it.</summary>
    public CancellationToken Stopping { get; } = stopping;

    /// <summary>Bytes of body written by <see cref="WriteBodyAsync"/> calls that the peer took (until it hung up).</summary>
    public long BodyBytesWritten { get; private set; }

    public Task SendAsync(HttpStatusCode status, string? body = null, params (string Name, string Value)[] headers)
        => SendAsync(status, body is null ? [] : Encoding.UTF8.GetBytes(body), headers);

    public async Task SendAsync(HttpStatusCode status, byte[] body, params (string Name, string Value)[] headers)
    {
        await SendHeadAsync(status, body.Length, headers);
        await Stream.WriteAsync(body, Stopping);
        await Stream.FlushAsync(Stopping);
    }

    /// <summary>The status line and headers; <paramref name="contentLength"/> null leaves the length out (the body ends when the connection does).</summary>
    public async Task SendHeadAsync(HttpStatusCode status, long? contentLength, params (string Name, string Value)[] headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {(int)status} {status}\r\nConnection: close\r\n");
        if (contentLength is { } length)
        {
            head.Append($"Content-Length: {length}\r\n");
        }
        foreach (var (name, value) in headers)
        {
            head.Append($"{name}: {value}\r\n");
        }
        head.Append("\r\n");
        await Stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), Stopping);
        await Stream.FlushAsync(Stopping);
    }

    public async Task WriteBodyAsync(ReadOnlyMemory<byte> bytes)
    {
        await Stream.WriteAsync(bytes, Stopping);
        await Stream.FlushAsync(Stopping);
        BodyBytesWritten += bytes.Length;
    }

    /// <summary>Holds the connection open and says nothing, until the registry is disposed.</summary>
    public Task StallAsync() => Task.Delay(Timeout.Infinite, Stopping);

    public static (string, string) Challenge(string realm, string service = "hostile") => ("WWW-Authenticate", $"Bearer realm=\"{realm}\",service=\"{service}\"");
}

/// <summary>
/// A registry that misbehaves on purpose, on a real loopback socket (127.0.0.1, or 127.0.0.2 for "another host"):
/// each request goes to a script that may answer, redirect, challenge, stall, trickle or never stop. It speaks
/// HTTP/1.1, one request per connection, and TLS when given a certificate; without one, a TLS hello is answered
/// by closing the connection (so a client that tries HTTPS first falls back to HTTP). It records every request.
/// </summary>
public sealed class HostileRegistry : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly Func<HostileRequest, HostileResponse, Task> _script;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private int _connections;

    private HostileRegistry(IPAddress address, X509Certificate2? certificate, Func<HostileRequest, HostileResponse, Task> script, Func<Stream, CancellationToken, Task>? onConnect)
    {
        _certificate = certificate;
        _script = script;
        OnConnect = onConnect;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        Address = address.ToString();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <param name="address">127.0.0.1 by default; 127.0.0.2 for another host.</param>
    /// <param name="onConnect">Instead of HTTP: what to do with each accepted connection (e.g. nothing, forever).</param>
    public static HostileRegistry Start(Func<HostileRequest, HostileResponse, Task> script, string address = "127.0.0.1",
        X509Certificate2? certificate = null, Func<Stream, CancellationToken, Task>? onConnect = null)
        => new(IPAddress.Parse(address), certificate, script, onConnect);

    public string Address { get; }
    public int Port { get; }

    /// <summary>host:port, as a registry name.</summary>
    public string Host => $"{Address}:{Port}";

    public string HttpUrl => $"http://{Host}";

    public Func<Stream, CancellationToken, Task>? OnConnect { get; }

    public ConcurrentQueue<HostileRequest> Requests { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A self-signed certificate for 127.0.0.1 (clients must list the registry as insecure to accept it).</summary>
    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _clients.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                Stream stream = client.GetStream();
                if (OnConnect is not null)
                {
                    await OnConnect(stream, _stopping.Token);
                    return;
                }
                byte[] prefix = [];
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stopping.Token);
                    stream = tls;
                }
                else
                {
                    var first = new byte[1];
                    if (await stream.ReadAsync(first, _stopping.Token) == 0)
                    {
                        return;
                    }
                    if (first[0] == 0x16)
                    {
                        // A TLS hello to a registry that does not speak TLS: hang up.
                        return;
                    }
                    prefix = first;
                }
                var request = await ReadRequestAsync(stream, prefix, _stopping.Token);
                if (request is null)
                {
                    return;
                }
                Requests.Enqueue(request);
                await _script(request, new HostileResponse(stream, _stopping.Token));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            // The peer hung up, or the registry is being disposed.
        }
    }

    private static async Task<HostileRequest?> ReadRequestAsync(Stream stream, byte[] prefix, CancellationToken cancellationToken)
    {
        var head = new List<byte>(prefix);
        var one = new byte[1];
        while (!EndsWithBlankLine(head))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }
            head.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }
        var body = new byte[headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out var n) ? n : 0];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new HostileRequest(requestLine[0], requestLine[1], headers, body);
    }

    private static bool EndsWithBlankLine(List<byte> head)
        => head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _certificate?.Dispose();
        _stopping.Dispose();
    }
}
