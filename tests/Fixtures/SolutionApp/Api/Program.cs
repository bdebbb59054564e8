var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => $"Api: {Shared.Greeting.Text} {Shared.Multi.Framework.Name}");
app.Run();
