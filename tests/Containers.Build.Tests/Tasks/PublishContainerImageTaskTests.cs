using Containers.Build.Tasks;
using Containers.Build.Tests.Support;

namespace Containers.Build.Tests.Tasks;

/// <summary>The task boundary: failures become coded MSBuild errors, never exceptions.</summary>
public class PublishContainerImageTaskTests : IDisposable
{
    private readonly TempDirectory _publish = new("cb-publish");
    private readonly FakeBuildEngine _engine = new();

    public PublishContainerImageTaskTests() => _publish.WriteFile("App.dll", "x");

    public void Dispose() => _publish.Dispose();

    private PublishContainerImage CreateTask() => new()
    {
        BuildEngine = _engine,
        PublishDirectory = _publish.Path,
        ContentStoreDirectory = _publish.Combine("..", Path.GetFileName(_publish.Path) + "-store"),
        AssemblyName = "App",
        BaseImage = "127.0.0.1:1/dotnet/aspnet:10.0",
        Registry = "127.0.0.1:1",
    };

    [Fact]
    public void Invalid_input_is_a_coded_error_naming_the_property()
    {
        var task = CreateTask();
        task.Repository = "Bad Name";

        Assert.False(task.Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(DiagnosticCodes.RepositoryInvalid, error.Code);
        Assert.Contains("ContainerRepository 'Bad Name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_registry_is_a_coded_error_not_an_exception()
    {
        var task = CreateTask();

        Assert.False(task.Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_unreachable_registries_are_one_coded_error_naming_each()
    {
        var task = CreateTask();
        task.BaseImage = "scratch";
        task.Registry = "127.0.0.1:1;127.0.0.1:2";

        Assert.False(task.Execute());
        var error = Assert.Single(_engine.Errors);
        Assert.Equal(DiagnosticCodes.SeveralRegistriesFailed, error.Code);
        Assert.Contains("was not pushed to 2 of the 2 registries in ContainerRegistry", error.Message, StringComparison.Ordinal);
        Assert.Contains($"- 127.0.0.1:1 ({DiagnosticCodes.RegistryUnreachable}): Could not reach registry 127.0.0.1:1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"- 127.0.0.1:2 ({DiagnosticCodes.RegistryUnreachable}): Could not reach registry 127.0.0.1:2", error.Message, StringComparison.Ordinal);
        Assert.Contains("No registry of the 2 in ContainerRegistry has the image.", error.Message, StringComparison.Ordinal);
        Assert.Empty(task.GeneratedContainerNames);
    }

    [Fact]
    public void Unexpected_failures_are_reported_as_internal_errors_with_a_way_forward()
    {
        var task = CreateTask();
        var (code, message) = task.Diagnose(new InvalidOperationException("boom"));
        Assert.Equal(DiagnosticCodes.InternalError, code);
        Assert.Contains("boom", message, StringComparison.Ordinal);
        Assert.Contains("report", message, StringComparison.Ordinal);
    }
}
