namespace Containers.Build.Tests.Integration;

/// <summary>What a user sees when something is wrong: a coded error saying what to do, never MSB4018.</summary>
public class PublishImageErrorTests
{
    private static async Task AssertFailsWithAsync(string code, string expectedText, params string[] properties)
    {
        using var sample = await SampleProject.CreateAsync();
        var result = await sample.PublishImageAsync(properties);
        Assert.True(result.ExitCode != 0, "The publish should have failed:\n" + result);
        Assert.Contains($"error {code}:", result.Output, StringComparison.Ordinal);
        Assert.Contains(expectedText, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
    }

    [IntegrationFact]
    public Task A_base_image_that_does_not_exist()
        => AssertFailsWithAsync("CB2001", "was not found",
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.Registry}/dotnet/no-such-image:10.0");

    [IntegrationFact]
    public Task A_registry_that_is_not_running()
        => AssertFailsWithAsync("CB2003", "connection refused",
            "ContainerRegistry=127.0.0.1:1", "ContainerBaseImage=127.0.0.1:1/dotnet/aspnet:10.0");

    [IntegrationFact]
    public Task An_invalid_repository_name()
        => AssertFailsWithAsync("CB1004", "ContainerRepository 'Not Valid!'",
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", "ContainerRepository=Not Valid!");

    [IntegrationFact]
    public Task An_invalid_tag()
        => AssertFailsWithAsync("CB1006", "'-nope'",
            $"ContainerRegistry={TestEnvironment.Registry}", $"ContainerBaseImage={TestEnvironment.AspNetBase}", "ContainerImageTag=-nope");

    [IntegrationFact]
    public Task A_registry_that_refuses_the_push()
        // The second registry of the test environment serves the same storage in read-only mode: it has
        // the base image, and answers every upload with its own UNSUPPORTED error.
        => AssertFailsWithAsync("CB2005", "refused",
            $"ContainerRegistry={TestEnvironment.ReadOnlyRegistry}", $"ContainerBaseImage={TestEnvironment.ReadOnlyRegistry}/dotnet/aspnet:10.0");
}
