using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Containers.Build.Tests.Integration;

namespace Containers.Build.Tests.Support;

/// <summary>
/// The token service of the test environment's token-auth registry (build/setup-test-env.sh points the
/// registry's realm at 127.0.0.1:5003 and trusts the certificate of the key this server signs with). It
/// issues RS256 JWTs in the distribution token format for the user and password of the test environment,
/// or for a refresh token (the OAuth2 POST), and records what it was asked.
/// </summary>
public sealed class TokenServer : IDisposable
{
    public const string RefreshToken = "cb-refresh-token";
    private static readonly Lazy<TokenServer> Shared = new(() => new TokenServer());

    private readonly HttpListener _listener = new();
    private readonly RSA _key;
    private readonly string _certificate;

    private TokenServer()
    {
        var pki = TestEnvironment.PkiDirectory;
        _key = RSA.Create();
        _key.ImportFromPem(File.ReadAllText(Path.Combine(pki, "token.key")));
        _certificate = Convert.ToBase64String(X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(pki, "token.crt"))).RawData);
        _listener.Prefixes.Add($"http://{TestEnvironment.TokenServer}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>The one server of this test run (the registry's config names its address).</summary>
    public static TokenServer Instance => Shared.Value;

    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                Handle(context);
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        string? service;
        IEnumerable<string> scopes;
        bool authorized;
        if (request.HttpMethod == "POST")
        {
            using var reader = new StreamReader(request.InputStream);
            var form = HttpUtility.ParseQueryString(reader.ReadToEnd());
            service = form["service"];
            scopes = (form["scope"] ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            authorized = form["grant_type"] == "refresh_token" && form["refresh_token"] == RefreshToken;
            Requests.Enqueue($"POST {string.Join(' ', scopes)}");
        }
        else
        {
            var query = HttpUtility.ParseQueryString(request.Url!.Query);
            service = query["service"];
            scopes = query.GetValues("scope") ?? [];
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TestEnvironment.TestUser}:{TestEnvironment.TestPassword}"));
            authorized = request.Headers["Authorization"] == expected;
            Requests.Enqueue($"GET {string.Join(' ', scopes)} {(request.Headers["Authorization"] is null ? "anonymous" : "basic")}");
        }
        if (!authorized)
        {
            context.Response.StatusCode = 401;
            return;
        }
        var token = Sign(service ?? "", scopes);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { token, access_token = token, expires_in = 300 }));
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
    }

    private string Sign(string service, IEnumerable<string> scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var access = new JsonArray(scopes.Select(scope =>
        {
            // repository:name:actions — the name may itself contain ':' only in the registry's host part, never here.
            var parts = scope.Split(':');
            return (JsonNode)new JsonObject
            {
                ["type"] = parts[0],
                ["name"] = string.Join(':', parts[1..^1]),
                ["actions"] = new JsonArray(parts[^1].Split(',').Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
            };
        }).ToArray());
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new JsonArray(JsonValue.Create(_certificate)) };
        var claims = new JsonObject
        {
            ["iss"] = TestEnvironment.TokenService,
            ["sub"] = TestEnvironment.TestUser,
            ["aud"] = service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _listener.Close();
        _key.Dispose();
    }
}
