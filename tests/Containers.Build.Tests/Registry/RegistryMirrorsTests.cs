using Containers.Build.Tasks;
using System.Net;
using System.Net.Http.Headers;
using Containers.Build.References;
using Containers.Build.Registry;
using Containers.Build.Registry.Auth;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Registry;

/// <summary>Which registry the base image is read from when mirrors are configured.</summary>
public class RegistryMirrorsTests
{
    private static readonly ImageReference Base = ImageReference.Parse("mcr.microsoft.com/dotnet/aspnet:10.0");

    /// <summary>A network of fake registries: each host has the repositories:tags listed for it.</summary>
    private static FakeHttpHandler Registries(Dictionary<string, string[]> images) => new(request =>
    {
        var uri = request.RequestUri!;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var path = uri.AbsolutePath;
        if (path == "/v2/")
        {
            return FakeHttpHandler.Status(HttpStatusCode.OK);
        }
        var marker = path.IndexOf("/manifests/", StringComparison.Ordinal);
        if (marker < 0 || !images.TryGetValue(host, out var present))
        {
            return FakeHttpHandler.Status(HttpStatusCode.NotFound);
        }
        var name = $"{path[4..marker]}:{path[(marker + "/manifests/".Length)..]}";
        if (!present.Contains(name))
        {
            return FakeHttpHandler.Status(HttpStatusCode.NotFound, """{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""");
        }
        var response = FakeHttpHandler.Status(HttpStatusCode.OK, """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}""");
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
        return response;
    });

    private static async Task<(string Chosen, List<string> Messages, FakeHttpHandler Handler)> ChooseAsync(
        Dictionary<string, string[]> images, string? environment, (string, string?)[] items, string? pushRegistry = null)
    {
        var handler = Registries(images);
        using var clients = new RegistryClientFactory(handler, _ => null);
        var messages = new List<string>();
        var mirrors = RegistryMirrorSettings.Parse(items, environment, messages.Add);
        var push = pushRegistry is null ? null : clients.Get(RegistryHost.Parse(pushRegistry), RegistryAccess.Push);
        var client = await mirrors.ChooseBaseClientAsync(host => host == push?.Registry ? push : clients.Get(host, RegistryAccess.Pull), Base, CancellationToken.None);
        if (push is not null)
        {
            Assert.Equal(client.Registry == push.Registry, ReferenceEquals(client, push));
        }
        return (client.Registry.Value, messages, handler);
    }

    [Fact]
    public async Task Without_mirrors_the_base_registry_is_used_and_nothing_is_asked_first()
    {
        var (chosen, messages, handler) = await ChooseAsync(new() { ["mcr.microsoft.com"] = ["dotnet/aspnet:10.0"] }, null, []);
        Assert.Equal("mcr.microsoft.com", chosen);
        Assert.Empty(messages);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_mirror_that_has_the_image_serves_it_and_the_origin_is_never_contacted()
    {
        var (chosen, messages, handler) = await ChooseAsync(
            new() { ["mirror.test"] = ["dotnet/aspnet:10.0"], ["mcr.microsoft.com"] = ["dotnet/aspnet:10.0"] },
            "mcr.microsoft.com=mirror.test", []);
        Assert.Equal("mirror.test", chosen);
        Assert.Contains(messages, m => m.Contains("read from the mirror mirror.test", StringComparison.Ordinal));
        Assert.DoesNotContain(handler.Requests, r => r.Uri.Host == "mcr.microsoft.com");
    }

    [Fact]
    public async Task A_mirror_lacking_the_image_falls_back_to_the_origin_and_says_so()
    {
        var (chosen, messages, _) = await ChooseAsync(
            new() { ["mirror.test"] = ["dotnet/runtime:10.0"], ["mcr.microsoft.com"] = ["dotnet/aspnet:10.0"] },
            null, [("mcr.microsoft.com", "mirror.test")]);
        Assert.Equal("mcr.microsoft.com", chosen);
        var message = Assert.Single(messages);
        Assert.Contains("mirror mirror.test for mcr.microsoft.com does not have dotnet/aspnet:10.0", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirrors_are_tried_in_order_environment_first()
    {
        var (chosen, messages, handler) = await ChooseAsync(
            new() { ["env-mirror.test"] = [], ["item-mirror.test"] = ["dotnet/aspnet:10.0"] },
            "mcr.microsoft.com=env-mirror.test", [("mcr.microsoft.com", "item-mirror.test"), ("ghcr.io", "other.test")]);
        Assert.Equal("item-mirror.test", chosen);
        Assert.Equal(["env-mirror.test", "item-mirror.test"], handler.Requests.Where(r => r.Uri.AbsolutePath.Contains("/manifests/")).Select(r => r.Uri.Host).Distinct());
        Assert.Contains(messages, m => m.Contains("item-mirror.test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_mirror_is_reported_not_skipped()
    {
        var handler = new FakeHttpHandler(request => request.RequestUri!.AbsolutePath == "/v2/"
            ? FakeHttpHandler.Status(HttpStatusCode.OK)
            : FakeHttpHandler.Status(HttpStatusCode.BadRequest, """{"errors":[{"code":"DENIED","message":"mirror is misconfigured"}]}"""));
        using var clients = new RegistryClientFactory(handler, _ => null);
        var mirrors = RegistryMirrorSettings.Parse([("mcr.microsoft.com", "mirror.test")], null, _ => { });
        var error = await Assert.ThrowsAsync<MirrorFailedException>(() => mirrors.ChooseBaseClientAsync(host => clients.Get(host, RegistryAccess.Pull), Base, CancellationToken.None));
        Assert.Equal(RegistryHost.Parse("mirror.test"), error.Mirror);
        Assert.Contains("The mirror mirror.test failed", error.Message, StringComparison.Ordinal);
        var (code, message) = ErrorBoundary.Diagnose(error, new ErrorBoundary.Context("mcr.microsoft.com/dotnet/aspnet:10.0", null, false));
        Assert.Equal(DiagnosticCodes.BaseImageUnreadable, code);
        Assert.Contains("remove it from ContainerRegistryMirror", message, StringComparison.Ordinal);
        Assert.DoesNotContain(handler.Requests, r => r.Uri.Host == "mcr.microsoft.com");
    }

    [Fact]
    public async Task A_mirror_that_is_the_push_registry_is_read_with_the_push_client_so_layers_can_be_mounted()
    {
        var (chosen, _, _) = await ChooseAsync(
            new() { ["127.0.0.1:5000"] = ["dotnet/aspnet:10.0"] },
            "mcr.microsoft.com=127.0.0.1:5000", [], pushRegistry: "127.0.0.1:5000");
        Assert.Equal("127.0.0.1:5000", chosen);
    }
}
