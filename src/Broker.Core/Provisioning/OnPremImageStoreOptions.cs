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

    /// <summary>What a container gets when ops set nothing: NVIDIA's device nodes as the driver creates them.</summary>
    public static readonly IReadOnlyList<string> DefaultContainerDevices =
        ["/dev/nvidia[0-9]*", "/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools"];

    /// <summary>
    /// <c>OnPrem:ContainerDevices</c>: glob patterns of device paths on the node that are bound into every container at
    /// <c>/dev/&lt;name&gt;</c> (<c>{node}</c> is the node's name). Unset, <see cref="DefaultContainerDevices"/>; a single
    /// empty entry, none. An array, not a list, so configuration replaces the default rather than appending to it.
    /// </summary>
    public string[]? ContainerDevices { get; set; }

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

    /// <summary>The device patterns, defaults applied, empty entries dropped.</summary>
    /// <exception cref="InvalidOperationException">A pattern is not an absolute path, or holds a quote or control character.</exception>
    public IReadOnlyList<string> CheckedContainerDevices()
    {
        if (ContainerDevices is null)
        {
            return DefaultContainerDevices;
        }
        var patterns = ContainerDevices.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).ToArray();
        foreach (var pattern in patterns)
        {
            if (!pattern.StartsWith('/') || pattern.Any(c => c is '\'' or '"' || char.IsControl(c)))
            {
                throw new InvalidOperationException(
                    $"OnPrem:ContainerDevices entries must be absolute glob patterns of device paths without quotes or control characters; got '{pattern.ReplaceLineEndings(" ")}'.");
            }
        }
        return patterns;
    }
}
