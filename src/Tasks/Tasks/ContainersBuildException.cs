namespace Containers.Build.Tasks;

/// <summary>
/// A failure the user can act on. The library throws these; only the task boundary turns them into
/// MSBuild errors, using <see cref="Code"/> as the diagnostic code.
/// </summary>
public class ContainersBuildException : Exception
{
    public ContainersBuildException(string code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    /// <summary>The stable diagnostic code, CB followed by four digits (docs/errors.md).</summary>
    public string Code { get; }
}
