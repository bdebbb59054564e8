namespace LargeWebApp.Core;

/// <summary>Builds the text that the app's pages return.</summary>
public static class Greeting
{
    public static string For(string name) => $"Hello, {name}!";
}
