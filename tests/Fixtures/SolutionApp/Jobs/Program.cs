var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddHostedService<Jobs.Heartbeat>();
builder.Build().Run();
