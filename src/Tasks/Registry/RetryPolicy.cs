using System.Net;
using System.Net.Http.Headers;

namespace Containers.Build.Registry;

/// <summary>
/// When and how long to wait before sending a request again: on connection resets and timeouts, and on
/// 408, 429, 500, 502, 503 and 504 — never on other 4xx (a retry cannot fix them). Delays grow
/// exponentially with full jitter, a Retry-After (seconds or an HTTP date) is honored up to a cap, and both
/// the attempts and the total time are bounded.
/// </summary>
public sealed record RetryPolicy
{
    public static RetryPolicy Default { get; } = new();

    /// <summary>No retries: for tests that count requests, and for callers that handle failures themselves.</summary>
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1, UploadSessionAttempts = 1, ChunkResumes = 0, BlobDownloadAttempts = 1 };

    /// <summary>Attempts of one request (a 5xx, 408, 429, or a reset connection).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Upload sessions started for one blob: a session the registry lost (or a monolithic PUT that broke) is started over.</summary>
    public int UploadSessionAttempts { get; init; } = 3;

    /// <summary>Resumes of one chunked upload from the offset the registry reports, after broken PATCHes.</summary>
    public int ChunkResumes { get; init; } = 5;

    /// <summary>Downloads of one blob whose body broke off mid-way, each from the start.</summary>
    public int BlobDownloadAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxTotalTime { get; init; } = TimeSpan.FromMinutes(3);

    public static bool IsRetryable(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (attempt counts from 1).</summary>
    public TimeSpan DelayBefore(int attempt, RetryConditionHeaderValue? retryAfter, DateTimeOffset now, Random random)
    {
        if (retryAfter is not null)
        {
            var requested = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - now : TimeSpan.Zero);
            if (requested < TimeSpan.Zero)
            {
                requested = TimeSpan.Zero;
            }
            return requested > MaxRetryAfter ? MaxRetryAfter : requested;
        }
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        // Full jitter: many clients retrying the same registry spread out instead of arriving together.
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }
}
