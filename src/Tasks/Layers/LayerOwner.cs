namespace Containers.Build.Layers;

/// <summary>
/// Who owns the app's files in the image (ContainerFileOwner): root (the default; the app can read but not
/// change them), the app's user (for apps that write next to themselves), or an explicit uid[:gid].
/// </summary>
public sealed record LayerOwner(int? UserId, int? GroupId, bool IsAppUser)
{
    public static LayerOwner Root { get; } = new(0, 0, false);
    public static LayerOwner AppUser { get; } = new(null, null, true);

    /// <summary>"root", "app" or a numeric "uid[:gid]" (the gid defaults to the uid); false for anything else.</summary>
    public static bool TryParse(string text, out LayerOwner owner)
    {
        owner = Root;
        if (text.Equals("root", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (text.Equals("app", StringComparison.OrdinalIgnoreCase))
        {
            owner = AppUser;
            return true;
        }
        var parts = text.Split(':');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid)
            && (parts.Length == 1 || int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            owner = new LayerOwner(uid, parts.Length == 2 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : null, false);
            return true;
        }
        return false;
    }

    /// <summary>The ids for the layer, given the image's user (ContainerUser or APP_UID) when the owner is the app user.</summary>
    public (int UserId, int GroupId) Resolve(string? imageUser)
    {
        if (!IsAppUser)
        {
            return (UserId!.Value, GroupId ?? UserId!.Value);
        }
        var user = imageUser ?? "";
        var parts = user.Split(':');
        if (parts.Length is 1 or 2 && int.TryParse(parts[0], out var uid) && uid >= 0)
        {
            var gid = parts.Length == 2 && int.TryParse(parts[1], out var g) && g >= 0 ? g : uid;
            return (uid, gid);
        }
        throw new LayerOwnerUnresolvableException(user);
    }
}
