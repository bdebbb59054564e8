var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/", () => "Hello from Containers.Build!");
app.MapGet("/healthz", () => Results.Ok(new { status = "healthy", runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription }));

app.Run();
