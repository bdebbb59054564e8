var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
var log = new Serilog.LoggerConfiguration().CreateLogger();

app.UseStaticFiles();
app.MapGet("/", () =>
{
    log.Information("GET /");
    return LayeredApp.Lib.Greeting.For("layers") + " (version 1)";
});

app.Run();
