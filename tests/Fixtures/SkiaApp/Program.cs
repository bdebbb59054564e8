using SkiaSharp;

var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();

app.MapGet("/", () => "Hello from Containers.Build!");
// Loads libSkiaSharp.so, which needs libfontconfig.so.1.
app.MapGet("/png", () =>
{
    using var bitmap = new SKBitmap(8, 8);
    bitmap.Erase(SKColors.SteelBlue);
    using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
    return Results.File(data.ToArray(), "image/png");
});

app.Run();
