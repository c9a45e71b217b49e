namespace Broker.Core.Provisioning;

/// <summary>
/// The site image store (configuration <c>OnPrem:ImageStore</c>): the path, the same on every node, of an OCI image layout
/// directory whose tags are image references (<see cref="OnPremContainerRunSection.StoreRefName"/>), readable by the team
/// users. Set, every on-prem job runs its image there under rootless runc (<see cref="OnPremContainerRunSection"/>);
/// unset, on-prem jobs run their command directly on the node, as before (ADR 0005) and the image is not used.
/// </summary>
public sealed class OnPremImageStoreOptions
{
    public const string SectionName = "OnPrem";

    public string? ImageStore { get; set; }

    /// <summary>The store's path, or null when none is configured.</summary>
    /// <exception cref="InvalidOperationException">The path is not one the scripts can use.</exception>
    public string? CheckedPath()
    {
        if (string.IsNullOrWhiteSpace(ImageStore))
        {
            return null;
        }
        var path = ImageStore.Trim().TrimEnd('/');
        // umoci names an image as <layout>:<tag>, so the layout path cannot hold a ':'.
        if (!path.StartsWith('/') || path.Contains(':', StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw new InvalidOperationException(
                $"OnPrem:ImageStore must be an absolute path without ':' or control characters (an OCI image layout directory); got '{ImageStore}'.");
        }
        return path;
    }
}
