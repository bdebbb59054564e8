namespace Jobs;

public sealed class Heartbeat(ILogger<Heartbeat> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            logger.LogInformation("Jobs: alive");
            await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);
        }
    }
}
