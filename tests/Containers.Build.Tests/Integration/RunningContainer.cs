using System.Net;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Integration;

/// <summary>
/// A published image running under podman (host network, pulled again from the loopback registry), its
/// app listening on a free port; removed when disposed.
/// </summary>
public sealed class RunningContainer : IAsyncDisposable
{
    private RunningContainer(string name, int port)
    {
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }

    /// <param name="listenVariable">How the app is told its port: ASPNETCORE_HTTP_PORTS (the port) or ASPNETCORE_URLS (a URL).</param>
    public static async Task<RunningContainer> StartAsync(string image, string listenVariable = "ASPNETCORE_HTTP_PORTS")
    {
        var port = Network.FreePort();
        var container = new RunningContainer("cb-" + Guid.NewGuid().ToString("N")[..12], port);
        var listen = listenVariable == "ASPNETCORE_URLS" ? $"ASPNETCORE_URLS=http://127.0.0.1:{port}" : $"{listenVariable}={port}";
        // Images loaded from an archive (localhost/…, or docker.io/… as an OCI archive names them) are run as loaded;
        // the tests never reach docker.io.
        string[] pull = image.StartsWith("localhost/", StringComparison.Ordinal) || image.StartsWith("docker.io/", StringComparison.Ordinal)
            ? ["--pull=never"]
            : ["--tls-verify=false", "--pull=always"];
        var run = await TestEnvironment.PodmanAsync(["run", "-d", "--name", container.Name, "--network", "host", .. pull, "-e", listen, image]);
        if (run.ExitCode != 0)
        {
            await container.DisposeAsync();
            Assert.Fail(run.ToString());
        }
        return container;
    }

    /// <summary>GET on the app once it answers; fails the test (with the container's log) unless it is 200.</summary>
    public async Task<string> GetOkAsync(string path = "/")
    {
        var (status, body) = await Network.GetWhenUpAsync($"http://127.0.0.1:{Port}{path}");
        if (status != HttpStatusCode.OK)
        {
            var logs = await TestEnvironment.PodmanAsync("logs", Name);
            Assert.Fail($"GET {path} answered {status?.ToString() ?? "nothing"}.\n{logs}");
        }
        return body;
    }

    public Task<ProcessResult> ExecAsync(params string[] command) => TestEnvironment.PodmanAsync(["exec", Name, .. command]);

    public async ValueTask DisposeAsync() => await TestEnvironment.PodmanAsync("rm", "-f", Name);
}
