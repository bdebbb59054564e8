namespace Shared.Multi;

public static class Framework
{
#if NET10_0_OR_GREATER
    public const string Name = "net10.0";
#else
    public const string Name = "net9.0";
#endif
}
