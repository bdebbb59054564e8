using Azure.Storage.Blobs;
using LargeWebApp.Core;
using Microsoft.EntityFrameworkCore;
using Serilog;
using SkiaSharp;

// Every package is touched once, so the publish output carries all of them. None of this runs on GET /.
var builder = WebApplication.CreateBuilder(args);
builder.Host.UseSerilog((context, configuration) => configuration.WriteTo.Console());
builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen();
builder.Services.AddGrpc();
builder.Services.AddDbContext<SqliteNotes>(options => options.UseSqlite("Data Source=:memory:"));
builder.Services.AddDbContext<PostgresNotes>(options => options.UseNpgsql("Host=127.0.0.1;Database=notes"));
builder.Services.AddSingleton(_ => new BlobServiceClient("UseDevelopmentStorage=true"));

var app = builder.Build();
app.UseStaticFiles();
app.UseSwagger();

app.MapGet("/", () => "Hello from LargeWebApp!");
app.MapGet("/greet/{name}", (string name) => Greeting.For(name));
app.MapGet("/image", () =>
{
    try
    {
        using var bitmap = new SKBitmap(16, 16);
        bitmap.Erase(SKColors.SteelBlue);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return Results.File(data.ToArray(), "image/png");
    }
    catch (TypeInitializationException e) when (e.GetBaseException() is DllNotFoundException)
    {
        // libSkiaSharp.so needs libfontconfig.so.1, which the .NET base images do not have.
        return Results.Problem("SkiaSharp's native library cannot load: the image needs libfontconfig1.", statusCode: 503);
    }
});

app.Run();

public sealed class Note
{
    public int Id { get; set; }
    public string Text { get; set; } = "";
}

public sealed class SqliteNotes(DbContextOptions<SqliteNotes> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}

public sealed class PostgresNotes(DbContextOptions<PostgresNotes> options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();
}
