var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/", () => $"Frontend: {Shared.Greeting.Text} {Shared.Multi.Framework.Name}");
app.Run();
