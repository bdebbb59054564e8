namespace Containers.Build.Layers;

/// <summary>The files are to belong to the image's user, but that user is a name, not a number a layer can record.</summary>
public sealed class LayerOwnerUnresolvableException(string imageUser)
    : Exception($"The files are to belong to the image's user, but the image's user is '{imageUser}', not a numeric uid.")
{
    public string ImageUser { get; } = imageUser;
}
