using System.Net;
using System.Net.Sockets;

namespace Containers.Build.Tests.Integration;

/// <summary>Ports and HTTP for tests that run the published image.</summary>
public static class Network
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>GETs <paramref name="url"/> once the app answers; (null, "") if it never does within the timeout.</summary>
    public static async Task<(HttpStatusCode? Status, string Body)> GetWhenUpAsync(string url, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
            catch (HttpRequestException)
            {
                return (null, "");
            }
        }
    }

    /// <summary>The body of a GET that must succeed (the app is up already).</summary>
    public static async Task<byte[]> GetBytesAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }
}
