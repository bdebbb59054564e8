using Newtonsoft.Json;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
var builder = WebApplication.CreateBuilder(args);
builder.Host.UseSerilog();
var app = builder.Build();

app.MapGet("/", () => "Hello from Containers.Build!");
app.MapGet("/json", () => JsonConvert.SerializeObject(new { shop = "contoso" }));

app.Run();
