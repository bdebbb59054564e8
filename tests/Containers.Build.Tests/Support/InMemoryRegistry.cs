using System.Collections.Specialized;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Web;
using Containers.Build.Model;
using Containers.Build.References;
using Containers.Build.Registry;

namespace Containers.Build.Tests.Support;

/// <summary>
/// An OCI distribution registry in memory, as an <see cref="HttpMessageHandler"/> for
/// <see cref="RegistryClientFactory"/>: manifests by digest and tag, blobs linked per repository (so a blob is
/// visible in a repository only after it was uploaded or mounted there), upload sessions (POST, PATCH with
/// Content-Range, PUT ?digest=, GET status, DELETE), cross-repository mounts, OCI-Chunk-Min-Length, and Basic
/// or Bearer authentication with the token service on the registry's own host. It behaves like the
/// distribution registry where clients can tell: relative Locations that carry a state which changes with
/// every chunk (a stale Location is refused), distribution-spec error bodies, Range "0-N".
///
/// It speaks plain HTTP only: an https request fails like a TLS handshake with a plain-HTTP server, so a
/// client for a loopback host (<see cref="DefaultHost"/>) settles on http. Every request is recorded in
/// <see cref="Requests"/>. Thread-safe: requests are answered one at a time under one lock (after their body
/// was read), as the client pushes layers in parallel.
/// </summary>
public sealed partial class InMemoryRegistry : HttpMessageHandler
{
    /// <summary>A loopback address, so <see cref="RegistryClientFactory.MayUsePlainHttp"/> allows http; nothing listens there.</summary>
    public const string DefaultHost = "127.0.0.1:5999";

    private const string UnknownRepository = "";

    private readonly object _gate = new();
    // Content by digest, shared by all repositories; which repository may see it is in Repository.Blobs.
    private readonly Dictionary<Digest, byte[]> _blobs = [];
    private readonly Dictionary<string, Repository> _repositories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UploadSession> _uploads = new(StringComparer.Ordinal);
    // Issued bearer token -> the "name:action" grants it carries.
    private readonly Dictionary<string, HashSet<string>> _tokens = new(StringComparer.Ordinal);
    private readonly List<RegistryRequest> _requests = [];

    public InMemoryRegistry(string host = DefaultHost)
    {
        Host = host;
        Registry = RegistryHost.Parse(host);
    }

    /// <summary>host[:port] that requests must be addressed to; others fail as if the connection was refused.</summary>
    public string Host { get; }

    public RegistryHost Registry { get; }

    public InMemoryRegistryAuth Auth { get; init; } = new InMemoryRegistryAuth.None();

    /// <summary>
    /// Sent as OCI-Chunk-Min-Length when an upload opens; then a PATCH chunk shorter than this is accepted only
    /// as the last one (more data after it is refused with 416).
    /// </summary>
    public long? ChunkMinLength { get; set; }

    /// <summary>
    /// Whether a manifest put honours If-Match and If-None-Match: * against the tag's entity tag (its manifest's digest,
    /// quoted), answering 412 when the tag changed; the distribution registry ignores them.
    /// </summary>
    public bool KeepsConditions { get; set; }

    /// <summary>Called after a manifest is asked for by tag (repository, tag), found or not: another client may change the tag right then.</summary>
    public Action<string, string>? AfterTagRead { get; set; }

    /// <summary>The token service's address (Bearer mode): on the registry's own host, plain HTTP.</summary>
    public string TokenRealm => $"http://{Host}/token";

    /// <summary>
    /// An environment for <see cref="RegistryClientFactory"/> that holds only these credentials (the SDK's
    /// DOTNET_CONTAINER_REGISTRY_UNAME/PWORD) and a HOME without a Docker or Podman config, so tests never
    /// read the machine's logins.
    /// </summary>
    public static Func<string, string?> Environment(string? user = null, string? password = null)
    {
        var home = Path.Combine(Path.GetTempPath(), "cb-in-memory-registry-no-home");
        return name => name switch
        {
            "DOTNET_CONTAINER_REGISTRY_UNAME" => user,
            "DOTNET_CONTAINER_REGISTRY_PWORD" => password,
            "HOME" => home,
            _ => null,
        };
    }

    // ---- Helpers for tests -------------------------------------------------------------------------------

    /// <summary>Every request so far, in the order they were answered.</summary>
    public IReadOnlyList<RegistryRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>
    /// How many requests had this method (null: any) and a path+query matching <paramref name="pathPattern"/>
    /// (a regular expression, e.g. <c>"^/v2/app/blobs/uploads/\?mount="</c>).
    /// </summary>
    public int Count(string? method, string pathPattern)
    {
        var regex = new Regex(pathPattern, RegexOptions.CultureInvariant);
        return Requests.Count(r => (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) && regex.IsMatch(r.PathAndQuery));
    }

    /// <summary>Stores a blob and links it into <paramref name="repository"/>, without a request (to seed a base image).</summary>
    public Digest PutBlob(string repository, byte[] content)
    {
        var digest = Digest.Compute(content);
        lock (_gate)
        {
            _blobs[digest] = content.ToArray();
            RepositoryFor(repository).Blobs.Add(digest);
        }
        return digest;
    }

    /// <summary>
    /// Stores a manifest (tagged when <paramref name="tag"/> is given), without a request and without checking
    /// that its blobs are there, so a test can seed in any order or on purpose leave a blob out.
    /// </summary>
    public Digest PutManifest(string repository, string? tag, byte[] bytes, string mediaType)
    {
        var digest = Digest.Compute(bytes);
        lock (_gate)
        {
            var repo = RepositoryFor(repository);
            repo.Manifests[digest] = new ManifestContent(bytes.ToArray(), mediaType, digest);
            if (tag is not null)
            {
                repo.Tags[tag] = digest;
            }
        }
        return digest;
    }

    /// <summary>The manifest a tag or digest names in a repository, as stored (bytes, Content-Type, digest); null when there is none.</summary>
    public ManifestContent? GetManifest(string repository, string reference)
    {
        lock (_gate)
        {
            return FindManifest(repository, reference);
        }
    }

    public IReadOnlyList<string> Tags(string repository)
    {
        lock (_gate)
        {
            return _repositories.TryGetValue(repository, out var repo) ? repo.Tags.Keys.Order(StringComparer.Ordinal).ToArray() : [];
        }
    }

    /// <summary>The blobs visible in a repository (uploaded, mounted or seeded there).</summary>
    public IReadOnlySet<Digest> BlobsIn(string repository)
    {
        lock (_gate)
        {
            return _repositories.TryGetValue(repository, out var repo) ? repo.Blobs.ToHashSet() : new HashSet<Digest>();
        }
    }

    /// <summary>Serves other bytes under <paramref name="digest"/>: a registry (or a disk) that corrupted a blob.</summary>
    public void CorruptBlob(Digest digest, byte[] content)
    {
        lock (_gate)
        {
            _blobs[digest] = content.ToArray();
        }
    }

    /// <summary>A blob's content, whichever repository it is in; null when the registry does not have it.</summary>
    public byte[]? GetBlob(Digest digest)
    {
        lock (_gate)
        {
            return _blobs.GetValueOrDefault(digest);
        }
    }

    /// <summary>Upload sessions opened and neither finished nor deleted (a client should leave none behind).</summary>
    public int OpenUploads
    {
        get
        {
            lock (_gate)
            {
                return _uploads.Count;
            }
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------------------

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var uri = request.RequestUri ?? throw new ArgumentException("A request without a URI.", nameof(request));
        if (!string.Equals(uri.Authority, Host, StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"Nothing listens at {uri.Authority} in this test (the in-memory registry is {Host}).",
                new SocketException((int)SocketError.ConnectionRefused));
        }
        var authorization = request.Headers.Authorization?.Scheme;
        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            // What HttpClient reports when a TLS ClientHello reaches a plain-HTTP server: the client's scheme
            // probe then falls back to http, as it does for a local `registry:2`.
            Record(new RegistryRequest(request.Method.Method, uri.Scheme, uri.PathAndQuery, authorization, null, 0, null));
            throw new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established (the in-memory registry speaks plain HTTP).",
                new IOException("Received an unexpected EOF or 0 bytes from the transport stream."));
        }

        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var contentRange = request.Content?.Headers.TryGetValues("Content-Range", out var ranges) == true ? ranges.FirstOrDefault() : null;
        HttpResponseMessage response;
        lock (_gate)
        {
            response = Handle(request, uri, body, contentRange);
            _requests.Add(new RegistryRequest(request.Method.Method, uri.Scheme, uri.PathAndQuery, authorization, contentRange, body.LongLength, response.StatusCode));
        }
        response.RequestMessage = request;
        return response;
    }

    private void Record(RegistryRequest seen)
    {
        lock (_gate)
        {
            _requests.Add(seen);
        }
    }

    [GeneratedRegex("^/v2/(?<name>.+)/manifests/(?<reference>[^/]+)$")]
    private static partial Regex ManifestPath();

    // Before BlobPath: "uploads" would otherwise be read as a digest.
    [GeneratedRegex("^/v2/(?<name>.+)/blobs/uploads/(?<id>[^/]*)$")]
    private static partial Regex UploadPath();

    [GeneratedRegex("^/v2/(?<name>.+)/blobs/(?<digest>[^/]+)$")]
    private static partial Regex BlobPath();

    [GeneratedRegex("^/v2/(?<name>.+)/tags/list$")]
    private static partial Regex TagsPath();

    // The distribution spec's name and tag grammars.
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagName();

    private HttpResponseMessage Handle(HttpRequestMessage request, Uri uri, byte[] body, string? contentRange)
    {
        var path = uri.AbsolutePath;
        var query = HttpUtility.ParseQueryString(uri.Query);
        var method = request.Method.Method;

        if (path == "/token")
        {
            return Auth is InMemoryRegistryAuth.Bearer bearer ? IssueToken(request, query, bearer) : Error(HttpStatusCode.NotFound, "NOT_FOUND", "no token service: the registry does not use Bearer authentication");
        }
        if (path == "/v2/" || path == "/v2")
        {
            if (Refuse(request, UnknownRepository, push: false, from: null) is { } challenge)
            {
                return challenge;
            }
            var ping = Json(HttpStatusCode.OK, new JsonObject());
            ping.Headers.Add("Docker-Distribution-API-Version", "registry/2.0");
            return ping;
        }

        Match match;
        if ((match = ManifestPath().Match(path)).Success)
        {
            return WithName(match, name => Authorized(request, name, push: !IsRead(method), from: null, () => method switch
            {
                "GET" => GetManifest(name, match.Groups["reference"].Value, head: false),
                "HEAD" => GetManifest(name, match.Groups["reference"].Value, head: true),
                "PUT" => PutManifest(request, name, match.Groups["reference"].Value, body),
                _ => Unsupported(method, path),
            }));
        }
        if ((match = UploadPath().Match(path)).Success)
        {
            var id = match.Groups["id"].Value;
            var from = id.Length == 0 && method == "POST" ? query["from"] : null;
            return WithName(match, name => Authorized(request, name, push: true, from, () => (id, method) switch
            {
                ("", "POST") => StartUpload(name, query, body),
                ("", _) => Unsupported(method, path),
                (_, "PATCH") => WithSession(name, id, query, session => PatchUpload(name, session, body, contentRange)),
                (_, "PUT") => WithSession(name, id, query, session => FinishUpload(name, session, query, body, contentRange)),
                (_, "GET") => WithSession(name, id, query, session => SessionResponse(HttpStatusCode.NoContent, name, session)),
                (_, "DELETE") => WithSession(name, id, query, session =>
                {
                    _uploads.Remove(session.Id);
                    return Empty(HttpStatusCode.NoContent);
                }),
                _ => Unsupported(method, path),
            }));
        }
        if ((match = BlobPath().Match(path)).Success)
        {
            return WithName(match, name => Authorized(request, name, push: !IsRead(method), from: null, () => method switch
            {
                "GET" => GetBlob(name, match.Groups["digest"].Value, head: false),
                "HEAD" => GetBlob(name, match.Groups["digest"].Value, head: true),
                _ => Unsupported(method, path),
            }));
        }
        if ((match = TagsPath().Match(path)).Success && method == "GET")
        {
            return WithName(match, name => Authorized(request, name, push: false, from: null, () =>
                _repositories.TryGetValue(name, out var repo)
                    ? Json(HttpStatusCode.OK, new JsonObject { ["name"] = name, ["tags"] = new JsonArray(repo.Tags.Keys.Order(StringComparer.Ordinal).Select(t => (JsonNode)JsonValue.Create(t)).ToArray()) })
                    : Error(HttpStatusCode.NotFound, "NAME_UNKNOWN", $"repository name not known to registry: {name}")));
        }
        return Error(HttpStatusCode.NotFound, "NOT_FOUND", $"no such endpoint: {method} {path}");
    }

    private static bool IsRead(string method) => method is "GET" or "HEAD";

    private static HttpResponseMessage WithName(Match match, Func<string, HttpResponseMessage> handle)
    {
        var name = match.Groups["name"].Value;
        return RepositoryName().IsMatch(name) ? handle(name) : Error(HttpStatusCode.BadRequest, "NAME_INVALID", $"invalid repository name: {name}");
    }

    private HttpResponseMessage Authorized(HttpRequestMessage request, string name, bool push, string? from, Func<HttpResponseMessage> handle)
        => Refuse(request, name, push, from) ?? handle();

    // ---- Authentication --------------------------------------------------------------------------------

    /// <summary>A 401 with the challenge when the request may not do what it asks; null when it may.</summary>
    private HttpResponseMessage? Refuse(HttpRequestMessage request, string name, bool push, string? from)
    {
        var given = request.Headers.Authorization;
        switch (Auth)
        {
            case InMemoryRegistryAuth.Basic basic:
                return IsBasic(given, basic.User, basic.Password) ? null : Unauthorized("Basic", "realm=\"in-memory-registry\"");

            case InMemoryRegistryAuth.Bearer:
                // Distribution asks for pull and push on the target of any write, and pull on a mount's source.
                var needed = new List<string>();
                if (name != UnknownRepository)
                {
                    needed.Add($"{name}:pull");
                    if (push)
                    {
                        needed.Add($"{name}:push");
                    }
                }
                if (from is not null)
                {
                    needed.Add($"{from}:pull");
                }
                if (given is { Parameter: { } token } && given.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
                    && _tokens.TryGetValue(token, out var grants) && needed.All(grants.Contains))
                {
                    return null;
                }
                var scopes = new List<string>();
                if (name != UnknownRepository)
                {
                    scopes.Add($"repository:{name}:{(push ? "pull,push" : "pull")}");
                }
                if (from is not null)
                {
                    scopes.Add($"repository:{from}:pull");
                }
                var parameters = $"realm=\"{TokenRealm}\",service=\"{Host}\"" + (scopes.Count > 0 ? $",scope=\"{string.Join(' ', scopes)}\"" : "");
                return Unauthorized("Bearer", parameters);

            default:
                return null;
        }
    }

    private static bool IsBasic(AuthenticationHeaderValue? given, string user, string password)
        => given is { Parameter: { } value } && given.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
           && value == Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static HttpResponseMessage Unauthorized(string scheme, string parameters)
    {
        var response = Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "authentication required");
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue(scheme, parameters));
        return response;
    }

    /// <summary>GET /token?service=&amp;scope=…: a token for every scope asked for, to a user with the right password.</summary>
    private HttpResponseMessage IssueToken(HttpRequestMessage request, NameValueCollection query, InMemoryRegistryAuth.Bearer bearer)
    {
        if (request.Method != HttpMethod.Get)
        {
            // No OAuth2 refresh-token POST here: clients fall back to GET on 404, as with Docker Hub's older service.
            return Error(HttpStatusCode.NotFound, "NOT_FOUND", "only GET is offered by this token service");
        }
        if (!IsBasic(request.Headers.Authorization, bearer.User, bearer.Password))
        {
            return Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "incorrect username or password");
        }
        var grants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scope in (query.GetValues("scope") ?? []).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            // repository:name:pull,push (the name has no ':'; a registry host would only appear in other scope types).
            var parts = scope.Split(':');
            if (parts.Length >= 3 && parts[0] == "repository")
            {
                var name = string.Join(':', parts[1..^1]);
                foreach (var action in parts[^1].Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    grants.Add($"{name}:{action}");
                }
            }
        }
        var token = "imr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _tokens[token] = grants;
        return Json(HttpStatusCode.OK, new JsonObject { ["token"] = token, ["access_token"] = token, ["expires_in"] = 300 });
    }

    // ---- Manifests -------------------------------------------------------------------------------------

    private ManifestContent? FindManifest(string repository, string reference)
    {
        if (!_repositories.TryGetValue(repository, out var repo))
        {
            return null;
        }
        if (Digest.TryParse(reference, out var digest))
        {
            return repo.Manifests.GetValueOrDefault(digest);
        }
        return repo.Tags.TryGetValue(reference, out var tagged) ? repo.Manifests.GetValueOrDefault(tagged) : null;
    }

    private static HttpResponseMessage? InvalidReference(string reference)
        => reference.Contains(':')
            ? Digest.TryParse(reference, out _) ? null : Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", $"invalid digest: {reference}")
            : TagName().IsMatch(reference) ? null : Error(HttpStatusCode.BadRequest, "TAG_INVALID", $"invalid tag: {reference}");

    private HttpResponseMessage GetManifest(string name, string reference, bool head)
    {
        var response = ServeManifest(name, reference, head);
        if (!head && !Digest.TryParse(reference, out _))
        {
            AfterTagRead?.Invoke(name, reference);
        }
        return response;
    }

    private HttpResponseMessage ServeManifest(string name, string reference, bool head)
    {
        if (InvalidReference(reference) is { } invalid)
        {
            return invalid;
        }
        if (FindManifest(name, reference) is not { } manifest)
        {
            return Error(HttpStatusCode.NotFound, "MANIFEST_UNKNOWN", $"manifest unknown: {name}:{reference}");
        }
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(head ? [] : manifest.Bytes) };
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(manifest.ContentType!);
        response.Content.Headers.ContentLength = manifest.Bytes.Length;
        response.Headers.Add("Docker-Content-Digest", manifest.Digest.ToString());
        response.Headers.ETag = new EntityTagHeaderValue($"\"{manifest.Digest}\"");
        return response;
    }

    private HttpResponseMessage PutManifest(HttpRequestMessage request, string name, string reference, byte[] body)
    {
        if (InvalidReference(reference) is { } invalid)
        {
            return invalid;
        }
        if (KeepsConditions && !Digest.TryParse(reference, out _))
        {
            var current = FindManifest(name, reference);
            var changed = request.Headers.IfNoneMatch.Any(t => t.Tag == "*" || t.Tag == $"\"{current?.Digest}\"") && current is not null
                || request.Headers.IfMatch.Count > 0 && (current is null || request.Headers.IfMatch.All(t => t.Tag != "*" && t.Tag != $"\"{current.Digest}\""));
            if (changed)
            {
                return Error(HttpStatusCode.PreconditionFailed, "PRECONDITION_FAILED", $"the tag {name}:{reference} changed");
            }
        }
        var contentType = request.Content?.Headers.ContentType;
        if (contentType?.MediaType is not { } mediaType)
        {
            return Error(HttpStatusCode.BadRequest, "MANIFEST_INVALID", "manifest invalid: no Content-Type");
        }
        JsonObject root;
        try
        {
            root = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            return Error(HttpStatusCode.BadRequest, "MANIFEST_INVALID", $"manifest invalid: {e.Message}");
        }
        if (root["mediaType"] is JsonValue declared && declared.TryGetValue<string>(out var declaredType) && declaredType != mediaType)
        {
            return Error(HttpStatusCode.BadRequest, "MANIFEST_INVALID", $"manifest invalid: mediaType {declaredType} in the body, {mediaType} in Content-Type");
        }
        var digest = Digest.Compute(body);
        if (Digest.TryParse(reference, out var expected) && expected != digest)
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", $"provided digest did not match uploaded content: {reference} named, {digest} sent");
        }

        // Like distribution: an image manifest's config and layers must be blobs of this repository, an
        // index's manifests must be manifests of this repository.
        var repo = RepositoryFor(name);
        var missing = new List<(string Code, string Message)>();
        foreach (var (node, isManifest) in References(root))
        {
            if (!Digest.TryParse(node?["digest"]?.GetValue<string>(), out var referenced))
            {
                return Error(HttpStatusCode.BadRequest, "MANIFEST_INVALID", "manifest invalid: a descriptor without a valid digest");
            }
            var present = isManifest ? repo.Manifests.ContainsKey(referenced) : repo.Blobs.Contains(referenced);
            if (!present)
            {
                missing.Add(("MANIFEST_BLOB_UNKNOWN", $"blob unknown to registry: {referenced}"));
            }
        }
        if (missing.Count > 0)
        {
            return Errors(HttpStatusCode.BadRequest, missing);
        }

        repo.Manifests[digest] = new ManifestContent(body, contentType.ToString(), digest);
        if (!Digest.TryParse(reference, out _))
        {
            repo.Tags[reference] = digest;
        }
        var response = Empty(HttpStatusCode.Created);
        response.Headers.Location = new Uri($"/v2/{name}/manifests/{digest}", UriKind.Relative);
        response.Headers.Add("Docker-Content-Digest", digest.ToString());
        return response;
    }

    private static IEnumerable<(JsonNode? Node, bool IsManifest)> References(JsonObject root)
    {
        if (root["config"] is { } config)
        {
            yield return (config, false);
        }
        foreach (var layer in root["layers"] as JsonArray ?? [])
        {
            yield return (layer, false);
        }
        foreach (var manifest in root["manifests"] as JsonArray ?? [])
        {
            yield return (manifest, true);
        }
    }

    // ---- Blobs -----------------------------------------------------------------------------------------

    private HttpResponseMessage GetBlob(string name, string reference, bool head)
    {
        if (!Digest.TryParse(reference, out var digest))
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", $"invalid digest: {reference}");
        }
        if (!_repositories.TryGetValue(name, out var repo) || !repo.Blobs.Contains(digest))
        {
            return Error(HttpStatusCode.NotFound, "BLOB_UNKNOWN", $"blob unknown to registry: {digest}");
        }
        var content = _blobs[digest];
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(head ? [] : content) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        response.Content.Headers.ContentLength = content.Length;
        response.Headers.Add("Docker-Content-Digest", digest.ToString());
        return response;
    }

    private HttpResponseMessage StartUpload(string name, NameValueCollection query, byte[] body)
    {
        // A mount is answered 201 only when the source repository really has the blob; otherwise, like
        // distribution, with a new session (202) the client may upload into.
        if (query["mount"] is { } mount && query["from"] is { } from && Digest.TryParse(mount, out var mounted)
            && _repositories.TryGetValue(from, out var source) && source.Blobs.Contains(mounted))
        {
            return BlobCreated(name, mounted);
        }
        if (query["mount"] is null && query["digest"] is { } digestText)
        {
            // Monolithic POST with the content (distribution-spec "single POST").
            return Commit(name, digestText, body);
        }

        var session = new UploadSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), name);
        _uploads[session.Id] = session;
        var response = SessionResponse(HttpStatusCode.Accepted, name, session);
        if (ChunkMinLength is { } minimum)
        {
            response.Headers.Add("OCI-Chunk-Min-Length", minimum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return response;
    }

    private HttpResponseMessage WithSession(string name, string id, NameValueCollection query, Func<UploadSession, HttpResponseMessage> handle)
    {
        if (!_uploads.TryGetValue(id, out var session) || session.Repository != name)
        {
            return Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN", $"blob upload unknown to registry: {id}");
        }
        // Distribution signs the upload's state into each Location: only the latest one is accepted.
        if (query["_state"] != session.State)
        {
            return Error(HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID", "blob upload invalid: stale or missing _state (use the Location of the last response)");
        }
        return handle(session);
    }

    private HttpResponseMessage PatchUpload(string name, UploadSession session, byte[] body, string? contentRange)
    {
        if (Refuse416(session, body, contentRange) is { } refused)
        {
            return refused;
        }
        session.Append(body, ChunkMinLength);
        return SessionResponse(HttpStatusCode.Accepted, name, session);
    }

    private HttpResponseMessage FinishUpload(string name, UploadSession session, NameValueCollection query, byte[] body, string? contentRange)
    {
        if (body.Length > 0 && Refuse416(session, body, contentRange) is { } refused)
        {
            return refused;
        }
        // Success or not, the session ends (distribution cancels an upload whose commit failed).
        _uploads.Remove(session.Id);
        session.Append(body, minimumChunk: null);
        return Commit(name, query["digest"], session.Content);
    }

    /// <summary>416 when a chunk does not start where the session stands, or follows a chunk shorter than OCI-Chunk-Min-Length.</summary>
    private HttpResponseMessage? Refuse416(UploadSession session, byte[] body, string? contentRange)
    {
        if (session.ShortChunkSeen)
        {
            return Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", $"a chunk shorter than OCI-Chunk-Min-Length ({ChunkMinLength}) was not the last one");
        }
        if (contentRange is null)
        {
            // Streamed PATCH: allowed, appended where the session stands.
            return null;
        }
        var text = contentRange.Trim();
        text = text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase) ? text[5..].TrimStart(' ', '=') : text;
        text = text.Split('/', 2)[0];
        var parts = text.Split('-');
        if (parts.Length != 2 || !long.TryParse(parts[0], out var start) || !long.TryParse(parts[1], out var end))
        {
            return Error(HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID", $"invalid Content-Range: {contentRange}");
        }
        if (start != session.Length || end - start + 1 != body.LongLength)
        {
            return Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID",
                $"Content-Range {contentRange} with {body.Length} bytes does not continue the upload, which has {session.Length} bytes");
        }
        return null;
    }

    private HttpResponseMessage Commit(string name, string? digestText, byte[] content)
    {
        if (!Digest.TryParse(digestText, out var expected))
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", $"provided digest is invalid: '{digestText}'");
        }
        var actual = Digest.Compute(content);
        if (actual != expected)
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", $"provided digest did not match uploaded content: {expected} named, {actual} received ({content.Length} bytes)");
        }
        _blobs[actual] = content;
        return BlobCreated(name, actual);
    }

    private HttpResponseMessage BlobCreated(string name, Digest digest)
    {
        RepositoryFor(name).Blobs.Add(digest);
        var response = Empty(HttpStatusCode.Created);
        response.Headers.Location = new Uri($"/v2/{name}/blobs/{digest}", UriKind.Relative);
        response.Headers.Add("Docker-Content-Digest", digest.ToString());
        return response;
    }

    private static HttpResponseMessage SessionResponse(HttpStatusCode status, string name, UploadSession session)
    {
        var response = Empty(status);
        response.Headers.Location = new Uri($"/v2/{name}/blobs/uploads/{session.Id}?_state={session.State}", UriKind.Relative);
        // As distribution writes it: "0-0" both for an empty session and for one byte.
        response.Headers.TryAddWithoutValidation("Range", $"0-{Math.Max(session.Length - 1, 0)}");
        response.Headers.Add("Docker-Upload-UUID", session.Id);
        return response;
    }

    // ---- Plumbing --------------------------------------------------------------------------------------

    private Repository RepositoryFor(string name)
    {
        if (!_repositories.TryGetValue(name, out var repo))
        {
            _repositories[name] = repo = new Repository();
        }
        return repo;
    }

    private static HttpResponseMessage Unsupported(string method, string path)
        => Error(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED", $"the operation is unsupported: {method} {path}");

    private static HttpResponseMessage Empty(HttpStatusCode status)
        => new(status) { Content = new ByteArrayContent([]) };

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpResponseMessage(status) { Content = content };
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message) => Errors(status, [(code, message)]);

    /// <summary>The distribution-spec error body: <c>{"errors":[{"code":…,"message":…}]}</c>.</summary>
    private static HttpResponseMessage Errors(HttpStatusCode status, IEnumerable<(string Code, string Message)> errors)
        => Json(status, new JsonObject
        {
            ["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["code"] = e.Code, ["message"] = e.Message }).ToArray()),
        });

    private sealed class Repository
    {
        public Dictionary<Digest, ManifestContent> Manifests { get; } = [];
        public Dictionary<string, Digest> Tags { get; } = new(StringComparer.Ordinal);
        public HashSet<Digest> Blobs { get; } = [];
    }

    private sealed class UploadSession(string id, string repository)
    {
        private readonly MemoryStream _content = new();

        public string Id { get; } = id;

        public string Repository { get; } = repository;

        /// <summary>Changes with every chunk, like distribution's signed _state.</summary>
        public string State { get; private set; } = NewState();

        public long Length => _content.Length;

        public byte[] Content => _content.ToArray();

        /// <summary>A chunk shorter than OCI-Chunk-Min-Length arrived: it must have been the last.</summary>
        public bool ShortChunkSeen { get; private set; }

        public void Append(byte[] chunk, long? minimumChunk)
        {
            _content.Write(chunk);
            ShortChunkSeen = minimumChunk is { } minimum && chunk.Length < minimum;
            State = NewState();
        }

        private static string NewState() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }
}
